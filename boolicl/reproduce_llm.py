"""The ``llm`` preset of ``boolicl reproduce``: pretrained language models (Bhattamishra et al.,
ICLR 2024, §5) on the toolkit's prompts, with whatever models the user has.

Two studies, each run only where its model is available:

1. **A frozen pretrained LM** with a trained read-in and read-out (:mod:`models.pretrained`,
   ``hf:PATH``, ``freeze="all"``) against its random control (the same architecture and config
   with the library's random initialisation, ``init="random"``, frozen the same way) and
   against our Transformer trained from scratch, beside the learners, on ``conjunction`` and
   ``nearest_neighbour``: a comparison (:mod:`boolicl.compare`) whose models are
   :func:`lm_arms`. The LM is ``hf_model`` (a folder written by ``save_pretrained`` or a name
   in the local Hugging Face cache) or, when none is given, :data:`DEFAULT_HF_MODEL` if it is
   in the local cache (read with ``local_files_only``; nothing is downloaded). Without one
   the comparison has only the Transformer and the learners.
2. **Direct prompting** (:func:`models.prompting.run.evaluate_llm`) of the local LM (its
   tokenizer needed) and of an OpenAI-compatible endpoint (``base_url`` and
   ``endpoint_model``) on :data:`PROMPT_TASKS` at ``n`` in :data:`PROMPT_SIZES`, the same
   prompts for every model (seed 0), with two references computed on exactly the queried
   positions of those prompts: the better of always-0 and always-1 (the label-rate baseline)
   and the 1-nearest-neighbour learner.

:func:`open_sources` decides, before anything trains, what runs: an ``hf_model`` or endpoint
that was asked for but cannot be used is a ``ValueError`` naming the parameter
(``hf_model``, ``endpoint_model``, ``api_key_env``, ...); a part with nothing configured is
*skipped*, with the reason, which :func:`report_lines` writes into ``REPORT.md``.

The findings (:func:`verdict`), each with its criterion:

- per task, the frozen LM is *above its random control* when its mean accuracy is at least
  :data:`MARGIN` higher, and *near the trained Transformer* when it is at most :data:`MARGIN`
  lower (on ``nearest_neighbour`` the means are over the positions from ``start`` on, after the
  random labels);
- per prompted model and task, *above chance at small n* when its accuracy over the queried
  positions at the smallest ``n`` is at least :data:`MARGIN` above the label-rate baseline,
  and *degrades with n* when it is above chance at the smallest ``n`` and its margin over that
  baseline at the largest ``n`` is at least :data:`DEGRADE` below its margin at the smallest.

This module is below :mod:`boolicl.reproduce` (which registers the preset from
:data:`PRESET_FIELDS` and calls :func:`open_sources`, :func:`lm_arms` and
:func:`run_prompting`); it imports nothing of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boolfun.bits import check_int
from boolfun.samplers import sample_prompts
from boolicl.compare import Arm
from learners import make_learner
from models.pretrained import (
    PREFIX,
    import_transformers,
    lm_shape,
    model_path,
    quiet_transformers,
    resolve_model,
)
from models.prompting.backend import Backend
from models.prompting.format import query_positions
from models.prompting.hf import MODES, HFBackend
from models.prompting.openai_http import ENDPOINTS, OpenAIBackend
from models.prompting.run import evaluate_llm

NAME = "llm"
DEFAULT_HF_MODEL = "gpt2"
"""The local model used when none is given, if it is in the local Hugging Face cache."""
DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"
"""The endpoint's API root when only its model is given (a local vLLM, as ``llm-eval``)."""

TASKS = ("conjunction", "nearest_neighbour")
"""The tasks of the frozen-LM comparison."""
PROMPT_TASKS = ("conjunction_small", "majority_small")
"""The tasks of direct prompting: the paper's small-n distributions of conjunction and
majority (:mod:`boolfun.tasks`)."""
PROMPT_SIZES = (5, 7, 15)
"""The ``n`` of direct prompting (the paper's)."""
PROMPTING: dict[str, dict[str, int]] = {
    "small": {"prompts": 8, "points": 30, "every": 5},
    "paper": {"prompts": 100, "points": 50, "every": 5},
}
"""Direct prompting at each scale: prompts per task and ``n``, examples per prompt, and a query
every ``every`` examples (positions 0, every, 2 every, ...)."""
PROMPT_SEED = 0

