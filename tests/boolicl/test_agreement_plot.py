"""boolicl.plots' agreement heatmaps and curves, and boolicl.agreement_tables' Markdown / CSV:
valid PNGs of non-trivial size, and tables that carry the matrix's numbers."""

from __future__ import annotations

import csv
import io
import struct

import numpy as np
import pytest

from boolfun.samplers import sample_prompts
from boolicl.agreement_tables import agreement_csv, agreement_markdown
from boolicl.plots import plot_agreement, plot_agreement_curves, plot_agreement_groups
from learners import agreement_by_group, agreement_matrix, make_learner, split_by_prefix

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def preds():
    xs, ys = sample_prompts("conjunction", 30, 10, 4, seed=0).numpy()
    names = ("elimination", "nn1", "averaging", "null")
    return {k: make_learner(k, "conjunction").predict_full(xs, ys).preds for k in names}


@pytest.fixture(scope="module")
def matrix(preds):
    return agreement_matrix(preds, positions=[0, 9], resamples=30)


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_heatmap_is_a_valid_png(tmp_path, matrix):
    path = tmp_path / "agreement.png"
    plot_agreement(matrix, path)
    width, height = png_size(path)
    assert width > 200 and height > 150 and path.stat().st_size > 5_000


def test_group_panels_and_a_skipped_group(tmp_path, preds):
    groups = agreement_by_group(preds, split_by_prefix(np.arange(30) < 10), resamples=30)
    plot_agreement_groups(groups, tmp_path / "groups.png")
    empty = agreement_by_group(preds, split_by_prefix(np.ones(30, bool)), resamples=30)
    plot_agreement_groups(empty, tmp_path / "empty.png")
    for name in ("groups.png", "empty.png"):
        assert png_size(tmp_path / name)[0] > 200
    assert agreement_markdown(empty["no prefix"]).startswith("_no prefix: skipped")
    assert agreement_csv(empty["no prefix"]).count("\n") == 1  # the header only


def test_curves_of_one_row(tmp_path, matrix):
    path = tmp_path / "curves.png"
    plot_agreement_curves(matrix, "nn1", path)
    assert png_size(path)[0] > 200
    with pytest.raises(ValueError, match=r"^row\b"):
        plot_agreement_curves(matrix, "gpt", tmp_path / "x.png")


def test_tables_carry_the_matrix(matrix):
    md = agreement_markdown(matrix).splitlines()
    assert len(md) == 2 + len(matrix["rows"])
    assert md[0].endswith("| elimination | nn1 | averaging | null |")
    assert md[2].startswith("| elimination | 1.00 [1.00, 1.00] |")
    parsed = list(csv.DictReader(io.StringIO(agreement_csv(matrix))))
    assert len(parsed) == len(matrix["rows"]) * len(matrix["columns"])
    for r in parsed:
        i, j = matrix["rows"].index(r["predictor"]), matrix["columns"].index(r["reference"])
        assert float(r["mean"]) == matrix["mean"][i][j]
        assert float(r["agree@9"]) == matrix["at"][i][j][1]
        assert int(r["prompts"]) == 30
