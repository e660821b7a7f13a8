"""The tables of ``boolicl compare``: task x predictor, for a reader (Markdown), a script (CSV)
and a paper (LaTeX, booktabs).

Each row is a learner or a model on one task: the accuracy at the positions of
:func:`boolicl.tables.table_positions`, the mean over all positions with its 95% interval
(bootstrap over prompts; for a model of several seeds, the envelope of its seeds' intervals),
and for models the mean ± standard deviation over seeds. A model whose runs failed is marked;
a learner that does not apply to a task is listed as skipped. Numbers only, no timings: the
same comparison gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from boolicl.tables import learner_label, table_positions


def title(task_result: dict[str, Any]) -> str:
    """``task`` and, for other than the standard test prompts, the test set's name."""
    test = task_result.get("test", "standard")
    return task_result["task"] + ("" if test == "standard" else f", {test}")


def stem(task_result: dict[str, Any]) -> str:
    """The file name stem of a task's figures: ``task_nN`` and the test set's name."""
    test = task_result.get("test", "standard")
    base = f"{task_result['task']}_n{task_result['n']}"
    return base if test == "standard" else f"{base}_{test.replace(' ', '-')}"


def compare_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per (task, predictor): ``task``, ``n``, ``predictor``, ``kind`` (model or
    learner), ``acc@i``, ``mean``, ``ci_low``, ``ci_high``, ``seeds``, ``std``, ``status``."""
    rows = []
    for t in result["tasks"]:
        pos = table_positions(t["points"])
        base = {"task": t["task"], "test": t.get("test", "standard"), "n": t["n"]}
        for r in t["learners"]:
            if "run" in r["meta"]:
                continue
            rows.append(
                {
                    **base,
                    "predictor": learner_label(r),
                    "kind": "learner",
                    **{f"acc@{p}": round(r["per_position"][p], 4) for p in pos},
                    "mean": round(r["mean"], 4),
                    "ci_low": round(r["mean_ci"][0], 4),
                    "ci_high": round(r["mean_ci"][1], 4),
                    "seeds": None,
                    "std": None,
                    "status": "ok",
                    **_after(r),
                }
            )
        for m in t["models"]:
            row: dict[str, Any] = {**base, "predictor": m["name"], "kind": "model"}
            if m["seeds"]:
                row.update({f"acc@{p}": round(m["per_position"][p], 4) for p in pos})
                row.update(
                    mean=round(m["mean"], 4),
                    ci_low=round(m["mean_ci"][0], 4),
                    ci_high=round(m["mean_ci"][1], 4),
                    seeds=m["seeds"],
                    std=round(m["std"], 4) if m["seeds"] > 1 else None,  # none of one seed
                )
            else:
                row.update({f"acc@{p}": None for p in pos})
                row.update(mean=None, ci_low=None, ci_high=None, seeds=0, std=None)
            row.update(_after(m))
            row["status"] = (
                "ok" if not m["failed"] else f"failed: {len(m['failed'])} run(s): "
                + m["failed"][0]["error"].splitlines()[0][:120]
            )
            rows.append(row)
        for s in t["skipped"]:
            rows.append(
                {**base, "predictor": s["name"], "kind": "learner",
                 **{f"acc@{p}": None for p in pos}, "mean": None, "ci_low": None,
                 "ci_high": None, "seeds": None, "std": None, "status": f"skipped: {s['reason']}"}
            )
    return rows


def _after(r: dict[str, Any]) -> dict[str, Any]:
    """The ``after_prefix`` column of a row on prompts with a teaching prefix (none else)."""
    if "after_prefix" not in r:
        return {}
    return {"after_prefix": None if r["after_prefix"]["accuracy"] is None
            else round(r["after_prefix"]["accuracy"], 4)}


def _same(r: dict[str, Any], t: dict[str, Any]) -> bool:
    return r["task"] == t["task"] and r["test"] == t.get("test", "standard")


def _overrides(settings: dict[str, Any]) -> str:
    """`` with k=v, ...`` for the training settings that replace the scale's (none: "")."""
    o = settings.get("overrides") or {}
    return (" with " + ", ".join(f"{k}={v}" for k, v in sorted(o.items()))) if o else ""


