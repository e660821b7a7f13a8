"""Wall time of the presets of ``boolicl reproduce`` (:mod:`boolicl.reproduce`): each preset run
end to end (training, the learners, scoring, tables, plots, REPORT.md) in a temporary folder,
with its verdict (whether the paper's qualitative result shows at that scale).

    python -m benchmarks.reproduce --scale small --out benchmarks/results/reproduce.json \\
        --markdown benchmarks/results/reproduce.md
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import machine, write_results
from boolicl.reproduce import PRESETS, REPORT, report_markdown, run_reproduce


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--scale", default="small", choices=["small", "paper"])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write each preset's folder into KEEP/PRESET (default: a temporary "
                        "folder, deleted)")
    parser.add_argument("--recompute", action="store_true",
                        help="train nothing: recompute the findings of the presets in --out "
                        "from KEEP/PRESET/results.json with the current verdicts (and rewrite "
                        "their REPORT.md)")
    args = parser.parse_args(argv)
    if args.recompute:
        return recompute(args)
    rows: list[dict[str, Any]] = []
    result: dict[str, Any] = {
        "machine": machine([args.device]),
        "settings": {"command": "python -m benchmarks.reproduce " + " ".join(
            argv if argv is not None else sys.argv[1:])},
        "results": rows,
    }
    for name in args.presets:
        with tempfile.TemporaryDirectory() as tmp:
            where = (args.keep or Path(tmp)) / name
            t0 = time.perf_counter()
            run = run_reproduce(name, where, scale=args.scale, device=args.device,
                                overwrite=True)
            seconds = time.perf_counter() - t0
        found = PRESETS[name].verdict(run)
        rows.append(
            {
                "preset": name,
                "scale": args.scale,
                "device": args.device,
                "seconds": round(seconds, 1),
                "training_seconds": round(
                    sum(r["seconds"] or 0 for t in run["training"] for r in t["runs"]), 1
                ),
                "shows_claim": [held for _, held, _ in found],
                "found": [f"{heading}: {sentence}" for heading, _, sentence in found],
                "per_run": [
                    {"task": t["task"], "model": t["model"], "seed": r["seed"],
                     "seconds": r["seconds"], "steps": r["steps"], "error": r["error"]}
                    for t in run["training"] for r in t["runs"]
                ],
            }
        )
        write_results(result, markdown(result), args.out, args.markdown)  # after each preset
    return 0


def recompute(args: argparse.Namespace) -> int:
    """The ``--recompute`` mode: new findings for recorded runs, timings kept."""
    if args.out is None or args.keep is None:
        raise SystemExit("--recompute needs --out (the recorded JSON) and --keep")
    result = json.loads(args.out.read_text())
    for row in result["results"]:
        folder = args.keep / row["preset"]
        run = json.loads((folder / "results.json").read_text())
        preset = PRESETS[row["preset"]]
        found = preset.verdict(run)
        row["shows_claim"] = [held for _, held, _ in found]
        row["found"] = [f"{heading}: {sentence}" for heading, _, sentence in found]
        (folder / REPORT).write_text(report_markdown(preset, run))
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "# Wall time of the `boolicl reproduce` presets",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, torch {m['torch']}, load average "
        f"{m['load_average_1min_at_start']} at start). Command: "
        f"`{result['settings']['command']}`.",
        "",
        "| preset | scale | device | wall s | training s | the claim shows | found |",
        "|---|---|---|---:|---:|---|---|",
    ]
    for r in result["results"]:
        shows = sum(r["shows_claim"])
        lines.append(
            f"| {r['preset']} | {r['scale']} | {r['device']} | {r['seconds']} | "
            f"{r['training_seconds']} | {shows} of {len(r['shows_claim'])} findings | "
            f"{'; '.join(r['found'])} |"
        )
    lines += ["", "Training seconds per task and model (one seed each):", "",
              "| preset | task | model | steps | seconds |", "|---|---|---|---:|---:|"]
    for r in result["results"]:
        for run in r["per_run"]:
            lines.append(f"| {r['preset']} | {run['task']} | {run['model']} | {run['steps']} | "
                         f"{run['seconds']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
