"""``boolicl demo``: the main job, on CPU in about a minute.

For every task it samples prompts with the vectorised sampler, measures the label balance
(overall and per position), the size of the sampled functions and the sampling rate, and
checks exactness on a subset: the labels equal the function's evaluation, its SAT encoding,
its sympy expression, and the evaluation of its string form read back. It writes a Markdown
table, the same as JSON, and a plot of the positive-label rate against the position.

Then it runs the classical learners that apply to each task (:mod:`learners`, via
:func:`boolicl.comparison.run_baselines`) at small sizes — ``n = 5`` (3 for DNF/CNF, where the
exact Bayes posterior stays small), 40 points, nearest_neighbour with ``start = 10`` — and
writes their mean accuracy per task (``learners.md``, ``learners.json``) and one panel of
accuracy against the number of examples per task (``learners.png``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from pysat.formula import IDPool
from tqdm.auto import tqdm

from boolfun.function import BooleanFunction, symbols
from boolfun.parse import parse
from boolfun.samplers import sample_prompts
from boolfun.sat.miter import solver
from boolfun.tasks import TASKS
from boolicl.comparison import run_baselines
from boolicl.plots import plot_label_rates, plot_task_panels
from learners import LEARNERS
from models.checkpoints import check_resumable
from models.config import TrainConfig
from models.evaluate import evaluate_run
from models.train import train

CHECK_FUNCTIONS = 12
CHECK_POINTS = 8

LEARNER_N = 5  # input dimension of the learner runs ...
LEARNER_N_NORMAL_FORMS = 3  # ... and of dnf / cnf (exact Bayes: 1,561 hypotheses)
LEARNER_POINTS = 40
LEARNER_PROMPTS = 200  # at most this many prompts per task (fewer when `prompts` is smaller)
LEARNER_START = 10  # nearest_neighbour: random labels before copying
LEARNER_RESAMPLES = 200  # bootstrap resamples


def exactness_checks(f: BooleanFunction, xs: np.ndarray, ys: np.ndarray) -> dict[str, bool]:
    """Whether the labels ``ys`` of points ``xs`` agree with ``f`` evaluated four ways."""
    xs, ys = xs[:CHECK_POINTS], ys[:CHECK_POINTS]
    pool = IDPool()
    out, clauses = f.tseitin(pool)
    inputs = [pool.id(f"x{i}") for i in range(1, f.n + 1)]
    with solver(clauses) as s:
        sat = [
            s.solve(assumptions=[v if b else -v for v, b in zip(inputs, x, strict=True)] + [out])
            for x in xs
        ]
    expr = f.to_sympy()
    syms = symbols(f.n)
    sym = [bool(expr.subs({s_: int(b) for s_, b in zip(syms, x, strict=True)})) for x in xs]
    return {
        "evaluate": bool((f.evaluate(xs) == ys).all()),
        "sat": bool((np.array(sat) == ys.astype(bool)).all()),
        "sympy": bool((np.array(sym) == ys.astype(bool)).all()),
        "string": bool((parse(str(f), f.n).evaluate(xs) == ys).all()),
    }


MODEL_STEPS = 3000  # tiny Transformer steps in the demo (about a minute on a CPU core)


def run_demo(
    out: Path,
    prompts: int = 2000,
    seed: int = 0,
    progress: bool = False,
    model_steps: int = MODEL_STEPS,
) -> dict[str, Any]:
    """Run the demo, write ``tasks.md``, ``tasks.json``, ``label_rate.png``, ``learners.md``,
    ``learners.json`` and ``learners.png`` under ``out``. A rerun reuses the tiny Transformer
    of an earlier run with the same settings (and rewrites the same tables); one of other
    settings is refused before anything is written."""
    out = Path(out)
    model_config = tiny_transformer_config(model_steps, seed) if model_steps > 0 else None
    if model_config is not None:  # refuse a run of other settings before writing anything
        check_resumable(out / "tiny_transformer", model_config)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    curves: dict[str, np.ndarray] = {}
    for name in tqdm(list(TASKS), desc="tasks", disable=not progress):
        task = TASKS[name]
        sample_prompts(name, min(prompts, 64), seed=seed)  # warm-up: first calls allocate
        t0 = time.perf_counter()
        p = sample_prompts(name, prompts, seed=seed)
        rate = prompts / (time.perf_counter() - t0)
        xs, ys = p.numpy()
        curves[name] = ys.mean(0)
        row: dict[str, Any] = {
            "task": name,
            "n": task.default_n,
            "points": task.default_points,
            "prompts": prompts,
            "positive_rate": round(float(ys.mean()), 4),
            "prompts_per_s": round(rate),
        }
        small = sample_prompts(name, CHECK_FUNCTIONS, seed=seed + 1, return_functions=True)
        if small.functions is None:
            row["mean_variables"] = None
            row["exact"] = "n/a"
        else:
            sx, sy = small.numpy()
            row["mean_variables"] = round(
                float(np.mean([len(f.mentioned_variables()) for f in small.functions])), 2
            )
            checks = [exactness_checks(f, sx[i], sy[i]) for i, f in enumerate(small.functions)]
            passed = sum(all(c.values()) for c in checks)
            row["exact"] = f"{passed}/{len(checks)}"
        rows.append(row)

    md = _markdown(rows)
    (out / "tasks.md").write_text(md + "\n")
    (out / "tasks.json").write_text(json.dumps(rows, indent=2) + "\n")
    plot = out / "label_rate.png"
    plot_label_rates(curves, plot)
    results = run_learners(min(prompts, LEARNER_PROMPTS), seed, progress)
    if model_config is not None:
        _add_tiny_transformer(results, out / "tiny_transformer", model_config, progress)
    learner_rows = [_learner_row(r) for r in results]
    learners_md = _learners_markdown(learner_rows)
    (out / "learners.md").write_text(learners_md + "\n")
    (out / "learners.json").write_text(json.dumps(results, indent=2) + "\n")
    learner_plot = out / "learners.png"
    plot_task_panels(results, learner_plot)
    return {
        "rows": rows,
        "table_markdown": md,
        "learner_rows": learner_rows,
        "learners_table_markdown": learners_md,
        "files": [
            str(out / "tasks.md"),
            str(out / "tasks.json"),
            str(plot),
            str(out / "learners.md"),
            str(out / "learners.json"),
            str(learner_plot),
        ],
    }


def tiny_transformer_config(steps: int, seed: int) -> TrainConfig:
    """The demo's tiny Transformer: 2 layers, width 64, on the learners' conjunction prompts
    (``n = 5``, 40 points), on the CPU."""
    return TrainConfig(
        task="conjunction",
        model="transformer",
        n=LEARNER_N,
        points=LEARNER_POINTS,
        layers=2,
        width=64,
        heads=2,
        batch=64,
        lr=1e-3,
        warmup=20,
        steps=steps,
        seed=seed,
        device="cpu",
        eval_every=0,
        checkpoint_every=0,
    )


def _add_tiny_transformer(
    results: list[dict[str, Any]], run: Path, config: TrainConfig, progress: bool
) -> None:
    """Train (or, when ``run`` holds it already, reuse) the tiny Transformer and add its
    per-position accuracy, on the very prompts the learners saw, to the conjunction entry."""
    entry = next(r for r in results if r["task"] == "conjunction")
    train(config, run, progress=progress)
    res = evaluate_run(
        run, prompts=entry["prompts"], seed=config.seed, resamples=LEARNER_RESAMPLES
    )
    res["name"] = "transformer"
    entry["learners"].append(res)


def run_learners(prompts: int, seed: int = 0, progress: bool = False) -> list[dict[str, Any]]:
    """:func:`boolicl.comparison.run_baselines` on every task at the demo's small sizes, with
    every learner that applies."""
    results = []
    for name in tqdm(list(TASKS), desc="learners", disable=not progress):
        task = TASKS[name]
        n = LEARNER_N_NORMAL_FORMS if task.family in ("dnf", "cnf") else LEARNER_N
        params = {"start": LEARNER_START} if "start" in task.params else {}
        results.append(
            run_baselines(
                name,
                n=n,
                points=LEARNER_POINTS,
                prompts=prompts,
                seed=seed,
                resamples=LEARNER_RESAMPLES,
                params=params,
            )
        )
    return results


def _learner_row(result: dict[str, Any]) -> dict[str, Any]:
    """One task's learners: mean accuracy over positions and accuracy at the last position."""
    row: dict[str, Any] = {
        "task": result["task"],
        "n": result["n"],
        "points": result["points"],
        "prompts": result["prompts"],
    }
    for r in result["learners"]:
        row[r["name"]] = {"mean": r["mean"], "last": r["per_position"][-1]}
        if r["name"] == "bayes":
            row["bayes_mode"] = r["meta"].get("mode")
    return row


