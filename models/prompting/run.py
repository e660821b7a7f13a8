"""Direct prompting of a language model on a task's prompts, resumable, scored per position.

:func:`evaluate_llm` samples ``prompts`` prompts of ``task`` with ``seed``
(:func:`boolfun.samplers.sample_prompts`, on the CPU: the same seed gives the same prompts, as
for ``baselines``), asks ``backend`` the query at every ``every``-th position of each
(:func:`models.prompting.format.query_positions`, text by
:func:`~models.prompting.format.build_prompt`), parses each answer strictly
(:func:`~models.prompting.format.parse_answer`) and scores the answered queries per position
(:func:`models.prompting.scoring.masked_position_accuracy`; an invalid answer is wrong and is
counted separately). With ``results_file`` every outcome is appended to that file as it comes
(:mod:`models.prompting.results`), and a later call with the same settings asks only what is
still unanswered.

The evaluation stops early, with everything answered so far saved and scored, when the
backend's request budget is spent (``status: "budget"``), when ``max_failures`` queries of
this call have failed (``"failures"``), or when the backend says no request can succeed
(``"fatal"``); otherwise ``"complete"`` (every query answered) or ``"incomplete"`` (some
queries failed and can be asked again by resuming). Any other exception propagates, after the
file holds every answer received before it.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from boolfun.bits import check_int
from boolfun.samplers import sample_prompts
from models.prompting.backend import Answer, Backend, BudgetExhausted, FatalBackendError
from models.prompting.format import (
    FORMAT_VERSION,
    INSTRUCTION,
    build_prompt,
    check_instruction,
    instruction_hash,
    parse_answer,
    query_positions,
)
from models.prompting.results import ResultFile
from models.prompting.scoring import masked_position_accuracy, nullable

NOTE = (
    "per_position, ci_low and ci_high are null at positions that were not queried (a query "
    "every `every` examples) or that have no answer; an invalid answer counts as wrong and is "
    "also counted in invalid_per_position"
)


def _record(b: int, i: int, label: int, answer: Answer) -> dict[str, Any]:
    base = {"prompt": b, "position": i, "attempts": answer.attempts,
            "latency": round(answer.latency, 6)}
    if answer.text is None:
        return {**base, "error": answer.error or "failed"}
    return {**base, "raw": answer.text, "answer": parse_answer(answer.text), "label": label,
            **answer.extra}


def evaluate_llm(
    backend: Backend,
    task: str,
    *,
    n: int | None = None,
    points: int | None = None,
    prompts: int = 100,
    seed: int = 0,
    every: int = 1,
    results_file: str | Path | None = None,
    instruction: str = INSTRUCTION,
    resamples: int = 1000,
    params: dict[str, int] | None = None,
    force: float | None = None,
    p_one: float | None = None,
    max_failures: int | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Prompt ``backend`` on ``prompts`` prompts of ``task`` (module docstring). Returns one
    entry shaped like ``boolicl eval --json`` (``name``, ``per_position``, ``ci_low``,
    ``ci_high``, ``mean``, ``mean_ci``; ``None`` where a position has no answer) with
    ``task``, ``n``, ``points``, ``prompts``, ``seed``, ``params``, ``force``, ``p_one``,
    ``every``, ``queried_positions``, ``answered_per_position``, ``invalid_per_position``,
    ``queries``, ``answered``, ``invalid``, ``unanswered``, ``resumed`` (answers read from
    the file), ``failures`` (failed queries of this call) and ``failure_reasons`` (the ten
    commonest errors of this call, counted), ``status``, ``stop_reason``,
    ``backend_stats``, ``config`` (what the result file's header holds) and ``note``."""
    check_int(prompts, "prompts", 1)
    check_int(seed, "seed", 0)
    check_int(every, "every", 1)
    check_instruction(instruction)
    if max_failures is not None:
        check_int(max_failures, "max_failures", 1)
    params = dict(params or {})
    inputs = {k: v for k, v in (("force", force), ("p_one", p_one)) if v is not None}
    sample = sample_prompts(task, prompts, points, n, seed=seed, device="cpu", **inputs,
                            **params)
    xs, ys = sample.xs.numpy(), sample.ys.numpy()
    B, P, n_used = xs.shape
    positions = query_positions(P, every)
    config = {
        "task": task, "n": n_used, "points": P, "prompts": B, "seed": seed,
        "params": sample.params, "force": sample.force, "p_one": sample.p_one, "every": every,
        "prompt_format": FORMAT_VERSION, "instruction_sha256": instruction_hash(instruction),
        "backend": backend.name, "model": backend.model, "settings": backend.settings(),
    }
    file = ResultFile.open(results_file, config) if results_file is not None else None
    answers: dict[tuple[int, int], dict[str, Any]] = {}
    resumed = 0
    if file is not None:
        asked = set(positions)
        for (b, i), rec in file.answers.items():
            if not (0 <= b < B and i in asked) or rec.get("label") != int(ys[b, i]):
                file.close()
                raise ValueError(
                    f"results_file {file.path}: its answer to prompt {b} at position {i} does "
                    "not fit these prompts (another sampler version?); choose another file"
                )
        answers = dict(file.answers)
        resumed = len(answers)
    todo = [(b, i) for b in range(B) for i in positions if (b, i) not in answers]
    status, reason, failures = "complete", None, 0
    reasons: Counter[str] = Counter()
    bar = tqdm(total=B * len(positions), initial=resumed, desc=f"{backend.name} on {task}",
               disable=not progress, unit="query")
    pool = cf.ThreadPoolExecutor(max_workers=backend.concurrency)
    window = backend.concurrency  # nothing queued beyond what runs: a stop asks no more
    pending: dict[cf.Future[Answer], tuple[int, int]] = {}
    queue = iter(todo)
    stopping = False
    try:
        while True:
            while not stopping and len(pending) < window:
                nxt = next(queue, None)
                if nxt is None:
                    break
                b, i = nxt
                pending[pool.submit(backend.answer, build_prompt(
                    xs[b], ys[b], i, instruction=instruction))] = (b, i)
            if not pending:
                break
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                b, i = pending.pop(fut)
                if fut.cancelled():
                    continue
                try:
                    answer = fut.result()
                except BudgetExhausted as e:
                    status, reason, stopping = "budget", str(e), True
                    continue
                except FatalBackendError as e:
                    status, reason, stopping = "fatal", str(e), True
                    continue
                rec = _record(b, i, int(ys[b, i]), answer)
                if file is not None:
                    file.append(rec)
                if "error" in rec:
                    failures += 1
                    reasons[rec["error"]] += 1
                    if max_failures is not None and failures >= max_failures and not stopping:
                        status, stopping = "failures", True
                        reason = f"{failures} queries failed (max_failures {max_failures})"
                else:
                    answers[(b, i)] = rec
                    bar.update(1)
            if stopping:  # what has not started is not asked
                for fut in pending:
                    fut.cancel()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
        if file is not None:
            file.close()
    result = _summary(backend, config, xs, ys, positions, answers, resumed, failures, status,
                      reason, resamples, seed, results_file)
    result["failure_reasons"] = dict(reasons.most_common(10))
    return result


