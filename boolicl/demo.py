"""``boolicl demo``: the main job, on CPU in about two minutes.

First the exact functions: for every task it samples prompts with the vectorised sampler,
measures the label balance (overall and per position), the size of the sampled functions and
the sampling rate, and checks exactness on a subset: the labels equal the function's
evaluation, its SAT encoding, its sympy expression, and the evaluation of its string form read
back. It writes a Markdown table (``tasks.md``), the same with the sampling rates as JSON
(``tasks.json``) and a plot of the positive-label rate against the position
(``label_rate.png``).

Then a small ``boolicl compare`` (:mod:`boolicl.compare`): a tiny Transformer trained in
context on each of :data:`DEMO_TASKS` (``n = 6``, 40 points, :data:`TINY` for
:data:`DEMO_STEPS` steps, run folders under ``runs/``) and every classical learner that
applies, all scored on one shared prompt set per task. It writes the comparison's tables,
figures and ``results.json`` under ``compare/`` (:func:`boolicl.compare.write_compare`) and
one figure with a panel per task, the model solid beside the learners dashed
(``accuracy.png``, :func:`boolicl.plots.plot_compare_panels`).

The folder is checked before anything is written: ``demo.json`` records the settings, a rerun
of the same settings reuses the trained runs and rewrites the same tables byte for byte
(timings are only in the JSON files), and a folder of other settings, or one that holds
something other than a demo, is refused.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from pysat.formula import IDPool
from tqdm.auto import tqdm

from boolfun.bits import check_int
from boolfun.function import BooleanFunction, symbols
from boolfun.parse import parse
from boolfun.samplers import sample_prompts
from boolfun.sat.miter import solver
from boolfun.tasks import TASKS
from boolicl.compare import check_out, plan_compare, run_compare, write_compare
from boolicl.plots import plot_compare_panels, plot_label_rates

CHECK_FUNCTIONS = 12
CHECK_POINTS = 8


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


DEMO_TASKS = ("conjunction", "majority", "sparse_parity")
"""The tasks of the comparison: a conjunction and a majority, of which the tiny Transformer
learns a part in its 20 CPU-seconds, and a sparse parity, which it hardly learns; each beside
the learners built for it (elimination, the perceptron, GF(2) and the sparse-parity search)
and the Bayes-optimal vote under the task's prior."""
DEMO_N = 6
DEMO_POINTS = 40
DEMO_STEPS = 1000  # training steps of each tiny Transformer (about 20 s on a CPU core)
DEMO_PROMPTS = 500  # at most this many shared test prompts per task (fewer with `prompts`)
DEMO_RESAMPLES = 200  # bootstrap resamples of the intervals
EVAL_SEED = 12345  # the shared test prompts are drawn with EVAL_SEED + seed
TINY: dict[str, Any] = dict(layers=2, width=32, heads=2, batch=32, lr=3e-3, warmup=50)
"""The tiny Transformer's training settings (fields of :class:`models.config.TrainConfig`
over the ``small`` scale of :data:`boolicl.compare.SCALES`)."""
SETTINGS = "demo.json"
MODEL = "transformer"


def demo_settings(prompts: int, seed: int, models: bool, steps: int) -> dict[str, Any]:
    """What a demo folder records in ``demo.json``: a rerun must match it."""
    return {
        "prompts": prompts,
        "seed": seed,
        "tasks": list(DEMO_TASKS),
        "n": DEMO_N,
        "points": DEMO_POINTS,
        "models": [MODEL] if models else [],
        "steps": steps if models else None,
        "training": dict(TINY) if models else None,
    }


def check_demo_folder(out: Path, settings: dict[str, Any]) -> bool:
    """Whether ``out`` holds a demo of ``settings`` already (``False``: it is new or empty);
    ``ValueError`` naming ``out`` when it is a file, holds something other than a demo, or a
    demo of other settings (naming them)."""
    if not out.exists():
        return False
    if not out.is_dir():
        raise ValueError(f"out {out} is a file, not a folder")
    recorded = out / SETTINGS
    if not recorded.exists():
        if any(out.iterdir()):
            raise ValueError(
                f"out {out} is not empty and holds no demo ({SETTINGS}); choose a new or "
                "empty folder"
            )
        return False
    try:
        saved = json.loads(recorded.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"out {out}: {SETTINGS} cannot be read ({e})") from None
    if not isinstance(saved, dict):
        raise ValueError(f"out {out}: {SETTINGS} is not a demo's settings")
    diff = [
        f"{k} {saved.get(k)!r}, not {v!r}" for k, v in settings.items() if saved.get(k) != v
    ]
    if diff:
        raise ValueError(
            f"out {out} holds a demo of other settings ({'; '.join(diff)}); choose another "
            "folder, or the same settings"
        )
    return True


