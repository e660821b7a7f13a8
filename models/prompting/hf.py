"""A local Hugging Face causal language model as a prompting backend.

The model and its tokenizer are read from a local folder, or by name from the local Hugging
Face cache (``local_files_only``: nothing is downloaded), on ``device``, in eval mode. Two
deterministic modes:

- ``"greedy"``: greedy decoding of at most ``max_tokens`` new tokens; the raw answer is the
  decoded continuation up to (not including) its first newline — the stop sequence ``"\\n"``
  of the HTTP backend.
- ``"loglik"``: the answer is whichever of the continuations ``" 0"`` and ``" 1"`` (the label
  as the examples write it, after ``"Label:"``) has the larger log-likelihood
  ``sum_t log p(c_t | prompt, c_<t)`` (``"0"`` on a tie); both log-likelihoods are recorded.
  Always a valid answer.

A prompt too long for the model's positions (``n_positions`` / ``max_position_embeddings``)
is a failed query (counted and reported), not an error.

Needs the optional extra ``llm`` (``transformers``), imported when a backend is built.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from boolfun.devices import resolve_device
from models.prompting.backend import Answer

MODES = ("greedy", "loglik")
"""``mode`` of :class:`HFBackend`."""


def _transformers() -> Any:
    try:
        import transformers
    except ImportError:
        raise ValueError(
            "backend 'hf' needs the package transformers: pip install -e '.[llm]'"
        ) from None
    return transformers


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or Path(name).exists() or name.count("/") > 1


class HFBackend:
    """Answers queries with a local causal LM (module docstring)."""

    name = "hf"
    concurrency = 1

    def __init__(
        self, model: str | Path, *, mode: str = "greedy", device: str = "cpu",
        max_tokens: int = 2,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            raise ValueError(f"max_tokens must be an integer >= 1, got {max_tokens!r}")
        name = str(model)
        if not name.strip():
            raise ValueError("model must be a folder or the name of a cached model, got ''")
        if _looks_like_path(name):
            path = Path(name).expanduser()
            if not path.exists():
                raise ValueError(f"model {name!r}: no such folder")
            if not path.is_dir() or not (path / "config.json").is_file():
                raise ValueError(f"model {name!r}: not a model folder (no config.json)")
            name = str(path)
        self.dev = resolve_device(device)
        tf = _transformers()
        try:
            config = tf.AutoConfig.from_pretrained(name, local_files_only=True)
        except (OSError, ValueError) as e:
            raise ValueError(
                f"model {name!r}: not a local model folder nor a model in the local Hugging "
                f"Face cache ({type(e).__name__}: {str(e).splitlines()[0][:160]})"
            ) from None
        mapping = tf.models.auto.modeling_auto.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
        if config.model_type not in mapping:
            raise ValueError(
                f"model {name!r}: not a causal language model (its type is "
                f"{config.model_type!r})"
            )
        try:
            self.tokenizer = tf.AutoTokenizer.from_pretrained(name, local_files_only=True)
            self.lm = tf.AutoModelForCausalLM.from_pretrained(name, local_files_only=True)
        except (OSError, ValueError) as e:
            raise ValueError(
                f"model {name!r}: cannot load it ({type(e).__name__}: "
                f"{str(e).splitlines()[0][:160]})"
            ) from None
        self.lm.to(self.dev).eval()
        self.positions = getattr(config, "n_positions", None) or getattr(
            config, "max_position_embeddings", None)
        self.model = str(model)
        self.mode = mode
        self.max_tokens = max_tokens
        self._labels = {c: self._ids(f" {c}") for c in ("0", "1")}
        for c, ids in self._labels.items():
            if not ids:
                raise ValueError(f"model {name!r}: its tokenizer codes the label ' {c}' as "
                                 "no tokens")

    def settings(self) -> dict[str, Any]:
        return {"mode": self.mode, "max_tokens": self.max_tokens, "decoding": "deterministic"}

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    @torch.no_grad()
    def _loglik(self, prompt_ids: list[int], cont: list[int]) -> float:
        ids = torch.tensor([prompt_ids + cont], device=self.dev)
        logits = self.lm(input_ids=ids).logits[0, len(prompt_ids) - 1 : -1].float()
        logp = torch.log_softmax(logits, -1)
        return float(logp[torch.arange(len(cont)), torch.tensor(cont, device=self.dev)].sum())

    @torch.no_grad()
    def answer(self, prompt: str) -> Answer:
        """The model's answer to ``prompt`` in this backend's mode."""
        t0 = time.perf_counter()
        prompt_ids = self._ids(prompt)
        if not prompt_ids:
            raise ValueError("prompt must code to at least one token")
        extra = self.max_tokens if self.mode == "greedy" else max(map(len, self._labels.values()))
        if self.positions is not None and len(prompt_ids) + extra > self.positions:
            return Answer(None, 1, time.perf_counter() - t0, error=(
                f"prompt of {len(prompt_ids)} tokens (+{extra} for the answer) exceeds the "
                f"model's {self.positions} positions"))
        if self.mode == "loglik":
            ll = {c: self._loglik(prompt_ids, ids) for c, ids in self._labels.items()}
            text = "1" if ll["1"] > ll["0"] else "0"
            return Answer(text, 1, time.perf_counter() - t0,
                          extra={"loglik": {c: round(v, 6) for c, v in ll.items()}})
        ids = torch.tensor([prompt_ids], device=self.dev)
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id if self.tokenizer.eos_token_id is not None else 0
        out = self.lm.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=self.max_tokens,
            do_sample=False, pad_token_id=pad,
        )
        text = self.tokenizer.decode(out[0, len(prompt_ids):].tolist(),
                                     skip_special_tokens=True)
        return Answer(text.split("\n", 1)[0], 1, time.perf_counter() - t0)
