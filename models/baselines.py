"""``boolicl baselines``: classical learners on a task's prompts — per-position accuracy with
bootstrap intervals, a readable table and a plot of accuracy against the number of examples.

:func:`run_baselines` samples prompts of a task (or takes any ``xs``/``ys``, e.g. from
:func:`load_prompts_file`), runs the chosen learners (default: every learner that applies to
the task, :func:`learners.applicable`) and scores them with
:func:`learners.position_accuracy`. :func:`table_markdown` and :func:`plot_curves` present the
result; the command line (:mod:`models.cli`) only parses and prints.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

LEARNER_NAMES = (
    "null",
    "averaging",
    "nn1",
    "nn3",
    "elimination",
    "gf2",
    "sparse_parity",
    "halfspace",
    "ffn",
    "bayes",
)
"""The learner names of the command line (= :data:`learners.LEARNERS`, kept here so that
building the parser does not import torch)."""

TABLE_POSITIONS = (0, 5, 10, 20, 40)
"""Positions shown in the table, with the last position of the prompt."""


def load_prompts_file(path: Path | str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``(xs, ys, info)`` from an ``.npz`` holding ``xs`` ``(B, P, n)`` and ``ys`` ``(B, P)``
    (as ``boolicl sample`` writes, or made by anyone); ``info`` keeps the file's ``task``,
    ``force`` and ``p_one`` when present. Errors name ``--prompts-file``."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("xs", "ys") if k not in data.files]
            if missing:
                raise ValueError(
                    f"--prompts-file {path} must hold arrays 'xs' and 'ys'; missing "
                    f"{', '.join(missing)} (has {', '.join(data.files) or 'nothing'})"
                )
            xs, ys = data["xs"], data["ys"]
            info: dict[str, Any] = {"task": str(data["task"])} if "task" in data.files else {}
            for key in ("force", "p_one"):  # the input distribution, when recorded
                if key in data.files and data[key].shape == ():
                    info[key] = float(data[key])
    except (OSError, EOFError, ValueError) as e:
        if str(e).startswith("--prompts-file"):
            raise
        raise ValueError(f"--prompts-file {path} is not a readable .npz file: {e}") from None
    return xs, ys, info


def _check_file_prompts(
    xs: np.ndarray, ys: np.ndarray, n: int | None, points: int | None, prompts: int | None
) -> tuple[np.ndarray, np.ndarray]:
    from learners import check_prompts

    try:
        check_prompts(xs, ys)
    except ValueError as e:
        raise ValueError(f"--prompts-file: {e}") from None
    B, P, file_n = xs.shape
    if n is not None and n != file_n:
        raise ValueError(f"--n {n} does not match the prompts file (n = {file_n})")
    if points is not None and points > P:
        raise ValueError(f"--points {points} exceeds the prompts file's {P} points")
    if prompts is not None and prompts > B:
        raise ValueError(f"--prompts {prompts} exceeds the prompts file's {B} prompts")
    return xs[: prompts or B, : points or P], ys[: prompts or B, : points or P]


def check_device(device: str) -> None:
    """A usable torch device, else ``ValueError`` naming ``--device``."""
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"--device must be a torch device such as 'cpu' or 'cuda', got {device!r}"
        ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"--device {device}: CUDA is not available on this machine")
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"--device {device}: MPS is not available on this machine")


def name_option(message: str, names: Iterable[str]) -> str:
    """An error about one of the parameters ``names`` with the parameter written as its option
    (``k`` -> ``--k``, ``p_one`` -> ``--p-one``); other messages unchanged."""
    for p in names:
        if message.startswith(f"{p} "):
            return f"--{p.replace('_', '-')}{message[len(p) :]}"
    return message


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
    """
    import torch
    from tqdm.auto import tqdm

    from boolfun.samplers import sample_prompts
    from boolfun.tasks import get_task, resolve_params
    from learners import LEARNERS, applicable, make_learner, position_accuracy

    t = get_task(task)
    params = dict(params or {})
    check_device(device)
    names = list(learners) if learners else applicable(task)
    for name in names:
        if name not in LEARNERS:
            raise ValueError(f"--learners must be among {list(LEARNERS)}, got {name!r}")
    if xs is not None or ys is not None:
        if xs is None or ys is None:
            raise ValueError("xs and ys must be given together")
        for option, value in (("--force", force), ("--p-one", p_one)):
            if value is not None:
                raise ValueError(
                    f"{option} cannot be used with --prompts-file: it changes how prompts are "
                    "sampled, and the file's prompts are fixed"
                )
        xs, ys = _check_file_prompts(np.asarray(xs), np.asarray(ys), n, points, prompts)
        n = xs.shape[2]
        try:
            resolved = resolve_params(t, n, params)
        except ValueError as e:
            raise ValueError(name_option(str(e), params)) from None
        dev = torch.device(device)
        x_t, y_t = torch.from_numpy(xs).to(dev), torch.from_numpy(ys).to(dev)
        source = "file"
        used_force = used_p_one = None
    else:
        try:
            inputs = {k: v for k, v in (("force", force), ("p_one", p_one)) if v is not None}
            sample = sample_prompts(
                task, prompts or 1000, points, n, seed=seed, device=device, **inputs, **params
            )
        except ValueError as e:
            raise ValueError(name_option(str(e), [*params, "force", "p_one"])) from None
        x_t, y_t = sample.xs, sample.ys
        resolved = sample.params
        source = "sampled"
        used_force, used_p_one = sample.force, sample.p_one
    B, P, n = x_t.shape
    rows = []
    for name in tqdm(names, desc=f"learners on {task}", disable=not progress):
        learner = make_learner(
            name,
            task,
            seed=seed,
            bayes_samples=bayes_samples,
            bayes_position_samples=bayes_position_samples,
            **params,
        )
        t0 = time.perf_counter()
        try:
            out = learner.predict_full(x_t, y_t)
        except ValueError as e:
            raise ValueError(f"learner {name}: {e}") from None
        seconds = time.perf_counter() - t0
        acc = position_accuracy(out.preds, y_t, resamples=resamples, seed=seed)
        row = {"name": name, **acc.to_dict()}
        meta = {k: v for k, v in out.meta.items() if k != "learner"}
        if out.consistent is not None:
            meta["consistent_rate"] = round(float(out.consistent.float().mean()), 4)
        if out.determined is not None:
            meta["determined_rate"] = round(float(out.determined.float().mean()), 4)
        row["meta"] = meta
        row["seconds"] = round(seconds, 3)
        rows.append(row)
    if runs:
        from models.evaluate import model_predictions
        from models.train import load_model

        for run in runs:
            model, config = load_model(run, device)
            t0 = time.perf_counter()
            try:
                preds = model_predictions(model, config, x_t, y_t, device=device)
            except ValueError as e:
                raise ValueError(f"--runs {run}: {e}") from None
            seconds = time.perf_counter() - t0
            acc = position_accuracy(preds, y_t.cpu().numpy(), resamples=resamples, seed=seed)
            rows.append(
                {
                    "name": f"{config.model} ({Path(run).name})",
                    **acc.to_dict(),
                    "meta": {"run": str(run), "config": config.to_dict()},
                    "seconds": round(seconds, 3),
                }
            )
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


