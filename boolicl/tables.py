"""Tables of per-position accuracy: Markdown for a reader, CSV and JSON for a paper's
scripts. Each takes the result of :func:`boolicl.comparison.run_baselines` (a task, its
prompts, and one entry per learner or model)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

TABLE_POSITIONS = (0, 5, 10, 20, 40)
"""Positions shown in the table, with the last position of the prompt."""


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


def table_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per learner or model: its label, the accuracy at the table's positions
    (``acc@i``), the mean over positions and its interval, and the "fits class" rate."""
    pos = table_positions(result["points"])
    rows = []
    for r in result["learners"]:
        lo, hi = r["mean_ci"]
        row: dict[str, Any] = {
            "task": result["task"],
            "n": result["n"],
            "predictor": learner_label(r),
        }
        row.update({f"acc@{p}": round(float(r["per_position"][p]), 4) for p in pos})
        row.update({"mean": r["mean"], "mean_ci_low": lo, "mean_ci_high": hi})
        row["fits_class"] = r.get("meta", {}).get("consistent_rate")
        rows.append(row)
    return rows


def table_csv(result: dict[str, Any]) -> str:
    """:func:`table_rows` as CSV (a header line, then one line per learner or model)."""
    rows = table_rows(result)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["predictor"])
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def table_json(result: dict[str, Any]) -> str:
    """:func:`table_rows` as a JSON list."""
    return json.dumps(table_rows(result), indent=2)
