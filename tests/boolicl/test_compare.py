"""``boolicl compare``: every file written, numbers that agree across formats, reruns that
reproduce the tables byte for byte, runs reused or refused, failed runs and skipped learners
marked."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from boolicl.compare import check_out, plan_compare, run_compare, write_compare
from models.train import train
from tests.boolicl import run_cli

TINY = ["--tasks", "conjunction,parity", "--models", "transformer", "--learners",
        "elimination,gf2,null", "--steps", 20, "--prompts", 64, "--no-progress"]




@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "out"
    plan = plan_compare(["conjunction", "parity"], ["transformer", "lstm"],
                        ["elimination", "gf2", "null"], seeds=2, out=out, steps=12)
    result = run_compare(plan, prompts=64)
    write_compare(result, out)
    return out, result


def test_compare_writes_every_file(compared):
    out, result = compared
    names = sorted(p.name for p in out.iterdir())
    assert names == ["agreement.md", "agreement_conjunction_n8.png", "agreement_parity_n8.png",
                     "conjunction_n8.png", "parity_n8.png", "results.json", "runs", "table.csv",
                     "table.md", "table.tex"]
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert len(list((out / "runs").rglob("model.safetensors"))) == 2 * 2 * 2


def test_numbers_agree_across_md_csv_tex_json(compared):
    out, result = compared
    rows = list(csv.DictReader(io.StringIO((out / "table.csv").read_text())))
    md, tex = (out / "table.md").read_text(), (out / "table.tex").read_text()
    saved = json.loads((out / "results.json").read_text())
    for t in saved["tasks"]:
        for m in t["models"]:
            row = next(r for r in rows if r["task"] == t["task"] and r["predictor"] == m["name"])
            assert float(row["mean"]) == round(m["mean"], 4)
            assert float(row["std"]) == round(m["std"], 4) and row["seeds"] == "2"
            assert f"{m['mean']:.3f}" in md and f"{m['mean']:.3f}" in tex
            # the aggregate is the mean of the two seeds' runs, each scored on the same prompts
            seeds = [r for r in t["learners"] if r["meta"].get("config", {}).get("model")
                     == m["name"]]
            assert len(seeds) == 2
            assert m["mean"] == pytest.approx(sum(r["mean"] for r in seeds) / 2, abs=1e-6)
        for r in t["learners"]:
            if "run" in r["meta"]:
                continue
            row = next(x for x in rows if x["task"] == t["task"] and x["kind"] == "learner"
                       and x["predictor"].startswith(r["name"]))
            assert float(row["mean"]) == round(r["mean"], 4)


def test_inapplicable_learner_is_skipped_and_said(compared):
    out, result = compared
    parity = next(t for t in result["tasks"] if t["task"] == "parity")
    assert {s["name"] for s in parity["skipped"]} == {"elimination"}
    assert "skipped: does not apply to parity" in (out / "table.md").read_text()


def test_rerun_reuses_the_runs_and_reproduces_the_tables_byte_for_byte(compared, tmp_path):
    out, _ = compared
    again = tmp_path / "again"
    plan = plan_compare(["conjunction", "parity"], ["transformer", "lstm"],
                        ["elimination", "gf2", "null"], seeds=2, out=again, runs=out / "runs",
                        steps=12)
    result = run_compare(plan, prompts=64)
    assert all(r["steps"] == 12 for t in result["training"] for r in t["runs"])
    write_compare(result, again)
    for name in ("table.md", "table.csv", "table.tex"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_mismatched_runs_are_refused_naming_the_field(tmp_path):
    plan = plan_compare(["conjunction"], ["transformer"], ["null"], out=tmp_path, steps=3)
    config, folder = plan.configs[("conjunction", "transformer")][0], plan.outs[
        ("conjunction", "transformer")][0]
    train(replace(config, lr=5e-3), folder)  # a run of other settings where the plan's goes
    with pytest.raises(ValueError, match="^runs: cannot resume .* differs in lr"):
        plan_compare(["conjunction"], ["transformer"], ["null"], out=tmp_path, steps=3)


def test_results_already_there_are_refused_unless_overwrite(compared):
    out, _ = compared
    with pytest.raises(ValueError, match="already holds results"):
        check_out(out, overwrite=False)
    assert check_out(out, overwrite=True) == out


def test_a_failed_run_is_marked_and_the_others_go_on(tmp_path):
    plan = plan_compare(["conjunction"], ["transformer", "lstm"], ["null"], out=tmp_path,
                        steps=6)

    class Failing:
        name = "test"

        def run(self, jobs):
            from boolicl.executors import make_executor

            ok = make_executor("inprocess").run([j for j in jobs if "lstm" not in j.label])
            from boolicl.executors import JobResult

            return [ok.pop(0) if "lstm" not in j.label else JobResult(j, None, "boom", 2)
                    for j in jobs]

        def close(self):
            pass

    result = run_compare(plan, executor=Failing(), prompts=32)
    lstm = next(m for m in result["tasks"][0]["models"] if m["name"] == "lstm")
    assert lstm["seeds"] == 0 and lstm["failed"][0]["error"] == "boom"
    write_compare(result, tmp_path)
    assert "failed: 1 run(s): boom" in (tmp_path / "table.md").read_text()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--tasks", "nope"], "--tasks must be among"),
        (["--tasks", "conjunction", "--models", "gpt"], "--models must be among"),
        (["--tasks", "conjunction", "--learners", "oracle"], "--learners must be among"),
        (["--tasks", ","], "--tasks: must be a comma-separated list"),
        (["--tasks", "conjunction", "--scale", "huge"], "--scale: invalid choice"),
        (["--tasks", "conjunction", "--seeds", 0], "--seeds: must be an integer >= 1"),
        (["--tasks", "conjunction", "--executor", "slurm"], "--executor: invalid choice"),
        (["--tasks", "conjunction", "--gpus-per-run", 0.5], "--gpus-per-run is for the ray"),
    ],
)
def test_bad_input_is_refused_naming_the_option(tmp_path, capsys, argv, message):
    code, out, err = run_cli(capsys, "compare", *argv, "--out", tmp_path / "x")
    assert code == 2
    assert message in err
    assert not (tmp_path / "x").exists()


def test_cli_compare_end_to_end(tmp_path, capsys):
    code, out, err = run_cli(capsys, "compare", *TINY, "--out", tmp_path / "c")
    assert code == 0, err
    assert "## conjunction (n = 8, 40 points)" in out and "wrote" in out
    code, out, err = run_cli(capsys, "compare", *TINY, "--out", tmp_path / "c")
    assert code == 2 and "--out" in err and "already holds results" in err


def test_agreement_of_every_run_with_every_learner(compared):
    out, result = compared
    conj = next(t for t in result["tasks"] if t["task"] == "conjunction")
    a = conj["agreement"]
    assert a["rows"] == [f"{m} (seed-{s})" for m in ("transformer", "lstm") for s in (0, 1)]
    assert a["columns"] == ["elimination", "null"]  # gf2 does not apply to conjunctions
    assert [s["name"] for s in conj["skipped"]] == ["gf2"]
    assert all(0.0 <= v <= 1.0 for row in a["mean"] for v in row)
    assert "# Which algorithm does each model follow?" in (out / "agreement.md").read_text()
