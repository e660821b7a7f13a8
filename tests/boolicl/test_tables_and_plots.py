"""boolicl.tables and boolicl.plots: the comparison's numbers in Markdown, CSV and JSON, and a
readable PNG."""

from __future__ import annotations

import csv
import io
import json

import pytest

from boolicl.comparison import run_baselines
from boolicl.plots import plot_curves, plot_path, plot_task_panels
from boolicl.tables import table_csv, table_json, table_markdown, table_positions, table_rows


@pytest.fixture(scope="module")
def result():
    return run_baselines(
        "conjunction", n=4, points=12, prompts=30, learners=["null", "elimination"], resamples=20
    )


def test_every_format_carries_the_same_numbers(result):
    rows = table_rows(result)
    assert [r["predictor"] for r in rows] == ["null", "elimination (conjunction)"]
    positions = table_positions(12)
    assert positions == [0, 5, 10, 11]
    for row, entry in zip(rows, result["learners"], strict=True):
        for p in positions:
            assert row[f"acc@{p}"] == round(entry["per_position"][p], 4)
        assert row["mean"] == entry["mean"]
    parsed = list(csv.DictReader(io.StringIO(table_csv(result))))
    assert [float(r["mean"]) for r in parsed] == [r["mean"] for r in rows]
    assert json.loads(table_json(result)) == rows
    md = table_markdown(result).splitlines()
    assert md[0].startswith("| learner | @0 | @5 | @10 | @11 |") and len(md) == 2 + len(rows)


def test_elimination_fits_every_conjunction_prompt(result):
    """Conjunction prompts always fit the elimination learner's class: "fits class" 100%."""
    assert table_rows(result)[1]["fits_class"] == 1.0
    assert "100.0%" in table_markdown(result).splitlines()[3]


def test_plots_are_written(tmp_path, result):
    path = plot_path(tmp_path, result)
    assert path == tmp_path / "conjunction_n4.png"
    plot_curves(result, path)
    plot_task_panels([result, result], tmp_path / "panels.png")
    for p in (path, tmp_path / "panels.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plot_path(tmp_path / "x.PNG", result) == tmp_path / "x.PNG"
