"""``boolicl teach``, ``boolicl td`` and ``boolicl check-certificate``."""

import json

import pytest

from boolfun import parse
from boolicl.cli import main


def run_json(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_teach_conjunction_paper_verified_and_minimal(capsys, tmp_path):
    cert = tmp_path / "cert.json"
    code, out = run_json(
        capsys,
        "teach",
        "conjunction",
        "--n",
        "6",
        "--target",
        "x1 & ~x3",
        "--verify",
        "--minimal",
        "--certificate",
        str(cert),
        "--json",
    )
    assert code == 0
    assert out["size"] == 4 and out["td"] == 4 and out["minimal"] is True
    assert out["uniqueness"]["status"] == "unique"
    f = parse("x1 & ~x3", 6)
    for row in out["examples"]:
        assert f.evaluate([[int(c) for c in row["x"]]])[0] == row["y"]
    code, chk = run_json(capsys, "check-certificate", str(cert), "--json")
    assert code == 0 and chk["valid"]


def test_tampered_certificate_fails(capsys, tmp_path):
    cert = tmp_path / "cert.json"
    main(
        [
            "teach",
            "majority",
            "--n",
            "5",
            "--target",
            "Majority(x1, x2, x3)",
            "--construction",
            "minimum",
            "--certificate",
            str(cert),
            "--json",
        ]
    )
    capsys.readouterr()
    doc = json.loads(cert.read_text())
    doc["examples"] = doc["examples"][1:]
    cert.write_text(json.dumps(doc))
    code = main(["check-certificate", str(cert)])
    assert code == 1 and "INVALID" in capsys.readouterr().out


def test_teach_reports_a_competitor_when_not_unique(capsys):
    # the per-term construction of a redundant DNF does not teach in the 2-term class
    code, out = run_json(
        capsys,
        "teach",
        "dnf",
        "--n",
        "4",
        "--terms",
        "2",
        "--monotone",
        "--target",
        "x1 | (x1 & x2)",
        "--verify",
        "--json",
    )
    assert code == 0
    u = out["uniqueness"]
    if u["status"] == "not_unique":
        h = parse(u["competitor"], 4)
        z = [[int(c) for c in u["witness"]]]
        assert h.evaluate(z)[0] != parse("x1", 4).evaluate(z)[0]


def test_td_json_shape(capsys):
    code, out = run_json(capsys, "td", "conjunction", "--n", "3", "--json")
    assert code == 0
    assert out["size"] == 27 and out["td_max"] == 4  # n + 1 for k = n
    assert sum(out["histogram"].values()) == 27
    assert out["histogram"] == {"2": 1, "3": 6, "4": 20}
    assert {"function", "td", "examples"} <= set(out["concepts"][0])
    code, out = run_json(capsys, "td", "parity", "--n", "3", "--json")
    assert out["rtd"] == 3 and out["histogram"] == {"3": 8}


def test_td_per_orbit_at_larger_n(capsys):
    # Goldman & Kearns: k + 2 for k < n literals, n + 1 for k = n; the orbit of k literals
    # has C(n, k) 2^k conjunctions, 3^n in all
    code, out = run_json(capsys, "td", "conjunction", "--n", "8", "--json")
    assert code == 0 and out["method"] == "orbits" and out["orbit_count"] == 9
    assert out["size"] == 3**8 and out["td_max"] == 9 and out["rtd"] == 2
    assert [o["td"] for o in out["orbits"]] == [k + 2 for k in range(8)] + [9]
    assert "concepts" not in out  # 6561 concepts: the orbits only
    main(["td", "parity", "--n", "12"])
    text = capsys.readouterr().out
    assert "4096 functions in 13 orbits under permutations" in text and "RTD = 12" in text


def test_td_enumerate_agrees_with_the_orbits(capsys):
    _, orbits = run_json(capsys, "td", "majority", "--n", "4", "--json")
    _, listed = run_json(capsys, "td", "majority", "--n", "4", "--enumerate", "--json")
    assert (orbits["method"], listed["method"]) == ("orbits", "enumeration")
    for key in ("size", "td_max", "histogram", "rtd", "orbit_count", "group"):
        assert orbits[key] == listed[key]
    assert [c["td"] for c in orbits["concepts"]] == [c["td"] for c in listed["concepts"]]


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["teach", "conjunction", "--n", "3", "--target", "x1 ^ x2"], "not in the class"),
        (
            ["teach", "dnf", "--n", "5", "--terms", "2", "--target", "x1&x2 | x3&x4 | x5"],
            "not in the class",
        ),
        (["teach", "conjunction", "--n", "3", "--target", "x7"], "out of range"),
        (["teach", "sparse_parity", "--n", "4", "--target", "x1 ^ x2"], "--k"),
        (["teach", "banana", "--n", "3", "--target", "x1"], "invalid choice"),
        (["td", "conjunction", "--n", "9", "--enumerate"], "n <= 6"),
        (["td", "threshold", "--n", "7"], "n <= 6"),
        (["td", "monotone_conjunction", "--n", "34"], "--n: the orbit computation without a "
         "--time-limit needs n <= 16"),
        (["td", "dnf", "--n", "5", "--terms", "3"], "concepts"),
        (
            ["teach", "conjunction", "--n", "3", "--target", "x1", "--time-limit", "0"],
            "--time-limit",
        ),
        (["check-certificate", "/nonexistent/cert.json"], "no such"),
    ],
)
def test_bad_input_exits_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert needle in capsys.readouterr().err