def _cell(v: Any, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def compare_markdown(result: dict[str, Any]) -> str:
    """One table per task (its positions differ with its prompt length)."""
    rows = compare_rows(result)
    s = result["settings"]
    lines = [
        "# Comparison",
        "",
        f"Scale `{s['scale']}`{_overrides(s)}, seeds {len(s['seeds'])}, {s['prompts']} shared "
        "test prompts "
        f"per task (seed {s['eval_seed']}). Mean: over all positions, with its 95% interval "
        "(bootstrap over prompts; for a model of several seeds the envelope of its seeds' "
        "intervals); ± std: over seeds.",
    ]
    for t in result["tasks"]:
        pos = table_positions(t["points"])
        lines += [
            "",
            f"## {title(t)} (n = {t['n']}, {t['points']} points)",
            "",
        ]
        after = "prefix_lengths" in t
        if after:
            L = t["prefix_lengths"]
            lines += [
                f"Every prompt starts with the teaching sequence of its function ({L['min']}-"
                f"{L['max']} examples, mean {L['mean']}); *after prefix*: the accuracy at the "
                "position right after it.",
                "",
            ]
        lines += [
            "| predictor | kind | " + " | ".join(f"@{p}" for p in pos)
            + (" | after prefix" if after else "")
            + " | mean (95% CI) | ± std (seeds) | status |",
            "|---|---|" + "---:|" * len(pos) + ("---:|" if after else "") + "---:|---:|---|",
        ]
        for r in rows:
            if not _same(r, t):
                continue
            cells = " | ".join(_cell(r[f"acc@{p}"]) for p in pos)
            if after:
                cells += " | " + _cell(r.get("after_prefix"))
            mean = (
                "-" if r["mean"] is None
                else f"{r['mean']:.3f} ({r['ci_low']:.3f}-{r['ci_high']:.3f})"
            )
            std = (
                f"± {r['std']:.3f} ({r['seeds']})" if r["std"] is not None
                else f"- ({r['seeds']})" if r["seeds"] else "-"
            )
            lines.append(
                f"| {r['predictor']} | {r['kind']} | {cells} | {mean} | {std} | {r['status']} |"
            )
    return "\n".join(lines) + "\n"


def compare_csv(result: dict[str, Any]) -> str:
    """:func:`compare_rows` as CSV; the position columns of every task (empty where a task's
    prompts are shorter)."""
    rows = compare_rows(result)
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _tex(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"), ("&", r"\&"),
                 ("#", r"\#"), ("$", r"\$")):
        text = text.replace(a, b)
    return text


def compare_tex(result: dict[str, Any]) -> str:
    """A booktabs ``tabular`` per task: predictor, accuracy at the positions, mean with its
    interval, ± std over seeds (needs ``\\usepackage{booktabs}``)."""
    rows = compare_rows(result)
    out = []
    for t in result["tasks"]:
        pos = table_positions(t["points"])
        after = "prefix_lengths" in t
        out += [
            f"% {title(t)} (n = {t['n']}, {t['points']} points)",
            r"\begin{tabular}{l" + "r" * (len(pos) + after) + "rr}",
            r"\toprule",
            "predictor & " + " & ".join(f"@{p}" for p in pos)
            + (" & after prefix" if after else "")
            + r" & mean (95\% CI) & $\pm$ std \\",
            r"\midrule",
        ]
        for r in rows:
            if not _same(r, t):
                continue
            cells = " & ".join(_cell(r[f"acc@{p}"]) for p in pos)
            if after:
                cells += " & " + _cell(r.get("after_prefix"))
            mean = (
                "--" if r["mean"] is None
                else f"{r['mean']:.3f} ({r['ci_low']:.3f}--{r['ci_high']:.3f})"
            )
            std = "--" if r["std"] is None else f"{r['std']:.3f}"
            name = _tex(r["predictor"]) + ("" if r["status"] == "ok" else r" ($\dagger$)")
            out.append(f"{name} & {cells} & {mean} & {std} \\\\")
        out += [r"\bottomrule", r"\end{tabular}", ""]
    out.append(r"% $\dagger$: failed or skipped, see table.md")
    return "\n".join(out) + "\n"