FROZEN = "frozen pretrained LM"
CONTROL = "frozen random control"
TRAINED = "transformer"
LM_SETTINGS: dict[str, dict[str, Any]] = {"small": {"batch": 8, "steps": 200}}
"""Training settings of the two LM arms over the scale's (small: a small batch and few steps,
see :data:`NOTE`); at ``paper`` the scale's own (batch 64, lr 1e-4, 15000 steps)."""

MARGIN = 0.05
"""How far above (the random control, the label-rate baseline) counts as above, and how far
below the trained Transformer still counts as near, in the findings."""
DEGRADE = 0.02
"""How much smaller the margin over the label-rate baseline must be at the largest ``n`` than
at the smallest for "degrades with n"."""

Finding = tuple[str, bool, str]
"""``(heading, shows, sentence)``, as in :mod:`boolicl.reproduce`."""

CLAIM = (
    "A pretrained language model never trained on these tasks can still learn some of them "
    "in context (§5). With all its weights frozen and only a read-in and a read-out trained, "
    "GPT-2 comes near Transformers trained from scratch on some tasks, nearest neighbour and "
    "conjunction among them, and does better than the same architecture frozen at a random "
    "initialisation; prompted directly with the examples as text (`Input: b1 ... bn` / "
    "`Label: y`), large language models are well above chance on simple tasks such as "
    "conjunction and majority at small n, and their accuracy degrades as n grows (the paper "
    "prompts at n = 5, 7 and 15)."
)
NOTE = (
    "Which model is which: `frozen pretrained LM` is the given causal LM with every weight "
    "frozen and a trained MLP read-in and read-out; `frozen random control` is the same "
    "architecture and config with the library's random initialisation (seed 0), frozen the "
    "same way; `transformer` is our Transformer trained whole at the scale's size (small: 3 "
    "layers of width 64, 1500 steps at batch 64). The two LM arms keep the LM's own width, "
    "layers and heads. At the small scale they train 200 steps at batch 8 (1,600 prompts, "
    "against the Transformer's 96,000), so at this scale their rows say little about what the "
    "frozen LM does with full training. The small scale is meant for a small local model (a "
    "2-layer GPT-2 of width 32 trained its 200 steps in 2 to 4 s per run on a busy 2-core "
    "CPU); with GPT-2 itself (d = 768, 12 layers) a "
    "step at batch 8 took about 15 s on a busy 2-core CPU "
    "(`benchmarks/results/llm_train_step.md`), so its four trainings take hours there and "
    "belong on a GPU. On nearest_neighbour the findings use the mean from position `start` "
    "on (the first `start` labels are random). Direct prompting uses the small-n "
    "distributions (`conjunction_small`: literals .25/.25/.50; `majority_small`: each "
    "variable in S w.p. .5), also at n = 15, the same prompts for every model; an answer "
    "other than 0 or 1 is invalid and counts as wrong; the label-rate baseline and nn1 are "
    "scored on exactly the queried positions."
)


