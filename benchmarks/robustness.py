"""Robustness: a fixed corpus of bad inputs over every command, run through the command line.

The corpus (``benchmarks/robustness_corpus.json``, kept in the repository and rebuilt by
``--write-corpus``) holds, for every command, a small valid call and that call with one option
(or the positional argument) replaced by a bad value: values no option accepts (empty,
words, NaN, infinities, negative and huge numbers, non-integers, NUL characters), the known
bad values of each option, and bad files (damaged prompts files, run folders and
certificates, which the runner creates in its scratch folder; a run folder whose ``state.pt``
smuggles code is resumed by ``train``, as ``eval`` reads only the weights). Every case must be
refused: exit status 2 (bad usage) or 1 (a failed operation), one line of error, no traceback,
within the time limit, and nothing written outside the scratch folder.

Each case runs in this process (``boolicl.cli.main``) under a ``SIGALRM`` time limit. Outcomes:
``refused`` (clean), ``traceback`` (an exception escaped), ``hang`` (time limit), ``accepted``
(exit 0 on a bad input), ``bad status`` (another status). The table goes to
``benchmarks/results/robustness.md``.

Run: ``python -m benchmarks.robustness [--limit 30] [--write-corpus]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.machine import machine, write_results

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "robustness_corpus.json"

SMALL = ["--n", "4", "--points", "8"]
BASE: dict[str, list[str]] = {
    "tasks": ["tasks"],
    "sample": ["sample", "conjunction", *SMALL, "--prompts", "4", "--out", "OUT/p.npz"],
    "baselines": [
        "baselines", "conjunction", *SMALL, "--prompts", "8", "--learners", "null",
        "--bootstrap", "10", "--out", "OUT/plot.png",
    ],
    "teach": ["teach", "conjunction", "--n", "3", "--target", "x1 & ~x2"],
    "td": ["td", "conjunction", "--n", "2"],
    "check-certificate": ["check-certificate", "FILES/cert.json"],
    "train": [
        "train", "conjunction", *SMALL, "--layers", "1", "--width", "8", "--heads", "2",
        "--batch", "4", "--steps", "1", "--eval-every", "0", "--no-progress", "--out", "OUT/run",
    ],
    "eval": ["eval", "FILES/run", "--prompts", "4", "--bootstrap", "10"],
    "demo": ["demo", "--prompts", "4", "--steps", "1", "--out", "OUT/demo"],
    "compare": [
        "compare", "--tasks", "conjunction", "--models", "transformer", "--learners", "null",
        "--steps", "1", "--prompts", "4", "--no-progress", "--out", "OUT/compare",
    ],
    "reproduce": [
        "reproduce", "robustness", "--steps", "1", "--prompts", "4", "--no-progress",
        "--out", "OUT/reproduce",
    ],
    "attention": ["attention", "FILES/run", "--prompts", "2", "--out", "OUT/attention"],
    "llm-eval": [
        "llm-eval", "conjunction", "--backend", "openai", "--model", "m", "--base-url",
        "http://127.0.0.1:9/v1", "--no-api-key", "--retries", "0", "--timeout", "1", *SMALL,
        "--prompts", "2", "--no-progress", "--results-file", "OUT/answers.jsonl",
    ],
}  # fmt: skip
"""A small valid call of each command (OUT: a fresh scratch folder; FILES: prepared files)."""

UNIVERSAL = ["", " ", "abc", "nan", "inf", "-inf", "-1", "1e999", "1.5e3x", "0x10", "\x00", "é"]
"""Values no option of the corpus accepts (for the integer, number, name and path options)."""

SPECIFIC: dict[str, list[str]] = {
    "--n": ["0", "-3", "1.5", "99999999999999999999"],
    "--points": ["0", "2.5", "99999999999999999999"],
    "--prompts": ["0", "1000000000000", "3.0"],
    "--seed": ["-5", "1.5", str(2**70)],
    "--k": ["-1", "99"],
    "--start": ["0", "-2"],
    "--device": ["meta", "gpu", "cuda", "cuda:99", "cpu:x", "xla"],
    "--force": ["1.5", "-0.1", "2"],
    "--p-one": ["0", "1", "1.5"],
    "--bootstrap": ["0", "1000000000"],
    "--learners": ["gru", "NULL", "bayes,null"],
    "--target": [
        "x1 &", "(x1", "x1)", "x9", "x0", "y1", "x1 && x2", "Halfspace((x1+x2)**60 > 0.5)",
        "Majority(", "TruthTable(0xzz)", "Threshold(x1 > )", "__import__('os')",
    ],
    "--construction": ["best", "PAPER"],
    "--terms": ["0", "-1"],
    "--time-limit": ["0", "-1", "inf", "nan"],
    "--layers": ["0", "100000"],
    "--width": ["0", "1000000", "7"],
    "--heads": ["0", "3", "100000"],
    "--batch": ["0", "10000000"],
    "--lr": ["0", "-1", "100", "nan"],
    "--steps": ["0", str(10**12)],
    "--warmup": ["-1"],
    "--schedule": ["linear"],
    "--teach": ["some", "mixed:2", "mixed:x", "mixed:"],
    "--label-noise": ["0.6", "-0.1", "1"],
    "--pool": ["-1", str(10**9)],
    "--eval-every": ["-1"],
    "--target-accuracy": ["1.5", "-0.5"],
    "--max-seconds": ["0", "-1", "inf"],
    "--precision": ["fp16", "bf16"],
    "--dropout": ["1", "-0.1", "1.5"],
    "--curriculum-points": ["1:2", "5:1:1:1", "0:8:1:1", "a:b:c:d", "2:8:0:1"],
    "--curriculum-dims": ["1:2", "5:1:1:1", "0:4:1:1"],
    "--model": ["gru", "Transformer"],
    "--out": ["", "/proc/boolicl/x", "FILES/a-file/x", "/dev/null/x"],
    "--prompts-file": ["FILES/missing.npz", "FILES/bad-values.npz", "FILES/nan.npz",
                       "FILES/no-ys.npz", "FILES/not-npz.npz", "FILES/unknown-task.npz",
                       "FILES/a-file", ""],
    "--certificate": ["", "/proc/boolicl/c.json"],
    "--task": ["nope", "Conjunction"],
    "--tasks": ["nope", "conjunction,nope", ",", ""],
    "--models": ["gru", "transformer,gru", "hf:", "hf:FILES/missing", "hf:FILES/a-file", ""],
    "--scale": ["huge", ""],
    "--executor": ["dask", ""],
    "--gpus-per-run": ["0", "-1", "nan", "2"],
    "--threshold": ["1.5", "-0.1", "nan"],
    "--block": ["0", "-1", "1000"],
    "--every": ["0", "-1"],
    "--backend": ["vllm", ""],
    "--mode": ["beam"],
    "--endpoint": ["embeddings", ""],
    "--base-url": ["", "abc", "ftp://127.0.0.1/v1", "http://"],
    "--max-tokens": ["0", "-1"],
    "--timeout": ["0", "-1", "nan"],
    "--retries": ["-1", "1.5"],
    "--backoff": ["0", "-1"],
    "--concurrency": ["0", "-1", "100000"],
    "--max-requests": ["0", "-1"],
    "--max-failures": ["-1"],
    "--results-file": ["", "FILES/empty-dir", "FILES/a-file/x", "/proc/boolicl/r.jsonl"],
    "--hf-model": ["FILES/missing", "FILES/empty-dir", ""],
    "--freeze": ["some", "all"],
    "--init": ["random:x", "zeros"],
}  # fmt: skip
"""Bad values of particular options."""

POSITIONAL: dict[str, list[str]] = {
    "sample": ["nope", "", "CONJUNCTION"],
    "baselines": ["nope", ""],
    "teach": ["nope", "all_functions"],
    "td": ["nope", ""],
    "train": ["nope", ""],
    "check-certificate": [
        "FILES/missing.json", "FILES/not-json.json", "FILES/list.json", "FILES/cert-n-float.json",
        "FILES/cert-td-float.json", "FILES/cert-label.json", "FILES/a-file", "",
    ],
    "attention": ["FILES/missing-run", "FILES/empty-dir", "FILES/run-bad-config", "hf:",
                  "hf:FILES/missing", "hf:FILES/empty-dir", ""],
    "llm-eval": ["nope", ""],
    "reproduce": ["nope", ""],
    "eval": [
        "FILES/missing-run", "FILES/empty-dir", "FILES/run-bad-config", "FILES/run-nan-weights",
        "FILES/run-inverted", "FILES/run-edited-heads", "",
    ],
}  # fmt: skip
"""Bad values of each command's positional argument."""


