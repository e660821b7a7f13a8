"""The interface of a function class: a finite set ``C`` of Boolean functions of ``n`` variables
with an exact SAT encoding of "``h`` is in ``C``".

An encoding (:class:`ClassEncoding`) introduces *parameter variables* (documented per class)
and membership clauses in a :class:`~boolfun.sat.circuit.Circuit`; every model of the clauses
describes one ``h in C`` (:meth:`ClassEncoding.decode`) and every ``h in C`` has at least one
model. :meth:`ClassEncoding.output` returns the literal equal to ``h(x)`` over input literals or
constants, so the same code serves fixed points (constants fold: a label costs a few clauses)
and symbolic points (a miter ``h(z) != g(z)``, :meth:`ClassEncoding.differ`). Labels at fixed
points go through :meth:`ClassEncoding.implied`, which threshold-type classes answer with a
one-directional cardinality constraint (easier for CDCL than the two-way reified output).

Semantic membership (:meth:`FunctionClass.coerce`) tries, in order: the class's structural
fast path, class-specific candidates (``convert``, exact at any ``n``), and a counterexample-guided
search over the encoding (:meth:`FunctionClass._search`) on the relevant variables of ``f``:
find ``h in C`` agreeing with ``f`` on the points seen so far, stop if ``h == f``, else add a
point where they differ. Each round adds a new point, so the search ends within ``2^|R|``
rounds; it needs ``|R| <= 16`` relevant variables.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from pysat.card import CardEnc, EncType
from pysat.formula import IDPool

from boolfun.bits import all_inputs, check_bits
from boolfun.function import BooleanFunction
from boolfun.sat.circuit import Circuit, Lit
from boolfun.sat.miter import solver

ENUMERATE_MAX = 1 << 16
"""Largest ``size()`` that :meth:`FunctionClass.enumerate` lists for closed-form classes."""

TABLE_ENUM_MAX_N = 6
"""Enumeration by truth tables stores a table in one uint64, so it needs ``n <= 6``."""

SEARCH_MAX_N = 16
"""Most relevant variables a function may have for the counterexample-guided membership search
(:meth:`FunctionClass._search`); it compares truth tables over them."""


def check_bool(value: Any, name: str) -> bool:
    """Validate a boolean flag."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def lit_value(lit: Lit, true: set[int]) -> bool:
    """The value of a literal (or constant) in a model given by its set of true variables."""
    if isinstance(lit, bool):
        return lit
    return lit in true if lit > 0 else -lit not in true


CARD_ENCODING = EncType.totalizer
"""The pysat encoding of the one-directional cardinality constraints of fixed-point labels."""


def cardinality(
    circuit: Circuit,
    lits: Sequence[int],
    k: int,
    kind: str = "equals",
    unless: int | None = None,
) -> None:
    """Add pysat ``CardEnc`` clauses for ``sum lits == k`` (``kind`` "equals"), ``<= k``
    ("atmost") or ``>= k`` ("atleast") to ``circuit``; with ``unless``, the constraint is
    ``unless OR (constraint)`` (``unless`` added to every clause)."""
    enc = getattr(CardEnc, kind)(
        lits=list(lits), bound=k, vpool=circuit.pool, encoding=EncType.seqcounter
    )
    for cl in enc.clauses:
        circuit.clauses.append(list(cl) if unless is None else [unless, *cl])


def implied_cardinality(circuit: Circuit, lits: Sequence[int], k: int, kind: str) -> Lit:
    """A literal ``a`` with ``a -> sum lits >= k`` (``kind`` "atleast") or ``<= k``
    ("atmost"), by a one-directional pysat ``CardEnc`` (:data:`CARD_ENCODING`); the constant
    ``True`` when the constraint always holds, ``False`` when it never does. Repeated
    literals count with their multiplicity."""
    m = len(lits)
    if kind == "atleast":
        if k <= 0:
            return True
        if k > m:
            return False
    elif kind == "atmost":
        if k >= m:
            return True
        if k < 0:
            return False
    else:
        raise ValueError(f"kind must be 'atleast' or 'atmost', got {kind!r}")
    a = circuit.new_var()
    enc = getattr(CardEnc, kind)(
        lits=list(lits), bound=k, vpool=circuit.pool, encoding=CARD_ENCODING
    )
    circuit.clauses.extend([-a, *cl] for cl in enc.clauses)
    return a