@dataclass(frozen=True)
class LLMSources:
    """What the preset may use, as given (nothing is loaded here): ``hf_model`` (a model folder
    or a local cache name; ``None``: :data:`DEFAULT_HF_MODEL` if cached), an endpoint
    (``endpoint_model`` at ``base_url``, default :data:`DEFAULT_BASE_URL`; ``endpoint``
    ``completions`` or ``chat``; the key from the environment variable ``api_key_env``,
    ``None`` for a server without keys; ``max_requests``: its request budget for the whole
    preset), ``mode`` of the local model's answers (``greedy`` or ``loglik``), and direct
    prompting's ``prompts`` per task and ``n``, ``points``, ``every`` and ``sizes`` (the ``n``;
    default: :data:`PROMPTING` at the scale, :data:`PROMPT_SIZES`)."""

    hf_model: str | None = None
    base_url: str | None = None
    endpoint_model: str | None = None
    endpoint: str = "completions"
    api_key_env: str | None = "OPENAI_API_KEY"
    mode: str = "greedy"
    max_requests: int | None = None
    prompts: int | None = None
    points: int | None = None
    every: int | None = None
    sizes: tuple[int, ...] = PROMPT_SIZES

    def __post_init__(self) -> None:
        for name in ("hf_model", "base_url", "endpoint_model"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        if self.base_url is not None and self.endpoint_model is None:
            raise ValueError(
                "endpoint_model must name the model of the server at base_url (an endpoint is "
                "its base URL and its model name)"
            )
        if self.endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}, got "
                             f"{self.endpoint!r}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        for name in ("max_requests", "prompts", "points", "every"):
            if getattr(self, name) is not None:
                check_int(getattr(self, name), name, 1)
        if not isinstance(self.sizes, tuple | list) or not self.sizes:
            raise ValueError(f"sizes must be a non-empty tuple of n >= 1, got {self.sizes!r}")
        for n in self.sizes:
            check_int(n, "sizes", 1)


@dataclass
class OpenedSources:
    """What the preset will run (:func:`open_sources`): ``lm`` (``hf:PATH`` of the frozen-LM
    comparison, ``None`` when skipped), the prompting ``backends`` and the ``skipped`` parts
    (``{"part", "reason"}``)."""

    settings: LLMSources
    lm: str | None = None
    backends: list[Backend] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "lm": self.lm,
            "prompted": [f"{b.name}:{b.model}" for b in self.backends],
            "skipped": self.skipped,
            "hf_model": s.hf_model,
            "base_url": (s.base_url or DEFAULT_BASE_URL) if s.endpoint_model else None,
            "endpoint_model": s.endpoint_model, "endpoint": s.endpoint, "mode": s.mode,
            "max_requests": s.max_requests,
        }


def _check_lm(name: str) -> str:
    """``hf:PATH`` of the causal LM ``name`` (a folder made absolute, or a cache name);
    ``ValueError`` when there is none (:func:`models.pretrained.lm_shape`)."""
    model = resolve_model(PREFIX + name)
    lm_shape(model)
    return model


def open_sources(
    sources: LLMSources | OpenedSources | None, device: str = "cpu"
) -> OpenedSources:
    """What of ``sources`` (default: nothing given) can run, checked before anything trains:
    the endpoint's backend is built (its key read: ``ValueError`` naming ``api_key_env``
    when the variable is unset), then the local LM is read. A given ``hf_model`` that is no
    local causal LM is a ``ValueError`` naming ``hf_model``; without one,
    :data:`DEFAULT_HF_MODEL` is used if the local cache has it, else the LM parts are skipped.
    A local LM without a tokenizer is still trained (frozen), only not prompted. Already
    opened sources are returned as they are."""
    if isinstance(sources, OpenedSources):
        return sources
    s = sources if sources is not None else LLMSources()
    if not isinstance(s, LLMSources):
        raise ValueError(f"llm must be LLMSources, got {type(s).__name__}")
    opened = OpenedSources(s)
    endpoint = None
    if s.endpoint_model is not None:  # first: a missing key is refused before any loading
        endpoint = OpenAIBackend(
            s.base_url or DEFAULT_BASE_URL, s.endpoint_model, endpoint=s.endpoint,
            api_key_env=s.api_key_env, max_requests=s.max_requests,
        )
    name = s.hf_model if s.hf_model is not None else DEFAULT_HF_MODEL
    try:
        opened.lm = _check_lm(name)
    except ValueError as e:
        if s.hf_model is not None:
            raise ValueError(f"hf_model: {e}") from None
        try:
            import_transformers()
            reason = (f"no local model given, and {name!r} is not in the local Hugging Face "
                      "cache (nothing is downloaded)")
        except ValueError as missing:
            reason = f"no local model given, and {missing}"
        opened.skipped.append({
            "part": "the frozen pretrained LM, its random control and prompting it",
            "reason": reason,
        })
    if opened.lm is not None:
        try:
            with quiet_transformers(import_transformers()):  # no progress bars from here
                backend = HFBackend(model_path(opened.lm), mode=s.mode, device=device)
            opened.backends.append(backend)
        except ValueError as e:
            opened.skipped.append({"part": f"direct prompting of {opened.lm}", "reason": str(e)})
    if endpoint is not None:
        opened.backends.append(endpoint)
    else:
        opened.skipped.append({"part": "direct prompting of an endpoint", "reason": (
            "no endpoint configured (an OpenAI-compatible server: its base URL and model name)"
        )})
    return opened


