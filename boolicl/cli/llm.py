"""``boolicl llm-eval``: direct prompting of a language model (:mod:`models.prompting`) on a
task's prompts, resumable, scored per position like ``baselines`` / ``eval``."""

from __future__ import annotations

import argparse
import json
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from boolicl.cli import options, types


def choice_of(where: str) -> Callable[[str], str]:
    """An argument type: a name of the library registry ``where`` (read when an argument is
    checked, so that building the parser imports nothing)."""
    names = options.Registry(where)

    def parse(text: str) -> str:
        if text not in names:
            raise argparse.ArgumentTypeError(
                f"must be one of {', '.join(names)}, got {text!r}"
            )
        return text

    return parse


BACKENDS = choice_of("models.prompting.backend:BACKENDS")
MODES = choice_of("models.prompting.hf:MODES")
ENDPOINTS = choice_of("models.prompting.openai_http:ENDPOINTS")
OPENAI_ONLY = ("base_url", "endpoint", "api_key_env", "no_api_key", "timeout", "retries",
               "backoff", "concurrency", "max_requests")
HF_ONLY = ("mode",)


def add_endpoint_options(g: Any) -> None:
    """``--endpoint``, ``--api-key-env`` and ``--no-api-key`` of an OpenAI-compatible server
    (``llm-eval`` and ``reproduce llm``)."""
    g.add_argument("--endpoint", type=ENDPOINTS, default=None,
                   help="completions (default): the prompt as text; chat: as one user message")
    g.add_argument("--api-key-env", default=None, metavar="VAR",
                   help="environment variable holding the API key (default OPENAI_API_KEY)")
    g.add_argument("--no-api-key", action="store_true", default=None,
                   help="send no key (a local server without keys)")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "llm-eval",
        help="prompt a language model directly on a task's prompts: accuracy per position",
        description="Ask a language model (a local Hugging Face causal LM, or an "
        "OpenAI-compatible server) the label of every --every-th example of each prompt of "
        "TASK, in the format 'Input: b1 ... bn' / 'Label: y', parse each answer strictly "
        "(0 or 1 after stripping whitespace; anything else is invalid and counted as wrong) "
        "and report accuracy per position. Every answer is appended to --results-file; the "
        "same command again resumes without asking answered queries.",
    )
    options.add_task(p)
    p.add_argument("--backend", type=BACKENDS, required=True,
                   help="hf: a local causal LM; openai: an OpenAI-compatible HTTP server")
    p.add_argument("--model", required=True, metavar="NAME_OR_PATH",
                   help="hf: a model folder or a name in the local Hugging Face cache (nothing "
                   "is downloaded); openai: the model name the server knows")
    options.add_n(p)
    options.add_points(p)
    options.add_prompts(p, 100, "number of prompts (default %(default)s)")
    options.add_seed(p, "the prompts and of the bootstrap")
    p.add_argument("--every", type=types.positive_int, default=1, metavar="K",
                   help="query positions 0, K, 2K, ... of each prompt (default 1: all)")
    p.add_argument("--results-file", type=types.path, default=None,
                   help="JSON-lines file of every answer, resumed when it exists (default "
                   "boolicl-llm/<task>-n<n>-p<points>-x<prompts>-every<K>-seed<S>-"
                   "<backend>-<model>.jsonl)")
    p.add_argument("--instruction", default=None,
                   help="the first line of every prompt (default: the library's instruction)")
    p.add_argument("--max-tokens", type=types.positive_int, default=2,
                   help="most tokens of an answer (default %(default)s; hf greedy and openai)")
    p.add_argument("--max-failures", type=types.positive_int, default=None,
                   help="stop after this many failed queries (default: never), answers saved")
    g = p.add_argument_group("hf backend")
    g.add_argument("--mode", type=MODES, default=None,
                   help="greedy (default): decode the answer; loglik: the likelier of ' 0' "
                   "and ' 1'")
    options.add_device(g, "of the hf model")
    g = p.add_argument_group("openai backend")
    g.add_argument("--base-url", default=None,
                   help="the server's API root (default http://127.0.0.1:8000/v1, a local vLLM)")
    add_endpoint_options(g)
    g.add_argument("--timeout", type=types.positive_float, default=None,
                   help="seconds per socket operation of a request (default 30)")
    g.add_argument("--retries", type=types.nonnegative_int, default=None,
                   help="retries of a failed request: timeouts, 429, 5xx, garbage (default 3)")
    g.add_argument("--backoff", type=types.positive_float, default=None,
                   help="seconds before the first retry, doubled each time (default 0.5; a "
                   "longer Retry-After is obeyed, up to 30 s)")
    g.add_argument("--concurrency", type=types.positive_int, default=None,
                   help="requests in flight at once (default 4)")
    g.add_argument("--max-requests", type=types.positive_int, default=None,
                   help="request budget of this command, retries included (default: none); "
                   "when spent the evaluation stops, answers saved")
    options.add_task_params(p)
    options.add_input_options(p)
    options.add_bootstrap(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    options.add_json(p)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[-60:] or "model"


def default_results_file(args: argparse.Namespace) -> Path:
    from boolfun.tasks import get_task

    t = get_task(args.task)
    n = args.n if args.n is not None else t.default_n
    points = args.points if args.points is not None else t.default_points
    return Path("boolicl-llm") / (
        f"{args.task}-n{n}-p{points}-x{args.prompts}-every{args.every}-seed{args.seed}-"
        f"{args.backend}-{_slug(args.model)}.jsonl"
    )


def make_backend(args: argparse.Namespace) -> Any:
    """The backend of ``--backend``, refusing the options of the other one."""
    wrong = OPENAI_ONLY if args.backend == "hf" else HF_ONLY
    for name in wrong:
        if getattr(args, name) is not None:
            flag = "--" + name.replace("_", "-")
            raise ValueError(f"{flag} applies to --backend "
                             f"{'openai' if args.backend == 'hf' else 'hf'} only")
    if args.backend == "hf":
        from models.prompting.hf import HFBackend

        return HFBackend(args.model, mode=args.mode or "greedy", device=args.device,
                         max_tokens=args.max_tokens)
    from models.prompting.openai_http import OpenAIBackend

    if args.no_api_key and args.api_key_env is not None:
        raise ValueError("--no-api-key contradicts --api-key-env")
    kw = {k: getattr(args, k) for k in ("timeout", "retries", "backoff", "concurrency")
          if getattr(args, k) is not None}
    return OpenAIBackend(
        args.base_url or "http://127.0.0.1:8000/v1", args.model,
        endpoint=args.endpoint or "completions",
        api_key_env=None if args.no_api_key else (args.api_key_env or "OPENAI_API_KEY"),
        max_tokens=args.max_tokens, max_requests=args.max_requests, **kw,
    )


def _table(result: dict[str, Any]) -> list[str]:
    queried = result["queried_positions"]
    if len(queried) > 12:
        chosen = {0, 5, 10, 20, 40, result["points"] - 1}
        shown = [i for i in queried if i in chosen] + [queried[-1]]
        queried = sorted(set(shown))
    lines = []
    for i in queried:
        acc = result["per_position"][i]
        where = "no answer" if acc is None else (
            f"{acc:.4f} [{result['ci_low'][i]:.4f}, {result['ci_high'][i]:.4f}]")
        lines.append(f"  position {i:>3}: {where}  ({result['answered_per_position'][i]} "
                     f"answers, {result['invalid_per_position'][i]} invalid)")
    return lines


def cmd_llm_eval(args: argparse.Namespace) -> int:
    from models.prompting.format import INSTRUCTION
    from models.prompting.run import evaluate_llm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            backend = make_backend(args)
        finally:  # a warning is said even when an error follows
            for w in caught:
                print(f"boolicl llm-eval: warning: {w.message}", file=sys.stderr)
    results_file = args.results_file or default_results_file(args)
    try:
        result = evaluate_llm(
            backend, args.task, n=args.n, points=args.points, prompts=args.prompts,
            seed=args.seed, every=args.every, results_file=results_file,
            instruction=args.instruction if args.instruction is not None else INSTRUCTION,
            resamples=args.bootstrap, params=options.task_params(args), force=args.force,
            p_one=args.p_one, max_failures=args.max_failures,
            progress=not (args.json or args.no_progress),
        )
    except KeyboardInterrupt:
        print(f"boolicl llm-eval: interrupted; the answers so far are in {results_file}: the "
              "same command goes on from there", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        mean = "no answers" if result["mean"] is None else f"mean accuracy {result['mean']}"
        print(f"{result['name']} on {result['task']}: n={result['n']}, {result['points']} "
              f"points, {result['prompts']} prompts, a query every {result['every']}; {mean}")
        print(f"  {result['answered']} of {result['queries']} queries answered "
              f"({result['resumed']} from the file), {result['invalid']} invalid, "
              f"{result['unanswered']} unanswered")
        for line in _table(result):
            print(line)
        print(f"answers in {results_file}")
    if result["status"] != "complete":
        print(f"boolicl llm-eval: stopped ({result['status']}): {result['stop_reason']}; the "
              f"answers so far are in {results_file}: the same command goes on from there",
              file=sys.stderr)
        return 1
    return 0


COMMANDS = {"llm-eval": cmd_llm_eval}
