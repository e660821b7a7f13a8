"""The task registry: every prompt distribution of Bhattamishra et al. (ICLR 2024), SPEC §1.

A task fixes how the target ``f`` is drawn, how the inputs of a prompt are drawn (uniform on
``{0,1}^n``, then "forcing": each example independently with probability ``q`` has the bits of
some literals overwritten), and the paper's default ``n`` and number of points. Every number of
a distribution lives in its :class:`Distribution`, read by both the vectorised sampler
(:mod:`boolfun.samplers`) and the per-example reference (:mod:`boolfun.reference`).

>>> get_task("conjunction").default_n, get_task("conjunction").default_points
(28, 70)
>>> get_task("sparse_parity").params["k"]
2
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import isfinite
from typing import Any, Literal

from boolfun.bits import check_int

Family = Literal[
    "conjunction",
    "disjunction",
    "dnf",
    "cnf",
    "majority",
    "threshold",
    "halfspace",
    "parity",
    "nearest_neighbour",
]
"""How labels are computed (and which :mod:`boolfun` class represents ``f``)."""


@dataclass(frozen=True)
class Distribution:
    """The numbers of a task's distribution over functions and inputs.

    Literal-based families (conjunction, disjunction, dnf, cnf) draw for every variable (and
    every term/clause) independently: positive literal w.p. ``p_positive``, negative literal w.p.
    ``p_negative``, absent otherwise. ``majority`` and ``parity`` put each variable in ``S``
    w.p. ``p_positive``. With ``exactly_k`` the set of (positive) literals / variables is instead
    a uniform ``k``-subset, ``k`` the task parameter. Threshold-type families draw each weight
    from ``weights`` with probabilities ``weight_probs`` and the bias uniformly from ``biases``.
    Inputs: every bit independently 1 w.p. ``p_one`` (the paper: uniform, 0.5), then the
    forcing rule with probability ``force`` (literal families only, :data:`FORCING_FAMILIES`).
    """

    family: Family
    p_positive: float = 0.0  # per variable: positive literal / membership in S
    p_negative: float = 0.0  # per variable: negative literal
    exactly_k: bool = False  # uniform k-subset (k = the task parameter) instead of the above
    groups: int = 1  # terms of a DNF, clauses of a CNF
    force: float = 0.0  # forcing probability q per example (0: none)
    weights: tuple[int, ...] = ()  # threshold / halfspace weight values ...
    weight_probs: tuple[float, ...] = ()  # ... and their probabilities
    biases: tuple[Fraction, ...] = ()  # the bias b is uniform over these
    p_one: float = 0.5  # per input bit: probability of a 1 (before forcing)

    @property
    def p_absent(self) -> float:
        """Probability that a variable carries no literal."""
        return 1.0 - self.p_positive - self.p_negative


@dataclass(frozen=True)
class Task:
    """A registered task: name, the paper's defaults, and its distribution.

    ``params`` are the task's integer parameters with their defaults (``k`` of the sparse tasks,
    ``start`` of nearest_neighbour); :func:`resolve_params` validates user overrides.
    """

    name: str
    default_n: int
    default_points: int
    description: str  # one line: how f is drawn and the forcing rule
    min_n: int = 1
    params: Mapping[str, int] = field(default_factory=dict)
    dist: Distribution = field(kw_only=True)

    @property
    def family(self) -> Family:
        """The label rule (see :data:`Family`)."""
        return self.dist.family

    @property
    def has_function(self) -> bool:
        """Whether prompts are labelled by a fixed Boolean function (not nearest_neighbour)."""
        return self.dist.family != "nearest_neighbour"


FORCING_FAMILIES: tuple[Family, ...] = ("conjunction", "disjunction", "dnf", "cnf")
"""The families with a forcing rule (the others only accept ``force`` 0)."""

_HALF = Fraction(1, 2)
_THRESHOLD_BIASES = tuple(Fraction(2 * k + 1, 2) for k in range(-3, 3))  # -2.5, ..., 2.5


def _literal_task(
    name: str,
    family: Family,
    p: tuple[float, float],
    force: float,
    n: int,
    points: int,
    what: str,
    groups: int = 1,
) -> Task:
    return Task(
        name,
        n,
        points,
        what,
        dist=Distribution(family, p_positive=p[0], p_negative=p[1], groups=groups, force=force),
    )


TASKS: dict[str, Task] = {
    t.name: t
    for t in [
        _literal_task(
            "conjunction", "conjunction", (0.15, 0.15), 0.30, 28, 70,
            "AND of literals, each var +lit .15 / -lit .15 / absent .70; "
            "w.p. .30 an example has all literals made true",
        ),
        _literal_task(
            "disjunction", "disjunction", (0.15, 0.15), 0.30, 28, 70,
            "OR of literals, each var +lit .15 / -lit .15 / absent .70; "
            "w.p. .30 an example has all literals made false",
        ),
        Task(
            "sparse_disjunction", 28, 70,
            "OR of exactly k positive literals (uniform k-subset); "
            "w.p. .30 an example has all literals made false",
            params={"k": 4},
            dist=Distribution("disjunction", exactly_k=True, force=0.30),
        ),
        _literal_task(
            "dnf", "dnf", (0.10, 0.10), 0.35, 28, 100,
            "OR of 3 terms, per term each var +lit .10 / -lit .10 / absent .80; one term per "
            "prompt, w.p. .35 an example has it made true",
            groups=3,
        ),
        _literal_task(
            "cnf", "cnf", (0.10, 0.10), 0.30, 28, 100,
            "AND of 3 clauses, per clause each var +lit .10 / -lit .10 / absent .80; one clause "
            "per prompt, w.p. .30 an example has it made false",
            groups=3,
        ),
        _literal_task(
            "monotone_dnf", "dnf", (0.20, 0.0), 0.35, 28, 100,
            "OR of 3 terms of positive literals, per term each var included w.p. .20; one term "
            "per prompt, w.p. .35 an example has it made true",
            groups=3,
        ),
        _literal_task(
            "monotone_cnf", "cnf", (0.20, 0.0), 0.30, 28, 100,
            "AND of 3 clauses of positive literals, per clause each var included w.p. .20; one "
            "clause per prompt, w.p. .30 an example has it made false",
            groups=3,
        ),
        Task(
            "majority", 28, 100,
            "more ones than zeros among x_S, each var in S w.p. .30 (ties, empty S: 0); "
            "no forcing",
            dist=Distribution("majority", p_positive=0.30),
        ),
        Task(
            "threshold", 28, 70,
            "w.x' > b with x' = 2x-1, w in {0,+1,-1} w.p. .70/.15/.15, b uniform in "
            "{-2.5,...,2.5}; no forcing",
            dist=Distribution(
                "threshold",
                weights=(0, 1, -1),
                weight_probs=(0.70, 0.15, 0.15),
                biases=_THRESHOLD_BIASES,
            ),
        ),
        Task(
            "halfspace", 20, 70,
            "w.x' > 0.5 with x' = 2x-1, w uniform in {-3..3}^n; no forcing",
            dist=Distribution(
                "halfspace",
                weights=tuple(range(-3, 4)),
                weight_probs=(1 / 7,) * 7,
                biases=(_HALF,),
            ),
        ),
        Task(
            "parity", 10, 140,
            "XOR of x_S, S uniform over all 2^n subsets; no forcing",
            dist=Distribution("parity", p_positive=0.5),
        ),
        Task(
            "sparse_parity", 10, 140,
            "XOR of x_S, S a uniform k-subset; no forcing",
            params={"k": 2},
            dist=Distribution("parity", exactly_k=True),
        ),
        Task(
            "nearest_neighbour", 10, 100,
            "no fixed f: first `start` labels uniform (an exact repeat takes its first copy's), "
            "each later label copies the label of the nearest earlier point (Hamming = cosine "
            "in ±1 coding; ties: earliest)",
            params={"start": 30},
            dist=Distribution("nearest_neighbour"),
        ),
        _literal_task(
            "monotone_conjunction", "conjunction", (0.30, 0.0), 0.30, 28, 70,
            "AND of positive literals, each var included w.p. .30; "
            "w.p. .30 an example has all literals made true",
        ),
        _literal_task(
            "conjunction_small", "conjunction", (0.25, 0.25), 0.30, 7, 50,
            "AND of literals, each var +lit .25 / -lit .25 / absent .50; "
            "w.p. .30 an example has all literals made true",
        ),
        _literal_task(
            "disjunction_small", "disjunction", (0.25, 0.25), 0.30, 7, 50,
            "OR of literals, each var +lit .25 / -lit .25 / absent .50; "
            "w.p. .30 an example has all literals made false",
        ),
        Task(
            "majority_small", 7, 50,
            "more ones than zeros among x_S, each var in S w.p. .50 (ties, empty S: 0); "
            "no forcing",
            dist=Distribution("majority", p_positive=0.50),
        ),
        _literal_task(
            "monotone_conjunction_small", "conjunction", (0.50, 0.0), 0.30, 7, 50,
            "AND of positive literals, each var included w.p. .50; "
            "w.p. .30 an example has all literals made true",
        ),
    ]
}  # fmt: skip


TEACHING_CLASSES: Mapping[str, str] = {
    "conjunction": "conjunction",
    "conjunction_small": "conjunction",
    "monotone_conjunction": "monotone_conjunction",
    "monotone_conjunction_small": "monotone_conjunction",
    "disjunction": "disjunction",
    "disjunction_small": "disjunction",
    "sparse_disjunction": "disjunction",
    "monotone_dnf": "dnf",
    "monotone_cnf": "cnf",
    "majority": "majority",
    "majority_small": "majority",
    "parity": "parity",
    "sparse_parity": "parity",
}
"""Task -> the function class (a name of :data:`boolfun.classes.CLASSES`, with the parameters
of :data:`TEACHING_CLASS_PARAMS`) inside which a task's target is taught
(:func:`teaching.construct.teaching_sequence`): prompts that start with a teaching sequence use
this class. Tasks not listed have no closed-form teaching construction (``dnf`` and ``cnf``
with negative literals among them: their teaching sets come from the exact solver only)."""

TEACHING_CLASS_PARAMS: Mapping[str, Mapping[str, Any]] = {
    "monotone_dnf": {"terms": 3, "monotone": True},
    "monotone_cnf": {"clauses": 3, "monotone": True},
}
"""Parameters of the teaching class of a task (:func:`boolfun.classes.make_class`)."""


def teaching_class(task: str) -> str | None:
    """The class of :data:`TEACHING_CLASSES` for ``task`` (``None``: the task cannot be
    taught); an unknown task raises ``ValueError``."""
    return TEACHING_CLASSES.get(get_task(task).name)


def teaching_class_params(task: str) -> dict[str, Any]:
    """The parameters of ``task``'s teaching class (:data:`TEACHING_CLASS_PARAMS`)."""
    return dict(TEACHING_CLASS_PARAMS.get(get_task(task).name, {}))