PER_COMMAND: dict[tuple[str, str], list[str]] = {
    ("train", "--out"): ["FILES/run-smuggled", "FILES/run-nan-weights", "FILES/run-inverted",
                         "FILES/run-edited-heads", "FILES/run-bad-config"],
    ("sample", "--n"): ["70000"],
    ("teach", "--n"): ["70000"],
    ("compare", "--seeds"): ["0", "65"],  # a number of seeds, at most 64 (train: a seed list)
}  # fmt: skip
"""Bad values of an option of one command only (a run folder to resume, say)."""

VALID_FOR: dict[tuple[str, str], set[str]] = {
    ("compare", "--learners"): {"bayes,null"},  # compare takes a comma list; baselines one name
}
"""Values of :data:`SPECIFIC` that one command accepts."""


FREE_TEXT = {"--instruction", "--model", "--endpoint-model", "--api-key-env", "--ray-address",
             "--runs"}
"""Options whose every string is a valid value (a name, an instruction, an address): not
corrupted in the commands of :data:`FREE_TEXT_COMMANDS` (``train``'s ``--model`` is a
backbone name and keeps its cases)."""
FREE_TEXT_COMMANDS = {"llm-eval", "reproduce", "compare"}
"""Commands where the options of :data:`FREE_TEXT` take any string."""


