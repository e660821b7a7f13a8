"""Shared helpers for the learner tests: small prompt batches and brute-force version spaces."""

from __future__ import annotations

import itertools

import numpy as np
import torch

from boolfun.samplers import sample_prompts


def prompts(task: str, batch: int, points: int, n: int, seed: int = 0, **params):
    """``(xs, ys)`` numpy uint8 prompts of ``task``."""
    return sample_prompts(task, batch, points, n, seed=seed, **params).numpy()


def random_prompts(batch: int, points: int, n: int, seed: int = 0, p_one: float = 0.5):
    """Uniform inputs with independent random labels (mostly outside every class)."""
    rng = np.random.default_rng(seed)
    xs = rng.integers(0, 2, size=(batch, points, n), dtype=np.uint8)
    ys = (rng.random((batch, points)) < p_one).astype(np.uint8)
    return xs, ys


def version_space_report(tables: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """Brute force over a class given by its truth tables ``(H, 2^n)``: per position,
    ``(consistent, determined, forced label)`` of the hypotheses agreeing with examples
    ``0..i-1`` (determined only when that set is non-empty and unanimous at ``x_i``)."""
    B, P, n = xs.shape
    code = (xs.astype(np.int64) << np.arange(n)).sum(-1)
    consistent = np.zeros((B, P), bool)
    determined = np.zeros((B, P), bool)
    forced = np.zeros((B, P), np.uint8)
    for b in range(B):
        alive = np.ones(len(tables), bool)
        for i in range(P):
            labels = tables[alive, code[b, i]]
            consistent[b, i] = alive.any()
            determined[b, i] = alive.any() and (labels.all() or not labels.any())
            forced[b, i] = labels.any()
            alive &= tables[:, code[b, i]] == ys[b, i]
    return consistent, determined, forced


def literal_tables(n: int, kind: str, monotone: bool) -> np.ndarray:
    """Truth tables of every conjunction / disjunction without contradictory pairs."""
    inputs = np.array(list(itertools.product([0, 1], repeat=n)))[:, ::-1]  # row r = bits of r
    options = (0, 2) if monotone else (0, 1, 2)  # positive, negative, absent
    tables = []
    for kinds in itertools.product(options, repeat=n):
        lits = [inputs[:, k] if o == 0 else 1 - inputs[:, k] for k, o in enumerate(kinds) if o < 2]
        if kind == "conjunction":
            t = np.all(lits, axis=0) if lits else np.ones(len(inputs), bool)
        else:
            t = np.any(lits, axis=0) if lits else np.zeros(len(inputs), bool)
        tables.append(t)
    return np.array(tables, dtype=bool)


def to_torch(*arrays):
    return tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in arrays)
