"""Every model and every classical learner on the same prompts: ``boolicl compare``.

:func:`plan_compare` turns tasks x models x seeds into training configs at a scale
(:data:`SCALES`: ``small`` for a 2-core CPU in minutes, ``paper`` for the paper's sizes on a
GPU) and their run folders; a model is a backbone or an :class:`Arm` (a backbone trained with
overrides: teaching sequences, label noise, ...), and every task is tested on one or more
:class:`TestSet` (the task's own prompts, prompts that start with a teaching sequence, shifted
inputs, fewer variables); it checks every folder that already holds a run against its config
(a mismatch is refused naming the field) before anything trains. :func:`run_compare` trains
what is missing through an executor (:mod:`boolicl.executors`; the seeds of one task and model
train together as one stack, :mod:`models.stack`), then scores the learners that apply to each
task and every trained run on one shared prompt set per task
(:func:`boolicl.comparison.run_baselines`; on prompts with a teaching prefix also the
accuracy right after it, :func:`after_prefix`), and aggregates each model over its seeds
(mean and standard deviation of the mean accuracy over positions; the per-position curve
averaged over seeds). A run that failed does not stop the others: its model is marked failed
in the tables. :mod:`boolicl.compare_tables` and :mod:`boolicl.compare_plots` present the
result, and :func:`write_compare` writes every file. The same arguments give the same tables,
byte for byte (timings are only in ``results.json``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from boolfun.bits import check_int
from boolfun.devices import resolve_device
from boolfun.samplers import sample_prompts
from boolfun.tasks import TASKS, TEACHING_CLASSES, get_task, teaching_class
from boolicl.agreement_tables import agreement_markdown
from boolicl.compare_plots import plot_compare
from boolicl.compare_tables import compare_csv, compare_markdown, compare_tex, stem, title
from boolicl.comparison import run_baselines
from boolicl.executors import TrainJob, make_executor
from boolicl.plots import plot_agreement
from boolicl.tables import table_positions
from learners import LEARNERS, agreement_matrix, applicable
from models.backbones import BACKBONES
from models.checkpoints import check_resumable
from models.config import TrainConfig
from models.data import with_teaching_prefix
from models.pretrained import is_pretrained

SCALES: dict[str, dict[str, Any]] = {
    # the README's example: about 1.5 minutes per model on two CPU cores
    "small": dict(
        n_max=8, points_max=40, layers=3, width=64, heads=4, batch=64, lr=1e-3, warmup=100,
        steps=1500,
    ),
    # the paper's sizes (Bhattamishra et al., ICLR 2024): for a GPU
    "paper": dict(
        n_max=None, points_max=None, layers=12, width=256, heads=8, batch=64, lr=1e-4,
        warmup=0, steps=15000,
    ),
}
"""Training settings of each ``scale``: the model size and schedule; ``n_max`` /
``points_max`` cap the task's default ``n`` and points (``None``: the task's own)."""

MAX_SEEDS = 64
RESULTS = "results.json"


@dataclass(frozen=True)
class Arm:
    """A trained model of a comparison: backbone ``model`` trained with ``overrides`` (fields
    of :class:`models.config.TrainConfig` over the scale's settings, e.g.
    ``(("teach", "all"),)``), shown as ``name`` (default: the backbone, then the overrides)."""

    model: str
    overrides: tuple[tuple[str, Any], ...] = ()
    name: str | None = None
    step_factor: float = 1.0
    """The arm trains ``step_factor`` times the comparison's steps (e.g. 2 for a model trained
    on a 50/50 mixture of two kinds of prompts, so that it sees as many of each kind as a model
    trained on one kind)."""

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if not self.overrides:
            return self.model
        return f"{self.model} (" + ", ".join(f"{k}={v}" for k, v in self.overrides) + ")"

    @property
    def folder(self) -> str:
        """The arm's run folder name: the backbone, then ``field-value`` per override."""
        parts = [self.model] + [f"{k}-{v}" for k, v in self.overrides]
        if self.step_factor != 1.0:
            parts.append(f"steps-x{self.step_factor:g}")
        return "_".join(parts).replace(":", "-").replace("/", "-")