def _summary(
    backend: Backend, config: dict[str, Any], xs: np.ndarray, ys: np.ndarray,
    positions: list[int], answers: dict[tuple[int, int], dict[str, Any]], resumed: int,
    failures: int, status: str, reason: str | None, resamples: int, seed: int,
    results_file: str | Path | None,
) -> dict[str, Any]:
    B, P, _ = xs.shape
    answered = np.zeros((B, P), dtype=bool)
    correct = np.zeros((B, P), dtype=bool)
    invalid = np.zeros((B, P), dtype=bool)
    for (b, i), rec in answers.items():
        answered[b, i] = True
        invalid[b, i] = rec["answer"] is None
        correct[b, i] = rec["answer"] == int(ys[b, i])
    acc = masked_position_accuracy(correct, answered, resamples=resamples, seed=seed)
    queries = B * len(positions)
    if status == "complete" and len(answers) < queries:
        status, reason = "incomplete", f"{queries - len(answers)} queries without an answer"
    return {
        "name": f"{backend.name}:{backend.model}",
        "per_position": nullable(acc.per_position),
        "ci_low": nullable(acc.ci_low),
        "ci_high": nullable(acc.ci_high),
        "mean": None if np.isnan(acc.mean) else round(acc.mean, 4),
        "mean_ci": nullable(np.array(acc.mean_ci)),
        "task": config["task"], "n": config["n"], "points": P, "prompts": B,
        "seed": config["seed"], "params": config["params"], "force": config["force"],
        "p_one": config["p_one"], "every": config["every"],
        "queried_positions": positions,
        "answered_per_position": answered.sum(0).tolist(),
        "invalid_per_position": invalid.sum(0).tolist(),
        "queries": queries, "answered": int(answered.sum()), "invalid": int(invalid.sum()),
        "unanswered": queries - int(answered.sum()), "resumed": resumed,
        "failures": failures, "status": status, "stop_reason": reason,
        "backend_stats": dict(getattr(backend, "stats", {})),
        "results_file": str(results_file) if results_file is not None else None,
        "config": config,
        "note": NOTE,
    }