def get_task(name: str) -> Task:
    """The registered task called ``name``; ``ValueError`` listing the names otherwise."""
    if not isinstance(name, str) or name not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {name!r}")
    return TASKS[name]


def resolve_params(task: Task, n: int, params: Mapping[str, Any]) -> dict[str, int]:
    """The task's parameters with ``params`` overriding the defaults, validated for this ``n``.

    ``k`` (sparse tasks) must lie in ``[1, n]``; ``start`` (nearest_neighbour) must be >= 1.
    Unknown names raise ``ValueError`` listing the allowed ones.
    """
    for name in params:
        if name not in task.params:
            raise ValueError(
                f"unknown parameter {name!r} for task {task.name!r}: allowed parameters are "
                f"{sorted(task.params)}"
            )
    out = {**task.params, **params}
    for name, value in out.items():
        if name == "k":
            try:
                out[name] = check_int(value, "k", 1, n)
            except ValueError as e:
                raise ValueError(f"{e} (k may not exceed n={n})") from None
        elif name == "start":
            out[name] = check_int(value, "start", 1)
        else:  # pragma: no cover - every registered parameter is handled above
            out[name] = check_int(value, name)
    return out


def _probability(value: Any, name: str, *, open_interval: bool = False) -> float:
    """``value`` as a float in [0, 1] (``(0, 1)`` with ``open_interval``), else ``ValueError``
    naming ``name``."""
    interval = "(0, 1)" if open_interval else "[0, 1]"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    v = float(value)
    inside = 0.0 < v < 1.0 if open_interval else 0.0 <= v <= 1.0
    if not (isfinite(v) and inside):
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    return v