def table_ints(values: np.ndarray) -> np.ndarray:
    """Rows of a boolean matrix (..., 2^n) with ``n <= 6`` as uint64 integers, bit ``r`` =
    column ``r`` (the truth-table convention of :mod:`boolfun.bits`)."""
    values = np.asarray(values, dtype=bool)
    weights = np.left_shift(np.uint64(1), np.arange(values.shape[-1], dtype=np.uint64))
    return (values.astype(np.uint64) * weights).sum(-1, dtype=np.uint64)


class ClassEncoding:
    """SAT encoding of "``h`` is in ``cls``" over the parameter variables ``params``.

    The membership clauses are already in ``circuit.clauses``; every method adds more clauses
    there (an incremental consumer reads ``circuit.clauses[offset:]`` after each call).
    """

    def __init__(self, cls: FunctionClass, circuit: Circuit, params: dict[str, Any]) -> None:
        self.cls = cls
        self.circuit = circuit
        self.params = params
        self._cache: dict[tuple, Lit] = {}
        self._implied: dict[tuple, Lit] = {}

    def __repr__(self) -> str:
        return f"ClassEncoding({self.cls!r}, {len(self.circuit.clauses)} clauses)"

    def _check_inputs(self, inputs: Sequence[Lit]) -> list[Lit]:
        inputs = list(inputs)
        if len(inputs) != self.cls.n:
            raise ValueError(f"inputs must have {self.cls.n} entries, got {len(inputs)}")
        out: list[Lit] = []
        for a in inputs:
            if isinstance(a, bool | np.bool_):
                out.append(bool(a))
            elif isinstance(a, int | np.integer) and a != 0:
                out.append(int(a))
            else:
                raise ValueError(f"inputs must be non-zero integer literals or bools, got {a!r}")
        return out

    def output(self, inputs: Sequence[Lit]) -> Lit:
        """The literal (or constant) equal to ``h(inputs)``; ``inputs`` holds one literal or
        Python bool per variable. Repeated calls with the same inputs share one encoding."""
        x = self._check_inputs(inputs)
        key = tuple(("c", a) if isinstance(a, bool) else a for a in x)
        if key not in self._cache:
            self._cache[key] = self.cls._output(self, x)
        return self._cache[key]

    def label(self, x: Any, y: int, guard: int | None = None) -> None:
        """Add ``h(x) = y`` for a 0/1 point ``x``; with ``guard``, add ``guard -> h(x) = y``."""
        pt = check_bits(np.asarray(x).reshape(-1), self.cls.n, "x")
        if isinstance(y, bool | np.bool_) or (isinstance(y, int | np.integer) and y in (0, 1)):
            y = bool(y)
        else:
            raise ValueError(f"y must be 0 or 1, got {y!r}")
        if guard is not None and (
            isinstance(guard, bool) or not isinstance(guard, int | np.integer) or guard == 0
        ):
            raise ValueError(f"guard must be a non-zero integer literal, got {guard!r}")
        lit = self.implied([bool(v) for v in pt], y)
        self.circuit.add([lit] if guard is None else [-int(guard), lit])

    def implied(self, x: Sequence[bool], y: bool) -> Lit:
        """A literal (or constant) ``a`` with ``a -> h(x) = y`` for a fixed point ``x`` (Python
        bools); cached per ``(x, y)``. Classes whose output is a cardinality constraint encode
        only this direction (cheaper for the solver than the two-way :meth:`output`); the
        others return ``output(x)`` or its negation."""
        key = (tuple(bool(v) for v in x), bool(y))
        if len(key[0]) != self.cls.n:
            raise ValueError(f"x must have {self.cls.n} entries, got {len(key[0])}")
        if key not in self._implied:
            lit = self.cls._implied(self, list(key[0]), key[1])
            if lit is None:
                o = self.output(list(key[0]))
                lit = o if key[1] else self.circuit.neg(o)
            self._implied[key] = lit
        return self._implied[key]

    def differ(self, g: BooleanFunction, prefix: str = "z") -> list[int]:
        """Add a symbolic point ``z`` (pool variables ``f"{prefix}1" .. f"{prefix}n"``) and the
        constraint ``h(z) != g(z)``; returns ``z``'s variables."""
        if not isinstance(g, BooleanFunction) or g.n != self.cls.n:
            raise ValueError(f"g must be a BooleanFunction with n={self.cls.n}, got {g!r}")
        z = [self.circuit.named(f"{prefix}{i}") for i in range(1, self.cls.n + 1)]
        diff = self.circuit.xor2(self.output(z), g.encode(self.circuit, z))
        self.circuit.assert_(diff)
        return z

    def decode(self, model: Iterable[int]) -> BooleanFunction:
        """The ``h`` that a model (a SAT solver's list of signed literals) describes."""
        true = {int(v) for v in model if int(v) > 0}
        return self.cls._decode(self, true)


