"""Argument types of the ``boolicl`` options: each rejects a bad value with a message naming
what is allowed (argparse turns it into exit status 2 naming the option)."""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path


def positive_int(text: str) -> int:
    """An integer >= 1."""
    return _int_at_least(text, 1)


def nonnegative_int(text: str) -> int:
    """An integer >= 0."""
    return _int_at_least(text, 0)


def _int_at_least(text: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {value}")
    return value


def number_in(
    low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> Callable[[str], float]:
    """An argument type: a number in the interval from ``low`` to ``high`` (each end open or
    closed as asked; ``high = inf`` for no upper bound). NaN is always rejected."""
    lo = f"({low:g}" if low_open else f"[{low:g}"
    hi = "inf)" if high == math.inf else (f"{high:g})" if high_open else f"{high:g}]")
    what = (
        f"a finite number > {low:g}"
        if high == math.inf and low_open
        else f"a number in {lo}, {hi}"
    )

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (above and below and math.isfinite(value)):  # also rejects nan and inf
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value

    return parse


positive_float = number_in(0.0, math.inf, low_open=True)
"""A number > 0."""
probability = number_in(0.0, 1.0)
"""A number in [0, 1] (``--force``: the forcing probability)."""
open_probability = number_in(0.0, 1.0, low_open=True, high_open=True)
"""A number strictly between 0 and 1 (``--p-one``: the probability of a 1 input bit)."""
noise_rate = number_in(0.0, 0.5)
"""A number in [0, 0.5] (label-noise rates)."""
dropout_rate = number_in(0.0, 1.0, high_open=True)
"""A number in [0, 1) (dropout)."""


def device(text: str) -> str:
    """A torch device this machine has (:func:`boolfun.devices.resolve_device`); the name
    itself is returned."""
    from boolfun.devices import resolve_device

    try:
        resolve_device(text)
    except ValueError as e:
        message = str(e)
        raise argparse.ArgumentTypeError(message.removeprefix("device ")) from None
    return text


def path(text: str) -> Path:
    """A file or folder path: not empty (an empty path would mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must be a path, got an empty string")
    if "\x00" in text:
        raise argparse.ArgumentTypeError("must be a path without NUL characters")
    return Path(text)


MAX_SEED = 2**63 - 1
MAX_SEEDS = 4096  # the library's own limit (models.stack.MAX_MODELS) is checked after


def seed_list(text: str) -> list[int]:
    """Distinct seeds >= 0: a comma-separated list whose items are integers or inclusive
    ranges ``A-B`` (``0,1,2,3`` or ``0-3``), at most :data:`models.stack.MAX_MODELS`
    (checked by the library)."""
    what = "a comma-separated list of distinct seeds >= 0 or ranges A-B, such as 0,1,2,3 or 0-7"
    seeds: list[int] = []
    for item in text.split(","):
        a, dash, b = item.strip().partition("-")
        try:
            lo = int(a)
            hi = int(b) if dash else lo
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if lo < 0 or hi < lo or hi > MAX_SEED:
            raise argparse.ArgumentTypeError(f"must be {what}, got {item.strip()!r}")
        if len(seeds) + hi - lo >= MAX_SEEDS:
            raise argparse.ArgumentTypeError(f"must name at most {MAX_SEEDS} seeds")
        seeds.extend(range(lo, hi + 1))
    dup = sorted(s for s, count in Counter(seeds).items() if count > 1)
    if dup:
        raise argparse.ArgumentTypeError(
            f"must be distinct seeds, got {', '.join(map(str, dup))} more than once"
        )
    return seeds


def name_list(text: str) -> list[str]:
    """A comma-separated list of names (``conjunction,parity``); the command checks them
    against its registry and lists the allowed ones."""
    names = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in names):
        raise argparse.ArgumentTypeError(f"must be a comma-separated list of names, got {text!r}")
    return names
