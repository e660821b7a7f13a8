"""Majorities, 0-1 threshold functions and integer halfspaces as function classes.

All three are linear threshold functions in the ±1 coding ``x' = 2x - 1``.

* ``MajorityClass(n)``: ``Majority(S)(x) = [sum_{i in S} x'_i >= 1]`` for every ``S``
  (ties and ``S`` empty give 0). Every ``i in S`` is relevant, so the ``2^n`` sets give
  ``2^n`` distinct functions.
* ``ThresholdClass(n, biases)``: ``[w . x' > b]`` with ``w in {-1,0,1}^n`` and ``b`` in
  ``biases`` (half-integers; the paper's ``-2.5, ..., 2.5``).
* ``HalfspaceClass(n, max_weight=W, bias=b)``: ``[w . x' > b]`` with integer
  ``w_i in [-W, W]`` and the fixed ``b`` (the paper's ``W = 3``, ``b = 0.5``).

Encodings (parameters ``params``), with ``c = floor(b) + 1`` so that ``w . x' > b`` iff
``w . x' >= c`` for integer sums:

* Majority: ``s[i]``: ``x_{i+1} in S``. Output
  ``sum_i [s_i & x_i] - sum_i [s_i & ~x_i] >= 1`` (reified by :meth:`Circuit.at_least`).
* Threshold: ``pos[i]``: ``w_i = +1``; ``neg[i]``: ``w_i = -1`` (clause ``~pos_i | ~neg_i``);
  ``bias[j]``: ``b = biases[j]`` (exactly one, pysat ``CardEnc``). With
  ``u_i = [x_i <-> pos_i]`` and ``v_i = [x_i xor neg_i]`` one has ``u_i + v_i = w_i x'_i + 1``,
  so the output is the single reified constraint
  ``sum_i (u_i + v_i) - sum_j c_j [bias_j] >= n`` (``c_j = biases[j] + 1/2``).
* Halfspace: thermometer codes ``pos[i][t]``: ``w_i >= t + 1`` and ``neg[i][t]``:
  ``w_i <= -(t + 1)`` (``t = 0..W-1``; clauses ``pos_{i,t+1} -> pos_{i,t}``, the same for
  ``neg``, and ``~pos_{i,0} | ~neg_{i,0}``), so ``w_i = sum_t pos_it - sum_t neg_it`` has one
  model per value. Output: ``sum_{i,t} ([x_i <-> pos_it] + [x_i xor neg_it]) >= c + n W``.

At a fixed point the ``u``/``v`` units fold to parameter literals, so a label is one totalizer.
Threshold and halfspace functions have many parameterisations; their distinct functions are
enumerated by evaluating every parameter vector and deduplicating truth tables (small n).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import cached_property
from itertools import combinations, product
from math import floor
from typing import Any

import numpy as np

from boolfun.bits import all_inputs, check_int, check_n
from boolfun.classes.base import (
    TABLE_ENUM_MAX_N,
    ClassEncoding,
    FunctionClass,
    cardinality,
    implied_cardinality,
    lit_value,
    new_vars,
    table_ints,
)
from boolfun.convert import convert
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import Conjunction, Disjunction
from boolfun.sat.circuit import Circuit, Lit

PAPER_BIASES = (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5)
"""The biases of the paper's 0-1 threshold task."""

RAW_ENUM_MAX = 1 << 18
"""Largest number of parameter vectors evaluated by the enumeration of distinct functions."""


def _as_fraction(b: Any, name: str) -> Fraction:
    if isinstance(b, bool) or not isinstance(b, int | float | Fraction | np.integer | np.floating):
        raise ValueError(f"{name} must be a finite real number, got {b!r}")
    f = Fraction(str(b)) if isinstance(b, float | np.floating) else Fraction(b)
    return f


