"""``boolicl demo`` (:mod:`boolicl.demo`): the tasks' table and a small comparison, a tiny
Transformer trained on every task of it beside the learners; a rerun reuses the trained runs
and rewrites the same tables, a folder of other settings is refused before anything is written.
Tiny trainings (a few steps): the numbers are not the point here, the files and their
reuse are."""

from __future__ import annotations

import json

import pytest

from boolfun.tasks import TASKS
from boolicl.cli import main
from boolicl.demo import DEMO_N, DEMO_POINTS, DEMO_TASKS, demo_settings, run_demo
from boolicl.plots import plot_compare_panels
from learners import applicable

STEPS = 3
PROMPTS = 32
TABLES = ["tasks.md", "demo.json", "compare/table.md", "compare/table.csv",
          "compare/table.tex", "compare/agreement.md"]  # fmt: skip
"""The files a rerun of the same settings writes byte for byte (the JSON files hold
timings)."""


def snapshot(folder):
    """Every file under ``folder`` with its modification time."""
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_demo(out, prompts=PROMPTS, seed=0, steps=STEPS)
    tables = {name: (out / name).read_bytes() for name in TABLES}
    return out, result, tables


def test_writes_the_tables_and_plots_it_names(demo):
    out, result, _ = demo
    names = {p.replace(str(out) + "/", "") for p in result["files"]}
    assert {"demo.json", "tasks.md", "tasks.json", "label_rate.png", "accuracy.png",
            "compare/table.md", "compare/results.json"} <= names  # fmt: skip
    for task in DEMO_TASKS:
        assert f"compare/{task}_n{DEMO_N}.png" in names
    for path in result["files"]:
        assert (out / path).is_file(), path
        if path.endswith(".png"):
            assert (out / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "demo.json").read_text()) == result["settings"]


def test_the_sampling_table_checks_every_task_exactly(demo):
    out, result, _ = demo
    rows = {r["task"]: r for r in result["rows"]}
    assert set(rows) == set(TASKS)
    for r in rows.values():
        if r["exact"] != "n/a":
            done, total = map(int, r["exact"].split("/"))
            assert done == total  # every sampled function agrees with its labels four ways
        assert 0.0 <= r["positive_rate"] <= 1.0
    saved = {r["task"]: r for r in json.loads((out / "tasks.json").read_text())}
    assert all(saved[t]["prompts_per_s"] > 0 for t in TASKS)
    assert "prompts/s" not in (out / "tasks.md").read_text()  # timings: in the JSON only


def test_the_model_is_trained_and_scored_on_every_task(demo):
    out, result, _ = demo
    compare = result["compare"]
    assert [t["task"] for t in compare["tasks"]] == list(DEMO_TASKS)
    assert [(t["task"], t["model"]) for t in compare["training"]] == [
        (task, "transformer") for task in DEMO_TASKS
    ]
    for t in compare["tasks"]:
        assert (t["n"], t["points"], t["prompts"]) == (DEMO_N, DEMO_POINTS, PROMPTS)
        learners = [r["name"] for r in t["learners"] if "run" not in r["meta"]]
        assert learners == applicable(t["task"])  # every learner that applies
        (model,) = t["models"]
        assert model["name"] == "transformer" and model["seeds"] == 1 and not model["failed"]
        assert len(model["per_position"]) == DEMO_POINTS and 0.0 <= model["mean"] <= 1.0
        run = out / "runs" / f"{t['task']}-n{DEMO_N}" / "transformer" / "seed-0"
        assert (run / "model.safetensors").is_file()
        assert json.loads((run / "config.json").read_text())["task"] == t["task"]
    table = result["compare_markdown"]
    assert table == (out / "compare" / "table.md").read_text()
    assert table.count("| transformer | model |") == len(DEMO_TASKS)


def test_every_panel_shows_its_model_solid_beside_the_learners_dashed(demo, tmp_path):
    _, result, _ = demo
    tasks = result["compare"]["tasks"]
    fig = plot_compare_panels(tasks, tmp_path / "panels.png")
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(axes) == len(DEMO_TASKS)
    for ax, t in zip(axes, tasks, strict=True):
        assert ax.get_title().startswith(f"{t['task']} (n={DEMO_N})")
        styles = {line.get_label(): line.get_linestyle() for line in ax.lines}
        assert styles.pop("transformer") == "-"
        assert sorted(styles) == sorted(applicable(t["task"]))
        assert set(styles.values()) == {"--"}
    (legend,) = fig.legends  # one legend for all panels, the model first, each name once
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels[0] == "transformer" and len(labels) == len(set(labels))
    assert set(labels) == {"transformer"} | {n for t in DEMO_TASKS for n in applicable(t)}


