"""Evaluating a trained run: per-position accuracy with bootstrap intervals
(:func:`learners.evaluation.score`, the same path as the classical learners) on fresh
seeded prompts or on a saved prompts ``.npz``; out of distribution; under label noise.

Out of distribution: ``task`` may differ from the training task (any task; the model sees
prompts of that task). ``n`` may be *smaller* than the trained ``n``: the read-in is a linear
map of an ``n``-wide input, so prompts over fewer variables are zero-padded to the trained width
(coordinates ``n_eval..n-1`` are 0, i.e. the model sees them as the constant input bit 0, coded
-1). A larger ``n`` has no weights to read it and raises ``ValueError``; so do more points than
the model's ``points`` (the trained ``points``); both are
:meth:`models.wrapper.InContextModel.predict_full`. The *input* distribution may differ too:
``force`` sets the forcing probability (e.g. 0: plain uniform inputs for a conjunction, whose
training prompts had 30% forced positives) and ``p_one`` the probability of a 1 input bit
(:func:`boolfun.samplers.sample_prompts`).

Label noise: with ``label_noise = q`` every in-context label the model *sees* is flipped with
probability ``q`` (from a generator seeded with ``seed``); accuracy is scored against the clean
labels, so the curve measures robustness to noisy demonstrations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from boolfun.bits import check_int
from boolfun.devices import resolve_device
from boolfun.samplers import load_prompts, sample_prompts
from learners.evaluation import MAX_RESAMPLES, score
from models.checkpoints import load_model


def check_file_prompts(
    xs: np.ndarray, ys: np.ndarray, n: int | None, points: int | None, prompts: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The file's prompts ``xs`` / ``ys`` cut to the first ``prompts`` prompts and ``points``
    points (``None``: all); ``n`` must equal the file's when given. Errors name the
    parameter."""
    B, P, file_n = xs.shape
    if n is not None and n != file_n:
        raise ValueError(f"n {n} does not match the prompts file (n = {file_n})")
    if points is not None and points > P:
        raise ValueError(f"points {points} exceeds the prompts file's {P} points")
    if prompts is not None and prompts > B:
        raise ValueError(f"prompts {prompts} exceeds the prompts file's {B} prompts")
    return xs[: prompts or B, : points or P], ys[: prompts or B, : points or P]


def refuse_input_options(force: float | None, p_one: float | None) -> None:
    """``force`` / ``p_one`` change how prompts are sampled: an error with a prompts file."""
    for name, value in (("force", force), ("p_one", p_one)):
        if value is not None:
            raise ValueError(
                f"{name} cannot be used with prompts_file: it changes how prompts are "
                "sampled, and the file's prompts are fixed"
            )


def evaluate_run(
    run: Path | str,
    *,
    task: str | None = None,
    n: int | None = None,
    points: int | None = None,
    prompts: int | None = None,
    seed: int = 0,
    prompts_file: Path | str | None = None,
    label_noise: float = 0.0,
    device: str = "cpu",
    resamples: int = 1000,
    batch: int = 500,
    force: float | None = None,
    p_one: float | None = None,
) -> dict[str, Any]:
    """Score the model of run folder ``run``; returns one entry like ``boolicl baselines``
    (``name``, ``per_position``, ``ci_low``, ``ci_high``, ``mean``, ``mean_ci``) plus ``task``,
    ``n``, ``points``, ``prompts``, ``seed``, ``label_noise``, ``force``, ``p_one`` and the
    run's ``config``.

    ``task`` / ``n`` / ``points`` default to the run's (also for another task); ``prompts`` to
    1000 (with ``prompts_file``: all of the file's). ``force`` (forcing probability; ``None``:
    the task's) and ``p_one`` (probability of a 1 input bit; ``None``: 0.5) change the input
    distribution of the sampled prompts; with ``prompts_file`` they are an error, and the
    result reports the file's recorded values (``None`` when it has none). The model is
    scored by :func:`learners.evaluation.score`, the path of every learner.
    """
    dev = resolve_device(device)
    for name, value in (("n", n), ("points", points), ("prompts", prompts)):
        if value is not None:
            check_int(value, name, 1)
    check_int(seed, "seed", 0)
    check_int(resamples, "resamples", 1, MAX_RESAMPLES)
    if not (isinstance(label_noise, int | float) and 0.0 <= label_noise <= 0.5):
        raise ValueError(f"label_noise must be a number in [0, 0.5], got {label_noise!r}")
    model, config = load_model(run, dev)
    if prompts_file is not None:
        refuse_input_options(force, p_one)
        try:
            file = load_prompts(prompts_file)
        except ValueError as e:
            raise ValueError(f"prompts_file {e}") from None
        xs_np, ys_np = check_file_prompts(file.xs, file.ys, n, points, prompts)
        xs, ys = torch.from_numpy(xs_np), torch.from_numpy(ys_np)
        if task is not None and file.task is not None and task != file.task:
            raise ValueError(
                f"task {task!r} contradicts the prompts file, whose prompts are of task "
                f"{file.task!r}"
            )
        task = task or file.task or config.task
        used_force, used_p_one = file.force, file.p_one
    else:
        task = task or config.task
        inputs = {k: v for k, v in (("force", force), ("p_one", p_one)) if v is not None}
        s = sample_prompts(
            task,
            prompts or 1000,
            points or config.points,
            n if n is not None else config.n,
            seed=seed,
            device="cpu",
            **inputs,
        )
        xs, ys = s.xs, s.ys
        used_force, used_p_one = s.force, s.p_one
    B, P, n_eval = xs.shape
    shown = ys
    if label_noise:
        g = torch.Generator().manual_seed(seed)
        shown = ys ^ (torch.rand(ys.shape, generator=g) < label_noise).to(torch.uint8)
    model.predict_batch = check_int(batch, "batch", 1)
    result = score(model, xs, ys, shown_ys=shown, resamples=resamples, seed=seed)
    return {
        "name": f"{config.model}",
        **result.accuracy.to_dict(),
        "run": str(run),
        "task": task,
        "n": n_eval,
        "points": P,
        "prompts": B,
        "seed": seed,
        "label_noise": label_noise,
        "force": used_force,
        "p_one": used_p_one,
        "prompts_file": str(prompts_file) if prompts_file is not None else None,
        "config": config.to_dict(),
    }