def lm_arms(lm: str | None, scale: str, steps: int | None = None) -> tuple[Arm, ...]:
    """The comparison's models: with ``lm`` (``hf:PATH``) the frozen LM and its random control
    (with :data:`LM_SETTINGS` of ``scale``; ``steps``, when given, is every model's), then the
    trained Transformer."""
    trained = Arm("transformer", (), TRAINED)
    if lm is None:
        return (trained,)
    extra = tuple((k, v) for k, v in LM_SETTINGS.get(scale, {}).items()
                  if not (k == "steps" and steps is not None))
    return (
        Arm(lm, (("freeze", "all"),) + extra, FROZEN),
        Arm(lm, (("freeze", "all"), ("init", "random")) + extra, CONTROL),
        trained,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[-60:] or "model"


def prompt_references(
    task: str, n: int, points: int, prompts: int, every: int, seed: int = PROMPT_SEED
) -> dict[str, Any]:
    """On the prompts :func:`models.prompting.run.evaluate_llm` asks (same task, sizes and
    seed), at the queried positions only: the label rate, the accuracy of the better constant
    (``label_baseline``) and of the 1-nearest-neighbour learner (``nn1``)."""
    p = sample_prompts(task, prompts, points, n, seed=seed, device="cpu")
    xs, ys = p.xs.numpy(), p.ys.numpy()
    pos = query_positions(ys.shape[1], every)
    y = ys[:, pos]
    rate = float(y.mean())
    nn = make_learner("nn1", task).predict(xs, ys)[:, pos]
    return {"label_rate": round(rate, 4), "label_baseline": round(max(rate, 1 - rate), 4),
            "nn1": round(float((nn == y).mean()), 4)}


def run_prompting(
    opened: OpenedSources, out: Path | str, scale: str, *, resamples: int = 1000,
    progress: bool = False,
) -> dict[str, Any]:
    """Direct prompting of every backend of ``opened`` on :data:`PROMPT_TASKS` x the sizes
    (:class:`LLMSources`), answers appended to ``out/llm/<model>/<task>-n<n>-...jsonl`` (the
    same call again resumes them). A backend that stops on its budget or a fatal answer is
    not asked the remaining cells (they are listed as not run). Returns ``{"sources",
    "settings", "references", "results"}``: the references per task and ``n``
    (:func:`prompt_references`) and one :func:`~models.prompting.run.evaluate_llm` result per
    backend, task and ``n`` (``{"model", "task", "n", "result"}``, ``result`` ``None`` with
    ``not_run`` when not asked)."""
    s = opened.settings
    base = PROMPTING.get(scale, PROMPTING["small"])
    prompts = s.prompts or base["prompts"]
    points = s.points or base["points"]
    every = s.every or base["every"]
    settings = {"tasks": list(PROMPT_TASKS), "sizes": list(s.sizes), "prompts": prompts,
                "points": points, "every": every, "seed": PROMPT_SEED}
    references = {
        f"{task} n={n}": {"task": task, "n": n, **prompt_references(task, n, points, prompts,
                                                                   every)}
        for task in PROMPT_TASKS for n in s.sizes
    } if opened.backends else {}
    results = []
    for backend in opened.backends:
        label = f"{backend.name}:{backend.model}"
        stopped = None
        for task in PROMPT_TASKS:
            for n in s.sizes:
                if stopped is not None:
                    results.append({"model": label, "task": task, "n": n, "result": None,
                                    "not_run": stopped})
                    continue
                file = Path(out) / "llm" / _slug(label) / (
                    f"{task}-n{n}-p{points}-x{prompts}-every{every}-seed{PROMPT_SEED}.jsonl")
                r = evaluate_llm(backend, task, n=n, points=points, prompts=prompts,
                                 seed=PROMPT_SEED, every=every, results_file=file,
                                 resamples=resamples, progress=progress)
                results.append({"model": label, "task": task, "n": n, "result": r})
                if r["status"] in ("budget", "fatal"):
                    stopped = f"the model stopped earlier ({r['status']}: {r['stop_reason']})"
    return {"sources": opened.to_dict(), "settings": settings, "references": references,
            "results": results}


# -- the findings ----------------------------------------------------------------------------


def _mean(curve: list[float], start: int = 0) -> float:
    part = curve[start:]
    return sum(part) / len(part)


def _model(task: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((m for m in task["models"] if m["name"] == name and m["seeds"]), None)


def _lm_findings(result: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    if FROZEN not in result["settings"]["models"]:
        return out
    for t in result["tasks"]:
        if t["test"] != "standard":
            continue
        task = t["task"]
        start = t["params"].get("start", 0) if task == "nearest_neighbour" else 0
        where = f" from position {start} on" if start else ""
        f, c, m = _model(t, FROZEN), _model(t, CONTROL), _model(t, TRAINED)
        if f is None:
            out.append((f"{task}: frozen LM", False, "the frozen LM's training failed"))
            continue
        fa = _mean(f["per_position"], start)
        if c is None:
            out.append((f"{task}: above its random control", False, "the control failed"))
        else:
            ca = _mean(c["per_position"], start)
            out.append((f"{task}: above its random control", fa >= ca + MARGIN, (
                f"mean accuracy{where}: frozen pretrained LM {fa:.3f}, frozen random control "
                f"{ca:.3f} (difference {fa - ca:+.3f}; above here: by at least {MARGIN})"
            )))
        if m is None:
            out.append((f"{task}: near the trained Transformer", False,
                        "the Transformer failed"))
        else:
            ta = _mean(m["per_position"], start)
            out.append((f"{task}: near the trained Transformer", ta - fa <= MARGIN, (
                f"mean accuracy{where}: frozen pretrained LM {fa:.3f}, trained Transformer "
                f"{ta:.3f} (gap {ta - fa:+.3f}; near here: at most {MARGIN})"
            )))
    return out


def _accuracy(r: dict[str, Any] | None) -> float | None:
    return None if r is None else r["mean"]


def _prompting_findings(llm: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    refs = llm.get("references", {})
    models = list(dict.fromkeys(r["model"] for r in llm.get("results", [])))
    for model in models:
        for task in llm["settings"]["tasks"]:
            cells = {r["n"]: r["result"] for r in llm["results"]
                     if r["model"] == model and r["task"] == task}
            ns = sorted(cells)
            lo, hi = ns[0], ns[-1]
            acc, base = _accuracy(cells[lo]), refs[f"{task} n={lo}"]["label_baseline"]
            head = f"{model} on {task}"
            if acc is None:
                out.append((f"{head}: above chance at n = {lo}", False, "no answers"))
                continue
            out.append((f"{head}: above chance at n = {lo}", acc >= base + MARGIN, (
                f"accuracy over the queried positions {acc:.3f} against {base:.3f} for the "
                f"better of always-0 and always-1 (above here: by at least {MARGIN})"
            )))
            if hi == lo:
                continue
            acc_hi, base_hi = _accuracy(cells[hi]), refs[f"{task} n={hi}"]["label_baseline"]
            if acc_hi is None:
                out.append((f"{head}: degrades with n", False, f"no answers at n = {hi}"))
                continue
            d_lo, d_hi = acc - base, acc_hi - base_hi
            above = acc >= base + MARGIN
            by_n = ", ".join(
                f"n = {n}: {cells[n]['mean']:.3f}" if cells[n] and cells[n]["mean"] is not None
                else f"n = {n}: -" for n in ns)
            out.append((f"{head}: degrades with n", above and d_hi <= d_lo - DEGRADE, (
                f"accuracy {by_n}; margin over the label-rate baseline {d_lo:+.3f} at n = {lo} "
                f"and {d_hi:+.3f} at n = {hi} (degrades here: above chance at n = {lo} and a "
                f"margin smaller by at least {DEGRADE} at n = {hi})"
            )))
    return out


def verdict(result: dict[str, Any]) -> list[Finding]:
    """The findings of a run of the preset (module docstring): the frozen LM against its
    control and the Transformer per task, then per prompted model and task whether it is above
    chance at the smallest ``n`` and degrades with ``n``. Skipped parts give no finding
    (:func:`report_lines` lists them)."""
    return _lm_findings(result) + _prompting_findings(result.get("llm", {}))


# -- the report ------------------------------------------------------------------------------


def _cell(r: dict[str, Any] | None) -> str:
    if r is None or r["mean"] is None:
        return "-"
    low, high = r["mean_ci"]
    return f"{r['mean']:.3f} [{low:.3f}, {high:.3f}]"


def report_lines(result: dict[str, Any]) -> list[str]:
    """The preset's own part of ``REPORT.md``: what ran and what was skipped (and why), and
    the direct-prompting table (model x task x n: accuracy over the queried positions with
    its 95% interval, the references, invalid answers, answered / asked queries, status)."""
    llm = result.get("llm")
    if llm is None:
        return ["", "(no record of the preset's models in this result)"]
    src = llm["sources"]
    lines = ["", "### Models of this run", ""]
    if src["lm"] is not None:
        lines.append(f"- frozen LM comparison: `{src['lm']}` (frozen, and its random control), "
                     "beside the trained Transformer and the learners.")
    else:
        lines.append("- frozen LM comparison: not run; the comparison has only the trained "
                     "Transformer and the learners.")
    lines.append("- direct prompting: " + (", ".join(f"`{m}`" for m in src["prompted"])
                                            if src["prompted"] else "nobody was prompted") + ".")
    if src["skipped"]:
        lines += ["", "**Skipped**:", ""]
        lines += [f"- {s['part']}: {s['reason']}." for s in src["skipped"]]
    s = llm["settings"]
    lines += [
        "", "### Direct prompting", "",
        f"{s['prompts']} prompts of {s['points']} examples per task and n (seed {s['seed']}, "
        f"the same for every model), a query every {s['every']} examples (positions 0, "
        f"{s['every']}, ...); accuracy over the queried positions with its 95% bootstrap "
        "interval over prompts; an invalid answer (not 0 or 1) counts as wrong.",
        "",
    ]
    if not llm["results"]:
        return lines + ["No model was prompted in this run."]
    lines += ["| model | task | n | accuracy | label-rate baseline | nn1 | invalid | answered / "
              "queries | status |", "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in llm["results"]:
        ref = llm["references"][f"{row['task']} n={row['n']}"]
        r = row["result"]
        if r is None:
            lines.append(f"| {row['model']} | {row['task']} | {row['n']} | - | "
                         f"{ref['label_baseline']:.3f} | {ref['nn1']:.3f} | - | - | not run: "
                         f"{row['not_run']} |")
            continue
        lines.append(
            f"| {row['model']} | {row['task']} | {row['n']} | {_cell(r)} | "
            f"{ref['label_baseline']:.3f} | {ref['nn1']:.3f} | {r['invalid']} | "
            f"{r['answered']} / {r['queries']} | {r['status']} |"
        )
    lines += ["", "Every answer is in `llm/<model>/<task>-n<n>-...jsonl` (the same run again "
              "resumes them)."]
    return lines


PRESET_FIELDS: dict[str, Any] = dict(
    name=NAME,
    title="Pretrained language models: a frozen LM with trained read-in and read-out, and "
          "direct prompting",
    claim=CLAIM,
    tasks=TASKS,
    models=lm_arms(None, "small"),
    learners=("null", "averaging", "nn1", "nn3", "elimination"),
    verdict=verdict,
    scales={"small": {"sizes": {"conjunction": (8, 40), "nearest_neighbour": (8, 60)}}},
    note=NOTE,
    prompts={"small": 300},
)
"""The fields of the preset's :class:`boolicl.reproduce.Preset` (its models are replaced by
:func:`lm_arms` of the opened sources when it runs)."""