class FunctionClass(ABC):
    """A class of Boolean functions of ``n`` variables (see the module docstring)."""

    n: int

    # -- identity ----------------------------------------------------------------------------
    @property
    @abstractmethod
    def name(self) -> str:
        """The registry name (``make_class(c.name, c.n, **c.config)`` rebuilds the class)."""

    @property
    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The registry parameters of this class (see :attr:`name`)."""

    @abstractmethod
    def _init_args(self) -> dict[str, Any]:
        """Constructor arguments besides ``n`` (for ``repr``)."""

    def describe(self) -> str:
        """``ConjunctionClass(n=5, monotone=False, k=None, with_constants=False)``."""
        args = ", ".join(f"{k}={v!r}" for k, v in self._init_args().items())
        return f"{type(self).__name__}(n={self.n}{', ' if args else ''}{args})"

    __repr__ = describe

    def short_name(self) -> str:
        """``dnf(terms=3)``: the registry name with its parameters."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"{self.name}({args})" if args else self.name

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.n == self.n  # type: ignore[attr-defined]
            and other._init_args() == self._init_args()  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.n, tuple(self._init_args().items())))

    # -- the set -----------------------------------------------------------------------------
    @abstractmethod
    def enumerate(self) -> list[BooleanFunction]:
        """Every distinct function of the class once, in a deterministic order."""

    @abstractmethod
    def size(self) -> int:
        """The number of distinct functions in the class."""

    def _limit_error(self, max_n: int) -> ValueError:
        return ValueError(f"enumerate() of {self.short_name()} needs n <= {max_n}, got n={self.n}")

    def _check_size_limit(self) -> None:
        if self.size() > ENUMERATE_MAX:
            raise ValueError(
                f"enumerate() of {self.short_name()} lists at most {ENUMERATE_MAX} functions, "
                f"but size() is {self.size()} at n={self.n}"
            )

    # -- sampling ----------------------------------------------------------------------------
    def _task(self) -> tuple[str, dict[str, Any]] | None:
        """The paper's task (name, parameters) for :func:`boolfun.reference.draw_function`
        whose distribution is on this class, or ``None``."""
        return None

    def sample(self, rng: np.random.Generator) -> BooleanFunction:
        """A random member: the paper's distribution for this class
        (:func:`boolfun.reference.draw_function`) where one exists, else
        :meth:`sample_uniform`."""
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        task = self._task()
        if task is None:
            return self.sample_uniform(rng)
        from boolfun.reference import draw_function

        return draw_function(task[0], self.n, rng, **task[1])

    @abstractmethod
    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """A member drawn uniformly from the class's parameter space (documented per class)."""

    # -- membership --------------------------------------------------------------------------
    def _check_function(self, f: Any) -> BooleanFunction:
        if not isinstance(f, BooleanFunction):
            raise ValueError(f"f must be a BooleanFunction, got {type(f).__name__}")
        if f.n != self.n:
            raise ValueError(f"f must have n={self.n} for {self!r}, got n={f.n}")
        return f

    @abstractmethod
    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        """``f`` in the class's representation, or ``None`` if ``f`` is not in the class."""

    def __contains__(self, f: object) -> bool:
        """Semantic membership; objects that are not functions of ``n`` variables are not in."""
        if not isinstance(f, BooleanFunction) or f.n != self.n:
            return False
        return self._find(f) is not None

    def coerce(self, f: BooleanFunction) -> BooleanFunction:
        """``f`` written in the class's representation (``ValueError`` if ``f`` is not in it)."""
        g = self._find(self._check_function(f))
        if g is None:
            raise ValueError(f"function {f} is not in {self!r}")
        return g

    def _sub(self, n: int) -> FunctionClass:
        """The same class over ``n`` variables."""
        return type(self)(n, **self._init_args())  # type: ignore[call-arg]

    def _lift(self, h: BooleanFunction, variables: Sequence[int]) -> BooleanFunction:
        """A member ``h`` of ``self._sub(m)`` rewritten over ``n`` variables, its ``x_j`` renamed
        ``x_{variables[j-1]}``. Classes that use :meth:`_search` implement it."""
        raise NotImplementedError(f"{type(self).__name__} has no counterexample search")

    def _search(self, f: BooleanFunction) -> BooleanFunction | None:
        """Exact membership by counterexample-guided search, for classes closed under dropping
        irrelevant variables (``f in C(n)`` iff ``f`` restricted to its relevant variables
        ``R`` is in ``C(|R|)``): find ``h`` in ``C(|R|)`` agreeing with ``f`` on the points seen
        so far; stop if ``h == f`` (truth tables), else label one point where they differ.
        Needs ``|R| <= SEARCH_MAX_N``."""
        rel = f.relevant_variables()
        if len(rel) > SEARCH_MAX_N:
            raise ValueError(
                f"deciding whether {f} is in {self!r} needs a search over its relevant "
                f"variables, at most {SEARCH_MAX_N} of them; it has {len(rel)}"
            )
        names = rel if rel else (1,)  # a constant: search over one (irrelevant) variable
        sub = self._sub(len(names))
        points = all_inputs(len(names))
        embedded = np.zeros((len(points), self.n), dtype=np.uint8)
        embedded[:, [v - 1 for v in names]] = points
        target = f.evaluate(embedded).astype(bool)
        enc = sub.encode()
        offset = 0
        with solver() as s:
            while True:
                s.append_formula(enc.circuit.clauses[offset:])
                offset = len(enc.circuit.clauses)
                if not s.solve():
                    return None
                h = enc.decode(s.get_model())
                diff = np.flatnonzero(h.table_values() != target)
                if diff.size == 0:
                    return self._lift(h, names)
                enc.label(points[diff[0]], int(target[diff[0]]))

    # -- SAT ---------------------------------------------------------------------------------
    def encode(self, circuit: Circuit | None = None) -> ClassEncoding:
        """SAT encoding of "``h`` is in the class": parameter variables (fresh, anonymous) and
        membership clauses added to ``circuit`` (a new one when omitted)."""
        if circuit is None:
            circuit = Circuit(IDPool())
        elif not isinstance(circuit, Circuit):
            raise ValueError(f"circuit must be a Circuit, got {type(circuit).__name__}")
        return ClassEncoding(self, circuit, self._parameters(circuit))

    @abstractmethod
    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        """Create the parameter variables and add the membership clauses."""

    @abstractmethod
    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        """The literal equal to ``h(x)`` (``x`` validated literals/constants)."""

    @abstractmethod
    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        """The member described by the set of true variables of a model."""

    def _implied(self, enc: ClassEncoding, x: list[bool], y: bool) -> Lit | None:
        """A literal implying ``h(x) = y`` at a fixed point, or ``None`` to use the output."""
        return None


def new_vars(circuit: Circuit, count: int) -> list[int]:
    """``count`` fresh anonymous variables."""
    return [circuit.new_var() for _ in range(count)]
