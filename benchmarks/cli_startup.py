"""Start-up time of the command line: ``boolicl --help`` and other commands that need no
torch, against a bare interpreter and ``import torch`` measured in the same run, and (with
``--against REV``) the same commands on another revision of the project, checked out into a
temporary git worktree.

Run: ``python -m benchmarks.cli_startup [--against REV] [--repeat 7] [--out ...]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import machine, write_results

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import torch'": ["-c", "import torch"],
    "boolicl --help": ["-m", "boolicl", "--help"],
    "boolicl teach --help": ["-m", "boolicl", "teach", "--help"],
    "boolicl train --help": ["-m", "boolicl", "train", "--help"],
}


def seconds(argv: list[str], tree: Path, repeat: int) -> float:
    """Median wall time of ``python argv`` with ``tree`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *argv], cwd=tree, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(tree: Path, repeat: int) -> dict[str, float]:
    return {name: round(seconds(argv, tree, repeat), 4) for name, argv in COMMANDS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=None, help="a git revision to compare with")
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (median)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/cli_startup.json")
    parser.add_argument("--md", type=Path, default=ROOT / "benchmarks/results/cli_startup.md")
    args = parser.parse_args()
    trees: dict[str, Any] = {"this tree": measure(ROOT, args.repeat)}
    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            wt = Path(tmp) / "tree"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(wt), args.against],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            try:
                trees[f"revision {args.against}"] = measure(wt, args.repeat)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(wt)], cwd=ROOT)
    base = trees["this tree"]["python -c pass"]
    lines = [
        "# CLI start-up",
        "",
        f"Median of {args.repeat} runs of each command (wall seconds, and the ratio to a bare "
        "`python -c pass` of this run). Machine: "
        f"{machine(['cpu'])['cpu']}, {os.cpu_count()} cores.",
        "",
        "| command | " + " | ".join(trees) + " | ratio to `python -c pass` |",
        "|---|" + "---:|" * (len(trees) + 1),
    ]
    for name in COMMANDS:
        cells = " | ".join(f"{t[name]:.3f}" for t in trees.values())
        ratios = " / ".join(f"{t[name] / base:.1f}x" for t in trees.values())
        lines.append(f"| `{name}` | {cells} | {ratios} |")
    result = {"machine": machine(["cpu"]), "repeat": args.repeat, "seconds": trees}
    write_results(result, "\n".join(lines) + "\n", args.out, args.md)


if __name__ == "__main__":
    main()
