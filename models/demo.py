"""``boolicl demo``: the main job, on CPU in about a minute.

For every task it samples prompts with the vectorised sampler, measures the label balance
(overall and per position), the size of the sampled functions and the sampling rate, and
checks exactness on a subset: the labels equal the function's evaluation, its SAT encoding,
its sympy expression, and the evaluation of its string form read back. It writes a Markdown
table, the same as JSON, and a plot of the positive-label rate against the position.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from pysat.formula import IDPool

from boolfun.function import BooleanFunction, symbols
from boolfun.parse import parse
from boolfun.sat.miter import solver

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


def run_demo(
    out: Path, prompts: int = 2000, seed: int = 0, progress: bool = False
) -> dict[str, Any]:
    """Run the demo, write ``tasks.md``, ``tasks.json`` and ``label_rate.png`` under ``out``."""
    from tqdm.auto import tqdm

    from boolfun.samplers import sample_prompts
    from boolfun.tasks import TASKS

    out = Path(out)
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
    _plot(curves, plot)
    return {
        "rows": rows,
        "table_markdown": md,
        "files": [str(out / "tasks.md"), str(out / "tasks.json"), str(plot)],
    }


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


def _plot(curves: dict[str, np.ndarray], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    colors = plt.get_cmap("tab20").colors
    for i, (name, c) in enumerate(curves.items()):
        style = "-" if i < 10 else "--"
        ax.plot(np.arange(len(c)), c, style, label=name, linewidth=1.2, color=colors[i % 20])
    ax.set_xlabel("position in prompt (examples seen)")
    ax.set_ylabel("fraction of positive labels")
    ax.set_ylim(0, 1)
    ax.set_title("Label balance of every task's prompt distribution")
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
