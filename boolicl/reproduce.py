"""``boolicl reproduce PRESET``: an experiment of Bhattamishra et al. (ICLR 2024) restated as a
comparison (:mod:`boolicl.compare`), with a ``REPORT.md`` that states the paper's claim, what
this run found and the figures it rests on.

A :class:`Preset` names the tasks, backbones and learners of the experiment, and how to read
its result: :func:`examples_to_reach` (the first position from which a predictor's accuracy
stays at or above a level) and the accuracy at chosen positions, for every predictor. At
``--scale small`` a preset runs on a 2-core CPU in minutes; the report says whether the paper's
qualitative result shows at that scale, with the numbers, and never more than they say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boolicl.compare import check_out, plan_compare, run_compare, write_compare
from boolicl.tables import learner_label, table_positions

REPORT = "REPORT.md"
LEVEL = 0.99
"""The accuracy level of :func:`examples_to_reach` in the reports."""


@dataclass(frozen=True)
class Preset:
    """An experiment: ``tasks`` x ``models`` beside ``learners``, ``claim`` (the paper's, in
    words), ``verdict`` (from a task's comparison result: whether the claim's qualitative
    result shows in this run, and the sentence that says so with the numbers)."""

    name: str
    title: str
    claim: str
    tasks: tuple[str, ...]
    models: tuple[str, ...]
    learners: tuple[str, ...] | None
    verdict: Callable[[dict[str, Any]], tuple[bool, str]]
    small_steps: int | None = None  # the small scale's steps when it needs other than its own


def examples_to_reach(curve: list[float], level: float = LEVEL) -> int | None:
    """The first position ``i`` with ``curve[j] >= level`` for every ``j >= i`` (the examples
    a predictor needs to stay at ``level``), or ``None`` when the last position is below it."""
    i = len(curve)
    while i > 0 and curve[i - 1] >= level:
        i -= 1
    return i if i < len(curve) else None


def curves(task: dict[str, Any]) -> dict[str, list[float]]:
    """Per-position accuracy of every learner (by label) and model (by name) of a task."""
    out = {learner_label(r): r["per_position"] for r in task["learners"] if "run" not in r["meta"]}
    out.update({m["name"]: m["per_position"] for m in task["models"] if m["seeds"]})
    return out


def _sample_efficiency(task: dict[str, Any]) -> tuple[bool, str]:
    c = curves(task)
    model = next((m for m in task["models"] if m["seeds"]), None)
    best = max((v for k, v in c.items() if k.startswith("bayes")), key=lambda v: sum(v),
               default=None)
    if model is None or best is None:
        return False, "the model or the Bayes-optimal learner is missing: nothing to compare"
    last = task["points"] - 1
    gap = best[last] - model["per_position"][last]
    held = gap <= 0.05
    return held, (
        f"at {last} examples the {model['name']} is at {model['per_position'][last]:.3f} and "
        f"the Bayes-optimal learner at {best[last]:.3f} (gap {gap:+.3f}; the claim shows here "
        f"when the gap is at most 0.05); mean over positions {model['mean']:.3f} against "
        f"{sum(best) / len(best):.3f}"
    )


PRESETS: dict[str, Preset] = {
    "sample-efficiency": Preset(
        name="sample-efficiency",
        title="Sample efficiency on conjunctions",
        claim=(
            "Trained in context on conjunctions, a Transformer's accuracy against the number of "
            "examples follows the classical learners built for the class: it approaches the "
            "elimination learner and the Bayes-optimal learner under the task's prior, well "
            "above the nearest-neighbour and averaging baselines."
        ),
        tasks=("conjunction",),
        models=("transformer",),
        learners=("null", "averaging", "nn1", "elimination", "bayes"),
        verdict=_sample_efficiency,
    ),
}
"""The presets of ``boolicl reproduce``, by name."""


def report_markdown(preset: Preset, result: dict[str, Any]) -> str:
    """``REPORT.md``: the claim, the verdict per task, and per predictor the accuracy at the
    table's positions, the mean and the examples needed to stay at :data:`LEVEL`."""
    s = result["settings"]
    lines = [
        f"# {preset.title} (`boolicl reproduce {preset.name}`)",
        "",
        f"**The paper's claim** (Bhattamishra et al., ICLR 2024): {preset.claim}",
        "",
        f"**This run**: scale `{s['scale']}` ({s['scale_settings']['layers']} layers of width "
        f"{s['scale_settings']['width']}, {result['training'][0]['runs'][0]['steps']} steps), "
        f"{s['prompts']} shared test prompts per task, device `{s['device']}`.",
    ]
    for t in result["tasks"]:
        held, sentence = preset.verdict(t)
        pos = table_positions(t["points"])
        lines += [
            "",
            f"## {t['task']} (n = {t['n']}, {t['points']} points)",
            "",
            f"**Found**: the qualitative result {'shows' if held else 'does not show'} in this "
            f"run: {sentence}.",
            "",
            "| predictor | " + " | ".join(f"@{p}" for p in pos)
            + f" | mean | examples to stay >= {LEVEL} |",
            "|---|" + "---:|" * len(pos) + "---:|---:|",
        ]
        for name, curve in curves(t).items():
            reach = examples_to_reach(curve)
            cells = " | ".join(f"{curve[p]:.3f}" for p in pos)
            lines.append(
                f"| {name} | {cells} | {sum(curve) / len(curve):.3f} | "
                f"{'never' if reach is None else reach} |"
            )
        for m in t["models"]:
            if m["failed"]:
                lines.append(f"\n{m['name']}: {len(m['failed'])} run(s) failed (see table.md).")
    lines += ["", "Files: `table.md`, `table.csv`, `table.tex`, the PNGs, `results.json`."]
    return "\n".join(lines) + "\n"


def run_reproduce(
    name: str,
    out: Path | str,
    *,
    scale: str = "small",
    device: str = "cpu",
    steps: int | None = None,
    executor: Any = None,
    prompts: int = 1000,
    overwrite: bool = False,
    progress: bool = False,
) -> dict[str, Any]:
    """Run preset ``name`` (one of :data:`PRESETS`, else ``ValueError`` listing them) into
    ``out``: the comparison's files and ``REPORT.md``; returns the comparison's result with
    ``preset`` and ``report`` added."""
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {name!r}")
    preset = PRESETS[name]
    out = check_out(out, overwrite)
    if steps is None and scale == "small":
        steps = preset.small_steps
    plan = plan_compare(
        list(preset.tasks),
        list(preset.models),
        list(preset.learners) if preset.learners is not None else None,
        scale=scale,
        out=out,
        device=device,
        steps=steps,
    )
    result = run_compare(plan, executor=executor, prompts=prompts, progress=progress)
    report = report_markdown(preset, result)
    result["preset"] = name
    write_compare(result, out)
    (out / REPORT).write_text(report)
    result["report"] = report
    return result