def _achievable(weights: Sequence[int]) -> set[int]:
    """All values of ``w . x'`` over ``x' in {-1, 1}^n``."""
    sums = {0}
    for w in weights:
        sums = {s + w for s in sums} | {s - w for s in sums}
    return sums


def _same_bias(weights: Sequence[int], b1: Fraction, b2: Fraction) -> bool:
    """Whether ``[w . x' > b1]`` and ``[w . x' > b2]`` are the same function."""
    lo, hi = min(b1, b2), max(b1, b2)
    return not any(lo < v <= hi for v in _achievable(weights))


def _linear_form(f: BooleanFunction) -> tuple[tuple[int, ...], Fraction] | None:
    """``(w, b)`` with ``f = [w . x' > b]`` read off the representation, or ``None``."""
    if isinstance(f, Halfspace):
        return f.weights, f.bias
    if isinstance(f, Majority) or (
        isinstance(f, Conjunction | Disjunction) and not f.contradictory
    ):
        h = convert(f, Halfspace)
        return h.weights, h.bias  # type: ignore[attr-defined]
    return None


def _first_of_each(
    weights: np.ndarray, biases: Sequence[Fraction], n: int
) -> list[tuple[int, int]]:
    """First ``(weight row, bias index)`` of each distinct ``[w . x' > b]``, in raw order
    (weight rows major, biases minor)."""
    xs = 2 * all_inputs(n).astype(np.int64) - 1
    tabs = []
    for start in range(0, len(weights), 1 << 14):
        sums = weights[start : start + (1 << 14)].astype(np.int64) @ xs.T
        tabs.append(
            np.stack([table_ints(sums * b.denominator > b.numerator) for b in biases], axis=1)
        )
    flat = np.concatenate(tabs).ravel()
    _, first = np.unique(flat, return_index=True)
    first.sort()
    return [(int(f) // len(biases), int(f) % len(biases)) for f in first]


def _place(weights: Sequence[int], variables: Sequence[int], n: int) -> list[int]:
    """Weights of a function of ``len(variables)`` variables placed on ``variables`` of ``n``.

    Dropping an irrelevant ``x_i`` (``w_i = 0``) keeps the same bias valid: if ``f`` does not
    depend on ``x_i``, then ``[s + w_i x'_i > b] = [s > b]`` for ``s`` the rest of the sum.
    """
    out = [0] * n
    for v, w in zip(variables, weights, strict=True):
        out[v - 1] = int(w)
    return out


def _weight_grid(values: Sequence[int], n: int) -> np.ndarray:
    """All weight vectors over ``values`` (first variable slowest)."""
    return np.array(list(product(values, repeat=n)), dtype=np.int64).reshape(-1, n)


class MajorityClass(FunctionClass):
    """``Majority(S)`` for every subset ``S`` (see the module docstring); the paper's
    ``majority`` task samples it."""

    name = "majority"

    def __init__(self, n: int) -> None:
        self.n = check_n(n)

    @property
    def config(self) -> dict[str, Any]:
        return {}

    def _init_args(self) -> dict[str, Any]:
        return {}

    def size(self) -> int:
        return 2**self.n

    def enumerate(self) -> list[BooleanFunction]:
        """By size of ``S``, then lexicographically."""
        self._check_size_limit()
        return [
            Majority(self.n, vs)
            for m in range(self.n + 1)
            for vs in combinations(range(1, self.n + 1), m)
        ]

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        if type(f) is Majority:
            return f
        try:
            return convert(f, Majority)
        except ValueError:
            return None

    def _task(self) -> tuple[str, dict[str, Any]] | None:
        return "majority", {}

    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """Each variable in ``S`` with probability 1/2 (uniform over the class)."""
        return Majority(self.n, [int(v) + 1 for v in np.flatnonzero(rng.integers(0, 2, self.n))])

    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        return {"s": new_vars(circuit, self.n)}

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        c, s = enc.circuit, enc.params["s"]
        ones = [c.and_([si, xi]) for si, xi in zip(s, x, strict=True)]
        zeros = [c.and_([si, c.neg(xi)]) for si, xi in zip(s, x, strict=True)]
        return c.at_least(ones + zeros, 1, weights=[1] * self.n + [-1] * self.n)

    def _implied(self, enc: ClassEncoding, x: list[bool], y: bool) -> Lit | None:
        # sum_{x_i=1} s_i + sum_{x_i=0} ~s_i = (ones in S - zeros in S) + #zeros
        lits = [v if xi else -v for v, xi in zip(enc.params["s"], x, strict=True)]
        zeros = x.count(False)
        if y:
            return implied_cardinality(enc.circuit, lits, zeros + 1, "atleast")
        return implied_cardinality(enc.circuit, lits, zeros, "atmost")

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        s = enc.params["s"]
        return Majority(self.n, [i + 1 for i, v in enumerate(s) if lit_value(v, true)])


class ThresholdClass(FunctionClass):
    """0-1 threshold functions ``[w . x' > b]``, ``w in {-1,0,1}^n``, ``b in biases`` (see the
    module docstring); the paper's ``threshold`` task samples it (default biases)."""

    name = "threshold"

    def __init__(self, n: int, biases: Sequence[float] = PAPER_BIASES) -> None:
        self.n = check_n(n)
        if isinstance(biases, str | bytes) or not isinstance(biases, Sequence | np.ndarray):
            raise ValueError(f"biases must be a sequence of half-integers, got {biases!r}")
        fracs = [_as_fraction(b, "biases") for b in biases]
        if not fracs:
            raise ValueError("biases must be a non-empty sequence of half-integers, got []")
        for b in fracs:
            if b.denominator != 2:
                raise ValueError(f"biases must be half-integers (k + 0.5), got {float(b)}")
        if len(set(fracs)) != len(fracs):
            raise ValueError(f"biases must be distinct, got {[float(b) for b in fracs]}")
        self._fracs: tuple[Fraction, ...] = tuple(fracs)
        self.biases: tuple[float, ...] = tuple(float(b) for b in fracs)

    @property
    def config(self) -> dict[str, Any]:
        return {"biases": self.biases}

    def short_name(self) -> str:
        return self.name if self.biases == PAPER_BIASES else f"{self.name}(biases={self.biases})"

    def _init_args(self) -> dict[str, Any]:
        return {"biases": self.biases}

    def _max_enum_n(self) -> int:
        n = 1
        while n < TABLE_ENUM_MAX_N and 3 ** (n + 1) * len(self._fracs) <= RAW_ENUM_MAX:
            n += 1
        return n

    @cached_property
    def _distinct(self) -> list[BooleanFunction]:
        max_n = self._max_enum_n()
        if self.n > max_n:
            raise self._limit_error(max_n)
        grid = _weight_grid((0, 1, -1), self.n)
        return [
            Threshold(self.n, [int(v) for v in grid[w]], self._fracs[b])
            for w, b in _first_of_each(grid, self._fracs, self.n)
        ]

    def size(self) -> int:
        """By enumeration (the limits of :meth:`enumerate` apply)."""
        return len(self._distinct)

    def enumerate(self) -> list[BooleanFunction]:
        """Representatives in the order of first appearance over weight vectors (each
        ``w_i`` running over ``0, 1, -1``, ``w_1`` slowest), then biases in the given order."""
        return list(self._distinct)

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        form = _linear_form(f)
        if form is not None and all(w in (-1, 0, 1) for w in form[0]):
            for b in self._fracs:
                if _same_bias(form[0], form[1], b):
                    return Threshold(self.n, form[0], b)
        return self._search(f)

    def _lift(self, h: BooleanFunction, variables: Sequence[int]) -> BooleanFunction:
        return Threshold(self.n, _place(h.weights, variables, self.n), h.bias)  # type: ignore[attr-defined]

    def _task(self) -> tuple[str, dict[str, Any]] | None:
        return ("threshold", {}) if self.biases == PAPER_BIASES else None

    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """``w`` uniform in ``{-1,0,1}^n``, ``b`` uniform among ``biases``."""
        w = rng.integers(-1, 2, size=self.n)
        b = self._fracs[int(rng.integers(len(self._fracs)))]
        return Threshold(self.n, [int(v) for v in w], b)

    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        pos, neg = new_vars(circuit, self.n), new_vars(circuit, self.n)
        bias = new_vars(circuit, len(self._fracs))
        circuit.clauses.extend([-p, -q] for p, q in zip(pos, neg, strict=True))
        cardinality(circuit, bias, 1, "equals")
        # derived: at_least[j-1] <-> the chosen bias is >= the j-th smallest (j = 1..B-1)
        order = sorted(range(len(self._fracs)), key=lambda j: self._fracs[j])
        at_least: list[Lit] = []
        acc: Lit = False
        for j in reversed(order[1:]):
            acc = circuit.or_([bias[j], acc])
            at_least.insert(0, acc)
        return {"pos": pos, "neg": neg, "bias": bias, "bias_at_least": at_least}

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        c, pos, neg = enc.circuit, enc.params["pos"], enc.params["neg"]
        units = [c.iff(xi, p) for xi, p in zip(x, pos, strict=True)]
        units += [c.xor2(xi, q) for xi, q in zip(x, neg, strict=True)]
        cs = [int(b + Fraction(1, 2)) for b in self._fracs]
        return c.at_least(
            units + list(enc.params["bias"]),
            self.n,
            weights=[1] * (2 * self.n) + [-v for v in cs],
        )

    def _implied(self, enc: ClassEncoding, x: list[bool], y: bool) -> Lit | None:
        # S = sum_i (u_i + v_i) = w . x' + n; the bias is c_0 + sum_j gap_j [at_least_j]
        # (c = b + 1/2 over the sorted biases), so h(x) = 1 iff
        # S + sum_j gap_j [~at_least_j] >= n + c_0 + sum_j gap_j.
        pos, neg = enc.params["pos"], enc.params["neg"]
        lits = [p if xi else -p for p, xi in zip(pos, x, strict=True)]
        lits += [-q if xi else q for q, xi in zip(neg, x, strict=True)]
        cs = sorted(int(b + Fraction(1, 2)) for b in self._fracs)
        for gap, t in zip(np.diff(cs), enc.params["bias_at_least"], strict=True):
            lits += [-t] * int(gap)
        bound = self.n + cs[0] + (cs[-1] - cs[0])
        if y:
            return implied_cardinality(enc.circuit, lits, bound, "atleast")
        return implied_cardinality(enc.circuit, lits, bound - 1, "atmost")

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        w = [
            int(lit_value(p, true)) - int(lit_value(q, true))
            for p, q in zip(enc.params["pos"], enc.params["neg"], strict=True)
        ]
        chosen = [j for j, t in enumerate(enc.params["bias"]) if lit_value(t, true)]
        return Threshold(self.n, w, self._fracs[chosen[0]])


class HalfspaceClass(FunctionClass):
    """Integer halfspaces ``[w . x' > bias]``, ``w_i in [-max_weight, max_weight]`` (see the
    module docstring); the paper's ``halfspace`` task samples it (``max_weight=3``,
    ``bias=0.5``)."""

    name = "halfspace"

    def __init__(self, n: int, max_weight: int = 3, bias: float = 0.5) -> None:
        self.n = check_n(n)
        self.max_weight = check_int(max_weight, "max_weight", 1, None)
        self._bias = _as_fraction(bias, "bias")
        exact = Fraction(str(float(self._bias))) == self._bias
        self.bias: float | Fraction = float(self._bias) if exact else self._bias

    @property
    def config(self) -> dict[str, Any]:
        return {"max_weight": self.max_weight, "bias": self.bias}

    def _init_args(self) -> dict[str, Any]:
        return {"max_weight": self.max_weight, "bias": self.bias}

    def _max_enum_n(self) -> int:
        n = 1
        while n < TABLE_ENUM_MAX_N and (2 * self.max_weight + 1) ** (n + 1) <= RAW_ENUM_MAX:
            n += 1
        return n

    @cached_property
    def _distinct(self) -> list[BooleanFunction]:
        max_n = self._max_enum_n()
        if self.n > max_n:
            raise self._limit_error(max_n)
        values = [0] + [s * v for v in range(1, self.max_weight + 1) for s in (1, -1)]
        grid = _weight_grid(values, self.n)
        return [
            Halfspace(self.n, [int(v) for v in grid[w]], self._bias)
            for w, _ in _first_of_each(grid, [self._bias], self.n)
        ]

    def size(self) -> int:
        """By enumeration (the limits of :meth:`enumerate` apply)."""
        return len(self._distinct)

    def enumerate(self) -> list[BooleanFunction]:
        """Representatives in the order of first appearance over weight vectors (each
        ``w_i`` running over ``0, 1, -1, 2, -2, ...``, ``w_1`` slowest)."""
        return list(self._distinct)

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        form = _linear_form(f)
        if (
            form is not None
            and max((abs(w) for w in form[0]), default=0) <= self.max_weight
            and _same_bias(form[0], form[1], self._bias)
        ):
            return Halfspace(self.n, form[0], self._bias)
        return self._search(f)

    def _lift(self, h: BooleanFunction, variables: Sequence[int]) -> BooleanFunction:
        return Halfspace(self.n, _place(h.weights, variables, self.n), self._bias)  # type: ignore[attr-defined]

    def _task(self) -> tuple[str, dict[str, Any]] | None:
        if self.max_weight == 3 and self._bias == Fraction(1, 2):
            return "halfspace", {}
        return None

    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """``w`` uniform in ``[-max_weight, max_weight]^n``."""
        w = rng.integers(-self.max_weight, self.max_weight + 1, size=self.n)
        return Halfspace(self.n, [int(v) for v in w], self._bias)

    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        pos = [new_vars(circuit, self.max_weight) for _ in range(self.n)]
        neg = [new_vars(circuit, self.max_weight) for _ in range(self.n)]
        for p, q in zip(pos, neg, strict=True):
            for t in range(self.max_weight - 1):
                circuit.clauses.append([-p[t + 1], p[t]])
                circuit.clauses.append([-q[t + 1], q[t]])
            circuit.clauses.append([-p[0], -q[0]])
        return {"pos": pos, "neg": neg}

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        c = enc.circuit
        units: list[Lit] = []
        for xi, p, q in zip(x, enc.params["pos"], enc.params["neg"], strict=True):
            units += [c.iff(xi, v) for v in p]
            units += [c.xor2(xi, v) for v in q]
        return c.at_least(units, floor(self._bias) + 1 + self.n * self.max_weight)

    def _implied(self, enc: ClassEncoding, x: list[bool], y: bool) -> Lit | None:
        # the output's units at a fixed point: sum = w . x' + n W
        lits: list[int] = []
        for xi, p, q in zip(x, enc.params["pos"], enc.params["neg"], strict=True):
            lits += [v if xi else -v for v in p]
            lits += [-v if xi else v for v in q]
        bound = floor(self._bias) + 1 + self.n * self.max_weight
        if y:
            return implied_cardinality(enc.circuit, lits, bound, "atleast")
        return implied_cardinality(enc.circuit, lits, bound - 1, "atmost")

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        w = [
            sum(lit_value(v, true) for v in p) - sum(lit_value(v, true) for v in q)
            for p, q in zip(enc.params["pos"], enc.params["neg"], strict=True)
        ]
        return Halfspace(self.n, w, self._bias)