def run_demo(
    out: Path | str,
    prompts: int = 2000,
    seed: int = 0,
    progress: bool = False,
    models: bool = True,
    steps: int = DEMO_STEPS,
) -> dict[str, Any]:
    """Run the demo into the folder ``out`` (see the module docstring): ``prompts`` prompts
    per task for the sampling table and at most :data:`DEMO_PROMPTS` shared test prompts,
    ``seed`` seeding every prompt (the models train with seed 0, the first of
    ``boolicl compare``'s seeds), ``models``: train and show the tiny Transformers, for
    ``steps`` steps each. Everything is checked before anything is written: ``ValueError``
    naming ``out`` for a folder of other settings, or ``runs`` for a run folder whose config
    differs. Returns the tables (``rows``, ``table_markdown``, ``compare``,
    ``compare_markdown``) and the paths written (``files``)."""
    out = Path(out)
    check_int(prompts, "prompts", 1)
    check_int(steps, "steps", 1, 10**9)
    settings = demo_settings(prompts, seed, models, steps)
    check_demo_folder(out, settings)
    plan = plan_compare(
        DEMO_TASKS, [MODEL], seeds=1, scale="small", runs=out / "runs", out=out / "compare",
        device="cpu", steps=steps, sizes={t: (DEMO_N, DEMO_POINTS) for t in DEMO_TASKS},
        overrides=TINY,
    )  # refuses run folders of other settings
    if not models:  # the learners alone
        plan = replace(plan, arms=[], configs={}, outs={})
    compare_out = check_out(out / "compare", overwrite=True)  # ours: settings checked above
    rows, curves = sample_tasks(prompts, seed, progress)  # before writing: refuses sizes
    out.mkdir(parents=True, exist_ok=True)
    (out / SETTINGS).write_text(json.dumps(settings, indent=2) + "\n")
    md = _markdown(rows)
    (out / "tasks.md").write_text(md + "\n")
    (out / "tasks.json").write_text(json.dumps(rows, indent=2) + "\n")
    plot = out / "label_rate.png"
    plot_label_rates(curves, plot)
    result = run_compare(
        plan, prompts=min(prompts, DEMO_PROMPTS), eval_seed=(EVAL_SEED + seed) % 2**64,
        resamples=DEMO_RESAMPLES, progress=progress,
    )
    written = write_compare(result, compare_out)
    figure = out / "accuracy.png"
    plot_compare_panels(
        result["tasks"], figure,
        title=f"{'A tiny Transformer (solid) and the' if models else 'The'} classical "
        f"learners{' (dashed)' if models else ''} on {result['settings']['prompts']} shared "
        "prompts per task",
    )
    return {
        "settings": settings,
        "rows": rows,
        "table_markdown": md,
        "compare": result,
        "compare_markdown": (compare_out / "table.md").read_text(),
        "files": [
            str(p)
            for p in (out / SETTINGS, out / "tasks.md", out / "tasks.json", plot, *written,
                      figure)
        ],
    }


def sample_tasks(
    prompts: int, seed: int, progress: bool = False
) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Every task at its own size: a row of the sampling table each (label balance, size of
    the functions, sampling rate, exactness checks) and the positive-label rate per
    position."""
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
    return rows, curves


def _markdown(rows: list[dict[str, Any]]) -> str:
    """The sampling table; the rates (timings) are in ``tasks.json`` only, so that the same
    settings give the same bytes."""
    head = "| task | n | points | P(y=1) | variables used | exact checks |"
    lines = [head, "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        mv = "-" if r["mean_variables"] is None else f"{r['mean_variables']:.2f}"
        lines.append(
            f"| {r['task']} | {r['n']} | {r['points']} | {r['positive_rate']:.3f} | {mv} | "
            f"{r['exact']} |"
        )
    return "\n".join(lines)
