"""``boolicl reproduce PRESET``: an experiment of the paper as a comparison with a report
(:mod:`boolicl.reproduce`)."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from boolicl.cli import llm, options, types

LLM_OPTIONS = ("hf_model", "base_url", "endpoint_model", "endpoint", "api_key_env", "no_api_key",
               "mode", "max_requests", "llm_prompts")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "reproduce",
        help="run an experiment of Bhattamishra et al. (ICLR 2024) and write its REPORT.md",
        description="Train and compare what PRESET needs, then write the comparison's files "
        "and REPORT.md (the paper's claim, what this run found, the figures) to --out.",
    )
    p.add_argument("preset", choices=options.PRESETS, metavar="PRESET",
                   help="the experiment (an unknown name lists them)")
    p.add_argument("--out", type=types.path, required=True, help="output folder")
    p.add_argument("--tasks", type=types.name_list, default=None, metavar="T1,T2",
                   help="some of the preset's tasks only (default: all of them)")
    options.add_experiment_options(p)
    add_llm_options(p)


def add_llm_options(p: argparse.ArgumentParser) -> None:
    """The models of the ``llm`` preset (:class:`boolicl.reproduce_llm.LLMSources`); the
    endpoint's options mean what they mean for ``llm-eval``."""
    g = p.add_argument_group(
        "llm preset", "the models it uses; a part without its model is skipped and REPORT.md "
        "says so")
    g.add_argument("--hf-model", default=None, metavar="PATH_OR_NAME",
                   help="a local causal LM (a save_pretrained folder or a name in the local "
                   "Hugging Face cache; nothing is downloaded) to train frozen and to prompt "
                   "(default: gpt2 if the local cache has it)")
    g.add_argument("--base-url", default=None,
                   help="an OpenAI-compatible server's API root to prompt (default "
                   "http://127.0.0.1:8000/v1 when --endpoint-model is given)")
    g.add_argument("--endpoint-model", default=None, metavar="NAME",
                   help="the model name the server knows (default: no endpoint is prompted)")
    llm.add_endpoint_options(g)
    g.add_argument("--mode", type=llm.MODES, default=None,
                   help="the local LM's answers: greedy (default) or loglik (the likelier of "
                   "' 0' and ' 1')")
    g.add_argument("--max-requests", type=types.positive_int, default=None,
                   help="request budget of the endpoint for the whole preset, retries included")
    g.add_argument("--llm-prompts", type=types.positive_int, default=None, metavar="N",
                   help="direct prompting: prompts per task and n (default 8 at small scale, "
                   "100 at paper)")


def llm_sources(args: argparse.Namespace) -> Any:
    """The :class:`boolicl.reproduce_llm.LLMSources` of the options (``None`` for another
    preset, which refuses them)."""
    given = [name for name in LLM_OPTIONS if getattr(args, name) is not None]
    if args.preset != "llm":
        if given:
            raise ValueError(f"--{given[0].replace('_', '-')} applies to the llm preset only")
        return None
    from boolicl.reproduce_llm import LLMSources

    if args.no_api_key and args.api_key_env is not None:
        raise ValueError("--no-api-key contradicts --api-key-env")
    if args.endpoint_model is None:
        for name in ("endpoint", "api_key_env", "no_api_key", "max_requests"):
            if getattr(args, name) is not None:
                raise ValueError(f"--{name.replace('_', '-')} needs --endpoint-model (the "
                                 "endpoint's model name)")
    kw = {k: getattr(args, k) for k in ("hf_model", "base_url", "endpoint_model", "endpoint",
                                        "mode", "max_requests") if getattr(args, k) is not None}
    return LLMSources(
        **kw, prompts=args.llm_prompts,
        api_key_env=None if args.no_api_key else (args.api_key_env or "OPENAI_API_KEY"),
    )


def open_llm(args: argparse.Namespace) -> Any:
    """The opened models of the ``llm`` preset (warnings and skipped parts on stderr), or
    ``None`` for another preset."""
    sources = llm_sources(args)
    if sources is None:
        return None
    from boolicl.reproduce_llm import open_sources

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            opened = open_sources(sources, args.device)
        finally:  # a warning is said even when an error follows
            for w in caught:
                print(f"boolicl reproduce: warning: {w.message}", file=sys.stderr)
    for s in opened.skipped:
        print(f"boolicl reproduce: skipped {s['part']}: {s['reason']}", file=sys.stderr)
    return opened


def cmd_reproduce(args: argparse.Namespace) -> int:
    from boolicl.compare import check_out
    from boolicl.executors import make_executor
    from boolicl.reproduce import run_reproduce
    from models.train import TrainingInterrupted

    check_out(args.out, args.overwrite)  # before Ray starts
    opened = open_llm(args)  # bad models are refused before anything trains
    progress = not args.no_progress
    executor = make_executor(
        args.executor, address=args.ray_address, gpus_per_run=args.gpus_per_run,
        progress=progress,
    )
    try:
        result = run_reproduce(
            args.preset, args.out, scale=args.scale, device=args.device, steps=args.steps,
            executor=executor, prompts=args.prompts, tasks=args.tasks, overwrite=args.overwrite,
            progress=progress, llm=opened,
        )
    except TrainingInterrupted as e:
        print(f"boolicl reproduce: {e}; the same command goes on from there", file=sys.stderr)
        return 130
    finally:
        executor.close()
    print(result["report"])
    for row in result.get("llm", {}).get("results", []):
        r = row["result"]
        if r is None or r["status"] != "complete":
            why = row.get("not_run") or f"{r['status']}: {r['stop_reason']}"
            print(f"boolicl reproduce: direct prompting of {row['model']} on {row['task']} "
                  f"n={row['n']} is not complete ({why}); the same command with --overwrite "
                  "asks only what is still unanswered",
                  file=sys.stderr)
    print(f"wrote {args.out}/REPORT.md and the comparison's files")
    return 0


COMMANDS = {"reproduce": cmd_reproduce}
