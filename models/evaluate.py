"""Evaluating a trained run: per-position accuracy with bootstrap intervals
(:func:`learners.position_accuracy`, the same scoring as the classical learners) on fresh
seeded prompts or on a saved prompts ``.npz``; out of distribution; under label noise.

Out of distribution: ``task`` may differ from the training task (any task; the model sees
prompts of that task). ``n`` may be *smaller* than the trained ``n``: the read-in is a linear
map of an ``n``-wide input, so prompts over fewer variables are zero-padded to the trained width
(coordinates ``n_eval..n-1`` are 0, i.e. the model sees them as the constant input bit 0, coded
-1). A larger ``n`` has no weights to read it and raises ``ValueError``; so do more points than
the model's ``max_points`` (the trained ``points``). The *input* distribution may differ too:
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
import torch.nn.functional as F


def model_predictions(
    model: torch.nn.Module,
    config: Any,
    xs: torch.Tensor,
    ys: torch.Tensor,
    *,
    device: str = "cpu",
    batch: int = 500,
) -> np.ndarray:
    """``(B, P)`` uint8 predictions ``logit > 0`` of a trained ``model`` (its run's ``config``)
    on prompts ``xs`` / ``ys`` (any device), in batches of ``batch`` prompts. Fewer inputs than
    the trained ``n`` are zero-padded; more inputs, or more points than trained, raise
    ``ValueError``."""
    B, P, n_eval = xs.shape
    if n_eval > config.n:
        raise ValueError(
            f"n = {n_eval} exceeds the trained n = {config.n}: the read-in has no weights for "
            f"more inputs (n <= {config.n} is zero-padded)"
        )
    if P > config.points:
        raise ValueError(f"points = {P} exceeds the model's limit of {config.points} points")
    xs_in = F.pad(xs, (0, config.n - n_eval)) if n_eval < config.n else xs
    preds = []
    with torch.no_grad():
        for i in range(0, B, batch):
            logits = model(xs_in[i : i + batch].to(device), ys[i : i + batch].to(device))
            preds.append((logits.float() > 0).to(torch.uint8).cpu().numpy())
    return np.concatenate(preds)


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
    result reports the file's recorded values (``None`` when it has none).
    """
    from learners import position_accuracy
    from models.baselines import check_device, load_prompts_file
    from models.train import load_model

    check_device(device)
    if not (isinstance(label_noise, int | float) and 0.0 <= label_noise <= 0.5):
        raise ValueError(f"label_noise must be a number in [0, 0.5], got {label_noise!r}")
    model, config = load_model(run, device)
    info: dict[str, Any] = {}
    if prompts_file is not None:
        for option, value in (("--force", force), ("--p-one", p_one)):
            if value is not None:
                raise ValueError(
                    f"{option} cannot be used with --prompts-file: it changes how prompts are "
                    "sampled, and the file's prompts are fixed"
                )
        if not Path(prompts_file).is_file():
            raise ValueError(f"--prompts-file {prompts_file} does not exist")
        xs_np, ys_np, info = load_prompts_file(prompts_file)
        B, P, file_n = xs_np.shape
        if n is not None and n != file_n:
            raise ValueError(f"--n {n} does not match the prompts file (n = {file_n})")
        if points is not None and points > P:
            raise ValueError(f"--points {points} exceeds the prompts file's {P} points")
        if prompts is not None and prompts > B:
            raise ValueError(f"--prompts {prompts} exceeds the prompts file's {B} prompts")
        xs_np = xs_np[: prompts or B, : points or P]
        ys_np = ys_np[: prompts or B, : points or P]
        xs, ys = torch.as_tensor(xs_np).to(torch.uint8), torch.as_tensor(ys_np).to(torch.uint8)
        task = task or info.get("task", config.task)
        used_force, used_p_one = info.get("force"), info.get("p_one")
    else:
        from boolfun.samplers import sample_prompts
        from models.baselines import name_option

        task = task or config.task
        inputs = {k: v for k, v in (("force", force), ("p_one", p_one)) if v is not None}
        try:
            s = sample_prompts(
                task,
                prompts or 1000,
                points or config.points,
                n if n is not None else config.n,
                seed=seed,
                device="cpu",
                **inputs,
            )
        except ValueError as e:
            raise ValueError(name_option(str(e), ("force", "p_one"))) from None
        xs, ys = s.xs, s.ys
        used_force, used_p_one = s.force, s.p_one
    B, P, n_eval = xs.shape
    shown = ys
    if label_noise:
        g = torch.Generator().manual_seed(seed)
        shown = ys ^ (torch.rand(ys.shape, generator=g) < label_noise).to(torch.uint8)
    preds = model_predictions(model, config, xs, shown, device=device, batch=batch)
    acc = position_accuracy(preds, ys.numpy(), resamples=resamples, seed=seed)
    return {
        "name": f"{config.model}",
        **acc.to_dict(),
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