@dataclass(frozen=True)
class TestSet:
    """How a comparison's shared test prompts of a task are drawn: the task's own
    distribution (``standard``), optionally with every prompt starting with the teaching
    sequence of its function (``teach``), with out-of-distribution inputs (``force``,
    ``p_one``: :func:`boolfun.samplers.sample_prompts`), or with functions of the first
    ``dims`` variables only, the others fixed at 0 (as a curriculum's first stages show them;
    an int, or a float in (0, 1): that share of the task's ``n``, rounded down, at least 1)."""

    __test__ = False  # not a pytest test class

    name: str = "standard"
    teach: bool = False
    force: float | None = None
    p_one: float | None = None
    dims: int | float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "teach": self.teach, "force": self.force,
                "p_one": self.p_one, "dims": self.dims}


STANDARD = TestSet()


@dataclass
class ComparePlan:
    """What a comparison trains and scores: per task its ``n`` and points, the configs and run
    folders of every (task, model, seed), and the learners (those that do not apply to a task
    are listed in ``skipped`` with the reason)."""

    tasks: list[str]
    arms: list[Arm]
    seeds: list[int]
    scale: str
    device: str
    runs_dir: Path
    tests: list[TestSet] = field(default_factory=lambda: [STANDARD])
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    configs: dict[tuple[str, str], list[TrainConfig]] = field(default_factory=dict)
    outs: dict[tuple[str, str], list[Path]] = field(default_factory=dict)
    learners: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        """The arms' labels (the names of the models in the tables)."""
        return [a.label for a in self.arms]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "models": self.models,
            "arms": [
                {"label": a.label, "model": a.model, "overrides": dict(a.overrides)}
                for a in self.arms
            ],
            "tests": [t.to_dict() for t in self.tests],
            "overrides": self.overrides,
            "seeds": self.seeds,
            "scale": self.scale,
            "device": self.device,
            "runs": str(self.runs_dir),
            "sizes": {t: {"n": n, "points": p} for t, (n, p) in self.sizes.items()},
        }


def _names(values: Sequence[str], allowed: Sequence[str], what: str) -> list[str]:
    if isinstance(values, str) or not values:
        raise ValueError(f"{what} must name at least one of {', '.join(allowed)}")
    out = []
    for v in values:
        if v not in allowed:
            raise ValueError(f"{what} must be among {', '.join(allowed)}, got {v!r}")
        if v not in out:
            out.append(v)
    return out


def task_size(task: str, scale: str) -> tuple[int, int]:
    """``(n, points)`` of ``task`` at ``scale``: the task's defaults, capped by the scale."""
    t, s = get_task(task), SCALES[scale]
    n = t.default_n if s["n_max"] is None else max(t.min_n, min(t.default_n, s["n_max"]))
    p = t.default_points if s["points_max"] is None else min(t.default_points, s["points_max"])
    return n, p


def _arms(models: Sequence[str | Arm]) -> list[Arm]:
    if isinstance(models, str) or not models:
        raise ValueError(f"models must name at least one of {', '.join(BACKBONES)}")
    arms: list[Arm] = []
    for m in models:
        arm = Arm(m) if isinstance(m, str) else m
        if not isinstance(arm, Arm):
            raise ValueError(f"models must be backbone names or Arms, got {m!r}")
        if arm.model not in BACKBONES and not is_pretrained(arm.model):
            raise ValueError(
                f"models must be among {', '.join(BACKBONES)} or hf:PATH (a pretrained causal "
                f"language model), got {arm.model!r}"
            )
        if any(a.label == arm.label for a in arms):
            if arm in arms:
                continue
            raise ValueError(f"models: two different models are both called {arm.label!r}")
        arms.append(arm)
    return arms


