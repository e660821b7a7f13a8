"""Plots of accuracy against the number of examples seen, for a reader and for a paper.

Figures are drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`), so
writing a PNG needs no display and leaves pyplot's state and backend alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from boolicl.tables import learner_label
from learners.registry import LEARNERS


def plot_curves(result: dict[str, Any], path: Path | str, ax: Any = None) -> None:
    """Accuracy against the number of examples seen, one line per learner with its bootstrap
    band; writes a PNG at ``path`` (or draws on ``ax`` when given, writing nothing)."""
    own = ax is None
    if own:
        fig = Figure(figsize=(8, 5))
        ax = fig.subplots()
    colors = colormaps["tab10"].colors  # one fixed colour per learner name
    x = np.arange(result["points"])
    models = 0  # trained models (not learners): black, thicker, one line style each
    for r in result["learners"]:
        if r["name"] in LEARNERS:
            c, style, width = colors[LEARNERS.index(r["name"]) % 10], "-", 1.3
        else:
            c, style, width = "k", ("-", "--", ":", "-.")[models % 4], 1.8
            models += 1
        ax.plot(x, r["per_position"], style, color=c, linewidth=width, label=learner_label(r))
        ax.fill_between(x, r["ci_low"], r["ci_high"], color=c, alpha=0.2, linewidth=0)
    ax.set_xlabel("examples seen (position in prompt)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    title = f"{result['task']} (n={result['n']}, {result['prompts']} prompts)"
    if own:
        ax.set_title(f"{'Learners and models' if models else 'Classical learners'} on {title}")
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    else:
        ax.set_title(title, fontsize=9)


def plot_path(out: Path | None, result: dict[str, Any]) -> Path:
    """Where the plot goes: ``out`` itself when it names a ``.png`` file, else
    ``out/<task>_n<n>.png`` (``out`` defaults to ``boolicl-baselines``)."""
    out = Path("boolicl-baselines") if out is None else Path(out)
    if out.suffix.lower() == ".png":
        return out
    return out / f"{result['task']}_n{result['n']}.png"


def plot_task_panels(results: list[dict[str, Any]], path: Path | str) -> None:
    """One panel per task (:func:`plot_curves` of each result), four to a row; a PNG."""
    cols = 4
    rows = (len(results) + cols - 1) // cols
    fig = Figure(figsize=(4 * cols, 3 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, result in zip(axes.flat, results, strict=False):
        plot_curves(result, path, ax=ax)
        ax.legend(fontsize=5, loc="lower right")
        ax.set_xlabel("examples seen", fontsize=8)
        ax.set_ylabel("accuracy", fontsize=8)
    for ax in list(axes.flat)[len(results) :]:
        ax.axis("off")
    fig.suptitle("Classical in-context learners on every task (small n)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot_label_rates(curves: dict[str, np.ndarray], path: Path | str) -> None:
    """The fraction of positive labels at every position, one line per task; a PNG."""
    fig = Figure(figsize=(9, 5))
    ax = fig.subplots()
    colors = colormaps["tab20"].colors
    for i, (name, c) in enumerate(curves.items()):
        style = "-" if i < 10 else "--"
        ax.plot(np.arange(len(c)), c, style, label=name, linewidth=1.2, color=colors[i % 20])
    ax.set_xlabel("position in prompt (examples seen)")
    ax.set_ylabel("fraction of positive labels")
    ax.set_ylim(0, 1)
    ax.set_title("Label balance of every task's prompt distribution")
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_agreement(matrix: dict[str, Any], path: Path | str | None, ax: Any = None) -> None:
    """Heatmap of an agreement matrix (:func:`learners.agreement.agreement_matrix`): rows =
    predictors, columns = references, every cell annotated with its mean agreement over
    positions (2 decimals), a colour scale from 0 to 1; writes a PNG at ``path`` (or draws on
    ``ax`` when given, writing nothing). ``matrix["title"]``, when present, is the title."""
    rows, cols = matrix["rows"], matrix["columns"]
    values = np.asarray(matrix["mean"], dtype=float).reshape(len(rows), len(cols))
    own = ax is None
    if own:
        width = 3.0 + 0.9 * len(cols) + 0.06 * max(len(r) for r in rows)
        fig = Figure(figsize=(min(width, 24), min(2.2 + 0.5 * len(rows), 18)))
        ax = fig.subplots()
    else:
        fig = ax.figure
    im = ax.imshow(values, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = values[i, j]
            ink = "black" if v > 0.6 else "white"  # readable on viridis' light and dark ends
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color=ink)
    long = max(len(c) for c in cols) > 6
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=35 if long else 0, ha="right" if long else "center")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows)
    ax.set_xlabel("reference predictor")
    ax.set_ylabel("predictor")
    fig.colorbar(im, ax=ax, label="agreement")
    title = matrix.get("title") or "Agreement of predictions"
    ax.set_title(f"{title} ({matrix['prompts']} prompts)", fontsize=10 if own else 9)
    if own:
        fig.tight_layout()
        fig.savefig(path, dpi=110)


def plot_agreement_groups(groups: dict[str, dict[str, Any]], path: Path | str) -> None:
    """One :func:`plot_agreement` panel per group of :func:`learners.agreement.agreement_by_group`
    side by side (e.g. prompts with and without a teaching prefix); a skipped group's panel
    says why it is empty. A PNG."""
    entries = list(groups.values())
    shown = [e for e in entries if not e.get("skipped")]
    cols = max((len(e["columns"]) for e in shown), default=1)
    rows = max((len(e["rows"]) for e in shown), default=1)
    fig = Figure(figsize=(len(entries) * (3.5 + 0.9 * cols), 2.6 + 0.5 * rows))
    axes = fig.subplots(1, len(entries), squeeze=False)[0]
    for ax, (name, entry) in zip(axes, groups.items(), strict=True):
        if entry.get("skipped"):
            ax.axis("off")
            ax.text(0.5, 0.5, f"{name}: no plot\n({entry['skipped']})", ha="center", va="center")
        else:
            plot_agreement({**entry, "title": entry.get("title") or name}, None, ax=ax)
    fig.suptitle("Agreement of predictions, by group of prompts")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_agreement_curves(matrix: dict[str, Any], row: str, path: Path | str) -> None:
    """Agreement against position of predictor ``row`` with every reference (itself left out),
    one line per reference with its bootstrap band; a PNG."""
    if row not in matrix["rows"]:
        raise ValueError(f"row must be one of the matrix rows {matrix['rows']}, got {row!r}")
    fig = Figure(figsize=(8, 5))
    ax = fig.subplots()
    colors = colormaps["tab10"].colors
    x = np.arange(matrix["points"])
    for j, col in enumerate(c for c in matrix["columns"] if c != row):
        curve = matrix["curves"][row][col]
        c = colors[(LEARNERS.index(col) if col in LEARNERS else j) % 10]
        ax.plot(x, curve["per_position"], color=c, linewidth=1.3, label=col)
        ax.fill_between(x, curve["ci_low"], curve["ci_high"], color=c, alpha=0.2, linewidth=0)
    ax.set_xlabel("examples seen (position in prompt)")
    ax.set_ylabel(f"agreement with {row}")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    title = matrix.get("title") or "Agreement of predictions"
    ax.set_title(f"{title}: {row} against each reference ({matrix['prompts']} prompts)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
