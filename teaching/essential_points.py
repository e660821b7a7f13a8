"""Essential points of a linear threshold function: its unique minimum teaching set among all
linear threshold functions (Cover 1965; Hegedűs 1994; Anthony, Brightwell & Shawe-Taylor 1995).

A Boolean ``f`` on ``{0,1}^n`` is a *linear threshold function* (LTF) if some ``w in R^n`` and
``b in R`` give ``f(x) = 1 iff w . x > b`` (strictly, with no point on the hyperplane). A point
``x`` is *essential* for ``f`` if ``f^x`` (``f`` with its label flipped at ``x`` only) is again
an LTF. Then:

* ``f^x`` agrees with ``f`` everywhere but ``x``, so every teaching set of ``f`` in the class of
  all LTFs contains every essential point;
* the essential points, labelled by ``f``, teach ``f`` there (the result cited above), so they
  are the unique minimum teaching set, and they teach ``f`` in every subclass that contains it
  (majorities, the paper's ``{0,±1}`` thresholds, integer halfspaces), there not necessarily
  minimally: ``TD(f, subclass) <= #essential points``.

Deciding "is ``f^x`` an LTF" is linear programming with exact certificates:

* *separable*: an LTF has a realisation with margin, ``s_j (w . x_j - b) >= 1`` for the labels
  ``s_j = ±1`` of all ``2^n`` points. :func:`separate` solves this LP with
  ``scipy.optimize.linprog`` (HiGHS), scales the floating-point solution by ``K`` and rounds it
  to integers ``(W, B)``, and keeps it only if ``s_j (W . x_j - B) > 0`` holds in exact integer
  arithmetic (``K = n + 2`` already absorbs the rounding error of a margin-1 solution; larger
  ``K`` are tried before giving up);
* *inseparable*: by Farkas' lemma there are ``lambda >= 0`` with ``sum lambda = 1`` and
  ``sum_j lambda_j s_j (x_j, -1) = 0`` (a point in both convex hulls). When the margin LP is
  infeasible (or its solution fails the exact check), a second LP finds such ``lambda``; its
  support is re-solved in exact rational arithmetic (``fractions.Fraction``) and kept only if
  the identity holds exactly and ``lambda >= 0``.
* A point where neither certificate survives the exact check is *undecided*: it is included
  in the essential set (a superset of a teaching set still teaches, so the result still
  teaches ``f``; only minimality is lost) and reported in ``EssentialPoints.undecided``. The
  data are small integers, so this has not been observed.

Two exact shortcuts cut the number of LPs. ``f`` must be unate (every LTF is: ``w_i > 0``
makes it increasing in ``x_i``, ``w_i < 0`` decreasing); if not, it is no LTF. And a positive
``x`` with a relevant variable ``i`` at its "true" value such that ``x`` with ``x_i`` flipped is
still positive is not essential (a realisation of ``f^x`` would need ``w_i`` of the wrong sign,
while a pair of points not involving ``x`` that witnesses ``i``'s relevance forces the right
one); dually for negatives. Only the remaining candidates (for ``AND_n``: exactly ``n + 1``)
are decided by LP, each on all ``2^n`` points, so ``n <= ESSENTIAL_MAX_N``.

A realisation ``W . x > B`` with integer ``W, B`` is reported as the :class:`Halfspace`
``[W . x' > 2B - sum W]`` in the ±1 coding of :mod:`boolfun.linear_threshold`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Any, Literal

import numpy as np

from boolfun.bits import all_inputs
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace
from teaching.examples import Examples

ESSENTIAL_MAX_N = 10
"""Largest n for :func:`essential_points` (it decides up to ``2^n`` LPs over ``2^n`` points;
several seconds at ``n = 10`` in the worst case, a dictator, whose points are all essential)."""

SCALES = (1, 16, 1024, 1 << 20)
"""Multiples of ``n + 2`` by which an LP solution is scaled before rounding to integers."""

SUPPORT_TOL = 1e-9
"""Farkas multipliers below this are taken as 0 before the exact re-solve."""

Status = Literal["separable", "inseparable", "undecided"]


@dataclass(frozen=True)
class Separation:
    """The answer of :func:`separate` for labelled 0/1 points.

    ``"separable"``: integers ``weights``, ``threshold`` with ``weights . x > threshold`` for
    the positives and ``< threshold`` for the negatives (checked exactly). ``"inseparable"``:
    ``farkas`` maps point indices to rationals ``lambda_j > 0``, ``sum lambda_j = 1``, with
    ``sum_j lambda_j s_j (x_j, -1) = 0`` exactly. ``"undecided"``: neither certificate held.
    """

    status: Status
    weights: tuple[int, ...] | None = None
    threshold: int | None = None
    farkas: dict[int, Fraction] | None = None

    def halfspace(self, n: int) -> Halfspace:
        """The realisation as a :class:`Halfspace` in the ±1 coding (separable only)."""
        if self.weights is None or self.threshold is None:
            raise ValueError(f"halfspace needs a separable result, got status {self.status!r}")
        return Halfspace(n, self.weights, 2 * self.threshold - sum(self.weights))


def _check_points(xs: Any, ys: Any) -> tuple[np.ndarray, np.ndarray]:
    xs = np.asarray(xs)
    if xs.ndim != 2 or xs.shape[0] == 0:
        raise ValueError(f"xs must have shape (m, n) with m >= 1, got {xs.shape}")
    if not ((xs == 0) | (xs == 1)).all():
        raise ValueError("xs must contain only 0 and 1")
    ys = np.asarray(ys)
    if ys.shape != (xs.shape[0],) or not ((ys == 0) | (ys == 1)).all():
        raise ValueError(f"ys must be {xs.shape[0]} labels in {{0, 1}}, got shape {ys.shape}")
    return xs.astype(np.int64), ys.astype(np.int64)


def check_realisation(xs: np.ndarray, ys: np.ndarray, weights: Any, threshold: int) -> bool:
    """Exactly (Python integers): ``weights . x > threshold`` iff ``y = 1``, never ``=``."""
    xs, ys = _check_points(xs, ys)
    w = [int(v) for v in weights]
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        t = sum(wi for wi, xi in zip(w, x, strict=True) if xi) - int(threshold)
        if t == 0 or (t > 0) != (y == 1):
            return False
    return True


def check_farkas(xs: np.ndarray, ys: np.ndarray, farkas: dict[int, Fraction]) -> bool:
    """Exactly: ``lambda >= 0``, ``sum lambda = 1``, ``sum_j lambda_j s_j (x_j, -1) = 0``, which
    proves that no ``(w, b)`` separates the points (it would make the sum positive)."""
    xs, ys = _check_points(xs, ys)
    if not farkas or any(v < 0 for v in farkas.values()) or sum(farkas.values()) != 1:
        return False
    n = xs.shape[1]
    total = [Fraction(0)] * (n + 1)
    for j, lam in farkas.items():
        s = 1 if ys[j] else -1
        for i in range(n):
            if xs[j, i]:
                total[i] += s * lam
        total[n] -= s * lam
    return all(t == 0 for t in total)


def _round(xs: np.ndarray, s: np.ndarray, v: np.ndarray) -> tuple[tuple[int, ...], int] | None:
    n = xs.shape[1]
    for scale in SCALES:
        k = scale * (n + 2)
        scaled = np.rint(v * k)
        if not np.isfinite(scaled).all() or np.abs(scaled).max() >= 2**52:
            return None
        w = tuple(int(a) for a in scaled[:n])
        b = int(scaled[n])
        # int64 is exact here: |w . x - b| < (n + 1) 2^52 < 2^63 for n <= 10
        margins = s * (xs @ np.array(w, dtype=np.int64) - b)
        if (margins > 0).all():
            g = gcd(*w, b)  # dividing by a positive common factor keeps every sign
            return tuple(a // g for a in w), b // g
    return None


def _solve_exact(columns: list[list[int]], rhs: list[int]) -> list[Fraction] | None:
    """A solution of ``A lambda = rhs`` (``A`` given by its columns) by Gauss-Jordan over the
    rationals, free unknowns 0; ``None`` if inconsistent."""
    rows = len(rhs)
    cols = len(columns)
    a = [[Fraction(columns[c][r]) for c in range(cols)] + [Fraction(rhs[r])] for r in range(rows)]
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        p = next((i for i in range(r, rows) if a[i][c] != 0), None)
        if p is None:
            continue
        a[r], a[p] = a[p], a[r]
        inv = 1 / a[r][c]
        a[r] = [v * inv for v in a[r]]
        for i in range(rows):
            if i != r and a[i][c] != 0:
                f = a[i][c]
                a[i] = [vi - f * vr for vi, vr in zip(a[i], a[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    if any(a[i][cols] != 0 for i in range(r, rows)):
        return None
    sol = [Fraction(0)] * cols
    for i, c in enumerate(pivots):
        sol[c] = a[i][cols]
    return sol


def _farkas(xs: np.ndarray, s: np.ndarray) -> dict[int, Fraction] | None:
    from scipy.optimize import linprog

    m, n = xs.shape
    aug = np.hstack([xs, -np.ones((m, 1), dtype=np.int64)]) * s[:, None]  # rows s_j (x_j, -1)
    a_eq = np.vstack([aug.T, np.ones((1, m), dtype=np.int64)]).astype(float)
    b_eq = np.r_[np.zeros(n + 1), 1.0]
    res = linprog(np.zeros(m), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    support = [int(j) for j in np.flatnonzero(res.x > SUPPORT_TOL)]
    if not support:
        return None
    cols = [[int(v) for v in aug[j]] + [1] for j in support]
    sol = _solve_exact(cols, [0] * (n + 1) + [1])
    if sol is None or any(v < 0 for v in sol):
        return None
    lam = {j: v for j, v in zip(support, sol, strict=True) if v != 0}
    return lam if check_farkas(xs, (s > 0).astype(np.int64), lam) else None


def separate(xs: Any, ys: Any) -> Separation:
    """Whether a hyperplane strictly separates the points ``xs`` labelled ``ys`` (0/1 arrays),
    with an exactly checked certificate either way (see the module docstring)."""
    from scipy.optimize import linprog

    xs, ys = _check_points(xs, ys)
    m, n = xs.shape
    s = 2 * ys - 1
    aug = np.hstack([xs, -np.ones((m, 1), dtype=np.int64)]) * s[:, None]
    res = linprog(
        np.zeros(n + 1),
        A_ub=-aug.astype(float),
        b_ub=-np.ones(m),
        bounds=[(None, None)] * (n + 1),
        method="highs",
    )
    if res.status == 0:
        found = _round(xs, s, res.x)
        if found is not None:
            return Separation("separable", weights=found[0], threshold=found[1])
    lam = _farkas(xs, s)
    if lam is not None:
        return Separation("inseparable", farkas=lam)
    return Separation("undecided")


@dataclass(frozen=True)
class EssentialPoints:
    """The essential points of an LTF ``target`` with their certificates.

    ``examples``: the essential points labelled by the target, positives first (each group in
    input order); ``realisations[i]``: an LTF (a :class:`Halfspace`) equal to the target with
    the label of ``examples.xs[i]`` flipped, the proof that the point is essential;
    ``realisation``: an LTF equal to the target; ``candidates``: how many points needed an LP;
    ``undecided``: points included without a proof either way (see the module docstring).
    """

    target: BooleanFunction
    examples: Examples
    realisations: list[Halfspace | None]
    realisation: Halfspace
    candidates: int
    undecided: list[np.ndarray] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.examples)


def _table(f: BooleanFunction) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(f, BooleanFunction):
        raise ValueError(f"f must be a BooleanFunction, got {type(f).__name__}")
    if f.n > ESSENTIAL_MAX_N:
        raise ValueError(
            f"essential points need n <= {ESSENTIAL_MAX_N} (they decide up to 2^n LPs), got n={f.n}"
        )
    points = all_inputs(f.n)
    return points, f.evaluate(points).astype(np.int64)


def candidate_mask(ys: np.ndarray, n: int) -> np.ndarray:
    """Points that may be essential (see the module docstring) for the truth table ``ys``
    (row ``r`` = input ``r`` of :func:`boolfun.bits.all_inputs`); ``ValueError`` if the
    function is not unate, hence no LTF."""
    r = np.arange(2**n)
    keep = np.ones(2**n, dtype=bool)
    for i in range(n):
        bit = (r >> i) & 1
        other = ys[r ^ (1 << i)]
        up = ys[bit == 1] - ys[r[bit == 1] ^ (1 << i)]  # f(x_i = 1) - f(x_i = 0)
        if (up > 0).any() and (up < 0).any():
            raise ValueError(f"f is not unate in x{i + 1}, so it is no linear threshold function")
        if not up.any():
            continue  # x_i irrelevant: no constraint
        true_value = 1 if (up > 0).any() else 0
        at_true = bit == true_value
        # a positive at x_i's true value whose neighbour is still positive is not essential;
        # dually a negative at the false value whose neighbour is still negative
        keep &= ~((ys == 1) & at_true & (other == 1))
        keep &= ~((ys == 0) & ~at_true & (other == 0))
    return keep


def essential_point_analysis(f: BooleanFunction) -> EssentialPoints:
    """The essential points of ``f`` with certificates (see :class:`EssentialPoints`);
    ``ValueError`` if ``f`` is not a linear threshold function or ``n > ESSENTIAL_MAX_N``."""
    points, ys = _table(f)
    n = f.n
    mask = candidate_mask(ys, n)
    own = separate(points, ys)
    if own.status != "separable":
        why = "proved inseparable" if own.status == "inseparable" else "undecided by the LP"
        raise ValueError(f"f must be a linear threshold function; {f} is not ({why})")
    chosen: list[int] = []
    realisations: list[Halfspace | None] = []
    undecided: list[np.ndarray] = []
    for j in np.flatnonzero(mask).tolist():
        flipped = ys.copy()
        flipped[j] ^= 1
        sep = separate(points, flipped)
        if sep.status == "inseparable":
            continue
        chosen.append(j)
        if sep.status == "separable":
            realisations.append(sep.halfspace(n))
        else:
            realisations.append(None)
            undecided.append(points[j].copy())
    labels = ys[chosen]
    order = np.lexsort((np.arange(len(chosen)), 1 - labels)).tolist()  # positives first
    picked = [chosen[i] for i in order]
    return EssentialPoints(
        target=f,
        examples=Examples(points[picked].reshape(-1, n), ys[picked].astype(np.uint8)),
        realisations=[realisations[i] for i in order],
        realisation=own.halfspace(n),
        candidates=int(mask.sum()),
        undecided=undecided,
    )


def essential_points(f: BooleanFunction) -> Examples:
    """The essential points of the linear threshold function ``f``, labelled by ``f``,
    positives first: the unique minimum teaching set of ``f`` among all LTFs, and a teaching
    set in every class of LTFs containing ``f`` (see the module docstring)."""
    return essential_point_analysis(f).examples


def is_linear_threshold(f: BooleanFunction) -> bool:
    """Whether ``f`` (``n <= ESSENTIAL_MAX_N``) is a linear threshold function, by the exactly
    checked LP of :func:`separate` (``ValueError`` if the LP leaves it undecided)."""
    points, ys = _table(f)
    try:
        candidate_mask(ys, f.n)
    except ValueError:
        return False
    sep = separate(points, ys)
    if sep.status == "undecided":
        raise ValueError(f"the LP could not decide whether {f} is a linear threshold function")
    return sep.status == "separable"