def _tests(tests: Sequence[TestSet] | None, tasks: list[str]) -> list[TestSet]:
    if tests is None:
        return [STANDARD]
    if not tests or any(not isinstance(t, TestSet) for t in tests):
        raise ValueError("tests must be a non-empty list of TestSets")
    names = [t.name for t in tests]
    if len(set(names)) < len(names):
        raise ValueError(f"tests must have distinct names, got {names}")
    for t in tests:
        if t.teach:
            for task in tasks:
                if teaching_class(task) is None:
                    raise ValueError(
                        f"tests: {t.name!r} puts teaching sequences in prompts of {task}, "
                        "which has none; the tasks with teaching sequences: "
                        + ", ".join(TEACHING_CLASSES)
                    )
    return list(tests)


def plan_compare(
    tasks: Sequence[str],
    models: Sequence[str | Arm],
    learners: Sequence[str] | None = None,
    *,
    seeds: int = 1,
    scale: str = "small",
    runs: Path | str | None = None,
    out: Path | str = "boolicl-compare",
    device: str = "cpu",
    steps: int | None = None,
    threads: int = 0,
    tests: Sequence[TestSet] | None = None,
    sizes: dict[str, tuple[int, int]] | None = None,
    overrides: dict[str, Any] | None = None,
) -> ComparePlan:
    """The plan of a comparison; ``ValueError`` naming the parameter for an unknown task,
    model, learner or scale, and naming ``runs`` and the differing field for a run folder
    whose config does not match (nothing has trained yet then). ``models``: backbone names or
    :class:`Arm` (a backbone with training overrides). ``seeds``: the models' seeds are
    ``0 .. seeds - 1``. ``runs``: where the run folders are (default ``out/runs``);
    ``steps`` overrides the scale's training steps; ``tests``: the test prompt sets of every
    task (default the task's own distribution); ``sizes``: ``(n, points)`` of a task instead
    of :func:`task_size`; ``overrides``: training settings of every model (fields of
    :class:`models.config.TrainConfig`; an arm's own overrides come last)."""
    tasks = _names(tasks, list(TASKS), "tasks")
    arms = _arms(models)
    wanted = _names(learners, list(LEARNERS), "learners") if learners is not None else None
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    check_int(seeds, "seeds", 1, MAX_SEEDS)
    if steps is not None:
        check_int(steps, "steps", 1, 10**9)
    test_sets = _tests(tests, tasks)
    runs_dir = Path(runs) if runs is not None else Path(out) / "runs"
    plan = ComparePlan(tasks, arms, list(range(seeds)), scale, device, runs_dir, test_sets)
    plan.overrides = dict(overrides or {})
    s = SCALES[scale]
    problems = []
    for task in tasks:
        n, points = (sizes or {}).get(task) or task_size(task, scale)
        plan.sizes[task] = (n, points)
        fits = applicable(task)
        chosen = wanted if wanted is not None else fits
        plan.learners[task] = [name for name in chosen if name in fits]
        plan.skipped[task] = [
            {"name": name, "reason": f"does not apply to {task}"}
            for name in chosen
            if name not in fits
        ]
        for arm in arms:
            base = dict(
                task=task, model=arm.model, n=n, points=points, layers=s["layers"],
                width=s["width"], heads=s["heads"], batch=s["batch"], lr=s["lr"],
                warmup=s["warmup"], steps=steps or s["steps"], device=device, eval_every=0,
                threads=threads,
            )
            if is_pretrained(arm.model):  # its layers, width and heads are its own
                for size in ("layers", "width", "heads"):
                    del base[size]
            base.update(plan.overrides)
            base.update(dict(arm.overrides))
            if arm.step_factor != 1.0:
                if not (isinstance(arm.step_factor, int | float) and 0 < arm.step_factor <= 100):
                    raise ValueError(
                        f"models: {arm.label}: step_factor must be in (0, 100], "
                        f"got {arm.step_factor!r}"
                    )
                base["steps"] = max(1, round(base["steps"] * arm.step_factor))
            try:
                configs = [TrainConfig(**base, seed=seed) for seed in plan.seeds]
            except (TypeError, ValueError) as e:
                raise ValueError(f"models: {arm.label} on {task}: {e}") from None
            outs = [runs_dir / f"{task}-n{n}" / arm.folder / f"seed-{c.seed}" for c in configs]
            for c, o in zip(configs, outs, strict=True):
                try:
                    check_resumable(o, c)
                except ValueError as e:
                    problems.append(str(e))
            plan.configs[(task, arm.label)] = configs
            plan.outs[(task, arm.label)] = outs
    if problems:
        raise ValueError(f"runs: {problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                   if len(problems) > 1 else ""))
    return plan


def check_out(out: Path | str, overwrite: bool) -> Path:
    """``out`` as a folder the comparison may write: ``ValueError`` naming ``out`` when it is
    a file, or already holds results and ``overwrite`` is false."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out {out} is a file, not a folder")
    if (out / RESULTS).exists() and not overwrite:
        raise ValueError(
            f"out {out} already holds results ({RESULTS}); choose another folder or overwrite"
        )
    return out


def run_compare(
    plan: ComparePlan,
    *,
    executor: Any = None,
    prompts: int = 1000,
    eval_seed: int = 12345,
    resamples: int = 1000,
    progress: bool = False,
) -> dict[str, Any]:
    """Train what ``plan`` lacks through ``executor`` (default: in-process), score every
    learner and run on one prompt set per task (``prompts`` prompts, seed ``eval_seed``, a
    seed of its own so the test prompts are not any model's evaluation prompts) and return the
    results: ``settings``, ``training`` (one entry per job: its runs, error, attempts, summary
    fields without timings in ``runs``) and ``tasks`` (one entry per task: the learners' and
    runs' scores of :func:`run_baselines`, ``models`` aggregated over seeds, ``skipped``)."""
    check_int(prompts, "prompts", 1, 10**6)
    own = executor is None
    ex = make_executor("inprocess", progress=progress) if own else executor
    jobs = [
        TrainJob(configs=plan.configs[key], outs=plan.outs[key], label=f"{key[1]} on {key[0]}")
        for key in plan.configs
    ]
    try:
        done = ex.run(jobs)
    finally:
        if own:
            ex.close()
    training, status = [], {}
    for key, r in zip(plan.configs, done, strict=True):
        runs = []
        for i, o in enumerate(plan.outs[key]):
            s = r.summaries[i] if r.summaries else None
            err = r.error if s is None else s.get("error")
            status[o] = err
            runs.append(
                {
                    "out": str(o),
                    "seed": plan.configs[key][i].seed,
                    "error": err,
                    "steps": s["steps"] if s else None,
                    "stopped": s["stopped"] if s else None,
                    "seconds": s["seconds"] if s else None,
                }
            )
        training.append(
            {"task": key[0], "model": key[1], "attempts": r.attempts, "error": r.error,
             "runs": runs}
        )
    tasks = []
    for task in plan.tasks:
        for test in plan.tests:
            tasks.append(
                score_task(plan, task, test, status, prompts=prompts, eval_seed=eval_seed,
                           resamples=resamples, progress=progress)
            )
    return {"settings": plan.to_dict() | {"prompts": prompts, "eval_seed": eval_seed,
                                         "resamples": resamples, "scale_settings":
                                         SCALES[plan.scale]},
            "training": training, "tasks": tasks}


def draw_test_prompts(
    task: str, n: int, points: int, test: TestSet, prompts: int, seed: int, device: str
) -> dict[str, Any]:
    """The shared test prompts of ``task`` under ``test``: keyword arguments of
    :func:`boolicl.comparison.run_baselines` (``xs``/``ys`` for prompts with a teaching
    prefix or fewer variables, else the sampler's ``force``/``p_one``), and ``lengths``, the
    teaching prefix's length in each prompt (``None`` without one)."""
    if not test.teach and test.dims is None:
        return {"kwargs": {"force": test.force, "p_one": test.p_one}, "lengths": None}
    dims = n if test.dims is None else test.dims
    if isinstance(dims, float) and 0 < dims < 1:
        dims = max(1, int(dims * n))
    if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= n:
        raise ValueError(f"tests: {test.name!r} has dims {dims}; allowed 1 to n = {n}")
    inputs = {k: v for k, v in (("force", test.force), ("p_one", test.p_one)) if v is not None}
    s = sample_prompts(task, prompts, points, dims, seed=seed, device=resolve_device(device),
                       return_functions=test.teach, **inputs)
    xs, ys, lengths = s.xs, s.ys, None
    if test.teach:
        xs, ys, lengths = with_teaching_prefix(task, xs, ys, s.functions)
    if dims < n:
        xs = torch.nn.functional.pad(xs, (0, n - dims))
    return {"kwargs": {"xs": xs.cpu(), "ys": ys.cpu()}, "lengths": lengths}


def after_prefix(
    preds: Any, ys: Any, lengths: np.ndarray
) -> dict[str, float | int | None]:
    """Accuracy at the position right after each prompt's teaching prefix (the prediction
    made from the whole teaching sequence and nothing else), over the prompts whose prefix
    leaves a position: ``{"accuracy", "prompts"}``."""
    P = ys.shape[1]
    keep = np.flatnonzero(lengths < P)
    if keep.size == 0:
        return {"accuracy": None, "prompts": 0}
    idx = torch.as_tensor(keep)
    at = torch.as_tensor(lengths[keep])
    correct = preds.cpu()[idx, at] == ys.cpu()[idx, at]
    return {"accuracy": round(float(correct.float().mean()), 6), "prompts": int(keep.size)}


def score_task(
    plan: ComparePlan,
    task: str,
    test: TestSet,
    status: dict[Path, str | None],
    *,
    prompts: int,
    eval_seed: int,
    resamples: int,
    progress: bool,
) -> dict[str, Any]:
    """One task of a comparison on the prompts of ``test``: every learner and finished run
    scored (:func:`boolicl.comparison.run_baselines`), the models aggregated over seeds,
    the skipped learners, the agreement matrix and, with a teaching prefix, each predictor's
    accuracy right after it (``after_prefix`` in each row and model)."""
    n, points = plan.sizes[task]
    good, labels = [], []
    for arm in plan.arms:
        for c, o in zip(plan.configs[(task, arm.label)], plan.outs[(task, arm.label)],
                        strict=True):
            if status[o] is None:
                good.append(o)
                labels.append(f"{arm.label} (seed-{c.seed})")
    drawn = draw_test_prompts(task, n, points, test, prompts, eval_seed, plan.device)
    preds: dict[str, Any] = {}
    result = run_baselines(
        task,
        n=n,
        points=points,
        prompts=prompts,
        seed=eval_seed,
        learners=plan.learners[task] or None,
        runs=good,
        run_labels=labels,
        device=plan.device,
        resamples=resamples,
        progress=progress,
        predictions=preds,
        **{k: v for k, v in drawn["kwargs"].items() if v is not None},
    )
    if not plan.learners[task]:  # run_baselines takes no learners as "all that apply"
        result["learners"] = [r for r in result["learners"] if "run" in r["meta"]]
    result["test"] = test.name
    result["test_set"] = test.to_dict()
    lengths = drawn["lengths"]
    if lengths is not None:
        for r in result["learners"]:
            r["after_prefix"] = after_prefix(preds[r["name"]], preds["ys"], lengths)
        result["prefix_lengths"] = {
            "mean": round(float(lengths.mean()), 3), "min": int(lengths.min()),
            "max": int(lengths.max()),
        }
    result["models"] = aggregate_models(result, plan, task, status)
    result["skipped"] = plan.skipped[task]
    result["agreement"] = task_agreement(result, preds, resamples)
    return result


def task_agreement(
    result: dict[str, Any], preds: dict[str, Any], resamples: int
) -> dict[str, Any] | None:
    """How often each trained run's predictions agree with each learner's on the task's shared
    prompts, per position and on average (:func:`learners.agreement_matrix`: rows the runs,
    columns the learners); ``None`` without runs or learners."""
    runs = [r["name"] for r in result["learners"] if "run" in r["meta"]]
    learners = [r["name"] for r in result["learners"] if "run" not in r["meta"]]
    if not runs or not learners:
        return None
    matrix = agreement_matrix(
        {k: preds[k] for k in runs + learners},
        learners,
        rows=runs,
        positions=table_positions(result["points"]),
        resamples=resamples,
    )
    matrix["title"] = (
        f"agreement with the learners on {title(result)} (n={result['n']}), mean over positions"
    )
    return matrix


def aggregate_models(
    result: dict[str, Any], plan: ComparePlan, task: str, status: dict[Path, str | None]
) -> list[dict[str, Any]]:
    """One entry per model of ``task``: the per-position accuracy averaged over its seeds,
    the mean over positions per seed, their mean and (sample) standard deviation, the
    envelope of the seeds' 95% intervals of the mean, and the failed runs."""
    by_run = {r["meta"]["run"]: r for r in result["learners"] if "run" in r["meta"]}
    out = []
    for model in plan.models:
        outs = plan.outs[(task, model)]
        rows = [by_run[str(o)] for o in outs if str(o) in by_run]
        failed = [{"out": str(o), "error": status[o]} for o in outs if status[o] is not None]
        entry: dict[str, Any] = {"name": model, "seeds": len(rows), "failed": failed}
        if rows:
            P = len(rows[0]["per_position"])
            curve = [sum(r["per_position"][i] for r in rows) / len(rows) for i in range(P)]
            means = [r["mean"] for r in rows]
            mu = sum(means) / len(means)
            sd = (
                math.sqrt(sum((m - mu) ** 2 for m in means) / (len(means) - 1))
                if len(means) > 1
                else 0.0
            )
            entry.update(
                per_position=[round(v, 6) for v in curve],
                ci_low=[min(r["ci_low"][i] for r in rows) for i in range(P)],
                ci_high=[max(r["ci_high"][i] for r in rows) for i in range(P)],
                seed_means=means,
                mean=round(mu, 6),
                std=round(sd, 6),
                mean_ci=[min(r["mean_ci"][0] for r in rows), max(r["mean_ci"][1] for r in rows)],
            )
            after = [r["after_prefix"] for r in rows if "after_prefix" in r]
            if after and all(a["accuracy"] is not None for a in after):
                entry["after_prefix"] = {
                    "accuracy": round(sum(a["accuracy"] for a in after) / len(after), 6),
                    "prompts": after[0]["prompts"],
                    "seed_accuracies": [a["accuracy"] for a in after],
                }
        out.append(entry)
    return out


def agreement_report(result: dict[str, Any]) -> str:
    """``agreement.md``: per task, the agreement of each run with each learner (mean over
    positions and its 95% interval; at the table's positions in ``results.json``)."""
    parts = []
    for t in result["tasks"]:
        if t.get("agreement"):
            parts += [f"## {title(t)} (n = {t['n']})", "", agreement_markdown(t["agreement"]), ""]
    if not parts:
        return ""
    head = [
        "# Which algorithm does each model follow?",
        "",
        "The share of the shared test prompts' positions at which a model predicts what a "
        "classical learner predicts (1 = the same predictions everywhere).",
        "",
    ]
    return "\n".join(head + parts)


def write_compare(result: dict[str, Any], out: Path | str) -> list[Path]:
    """Write ``table.md``, ``table.csv``, ``table.tex``, one PNG per task and
    ``results.json`` (last, so a folder with results is a complete one) into ``out``; the
    paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("table.md", compare_markdown(result)),
        ("table.csv", compare_csv(result)),
        ("table.tex", compare_tex(result)),
    ):
        (out / name).write_text(text)
        written.append(out / name)
    for t in result["tasks"]:
        path = out / f"{stem(t)}.png"
        plot_compare(t, path)
        written.append(path)
        if t.get("agreement"):
            path = out / f"agreement_{stem(t)}.png"
            plot_agreement(t["agreement"], path)
            written.append(path)
    agreement = agreement_report(result)
    if agreement:
        (out / "agreement.md").write_text(agreement)
        written.append(out / "agreement.md")
    tmp = out / (RESULTS + ".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out / RESULTS)
    written.append(out / RESULTS)
    return written
