"""Tables of the agreement between predictors: Markdown for a reader, CSV for a paper's scripts.

Each takes a matrix of :func:`learners.agreement.agreement_matrix` (or one entry of
:func:`learners.agreement.agreement_by_group`, whose skipped groups render as a note or no
rows)."""

from __future__ import annotations

import csv
import io
from typing import Any


def agreement_markdown(matrix: dict[str, Any], digits: int = 2) -> str:
    """Rows = predictors, columns = references; each cell the mean agreement over positions
    with its interval, ``0.93 [0.91, 0.95]``. A skipped group gives a one-line note."""
    if matrix.get("skipped"):
        return f"_{matrix.get('group', 'group')}: skipped ({matrix['skipped']})_"
    cols = matrix["columns"]
    level = round(100 * matrix["level"])
    head = f"| predictor \\ reference ({level}% CI) | " + " | ".join(cols) + " |"
    lines = [head, "|---|" + "---:|" * len(cols)]
    for i, row in enumerate(matrix["rows"]):
        cells = []
        for j in range(len(cols)):
            lo, hi = matrix["mean_ci"][i][j]
            cells.append(f"{matrix['mean'][i][j]:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]")
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def agreement_csv(matrix: dict[str, Any]) -> str:
    """One line per (predictor, reference) pair: ``predictor, reference, prompts, mean,
    mean_ci_low, mean_ci_high`` and ``agree@<p>`` for each requested position ``p``. A skipped
    group gives the header only."""
    positions = matrix.get("positions", [])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["predictor", "reference", "prompts", "mean", "mean_ci_low", "mean_ci_high"]
        + [f"agree@{p}" for p in positions]
    )
    if not matrix.get("skipped"):
        for i, row in enumerate(matrix["rows"]):
            for j, col in enumerate(matrix["columns"]):
                lo, hi = matrix["mean_ci"][i][j]
                at = matrix["at"][i][j] if positions else []
                w.writerow([row, col, matrix["prompts"], matrix["mean"][i][j], lo, hi, *at])
    return buf.getvalue()
