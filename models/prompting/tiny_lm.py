"""A tiny GPT-2 and its tokenizer, built offline for tests and benchmarks (never a real model).

:func:`tiny_tokenizer` trains a byte-level BPE tokenizer (Hugging Face ``tokenizers``, the
GPT-2 scheme: every byte is a token, merges on top) on a few prompts of
:mod:`models.prompting.format`, so ``"Input"``, ``"Label"``, ``":"``, ``" 0"``, ``" 1"`` and
``"\\n"`` are tokens of their own and any text still codes. :func:`save_tiny_causal_lm` builds
a GPT-2 of that vocabulary from a config (2 layers, width 32), optionally trains it for a few
``steps`` on such prompts (so that greedy decoding after ``"Label:"`` says ``" 0"`` or
``" 1"``), and saves model and tokenizer to a folder that
:class:`models.prompting.hf.HFBackend` loads. Needs ``transformers`` (the extra ``llm``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from models.prompting.format import INSTRUCTION, build_prompt


def format_corpus(count: int = 16, n: int = 5, points: int = 8, seed: int = 0) -> list[str]:
    """``count`` complete prompt texts (every label shown) of random bits and labels."""
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(count):
        xs = rng.integers(0, 2, (points, n))
        ys = rng.integers(0, 2, points)
        texts.append(build_prompt(xs, ys, points - 1) + f" {int(ys[-1])}\n")
    return texts


def tiny_tokenizer(vocab_size: int = 300) -> Any:
    """A byte-level BPE ``PreTrainedTokenizerFast`` trained on :func:`format_corpus` and the
    instruction (module docstring); ``<|endoftext|>`` is its end-of-text and padding token."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tok.train_from_iterator(format_corpus() + [INSTRUCTION] * 4, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
        bos_token="<|endoftext|>",
    )


def save_tiny_causal_lm(folder: str | Path, *, steps: int = 0, seed: int = 0) -> Path:
    """Build the tiny GPT-2 (module docstring), train it ``steps`` Adam steps on the format's
    text, save it with its tokenizer into ``folder``; returns the folder."""
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = Path(folder)
    tokenizer = tiny_tokenizer()
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=1024, n_embd=32, n_layer=2, n_head=2,
        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    model = GPT2LMHeadModel(config)
    if steps:
        corpus = format_corpus(count=8, seed=seed + 1)
        batch = tokenizer(corpus, return_tensors="pt", padding=True)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        model.train()
        for _ in range(steps):
            loss = model(**batch, labels=labels).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