def replace(argv: list[str], option: str, value: str) -> list[str]:
    """``argv`` with ``option``'s value replaced (added when absent)."""
    out = list(argv)
    if option in out:
        out[out.index(option) + 1] = value
        return out
    return [*out, option, value]


def build_corpus() -> list[dict[str, Any]]:
    """Every case: ``{"command", "argv", "what"}``."""
    from boolicl.cli import build_parser
    from boolicl.cli.options import subcommand

    parser = build_parser()
    cases = []
    for command, base in BASE.items():
        sub = subcommand(parser, command)
        options = [
            a.option_strings[-1]
            for a in sub._actions
            if a.option_strings and a.nargs != 0 and a.option_strings[-1] != "--help"
        ]
        for option in options:
            values = SPECIFIC.get(option, []) + PER_COMMAND.get((command, option), [])
            if option in FREE_TEXT and command in FREE_TEXT_COMMANDS:
                continue
            if option in ("--task", "--target", "--out", "--prompts-file", "--certificate",
                          "--results-file", "--hf-model", "--base-url", "--models",
                          "--tasks"):
                bad = values
            else:
                bad = UNIVERSAL + values
            for value in dict.fromkeys(bad):
                if value in VALID_FOR.get((command, option), set()):
                    continue
                argv = replace(base, option, value)
                cases.append({"command": command, "argv": argv, "what": f"{option} {value!r}"})
        for value in POSITIONAL.get(command, []):
            argv = list(base)
            argv[1] = value
            cases.append({"command": command, "argv": argv, "what": f"argument {value!r}"})
    return cases


def prepare_files(folder: Path) -> None:
    """The damaged files the corpus names under ``FILES/``: prompts files, a good run folder
    and damaged copies of it, a certificate and damaged copies."""
    import shutil

    import numpy as np
    import torch

    from boolicl.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a-file").write_text("a file where a folder is needed\n")
    (folder / "empty-dir").mkdir()
    x, y = np.zeros((2, 8, 4), dtype=np.uint8), np.zeros((2, 8), dtype=np.uint8)
    np.savez(folder / "bad-values.npz", xs=x + 2, ys=y)
    np.savez(folder / "nan.npz", xs=np.full((2, 8, 4), np.nan), ys=y)
    np.savez(folder / "no-ys.npz", xs=x)
    np.savez(folder / "unknown-task.npz", xs=x, ys=y, task=np.array("nope"))
    (folder / "not-npz.npz").write_bytes(b"PK\x03\x04 not really")
    (folder / "not-json.json").write_text("{")
    (folder / "list.json").write_text("[]")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["train", *BASE["train"][1:-1], str(folder / "run")])
        main(["teach", "conjunction", "--n", "3", "--target", "x1 & ~x2", "--certificate",
              str(folder / "cert.json")])  # fmt: skip
    cert = json.loads((folder / "cert.json").read_text())
    for name, change in (
        ("cert-n-float", lambda c: {**c, "class": {**c["class"], "n": 5.9}}),
        ("cert-td-float", lambda c: {**c, "td": 4.9}),
        ("cert-label", lambda c: _relabel(c)),
    ):
        (folder / f"{name}.json").write_text(json.dumps(change(cert)))
    for name in ("run-bad-config", "run-nan-weights", "run-inverted", "run-edited-heads",
                 "run-smuggled"):  # fmt: skip
        shutil.copytree(folder / "run", folder / name)
    (folder / "run-bad-config" / "config.json").write_text("{not json")
    config = json.loads((folder / "run" / "config.json").read_text())
    (folder / "run-edited-heads" / "config.json").write_text(json.dumps({**config, "heads": 4}))
    weights = folder / "run-inverted" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-64:] = bytes(255 - b for b in data[-64:])
    weights.write_bytes(bytes(data))
    from safetensors.torch import load_file, save_file

    path = folder / "run-nan-weights" / "model.safetensors"
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
    tensors = {k: torch.full_like(v, float("nan")) for k, v in load_file(str(path)).items()}
    save_file(tensors, str(path), metadata=meta)
    state = torch.load(folder / "run-smuggled" / "state.pt", weights_only=True)
    state["x"] = _Smuggled(str(folder / "SMUGGLED"))
    torch.save(state, folder / "run-smuggled" / "state.pt")


