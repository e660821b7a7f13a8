"""Closed-form teaching sequences (Goldman & Kearns 1995; Bhattamishra et al. 2024, §5).

Each construction returns :class:`~teaching.examples.Examples` in the order the paper puts
them at the start of a prompt. Sizes (``k`` = number of literals / variables of the target):

* conjunction, class without contradictory literals: ``k + 2`` for ``k < n``, ``n + 1`` for
  ``k = n`` (2 for the empty conjunction). Two positives satisfy every literal with the
  irrelevant bits all 0, then all 1; then ``k`` negatives each falsify exactly one literal
  (flipping it in the first positive).
* monotone conjunction: ``k + 1`` for ``k < n``, ``n`` for ``k = n``: the positive with ones
  exactly on the variables, then ``k`` negatives each with one of them set to 0 (for
  ``k = n`` the negatives alone teach).
* disjunctions: De Morgan duals (complement every bit and every label).
* parity over all ``2^n`` subsets: the ``n`` unit vectors, labelled (any basis teaches).
* exactly-``k`` sparse parity: ``min(k, n - k)``: the unit vectors of ``S`` labelled 1 when
  ``k <= n - k``, else the unit vectors outside ``S`` labelled 0.
"""

from __future__ import annotations

import numpy as np

from boolfun.normal_forms import Conjunction, Disjunction
from boolfun.parity import Parity
from teaching.examples import Examples


def conjunction_sequence(f: Conjunction, monotone: bool = False) -> Examples:
    """Teaching sequence of a conjunction (see the module docstring)."""
    if not isinstance(f, Conjunction):
        raise ValueError(f"f must be a Conjunction, got {type(f).__name__}")
    if f.contradictory:
        raise ValueError(f"f must not hold a contradictory pair of literals, got {f}")
    if monotone and f.negative:
        raise ValueError(f"f must be monotone (no negated literal) for monotone=True, got {f}")
    n = f.n
    relevant = np.zeros(n, dtype=bool)
    base = np.zeros(n, dtype=np.uint8)
    for lit in f.literals:
        relevant[abs(lit) - 1] = True
        base[abs(lit) - 1] = 1 if lit > 0 else 0
    positives = [base.copy()]
    if not monotone and not relevant.all():
        second = base.copy()
        second[~relevant] = 1
        positives.append(second)
    if monotone and relevant.all() and len(f.literals) > 0:
        positives = []  # for k = n the negatives alone identify the target
    negatives = []
    for lit in f.literals:
        x = base.copy()
        x[abs(lit) - 1] ^= 1
        negatives.append(x)
    xs = np.array(positives + negatives, dtype=np.uint8).reshape(-1, n)
    ys = np.array([1] * len(positives) + [0] * len(negatives), dtype=np.uint8)
    return Examples(xs, ys)


def disjunction_sequence(f: Disjunction, monotone: bool = False) -> Examples:
    """Teaching sequence of a disjunction: the dual of its De Morgan conjunction's sequence
    with every bit complemented (so monotone stays monotone) and every label flipped."""
    if not isinstance(f, Disjunction):
        raise ValueError(f"f must be a Disjunction, got {type(f).__name__}")
    # f(x) = ~g(~x) with g the conjunction of the same literals: complementing inputs maps
    # g's examples to f's, and g's labels flip.
    g = Conjunction(f.n, f.literals)
    ex = conjunction_sequence(g, monotone=monotone)
    return Examples(1 - ex.xs, 1 - ex.ys)


def parity_sequence(f: Parity) -> Examples:
    """The ``n`` unit vectors labelled by ``f``: a basis of GF(2)^n."""
    if not isinstance(f, Parity):
        raise ValueError(f"f must be a Parity, got {type(f).__name__}")
    return Examples.labelled_by(f, np.eye(f.n, dtype=np.uint8))


def sparse_parity_sequence(f: Parity) -> Examples:
    """``min(k, n - k)`` unit vectors for an exactly-``k`` parity (see the module docstring)."""
    if not isinstance(f, Parity):
        raise ValueError(f"f must be a Parity, got {type(f).__name__}")
    k, n = len(f.variables), f.n
    inside = [v - 1 for v in f.variables]
    cols = inside if k <= n - k else [i for i in range(n) if i + 1 not in f.variables]
    return Examples.labelled_by(f, np.eye(n, dtype=np.uint8)[cols])
