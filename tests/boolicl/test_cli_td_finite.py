"""``boolicl td --class-file``, ``--parameters``, ``--time-limit`` and ``--certificate``; and
``boolicl check-certificate`` on finite-class certificates.

Values: Warmuth's class C_W has VC dimension 2 and RTD = TD = 3 (Doliwa, Fan, Simon & Zilles,
JMLR 2014); singletons with the empty concept over 5 points have TD(empty) = 5 and
RTD = PBTD = NCTD = STD = 1 (hand arguments in tests/teaching/test_teaching_parameters.py).
"""

import json
import re
from pathlib import Path

import pytest

from boolicl.cli import main

ROOT = Path(__file__).resolve().parents[2]
WARMUTH = str(ROOT / "teaching" / "fixtures" / "warmuth_c5.json")
SINGLETONS_EMPTY = str(ROOT / "teaching" / "fixtures" / "singletons_empty_5.json")


def run_json(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_warmuth_json(capsys):
    code, out = run_json(capsys, "td", "--class-file", WARMUTH, "--parameters", "all", "--json")
    assert code == 0
    assert (out["size"], out["points"]) == (10, 5)
    assert out["td_max"] == out["td_min"] == 3 and out["histogram"] == {"3": 10}
    assert out["rtd"] == 3 and out["rtd_status"] == "exact"
    assert out["parameters"]["vcd"]["value"] == 2
    assert out["parameters"]["pbtd"]["value"] == 3
    assert [layer["td"] for layer in out["plan"]] == [3]
    assert all(len(c["examples"]) == 3 for c in out["concepts"])


def test_text_table(capsys):
    assert main(["td", "--class-file", SINGLETONS_EMPTY, "--parameters", "pbtd,nctd,std"]) == 0
    text = capsys.readouterr().out
    assert "6 concepts over 5 points" in text
    assert "TD(C) = 5; min TD = 1" in text and "RTD = 1" in text
    assert "PBTD = 1; NCTD = 1; STD = 1" in text
    assert re.search(r"^\{\}\s+5\s+x1=0 x2=0 x3=0 x4=0 x5=0$", text, re.M)
    assert "layer 1 (TD 1)" in text and "layer 2 (TD 0): {}" in text


def test_csv_with_duplicates_says_merged(capsys, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("concept,a,b\nA,1,0\nB,0,1\nC,1,0\n")
    assert main(["td", "--class-file", str(path)]) == 0
    text = capsys.readouterr().out
    assert "note: merged duplicate concepts: C = A" in text
    assert "2 concepts over 2 points" in text


def test_certificate_written_and_rechecked(capsys, tmp_path):
    cert = tmp_path / "cert.json"
    code, out = run_json(capsys, "td", "--class-file", WARMUTH, "--parameters", "all",
                         "--certificate", str(cert), "--json")
    assert code == 0 and out["certificate_file"] == str(cert)
    code, chk = run_json(capsys, "check-certificate", str(cert), "--json")
    assert code == 0 and chk["valid"]
    doc = json.loads(cert.read_text())
    doc["rtd"]["value"] = 2
    cert.write_text(json.dumps(doc))
    assert main(["check-certificate", str(cert)]) == 1
    assert "INVALID" in capsys.readouterr().out
    doc["format"] = "boolicl-finite-class-certificate/9"
    cert.write_text(json.dumps(doc))
    assert main(["check-certificate", str(cert)]) == 1
    assert "format: must be 'boolicl-finite-class-certificate/1'" in capsys.readouterr().out


def test_boolean_class_with_parameters(capsys):
    code, out = run_json(capsys, "td", "conjunction", "--n", "3", "--parameters", "nctd",
                         "--json")
    assert code == 0 and out["class"] == "conjunction" and out["n"] == 3
    assert out["size"] == 27 and out["td_max"] == 4  # Goldman & Kearns: n + 1 for k = n
    assert out["histogram"] == {"2": 1, "3": 6, "4": 20}
    assert out["parameters"]["nctd"]["value"] <= out["rtd"]


def test_time_limit_answers_unknown_with_bounds(capsys):
    code, out = run_json(capsys, "td", "parity", "--n", "4", "--parameters", "nctd,std",
                         "--time-limit", "1e-9", "--json")
    assert code == 0
    assert out["td_status"] == "unknown" and out["td_max"] is None
    lo, hi = out["td_bounds"]["max"]
    assert lo <= 4 <= hi  # parities: TD = n
    assert out["rtd"] is None and out["rtd_bounds"][0] <= 4 <= out["rtd_bounds"][1]
    for p in out["parameters"].values():
        assert p["status"] == "unknown" and p["value"] is None
    main(["td", "parity", "--n", "4", "--time-limit", "1e-9"])
    text = capsys.readouterr().out
    assert "TD(C) unknown, in [" in text and "time limit reached" in text


def test_time_limit_refuses_a_certificate(capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["td", "parity", "--n", "4", "--time-limit", "1e-9", "--certificate",
              str(tmp_path / "c.json")])
    assert e.value.code == 2
    assert "--certificate: none written" in capsys.readouterr().err
    assert not (tmp_path / "c.json").exists()


def test_old_td_output_unchanged(capsys):
    code, out = run_json(capsys, "td", "conjunction", "--n", "3", "--json")
    assert code == 0 and "function" in out["concepts"][0] and "parameters" not in out


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["td"], "give either a CLASS (with --n) or --class-file"),
        (["td", "conjunction", "--n", "3", "--class-file", WARMUTH], "give either"),
        (["td", "conjunction"], "--n: required with a CLASS"),
        (["td", "--class-file", WARMUTH, "--n", "3"], "--n applies to a CLASS"),
        (["td", "--class-file", "/nonexistent/c.json"], "no such file"),
        (["td", "--class-file", WARMUTH, "--parameters", "rtd2"], "--parameters"),
        (["td", "--class-file", WARMUTH, "--time-limit", "0"], "--time-limit"),
    ],
)
def test_bad_input_exits_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert needle in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, needle",
    [
        ('{"matrix": [[0, 1], [1]]}', "ragged rows"),
        ('{"matrix": [[0, 2]]}', "must be 0 or 1, got 2"),
        ('{"matrix": [0, 1]}', "row 1 must be a list"),
    ],
)
def test_bad_class_file_exits_2(capsys, tmp_path, text, needle):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SystemExit) as e:
        main(["td", "--class-file", str(path)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--class-file bad.json" in err and needle in err


def test_readme_example_runs(capsys, monkeypatch):
    """The README's example on a shipped fixture, run from the repository root."""
    readme = (ROOT / "README.md").read_text()
    lines = [ln.split("#")[0].split() for ln in readme.splitlines()
             if ln.startswith("boolicl td --class-file")]
    assert lines
    monkeypatch.chdir(ROOT)
    for argv in lines:
        assert main(argv[1:]) == 0
        assert "RTD = 3" in capsys.readouterr().out
