"""Plots of accuracy against the number of examples seen, for a reader and for a paper.

Figures are drawn with matplotlib's object API (:class:`matplotlib.figure.Figure`), so
writing a PNG needs no display and leaves pyplot's state and backend alone."""

from __future__ import annotations

from collections.abc import Sequence
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


def _panels(count: int, cols: int) -> tuple[Figure, list[Any]]:
    """A constrained-layout figure of ``count`` panels, ``cols`` to a row (the spare ones
    hidden), sharing the y axis."""
    cols = max(1, min(cols, count))
    rows = (count + cols - 1) // cols
    fig = Figure(figsize=(4.6 * cols, 3.4 * rows + 1.2), layout="constrained")
    axes = list(fig.subplots(rows, cols, squeeze=False, sharey=True).flat)
    for ax in axes[count:]:
        ax.axis("off")
    return fig, axes[:count]


def _shared_legend(fig: Figure, axes: list[Any], first: Sequence[str] = ()) -> None:
    """One legend for every panel, under them: each label once, those of ``first`` first,
    then the learners in :data:`learners.registry.LEARNERS` order, then the rest as drawn."""
    entries: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    order = {name: i for i, name in enumerate([*first, *LEARNERS])}
    labels = sorted(entries, key=lambda k: order.get(k, len(order)))  # stable: drawn order
    fig.legend(
        [entries[k] for k in labels], labels, loc="outside lower center",
        ncol=min(len(labels), 6), fontsize=9, frameon=False,
    )


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


def plot_compare_panels(
    tasks: list[dict[str, Any]], path: Path | str, title: str | None = None
) -> Figure:
    """One panel per task of a comparison (the ``tasks`` of
    :func:`boolicl.compare.run_compare`), three to a row: accuracy against examples seen, the
    models trained for the task solid (one colour per model, the same in every panel; seeds
    averaged, the band the envelope of the seeds' 95% intervals), the classical learners
    dashed (one colour per learner, with its bootstrap band); each panel's title gives the
    models' mean accuracy over positions, a model whose runs all failed is said so in its
    panel, and one legend under the panels names every line. Writes the PNG at ``path``
    and returns the figure."""
    if not tasks:
        raise ValueError("tasks must hold at least one task of a comparison")
    learner_colors = colormaps["tab10"].colors
    model_colors = colormaps["Dark2"].colors
    models = list(dict.fromkeys(m["name"] for t in tasks for m in t["models"]))
    fig, axes = _panels(len(tasks), 3)
    for ax, t in zip(axes, tasks, strict=True):
        x = np.arange(t["points"])
        for r in t["learners"]:
            if "run" in r["meta"]:  # a model's seed: drawn below, averaged over its seeds
                continue
            c = learner_colors[LEARNERS.index(r["name"]) % 10] if r["name"] in LEARNERS else "grey"
            ax.plot(x, r["per_position"], "--", color=c, linewidth=1.2, label=r["name"])
            ax.fill_between(x, r["ci_low"], r["ci_high"], color=c, alpha=0.1, linewidth=0)
        means, failed = [], []
        for m in t["models"]:
            c = model_colors[models.index(m["name"]) % len(model_colors)]
            if not m["seeds"]:
                failed.append(m["name"])
                continue
            ax.plot(x, m["per_position"], "-", color=c, linewidth=2.4, label=m["name"])
            ax.fill_between(x, m["ci_low"], m["ci_high"], color=c, alpha=0.2, linewidth=0)
            means.append(f"{m['name']} {m['mean']:.3f}")
        if failed:
            ax.text(0.5, 0.5, "failed: " + ", ".join(failed), transform=ax.transAxes,
                    ha="center", va="center", color="firebrick")
        head = f"{t['task']} (n={t['n']})"
        ax.set_title(head + ("\nmean " + ", ".join(means) if means else ""), fontsize=10)
        ax.set_xlabel("examples seen (position in prompt)", fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes[::3]:  # the first panel of each row
        ax.set_ylabel("accuracy", fontsize=9)
    _shared_legend(fig, axes, first=models)
    prompts = tasks[0]["prompts"]
    fig.suptitle(
        title or f"Models (solid) and classical learners (dashed) on {prompts} shared prompts "
        "per task"
    )
    fig.savefig(path, dpi=110)
    return fig


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
