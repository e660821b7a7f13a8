"""Learners and trained models side by side on one set of prompts.

:func:`run_baselines` samples prompts of a task (or takes any ``xs``/``ys``, e.g. from
:func:`boolfun.samplers.load_prompts`), runs the chosen learners (default: every learner that
applies to the task, :func:`learners.applicable`) and the trained models of run folders, and
scores every one of them by :func:`learners.evaluation.score`: ``predict_full`` on the same
prompts, then :func:`learners.position_accuracy`. :mod:`boolicl.tables` and
:mod:`boolicl.plots` present the result; the command line only parses and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from boolfun.bits import check_int
from boolfun.devices import resolve_device
from boolfun.samplers import sample_prompts
from boolfun.tasks import get_task, resolve_params
from learners import LEARNERS, applicable, check_prompts, make_learner, score
from learners.evaluation import MAX_RESAMPLES
from models.checkpoints import load_model
from models.evaluate import check_file_prompts, refuse_input_options


def run_baselines(
    task: str,
    *,
    n: int | None = None,
    points: int | None = None,
    prompts: int | None = 1000,
    seed: int = 0,
    learners: Sequence[str] | None = None,
    xs: Any = None,
    ys: Any = None,
    device: str = "cpu",
    resamples: int = 1000,
    bayes_samples: int = 4096,
    bayes_position_samples: int = 256,
    params: dict[str, int] | None = None,
    progress: bool = False,
    force: float | None = None,
    p_one: float | None = None,
    runs: Sequence[Path | str] = (),
    predictions: dict[str, Any] | None = None,
    run_labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Run ``learners`` (and the trained models of the run folders ``runs``) on prompts of
    ``task`` and score them per position.

    Prompts: ``xs``/``ys`` when given (``n``, ``points``, ``prompts`` then only check or
    truncate them), else ``prompts`` fresh prompts of the task sampled with ``seed`` on
    ``device``. ``params`` are task parameters (``k``, ``start``). ``force`` / ``p_one``
    sample out-of-distribution inputs (:func:`boolfun.samplers.sample_prompts`; not with
    ``xs``/``ys``); the learners, ``bayes`` included, still assume the task's own distribution.
    Returns the JSON shape of ``boolicl baselines --json``: ``task``, ``n``, ``points``,
    ``prompts``, ``seed``, ``force`` and ``p_one`` (those of the sampled inputs; ``None`` for
    given prompts) and ``learners``, a list of ``{"name", "per_position", "ci_low",
    "ci_high", "mean", "mean_ci", "meta", "seconds"}``; a run's entry is named
    ``"<model> (<run folder name>)"`` and its ``meta`` holds the run's config.
    ``predictions``: a dict that receives each predictor's ``(B, P)`` predictions by name
    (e.g. for :func:`learners.agreement_matrix`), and the prompts as ``"ys"``.
    ``run_labels``: the names of the runs' entries instead (one per run, distinct).
    """
    t = get_task(task)
    params = dict(params or {})
    dev = resolve_device(device)
    check_int(resamples, "resamples", 1, MAX_RESAMPLES)
    names = list(learners) if learners else applicable(task)
    for name in names:
        if name not in LEARNERS:
            raise ValueError(f"learners must be among {list(LEARNERS)}, got {name!r}")
    if xs is not None or ys is not None:
        if xs is None or ys is None:
            raise ValueError("xs and ys must be given together")
        refuse_input_options(force, p_one)
        x_t, y_t = check_prompts(np.asarray(xs), np.asarray(ys))
        xs_np, ys_np = check_file_prompts(x_t.numpy(), y_t.numpy(), n, points, prompts)
        resolved = resolve_params(t, xs_np.shape[2], params)
        x_t, y_t = torch.from_numpy(xs_np).to(dev), torch.from_numpy(ys_np).to(dev)
        source = "file"
        used_force = used_p_one = None
    else:
        inputs = {k: v for k, v in (("force", force), ("p_one", p_one)) if v is not None}
        sample = sample_prompts(
            task, prompts or 1000, points, n, seed=seed, device=dev, **inputs, **params
        )
        x_t, y_t = sample.xs, sample.ys
        resolved = sample.params
        source = "sampled"
        used_force, used_p_one = sample.force, sample.p_one
    B, P, n = x_t.shape
    predictors: list[tuple[str, Any, dict[str, Any]]] = []
    for name in names:
        learner = make_learner(
            name,
            task,
            seed=seed,
            bayes_samples=bayes_samples,
            bayes_position_samples=bayes_position_samples,
            **params,
        )
        predictors.append((name, learner, {}))
    if run_labels is not None and (
        len(run_labels) != len(runs) or len(set(run_labels)) < len(run_labels)
    ):
        raise ValueError("run_labels must give one distinct name per run")
    for i, run in enumerate(runs):
        model, config = load_model(run, dev)
        label = run_labels[i] if run_labels is not None else f"{config.model} ({Path(run).name})"
        predictors.append((label, model, {"run": str(run), "config": config.to_dict()}))
    rows = []
    for name, predictor, meta in tqdm(
        predictors, desc=f"predictors on {task}", disable=not progress
    ):
        try:
            result = score(predictor, x_t, y_t, resamples=resamples, seed=seed)
        except ValueError as e:
            what = f"runs {meta['run']}" if "run" in meta else f"learner {name}"
            raise ValueError(f"{what}: {e}") from None
        out = result.predictions
        if predictions is not None:
            predictions[name] = out.preds
        if not meta:  # a learner: what it says of its own predictions
            meta = {k: v for k, v in out.meta.items() if k != "learner"}
            if out.consistent is not None:
                meta["consistent_rate"] = round(float(out.consistent.float().mean()), 4)
            if out.determined is not None:
                meta["determined_rate"] = round(float(out.determined.float().mean()), 4)
        rows.append(
            {
                "name": name,
                **result.accuracy.to_dict(),
                "meta": meta,
                "seconds": round(result.seconds, 3),
            }
        )
    if predictions is not None:
        predictions["ys"] = y_t
    return {
        "task": task,
        "n": n,
        "points": P,
        "prompts": B,
        "seed": seed,
        "params": resolved,
        "force": used_force,
        "p_one": used_p_one,
        "source": source,
        "learners": rows,
    }