def test_a_rerun_reuses_the_runs_and_rewrites_the_same_tables(demo, capsys):
    out, result, tables = demo
    weights = {p: p.stat().st_mtime_ns for p in (out / "runs").rglob("*.safetensors")}
    assert len(weights) == len(DEMO_TASKS)
    code = main(["demo", "--out", str(out), "--prompts", str(PROMPTS), "--steps", str(STEPS)])
    printed = capsys.readouterr().out
    assert code == 0
    assert {p: p.stat().st_mtime_ns for p in weights} == weights  # nothing retrained
    for name, data in tables.items():
        assert (out / name).read_bytes() == data, name
    again = json.loads((out / "compare" / "results.json").read_text())
    assert [m for t in again["tasks"] for m in t["models"]] == [
        m for t in result["compare"]["tasks"] for m in t["models"]
    ]
    # the command prints the tables, then where they are
    assert printed.startswith(result["table_markdown"])
    assert result["compare_markdown"] in printed
    lines = printed.splitlines()
    assert f"wrote {out / 'compare' / 'table.md'}" in lines
    assert lines[-1] == f"wrote {out / 'accuracy.png'}"


@pytest.mark.parametrize(
    "change, needle",
    [({"seed": 1}, "seed 0, not 1"), ({"steps": STEPS + 1}, f"steps {STEPS}, not {STEPS + 1}"),
     ({"prompts": PROMPTS + 1}, f"prompts {PROMPTS}, not {PROMPTS + 1}"),
     ({"models": False}, "models ['transformer'], not []")],
)  # fmt: skip
def test_other_settings_are_refused_before_anything_is_written(demo, change, needle):
    out, _, _ = demo
    before = snapshot(out)
    with pytest.raises(ValueError, match="holds a demo of other settings") as e:
        run_demo(out, **{"prompts": PROMPTS, "seed": 0, "steps": STEPS, **change})
    assert needle in str(e.value)
    assert snapshot(out) == before


def test_a_folder_of_something_else_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="holds no demo"):
        run_demo(tmp_path, prompts=PROMPTS, steps=STEPS)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(ValueError, match="is a file, not a folder"):
        run_demo(tmp_path / "notes.txt", prompts=PROMPTS, steps=STEPS)


def test_a_run_folder_of_another_config_is_refused_before_anything_is_written(tmp_path):
    from models.config import TrainConfig
    from models.train import train

    run = tmp_path / "runs" / f"conjunction-n{DEMO_N}" / "transformer" / "seed-0"
    train(TrainConfig(task="conjunction", n=DEMO_N, points=DEMO_POINTS, layers=1, width=8,
                      heads=2, batch=4, steps=1, eval_every=0), run)  # fmt: skip
    (tmp_path / "demo.json").write_text(json.dumps(demo_settings(PROMPTS, 0, True, STEPS)))
    before = snapshot(tmp_path)
    with pytest.raises(ValueError, match="runs: cannot resume .* differs in layers, width"):
        run_demo(tmp_path, prompts=PROMPTS, steps=STEPS)
    assert snapshot(tmp_path) == before


def test_no_models_shows_the_learners_alone(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--no-models", "--prompts", "8", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| transformer |" not in printed and f"wrote {out / 'accuracy.png'}" in printed
    assert not (out / "runs").exists()
    results = json.loads((out / "compare" / "results.json").read_text())
    assert results["training"] == [] and all(not t["models"] for t in results["tasks"])


@pytest.mark.parametrize(
    "argv, needle",
    [(["--no-models", "--steps", "3"], "--no-models trains nothing"),
     (["--steps", "0"], "--steps: must be an integer >= 1"),
     (["--steps", str(10**12)], "--steps must be an integer in [1, 1000000000]")],
)  # fmt: skip
def test_bad_options_exit_2_and_write_nothing(tmp_path, capsys, argv, needle):
    with pytest.raises(SystemExit) as e:
        main(["demo", *argv, "--out", str(tmp_path / "demo")])
    assert e.value.code == 2 and needle in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