def test_teach_majority_at_n28_minimum_with_a_certificate(capsys, tmp_path):
    """The exact TD of a majority at n = 28 rests on the restriction to its variables; its
    symmetric proof is re-proved without symmetry for the certificate, which then checks."""
    cert = tmp_path / "maj.json"
    code, out = run_json(
        capsys, "teach", "majority", "--n", "28", "--target", "Majority(x2, x9, x17, x20)",
        "--construction", "minimum", "--minimal", "--certificate", str(cert), "--json",
    )
    assert code == 0 and out["minimal"] is True and out["td"] == out["size"]
    assert out["uniqueness"]["status"] == "unique"
    code, chk = run_json(capsys, "check-certificate", str(cert), "--json")
    assert code == 0 and chk["valid"]


def test_teach_greedy_construction(capsys):
    code, out = run_json(
        capsys, "teach", "threshold", "--n", "16", "--target", "Threshold(x1 - x4 + x9 > 0.5)",
        "--construction", "greedy", "--verify", "--json",
    )
    assert code == 0 and out["construction"] == "greedy"
    assert out["uniqueness"]["status"] == "unique"


def test_teach_dnf_with_both_signs_above_the_listing_limit(capsys, tmp_path):
    """A 3-term DNF with negated literals at n = 16: the signed sequence (completed by the
    oracle) bounds the symbolic search; --minimal alone may rest on the symmetry of the unused
    variables, a certificate file never does, and it checks."""
    target = "(~x6 & x8) | (x4 & ~x10) | (~x5 & ~x12)"
    args = ("teach", "dnf", "--n", "16", "--terms", "3", "--target", target,
            "--construction", "greedy", "--minimal", "--time-limit", "120", "--json")
    code, out = run_json(capsys, *args)
    assert code == 0 and out["td_status"] == "exact" and out["td"] <= out["size"]
    assert ("certificate" in out) == (out["td_proof"] != "symmetric_hitting")
    cert = tmp_path / "dnf16.json"
    code, again = run_json(capsys, *args, "--certificate", str(cert))
    assert code == 0 and again["td"] == out["td"] and again["td_proof"] != "symmetric_hitting"
    code, chk = run_json(capsys, "check-certificate", str(cert), "--json")
    assert code == 0 and chk["valid"]