def learner_label(row: dict[str, Any]) -> str:
    """A learner's name with what a reader must know to trust its numbers (Bayes mode and
    sample size, how often a sampled posterior was empty)."""
    meta = row.get("meta", {})
    name = row["name"]
    if name == "bayes":
        if meta.get("mode") == "conditioned":
            empty = meta.get("posterior_empty_rate", 0.0)
            return (
                f"bayes (conditioned, {meta.get('samples_per_position')} draws/position; "
                f"no draw fits {100 * empty:.0f}%)"
            )
        if meta.get("mode") == "sampled":
            empty = meta.get("posterior_empty_rate", 0.0)
            return (
                f"bayes (sampled, {meta.get('samples_per_prompt')} draws/prompt; "
                f"no draw fits {100 * empty:.0f}%)"
            )
        if "hypotheses" in meta:
            return f"bayes (exact, {meta['hypotheses']:,} hypotheses)"
        return "bayes (exact)"
    if name == "elimination":
        kind = meta.get("kind", "conjunction")
        return f"elimination ({'monotone ' if meta.get('monotone') else ''}{kind})"
    return name


def table_positions(points: int) -> list[int]:
    """The positions of the table: 0, 5, 10, 20, 40 where they exist, and the last."""
    return sorted({p for p in TABLE_POSITIONS if p < points} | {points - 1})


def table_markdown(result: dict[str, Any]) -> str:
    """Accuracy per learner at positions 0, 5, 10, 20, 40 and the last, the mean over all
    positions with its 95% interval, and — for learners with a class — the share of
    positions whose examples some hypothesis of the class fits ("fits class": below 100% the
    prompts lie outside the learner's class)."""
    pos = table_positions(result["points"])
    head = "| learner | " + " | ".join(f"@{p}" for p in pos) + " | mean (95% CI) | fits class |"
    lines = [head, "|---|" + "---:|" * len(pos) + "---:|---:|"]
    for r in result["learners"]:
        cells = " | ".join(f"{r['per_position'][p]:.3f}" for p in pos)
        lo, hi = r["mean_ci"]
        rate = r.get("meta", {}).get("consistent_rate")
        fits = "-" if rate is None else f"{100 * rate:.1f}%"
        lines.append(
            f"| {learner_label(r)} | {cells} | {r['mean']:.3f} ({lo:.3f}-{hi:.3f}) | {fits} |"
        )
    return "\n".join(lines)


def plot_curves(result: dict[str, Any], path: Path | str, ax: Any = None) -> None:
    """Accuracy against the number of examples seen, one line per learner with its bootstrap
    band; writes a PNG at ``path`` (or draws on ``ax`` when given, writing nothing)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(8, 5))
    colors = plt.get_cmap("tab10").colors  # one fixed colour per learner name
    x = np.arange(result["points"])
    models = 0  # trained models (not learners): black, thicker, one line style each
    for r in result["learners"]:
        if r["name"] in LEARNER_NAMES:
            c, style, width = colors[LEARNER_NAMES.index(r["name"]) % 10], "-", 1.3
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
        plt.close(fig)
    else:
        ax.set_title(title, fontsize=9)


def plot_path(out: Path | None, result: dict[str, Any]) -> Path:
    """Where the plot goes: ``out`` itself when it names a ``.png`` file, else
    ``out/<task>_n<n>.png`` (``out`` defaults to ``boolicl-baselines``)."""
    out = Path("boolicl-baselines") if out is None else Path(out)
    if out.suffix.lower() == ".png":
        return out
    return out / f"{result['task']}_n{result['n']}.png"
