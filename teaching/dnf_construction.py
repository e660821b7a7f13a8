"""The paper's per-term teaching sequence for monotone DNF (Bhattamishra et al. 2024, §5 and
appendix, after Goldman & Kearns 1995), its CNF dual, and a diagnosis of when it teaches.

Let ``f = T_1 | ... | T_k`` be a monotone DNF, each term ``T_i`` a set of variables, and write
``1_S`` for the point with ones exactly on ``S``. The construction lists

* for each term the positive ``p_i = 1_{T_i}`` (the term's variables 1, the others 0), then
* for each term and each ``v in T_i`` the negative ``q_{i,v} = 1_{T_i - {v}}``,

every point once (the first occurrence kept; distinct terms can share a ``q``), each labelled
by ``f``. Facts (``S`` is a term of a monotone ``h``; ``h(1_A) = 1`` iff some term ``S ⊆ A``):

* ``f(p_i) = 1`` always; ``f(q_{i,v}) = 1`` iff some term ``T_j ⊊ T_i`` avoids ``v``. So every
  intended negative is labelled 0 iff no term strictly contains another.
* If the terms are distinct and none contains another (an *irredundant* DNF: its terms are then
  the prime implicants, the minimal true points of ``f``), every monotone ``h`` consistent with
  the examples has each ``T_i`` as a term: ``h(p_i) = 1`` gives a term ``S ⊆ T_i``, and
  ``h(q_{i,v}) = 0`` for every ``v in T_i`` forces ``v in S``, so ``S = T_i``. Hence inside the
  monotone DNFs with at most ``k`` terms, ``h = f``: the sequence teaches, with at most
  ``k + sum_i |T_i|`` examples.
* In a class allowing more than ``k`` terms, ``h = f | S`` is consistent whenever ``1_S`` is a
  false point of ``f`` below no ``q_{i,v}``; then it does not teach (the constant 1,
  ``T_1 = {}``, is the exception: ``h(0) = 1`` forces ``h = 1``). With repeated or absorbed
  terms the intended negatives can be positive and ``f`` has fewer prime implicants than terms.
  :func:`diagnose_dnf` reports all of this; the SAT check :func:`teaching.uniqueness.verify`
  is the judge.
* The sequence is usually not minimum once there are several terms: distinct terms need
  fewer examples than ``k + sum |T_i|`` to be pinned down (compare the exact
  :func:`teaching.dimension.teaching_dimension`; in the tests' seeded sample of irredundant
  2- and 3-term targets with ``n <= 5`` it was minimum for 1 in 28, 1.6 examples too many on
  average). For one term it is the monotone conjunction sequence plus, when ``|T_1| = n``,
  the positive, which the DNF class needs because it contains the constant 0: minimum.

CNF is the dual: ``f = C_1 & ... & C_k`` (monotone clauses) satisfies ``f(x) = ~g(~x)`` for the
monotone DNF ``g = C_1 | ... | C_k`` with the same variable sets (each clause read as a term).
Complementing every bit and every label maps ``g``'s examples to ``f``'s and any set teaching
``g`` among monotone ``k``-term DNFs to one teaching ``f`` among monotone ``k``-clause CNFs.

**The compact sequence** (:func:`compact_dnf_sequence`). The proof above uses of the negatives
only that every ``q_{i,v}`` lies below some negative example: a negative ``1_A`` with
``T_i - {v} ⊆ A`` and ``v ∉ A`` rules out every term ``S ⊆ T_i - {v}`` just as ``q_{i,v}``
does. So one negative can stand for a *group* ``G`` of pairs ``(i, v)``, namely
``1_A`` with ``A = ∪_{(i,v) in G} (T_i - {v})``, provided ``A`` contains no term (it is then a
false point) and no ``v`` of the group (it is then below no ``T_i`` of the group). Two pairs of
one term never share a group (``(T_i - {v}) ∪ (T_i - {u}) = T_i``), and a subset of a valid group
is valid. The compact sequence is the ``k`` positives and one negative per group of a *minimum
cover* of the pairs by valid groups (exact, as a minimum hitting set: pysat's ``Hitman``):
``k + c`` examples with ``max_i |T_i| <= c <= sum_i |T_i|``, and it teaches whenever the
per-term sequence is proved to (same argument). The bound ``c >= max_i |T_i|`` is also a lower
bound on ``TD`` minus ``k``: the ``k`` DNFs with one term dropped and the ``|T_i|`` with one
variable dropped from the largest term have pairwise-disjoint difference sets
(:func:`teaching.symbolic.neighbours` lists them), so when the cover reaches ``max |T_i|`` the
compact sequence is minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any, Literal

import numpy as np
from pysat.examples.hitman import Hitman
from pysat.solvers import Solver

from boolfun.normal_forms import CNF, DNF
from teaching.examples import Examples

Kind = Literal["term", "clause"]


@dataclass(frozen=True)
class DNFDiagnosis:
    """What :func:`diagnose_dnf` (or :func:`diagnose_cnf`) found about the per-term sequence.

    ``groups`` are the terms (clauses) as given, each a sorted tuple of variables. Indices
    below are positions in ``groups``:

    * ``repeated``: groups equal to an earlier group;
    * ``absorbed``: pairs ``(i, j)`` with ``groups[i]`` a strict superset of ``groups[j]``
      (DNF: term ``i`` implies term ``j``; CNF: clause ``j`` implies clause ``i``), so group
      ``i`` is redundant;
    * ``mislabelled``: pairs ``(i, v)`` whose intended negative ``q_{i,v}`` (CNF: intended
      positive) the target labels the other way, so the sequence's labels differ from the
      construction's intent;
    * ``limit``: the class's largest number of terms (clauses), when known.
    """

    kind: Kind
    groups: tuple[tuple[int, ...], ...]
    repeated: tuple[int, ...]
    absorbed: tuple[tuple[int, int], ...]
    mislabelled: tuple[tuple[int, int], ...]
    limit: int | None = None

    @property
    def irredundant(self) -> bool:
        """No repeated group and none containing another."""
        return not self.repeated and not self.absorbed

    @property
    def prime_count(self) -> int:
        """The number of distinct groups that contain no other group (the prime implicants of
        a DNF, prime implicates of a CNF): the fewest terms (clauses) of any monotone form."""
        dropped = set(self.repeated) | {i for i, _ in self.absorbed}
        return len(self.groups) - len(dropped)

    @property
    def constant(self) -> bool:
        """Whether the target is the absorbing constant (an empty term / empty clause)."""
        return () in self.groups

    @property
    def guaranteed(self) -> bool:
        """Whether the module docstring's proof applies: irredundant, and either the class
        allows no more groups than the target has (``limit`` unknown: assumed equal) or the
        target is the absorbing constant. When ``False`` the sequence may or may not teach."""
        if not self.irredundant or not self.groups:
            return False
        return self.constant or self.limit is None or self.limit <= len(self.groups)

    def problems(self) -> list[str]:
        """Readable reasons why the proof of uniqueness does not apply (empty when it does)."""
        k = self.kind
        out: list[str] = []
        if not self.groups:
            out.append(f"no {k}s: the empty sequence teaches nothing in a class with members")
        for i in self.repeated:
            out.append(f"{k} {i + 1} repeats an earlier {k}")
        for i, j in self.absorbed:
            out.append(f"{k} {i + 1} is absorbed by {k} {j + 1} (redundant)")
        for i, v in self.mislabelled:
            want = "negative" if k == "term" else "positive"
            out.append(f"the intended {want} of {k} {i + 1} without x{v} is labelled the other way")
        if (
            self.groups
            and not self.constant
            and self.limit is not None
            and self.prime_count < self.limit
        ):
            out.append(
                f"the target has {self.prime_count} prime {k}(s) but the class allows "
                f"{self.limit}: uniqueness is not guaranteed"
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "kind": self.kind,
            "irredundant": self.irredundant,
            "guaranteed": self.guaranteed,
            "problems": self.problems(),
        }


def _monotone_groups(f: Any, rep: type, kind: Kind) -> tuple[tuple[int, ...], ...]:
    if not isinstance(f, rep):
        raise ValueError(f"f must be a {rep.__name__}, got {type(f).__name__}")
    if any(lit < 0 for g in f.groups for lit in g):
        raise ValueError(f"f must be monotone (no negated literal in any {kind}), got {f}")
    return tuple(tuple(g) for g in f.groups)


def _diagnose(groups: tuple[tuple[int, ...], ...], kind: Kind, limit: int | None) -> DNFDiagnosis:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"{kind}s must be a positive integer or None, got {limit!r}")
    sets = [frozenset(g) for g in groups]
    repeated = tuple(i for i, s in enumerate(sets) if s in sets[:i])
    absorbed = tuple((i, j) for i, s in enumerate(sets) for j, t in enumerate(sets) if t < s)
    mislabelled = tuple(
        (i, v) for i, s in enumerate(sets) for v in sorted(s) if any(t <= s - {v} for t in sets)
    )
    return DNFDiagnosis(kind, groups, repeated, absorbed, mislabelled, limit)


def diagnose_dnf(f: DNF, terms: int | None = None) -> DNFDiagnosis:
    """Whether the per-term sequence of the monotone DNF ``f`` is proved to teach it in the
    monotone DNFs with at most ``terms`` terms (see :class:`DNFDiagnosis`)."""
    return _diagnose(_monotone_groups(f, DNF, "term"), "term", terms)


def diagnose_cnf(f: CNF, clauses: int | None = None) -> DNFDiagnosis:
    """:func:`diagnose_dnf` for the monotone CNF ``f`` (through its dual DNF)."""
    return _diagnose(_monotone_groups(f, CNF, "clause"), "clause", clauses)


def _points(n: int, groups: tuple[tuple[int, ...], ...]) -> np.ndarray:
    """``p_1..p_k`` then ``q_{i,v}`` (term order, variable order), each point once."""
    rows: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()

    def add(vs: set[int]) -> None:
        row = tuple(1 if i + 1 in vs else 0 for i in range(n))
        if row not in seen:
            seen.add(row)
            rows.append(row)

    for g in groups:
        add(set(g))
    for g in groups:
        for v in g:
            add(set(g) - {v})
    return np.array(rows, dtype=np.uint8).reshape(-1, n)


def monotone_dnf_sequence(f: DNF) -> Examples:
    """The paper's per-term sequence of a monotone DNF, labelled by ``f`` (see the module
    docstring: positives ``1_{T_i}``, then ``1_{T_i - {v}}``; each point once). It teaches
    when :func:`diagnose_dnf` says ``guaranteed``; otherwise check it with ``verify``."""
    groups = _monotone_groups(f, DNF, "term")
    return Examples.labelled_by(f, _points(f.n, groups))


def monotone_cnf_sequence(f: CNF) -> Examples:
    """The dual sequence of a monotone CNF: the per-term sequence of ``g = C_1 | ... | C_k``
    with every bit and every label complemented (so ``f(x) = ~g(~x)`` labels it)."""
    groups = _monotone_groups(f, CNF, "clause")
    ex = monotone_dnf_sequence(DNF(f.n, groups))
    return Examples(1 - ex.xs, 1 - ex.ys)


MAX_GROUPS = 200_000
"""Most candidate groups :func:`compact_dnf_sequence` lists (the product of ``|T_i| + 1``);
past it the per-term sequence is returned unchanged."""


def negative_groups(groups: tuple[tuple[int, ...], ...]) -> list[tuple[tuple[int, int], ...]]:
    """The maximal valid groups of pairs ``(i, v)`` of the module docstring (at most one pair
    per term; the union ``A`` of the ``T_i - {v}`` holds no term and no ``v`` of the group).
    Empty when the candidates exceed :data:`MAX_GROUPS`."""
    sets = [frozenset(g) for g in groups]
    choices = [[None, *sorted(s)] for s in sets]
    size = 1
    for c in choices:
        size *= len(c)
    if size > MAX_GROUPS:
        return []
    valid: list[frozenset[tuple[int, int]]] = []
    for pick in product(*choices):
        group = frozenset((i, v) for i, v in enumerate(pick) if v is not None)
        if not group:
            continue
        a = frozenset().union(*(sets[i] - {v} for i, v in group))
        if any(v in a for _, v in group) or any(s <= a for s in sets):
            continue
        valid.append(group)
    keep = [g for g in valid if not any(g < h for h in valid if len(h) > len(g))]
    return [tuple(sorted(g)) for g in keep]


def compact_dnf_sequence(f: DNF) -> Examples:
    """The compact sequence of the monotone DNF ``f`` (module docstring): the positives
    ``1_{T_i}`` and one negative per group of a minimum cover of the pairs ``(i, v)``. It
    teaches when the per-term sequence is proved to; when that proof does not apply
    (:func:`diagnose_dnf`) or the groups are too many, the per-term sequence is returned."""
    groups = _monotone_groups(f, DNF, "term")
    d = _diagnose(groups, "term", None)
    pairs = [(i, v) for i, g in enumerate(groups) for v in g]
    cover = negative_groups(groups) if d.irredundant and not d.mislabelled and pairs else []
    if not cover:
        return monotone_dnf_sequence(f)
    with Hitman(bootstrap_with=[[j for j, g in enumerate(cover) if p in g] for p in pairs],
                htype="sorted") as h:
        chosen = h.get()
    rows = [tuple(1 if i + 1 in set(g) else 0 for i in range(f.n)) for g in groups]
    for j in sorted(chosen):
        a = set().union(*(set(groups[i]) - {v} for i, v in cover[j]))
        rows.append(tuple(1 if i + 1 in a else 0 for i in range(f.n)))
    return Examples.labelled_by(f, np.array(rows, dtype=np.uint8).reshape(-1, f.n))


def compact_cnf_sequence(f: CNF) -> Examples:
    """The dual of :func:`compact_dnf_sequence` for a monotone CNF (bits and labels
    complemented)."""
    groups = _monotone_groups(f, CNF, "clause")
    ex = compact_dnf_sequence(DNF(f.n, groups))
    return Examples(1 - ex.xs, 1 - ex.ys)


Group = tuple[tuple[int, int], ...]


def signed_groups(f: DNF) -> tuple[list[tuple[int, int]], dict[Group, np.ndarray]]:
    """For a DNF with literals of either sign: its pairs ``(i, l)`` (term index, literal) that
    have a negative at all, and the maximal valid groups of the signed sequence (see
    :func:`signed_dnf_sequence`), each with its negative point. Past :data:`MAX_GROUPS`
    candidate groups only single pairs are tried."""
    n, terms = f.n, [tuple(g) for g in f.groups]
    size = 1
    for t in terms:
        size *= len(t) + 1
    picks: Any
    if size > MAX_GROUPS:
        picks = [tuple(lit if j == i else None for j in range(len(terms)))
                 for i, t in enumerate(terms) for lit in t]
    else:
        picks = product(*[[None, *t] for t in terms])
    # selector s_j -> (term j is false); the model's free bits prefer 0
    with Solver(name="m22") as sat:
        sel = [n + 1 + j for j in range(len(terms))]
        for j, t in enumerate(terms):
            sat.add_clause([-sel[j], *(-lit for lit in t)])
        sat.set_phases([-(v + 1) for v in range(n)])
        valid: dict[frozenset[tuple[int, int]], np.ndarray] = {}
        for pick in picks:
            group = frozenset((i, lit) for i, lit in enumerate(pick) if lit is not None)
            if not group:
                continue
            fixed = {u if u != lit else -u for i, lit in group for u in terms[i]}
            if any(-u in fixed for u in fixed):
                continue  # the group's literals contradict each other
            inside = {i for i, _ in group}
            outside = [sel[j] for j in range(len(terms)) if j not in inside]
            if not sat.solve(assumptions=sorted(fixed) + outside):
                continue  # the other terms cannot all be falsified
            model = set(sat.get_model())
            valid[group] = np.array([1 if v + 1 in model else 0 for v in range(n)], np.uint8)
    keep = {g: x for g, x in valid.items() if not any(g < h for h in valid)}
    pairs = sorted({p for g in keep for p in g})
    return pairs, {tuple(sorted(g)): x for g, x in keep.items()}


def signed_dnf_sequence(f: DNF) -> Examples:
    """A teaching-set candidate for a DNF ``f = T_1 | ... | T_k`` with literals of both signs,
    in the class of DNFs with at most ``k`` terms: the conjunction sequence of each term
    (Goldman & Kearns) with its negatives shared between terms, as in
    :func:`compact_dnf_sequence`.

    * Positives: for each term, the two points satisfying it with every other variable 0, then
      1 (a term of a competitor covering both uses only variables of ``T_i``).
    * Negatives: a pair ``(i, l)`` asks for a point where ``T_i`` holds except that ``l`` is
      false and every other term is false (it rules out ``T_i`` without ``l``). A *group* of
      pairs, at most one per term, shares one negative when the literals it fixes (each
      ``T_i`` with its ``l`` flipped) agree and the terms outside the group can all be
      falsified by the free variables (one SAT call each; the free bits are then 0 where
      possible); a pair with no negative at all marks a redundant literal. The negatives are
      one per group of a minimum cover of the pairs by valid groups (pysat's ``Hitman``).

    ``2k + c`` points (fewer when they coincide) with ``c`` at least the largest term's size.
    No proof that it teaches: competitors can regroup the positives among their terms, so
    :func:`teaching.uniqueness.verify` is the judge (the symbolic search completes it with the
    oracle's witnesses when it does not). For more than :data:`MAX_GROUPS` candidate groups the
    negatives are one per pair.

    When ``f`` has fewer terms than the class allows, the class also holds ``f`` with any one
    false point added as a minterm, so a teaching set must hold every false point: the
    sequence does not teach then (nor does anything short of all the false points)."""
    if not isinstance(f, DNF):
        raise ValueError(f"f must be a DNF, got {type(f).__name__}")
    n, terms = f.n, [tuple(g) for g in f.groups]
    rows = []
    for t in terms:
        for fill in (0, 1):
            x = np.full(n, fill, np.uint8)
            for lit in t:
                x[abs(lit) - 1] = 1 if lit > 0 else 0
            rows.append(x)
    pairs, groups = signed_groups(f)
    names = list(groups)
    sets = [[j for j, g in enumerate(names) if p in g] for p in pairs]
    if sets:
        with Hitman(bootstrap_with=sets, htype="sorted") as h:
            chosen = h.get()
        rows += [groups[names[j]] for j in sorted(chosen)]
    xs = np.unique(np.array(rows, dtype=np.uint8).reshape(-1, n), axis=0)
    return Examples.labelled_by(f, xs)


def signed_cnf_sequence(f: CNF) -> Examples:
    """The dual of :func:`signed_dnf_sequence` for a CNF with literals of both signs:
    ``f(x) = ~g(~x)`` for the DNF ``g`` with the same literal groups, so bits and labels are
    complemented."""
    if not isinstance(f, CNF):
        raise ValueError(f"f must be a CNF, got {type(f).__name__}")
    ex = signed_dnf_sequence(DNF(f.n, [tuple(g) for g in f.groups]))
    return Examples(1 - ex.xs, 1 - ex.ys)


def irredundant_dnf(f: DNF) -> DNF:
    """The same monotone function with repeated and absorbed terms removed (its prime
    implicants, in the order of first appearance)."""
    d = diagnose_dnf(f)
    drop = set(d.repeated) | {i for i, _ in d.absorbed}
    return DNF(f.n, [g for i, g in enumerate(d.groups) if i not in drop])


def irredundant_cnf(f: CNF) -> CNF:
    """The same monotone function with repeated and absorbed clauses removed."""
    d = diagnose_cnf(f)
    drop = set(d.repeated) | {i for i, _ in d.absorbed}
    return CNF(f.n, [g for i, g in enumerate(d.groups) if i not in drop])