def _learners_markdown(rows: list[dict[str, Any]]) -> str:
    names = [m for m in (*LEARNERS, "transformer") if any(m in r for r in rows)]
    head = "| task | n | " + " | ".join(names) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(names)]
    for r in rows:
        cells = []
        for m in names:
            if m not in r:
                cells.append("-")
                continue
            mark = "*" if m == "bayes" and r.get("bayes_mode") in ("sampled", "conditioned") else ""
            cells.append(f"{r[m]['mean']:.3f}{mark}")
        lines.append(f"| {r['task']} | {r['n']} | " + " | ".join(cells) + " |")
    points = rows[0]["points"] if rows else LEARNER_POINTS
    prompts = rows[0]["prompts"] if rows else 0
    lines.append("")
    lines.append(
        f"Mean accuracy over positions 0..{points - 1} ({prompts} prompts per task; position i "
        "has seen i examples); '-': the learner does not apply to the task; bayes is the exact "
        "posterior vote under the task's prior (* = Monte-Carlo)."
    )
    return "\n".join(lines)


def _markdown(rows: list[dict[str, Any]]) -> str:
    head = "| task | n | points | P(y=1) | variables used | prompts/s (CPU) | exact checks |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        mv = "-" if r["mean_variables"] is None else f"{r['mean_variables']:.2f}"
        lines.append(
            f"| {r['task']} | {r['n']} | {r['points']} | {r['positive_rate']:.3f} | {mv} | "
            f"{r['prompts_per_s']:,} | {r['exact']} |"
        )
    return "\n".join(lines)
