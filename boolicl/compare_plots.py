"""The figure of ``boolicl compare``: accuracy against examples seen on one task, models solid
(one colour each, their seeds averaged, the band the envelope of the seeds' 95% intervals),
classical learners dashed (each with its bootstrap band), a legend outside the axes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from boolicl.compare_tables import title
from boolicl.tables import learner_label
from learners.registry import LEARNERS


def plot_compare(task_result: dict[str, Any], path: Path | str) -> None:
    """Write the PNG of one task of a comparison at ``path``."""
    fig = Figure(figsize=(10, 5.5))
    ax = fig.subplots()
    x = np.arange(task_result["points"])
    learner_colors = colormaps["tab10"].colors
    model_colors = colormaps["Dark2"].colors
    for r in task_result["learners"]:
        if "run" in r["meta"]:
            continue
        c = learner_colors[LEARNERS.index(r["name"]) % 10] if r["name"] in LEARNERS else "grey"
        ax.plot(x, r["per_position"], "--", color=c, linewidth=1.2, label=learner_label(r))
        ax.fill_between(x, r["ci_low"], r["ci_high"], color=c, alpha=0.12, linewidth=0)
    for i, m in enumerate(task_result["models"]):
        c = model_colors[i % len(model_colors)]
        if not m["seeds"]:
            ax.plot([], [], "-", color=c, label=f"{m['name']} (failed)")
            continue
        seeds = f"{m['seeds']} seed{'s' if m['seeds'] > 1 else ''}"
        ax.plot(x, m["per_position"], "-", color=c, linewidth=2.2,
                label=f"{m['name']} ({seeds}, mean {m['mean']:.3f})")
        ax.fill_between(x, m["ci_low"], m["ci_high"], color=c, alpha=0.2, linewidth=0)
    ax.set_xlabel("examples seen (position in prompt)")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(
        f"{title(task_result)} (n={task_result['n']}, {task_result['prompts']} shared prompts):"
        " models solid, learners dashed"
    )
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
