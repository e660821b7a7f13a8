"""The heatmap of a model's attention-head scores (:mod:`models.attention_scores`): one panel
per score, layers down and heads across, each cell its score on a fixed 0..1 colour scale,
heads at or above the threshold outlined, the chance level in the panel's title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

PANELS = (("induction", "induction (prefix matching)"), ("nearest_neighbour", "nearest neighbour"))


def plot_attention_scores(result: dict[str, Any], path: Path | str, title: str = "") -> None:
    """Write the two heatmaps of ``result`` (the dict of
    :func:`models.attention_scores.model_attention_scores`) as a PNG at ``path``, titled
    ``title`` (default: the backbone and the task) and the prompts' settings."""
    layers, heads = result["layers"], result["heads"]
    fig = Figure(figsize=(2.2 + 2 * (1.2 + 0.45 * heads), 1.8 + 0.4 * layers), layout="constrained")
    axes = fig.subplots(1, 2, squeeze=False)[0]
    im = None
    for ax, (key, label) in zip(axes, PANELS, strict=True):
        values = np.asarray(result[key], dtype=float).reshape(layers, heads)
        im = ax.imshow(values, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
        for (layer, head), v in np.ndenumerate(values):
            ax.text(head, layer, f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color="black" if v > 0.6 else "white")
            if v >= result["threshold"]:
                ax.add_patch(Rectangle((head - 0.5, layer - 0.5), 1, 1, fill=False,
                                       edgecolor="red", linewidth=2))
        ax.set_xticks(range(heads))
        ax.set_yticks(range(layers))
        ax.set_xlabel("head")
        ax.set_ylabel("layer")
        ax.set_title(f"{label}\nchance {result['chance'][key]:.3f}", fontsize=9)
    fig.colorbar(im, ax=list(axes), label="attention mass on the target")
    fig.suptitle(
        f"{title or result['backbone'] + ' on ' + result['task']} (n={result['n']}, "
        f"{result['prompts']} prompts; red: >= {result['threshold']:g})",
        fontsize=10,
    )
    fig.savefig(path, dpi=110)