class _Smuggled:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


def _relabel(cert: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(cert)
    return json.loads(text.replace('"y": 1', '"y": 1.7', 1))


class _Hang(Exception):
    pass


def run_case(case: dict[str, Any], scratch: Path, files: Path, limit: float) -> dict[str, Any]:
    """Run one case in a fresh output folder; its outcome and the time it took."""
    from boolicl.cli import main

    out = Path(tempfile.mkdtemp(dir=scratch))
    argv = [a.replace("OUT/", f"{out}/").replace("FILES/", f"{files}/") for a in case["argv"]]
    err = io.StringIO()

    def alarm(signum: int, frame: Any) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    t0 = time.perf_counter()
    outcome, detail = "refused", ""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as e:
        code = e.code
    except _Hang:
        code, outcome = None, "hang"
    except BaseException as e:  # noqa: BLE001 - a traceback is what we count
        code, outcome = None, "traceback"
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - t0
    if outcome == "refused":
        if code == 0:
            outcome = "accepted"
        elif code not in (1, 2):
            outcome, detail = "bad status", f"exit {code}"
        elif "Traceback" in err.getvalue():
            outcome, detail = "traceback", err.getvalue().strip().splitlines()[-1]
    if (files / "SMUGGLED").exists():
        outcome, detail = "wrong result", "a smuggled object ran"
    return {**case, "outcome": outcome, "detail": detail, "seconds": round(seconds, 3),
            "stderr": err.getvalue().strip().splitlines()[-1:] }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=30.0, help="seconds per case")
    parser.add_argument("--write-corpus", action="store_true", help="rebuild the corpus file")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/robustness.json")
    parser.add_argument("--md", type=Path, default=ROOT / "benchmarks/results/robustness.md")
    parser.add_argument("--commands", default=None, metavar="C1,C2",
                        help="run only the cases of these commands (default: all)")
    args = parser.parse_args()
    if args.write_corpus or not CORPUS.exists():
        CORPUS.write_text(json.dumps(build_corpus(), indent=1) + "\n")
    cases = json.loads(CORPUS.read_text())
    if args.commands:
        wanted = set(args.commands.split(","))
        cases = [c for c in cases if c["command"] in wanted]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        scratch, files = Path(tmp) / "out", Path(tmp) / "files"
        scratch.mkdir()
        prepare_files(files)
        results = []
        for i, case in enumerate(cases):
            results.append(run_case(case, scratch, files, args.limit))
            print(f"\r{i + 1}/{len(cases)}", end="", file=sys.stderr)
        print(file=sys.stderr)
    counts = Counter(r["outcome"] for r in results)
    per_command = Counter(r["command"] for r in results)
    bad = [r for r in results if r["outcome"] != "refused"]
    lines = [
        "# Robustness: bad inputs over every command",
        "",
        f"{len(results)} cases from `benchmarks/robustness_corpus.json` "
        f"({', '.join(f'{c} {k}' for k, c in per_command.items())}), each in-process through "
        f"`boolicl.cli.main` with a {args.limit:g} s limit; {time.perf_counter() - t0:.0f} s "
        f"in all on {machine(['cpu'])['cpu']} ({machine(['cpu'])['cpu_count']} cores).",
        "",
        "| outcome | cases |",
        "|---|---:|",
        *(f"| {k} | {counts.get(k, 0)} |"
          for k in ("refused", "traceback", "hang", "wrong result", "accepted", "bad status")),
        "",
        "`refused`: exit status 1 or 2 with a one-line error and no traceback; `accepted`: exit "
        "status 0 on an input that should be refused.",
    ]  # fmt: skip
    if bad:
        lines += ["", "| command | case | outcome | detail |", "|---|---|---|---|"]
        lines += [
            f"| {r['command']} | `{r['what']}` | {r['outcome']} | {r['detail'] or r['stderr']} |"
            for r in bad
        ]
    result = {"machine": machine(["cpu"]), "counts": dict(counts), "cases": results}
    write_results(result, "\n".join(lines) + "\n", args.out, args.md)


if __name__ == "__main__":
    main()