def with_inputs(task: Task, *, force: float | None = None, p_one: float | None = None) -> Task:
    """``task`` with its input distribution changed, for out-of-distribution sampling and
    evaluation; the registry is untouched (a new frozen :class:`Task` is returned).

    ``force`` overrides the forcing probability ``q`` (a number in [0, 1]; ``None`` keeps the
    task's). Only tasks of :data:`FORCING_FAMILIES` have a forcing rule; the others accept only
    ``None`` or 0. ``p_one`` (in ``(0, 1)``; ``None`` keeps the task's 0.5) is the probability
    that an input bit is 1 before forcing. Errors are ``ValueError`` naming the argument.
    """
    changes: dict[str, float] = {}
    if force is not None:
        q = _probability(force, "force")
        if q > 0 and task.family not in FORCING_FAMILIES:
            allowed = sorted(n for n, t in TASKS.items() if t.family in FORCING_FAMILIES)
            raise ValueError(
                f"force must be 0 for task {task.name!r} (family {task.family} has no forcing "
                f"rule); force may be set for the tasks {allowed}"
            )
        changes["force"] = q
    if p_one is not None:
        changes["p_one"] = _probability(p_one, "p_one", open_interval=True)
    if not changes:
        return task
    return replace(task, dist=replace(task.dist, **changes))
