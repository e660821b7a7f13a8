"""Reading Boolean functions from strings and sympy expressions.

Formulas use sympy's syntax with variables ``x1 .. xn``: ``&`` (and), ``|`` (or), ``~`` (not),
``^`` (xor), parentheses, ``True`` and ``False``. Python precedence applies: ``~`` binds
tightest, then ``&``, ``^``, ``|``; so ``x1 & ~x3 | x2`` is ``(x1 & ~x3) | x2``.

Functional forms, at top level only::

    Majority(x2, x5, x7)
    Threshold(x1 - x3 + x4 > -0.5)      # x_i read as its ±1 value 2 x_i - 1
    Halfspace(3*x1 - 2*x2 + x5 > 0.5)   # likewise
    TruthTable(0xe8)                    # bit r of the integer is f(x^(r)), x1 least significant

:func:`parse` returns the most specific representation (a literal or an ``&`` of literals is a
:class:`Conjunction`, an ``|`` of literals a :class:`Disjunction`, an ``|`` of terms a
:class:`DNF`, an ``&`` of clauses a :class:`CNF`, an ``^`` of variables a :class:`Parity`;
anything else a :class:`TruthTable`), or the one asked for with ``kind``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import sympy
from sympy.logic.boolalg import BooleanFalse, BooleanTrue
from sympy.parsing.sympy_parser import parse_expr, standard_transformations

from boolfun.bits import MAX_TABLE_N, all_inputs, check_n
from boolfun.function import BooleanFunction, symbols
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from boolfun.parity import Parity
from boolfun.truth_table import TruthTable

KINDS: dict[str, type[BooleanFunction]] = {
    "conjunction": Conjunction,
    "disjunction": Disjunction,
    "dnf": DNF,
    "cnf": CNF,
    "parity": Parity,
    "majority": Majority,
    "threshold": Threshold,
    "halfspace": Halfspace,
    "truth_table": TruthTable,
}
"""Representation names accepted by ``kind``."""

GENERIC_TABLE_MAX_N = 16
"""Largest n for which an expression with no compact form becomes a :class:`TruthTable`."""

_FUNCTIONAL = re.compile(r"^\s*(Majority|Threshold|Halfspace|TruthTable)\s*\((.*)\)\s*$", re.S)
_FORMULA_TOKEN = re.compile(r"\s*(?:(x\d+)|(True|False)|([&|~^()]))")
_LINEAR_TOKEN = re.compile(r"\s*(?:(x\d+)|(\d+(?:\.\d*)?|\.\d+)|([-+*/()>]))")
_VAR = re.compile(r"x(\d+)")


def _resolve_kind(kind: Any) -> type[BooleanFunction] | None:
    if kind is None or kind is BooleanFunction:
        return None
    if isinstance(kind, str):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        return KINDS[kind]
    if isinstance(kind, type) and issubclass(kind, BooleanFunction):
        return kind
    raise ValueError(
        f"kind must be one of {sorted(KINDS)} or a BooleanFunction class, got {kind!r}"
    )


def _check_tokens(text: str, n: int, pattern: re.Pattern[str], what: str) -> None:
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            return
        m = pattern.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(
                f"expression: unexpected {text[pos:].strip()[:12]!r} at position {pos} in "
                f"{text!r}; {what}"
            )
        if m.group(1):
            i = int(m.group(1)[1:])
            if not 1 <= i <= n:
                raise ValueError(
                    f"expression: variable {m.group(1)} out of range for n={n}: allowed x1..x{n}"
                )
        pos = m.end()


def _sympy_parse(text: str, n: int) -> sympy.Basic:
    local = {s.name: s for s in symbols(n)}
    global_dict = {
        "Symbol": sympy.Symbol,
        "Integer": sympy.Integer,
        "Float": sympy.Float,
        "Rational": sympy.Rational,
        "And": sympy.And,
        "Or": sympy.Or,
        "Not": sympy.Not,
        "Xor": sympy.Xor,
        "Add": sympy.Add,
        "Mul": sympy.Mul,
        "Pow": sympy.Pow,
        "Gt": sympy.Gt,
        "StrictGreaterThan": sympy.StrictGreaterThan,
        "__builtins__": {},
    }
    try:
        expr = parse_expr(
            text,
            local_dict=local,
            global_dict=global_dict,
            transformations=standard_transformations,
        )
    except (SyntaxError, TypeError, ValueError, AttributeError, sympy.SympifyError) as e:
        raise ValueError(f"expression: malformed {text!r} ({type(e).__name__}: {e})") from None
    if isinstance(expr, bool):
        expr = sympy.true if expr else sympy.false
    return expr


def parse(text: str, n: int, kind: Any = None) -> BooleanFunction:
    """Read a function of ``n`` variables from its string form (see the module docstring).

    ``kind`` (a name from :data:`KINDS` or a class) forces the representation: for example
    ``parse("x1 & x2", 3, "dnf")`` is a one-term DNF.
    """
    n = check_n(n)
    target = _resolve_kind(kind)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"expression must be a non-empty string, got {text!r}")
    m = _FUNCTIONAL.match(text)
    if m:
        f = _parse_functional(m.group(1), m.group(2), n)
        return f if target is None else _convert(f, target)
    _check_tokens(
        text,
        n,
        _FORMULA_TOKEN,
        "formulas may use x1..xn, True, False, &, |, ~, ^ and parentheses, or a functional form "
        "Majority(...), Threshold(... > b), Halfspace(... > b), TruthTable(0x...)",
    )
    return from_sympy(_sympy_parse(text, n), n, kind=target)


def _parse_functional(name: str, args: str, n: int) -> BooleanFunction:
    if name == "Majority":
        items = [a.strip() for a in args.split(",")] if args.strip() else []
        variables = []
        for a in items:
            mv = _VAR.fullmatch(a)
            if not mv:
                raise ValueError(f"expression: Majority takes variables x1..x{n}, got {a!r}")
            variables.append(int(mv.group(1)))
        return Majority(n, variables)
    if name == "TruthTable":
        if n > MAX_TABLE_N:
            raise ValueError(f"n must be <= {MAX_TABLE_N} for a TruthTable, got {n}")
        try:
            value = int(args.strip(), 0)
        except ValueError:
            raise ValueError(
                f"expression: TruthTable takes an integer such as 0xe8, got {args!r}"
            ) from None
        if value < 0 or value >> (2**n):
            raise ValueError(f"expression: TruthTable value must be in [0, 2^(2^n)) for n={n}")
        raw = value.to_bytes((2**n + 7) // 8, "little")
        return TruthTable(n, np.frombuffer(raw, dtype=np.uint8).copy())
    # Threshold / Halfspace: a linear inequality in the ±1 values
    _check_tokens(args, n, _LINEAR_TOKEN, f"{name} takes 'a1*x1 + a2*x2 + ... > b'")
    sides = args.split(">")
    if len(sides) != 2 or not sides[0].strip() or not sides[1].strip():
        raise ValueError(f"expression: {name}(...) must hold one strict inequality 'lhs > b'")
    lhs, rhs = (_sympy_parse(side, n) for side in sides)
    weights, bias = _linear(lhs - rhs, n, name)
    return (Threshold if name == "Threshold" else Halfspace)(n, weights, bias)


def _linear(expr: sympy.Basic, n: int, what: str) -> tuple[list[int], sympy.Rational]:
    """Integer weights and the bias ``b`` of ``expr = w . s - b`` (linear in the symbols)."""
    syms = symbols(n)
    expr = sympy.nsimplify(sympy.expand(expr), rational=True)
    try:
        poly = sympy.Poly(expr, *syms)
    except sympy.PolynomialError:
        raise ValueError(f"expression: {what} must be linear in x1..x{n}") from None
    if poly.total_degree() > 1:
        raise ValueError(f"expression: {what} must be linear in x1..x{n}")
    weights = []
    for s in syms:
        c = poly.coeff_monomial(s)
        if not c.is_integer:
            raise ValueError(f"expression: {what} weights must be integers, got {c} for {s}")
        weights.append(int(c))
    const = poly.coeff_monomial(1)
    return weights, -sympy.Rational(const)


def _literal(e: sympy.Basic) -> int | None:
    if isinstance(e, sympy.Symbol):
        return int(e.name[1:])
    if isinstance(e, sympy.Not) and isinstance(e.args[0], sympy.Symbol):
        return -int(e.args[0].name[1:])
    return None


def _group(e: sympy.Basic, op: type) -> list[int] | None:
    """Literals of ``e``: a literal, the constant neutral for ``op``, or an ``op`` of literals."""
    lit = _literal(e)
    if lit is not None:
        return [lit]
    neutral = BooleanTrue if op is sympy.And else BooleanFalse
    if isinstance(e, neutral):
        return []
    if isinstance(e, op):
        lits = [_literal(a) for a in e.args]
        if all(v is not None for v in lits):
            return lits  # type: ignore[return-value]
    return None


def _groups(e: sympy.Basic, outer: type, inner: type) -> list[list[int]] | None:
    """Groups of a two-level form ``outer(inner(literals), ...)``."""
    absorbing = BooleanTrue if outer is sympy.Or else BooleanFalse
    if isinstance(e, absorbing):
        return [[]]  # one empty inner group: the absorbing constant
    args = e.args if isinstance(e, outer) else (e,)
    if isinstance(e, BooleanTrue | BooleanFalse) and not isinstance(e, absorbing):
        return []
    out = []
    for a in args:
        g = _group(a, inner)
        if g is None:
            return None
        out.append(g)
    return out


def from_sympy(expr: Any, n: int, kind: Any = None) -> BooleanFunction:
    """A function of ``n`` variables from a sympy Boolean expression in ``x1..xn`` (or a
    strict linear inequality, read in the 0/1 coding as :meth:`Halfspace.to_sympy` writes)."""
    n = check_n(n)
    target = _resolve_kind(kind)
    if isinstance(expr, bool):
        expr = sympy.true if expr else sympy.false
    if not isinstance(expr, sympy.Basic):
        raise ValueError(f"expr must be a sympy expression, got {type(expr).__name__}")
    names = {f"x{i}" for i in range(1, n + 1)}
    for s in expr.free_symbols:
        if s.name not in names:
            raise ValueError(f"expression: symbol {s.name} is not one of x1..x{n}")
    candidates = (
        [target] if target is not None else [Conjunction, Disjunction, DNF, CNF, Parity, Halfspace]
    )
    for cls in candidates:
        f = _structural(expr, n, cls)
        if f is not None:
            return f
    if target is not None:
        # not in the requested syntactic form: convert semantically where possible
        return _convert(_generic(expr, n), target)
    return _generic(expr, n)


def _structural(expr: sympy.Basic, n: int, cls: type[BooleanFunction]) -> BooleanFunction | None:
    if cls is Conjunction:
        g = _group(expr, sympy.And)
        return None if g is None else Conjunction(n, g)
    if cls is Disjunction:
        g = _group(expr, sympy.Or)
        return None if g is None else Disjunction(n, g)
    if cls is DNF:
        gs = _groups(expr, sympy.Or, sympy.And)
        return None if gs is None else DNF(n, gs)
    if cls is CNF:
        gs = _groups(expr, sympy.And, sympy.Or)
        return None if gs is None else CNF(n, gs)
    if cls is Parity:
        if isinstance(expr, BooleanFalse):
            return Parity(n)
        if isinstance(expr, sympy.Symbol):
            return Parity(n, [int(expr.name[1:])])
        if isinstance(expr, sympy.Xor) and all(isinstance(a, sympy.Symbol) for a in expr.args):
            return Parity(n, [int(a.name[1:]) for a in expr.args])
        return None
    if cls in (Halfspace, Threshold, Majority):
        if not isinstance(expr, sympy.StrictGreaterThan):
            return None
        # 0/1 coding: a . x > t  <=>  a . x' > 2t - sum(a)
        weights, t = _linear(expr.lhs - expr.rhs, n, "inequality")
        bias = 2 * t - sum(weights)
        h = Halfspace(n, weights, bias)
        return h if cls is Halfspace else _convert(h, cls)
    return None


def _generic(expr: sympy.Basic, n: int) -> BooleanFunction:
    if n > GENERIC_TABLE_MAX_N:
        raise ValueError(
            f"expression {expr} has no compact form boolfun holds; as a truth table it needs "
            f"n <= {GENERIC_TABLE_MAX_N}, got n={n}"
        )
    syms = symbols(n)
    cols = all_inputs(n).astype(bool).T
    values = np.zeros(2**n, dtype=bool)
    fn = sympy.lambdify(syms, expr, modules="numpy")
    values = np.broadcast_to(np.asarray(fn(*cols), dtype=bool), (2**n,)).copy()
    return TruthTable(n, values)


def _convert(f: BooleanFunction, target: type[BooleanFunction]) -> BooleanFunction:
    """``f`` in the representation ``target`` when one with the same semantics is found by
    :func:`boolfun.convert.convert`; a ``ValueError`` otherwise."""
    from boolfun.convert import convert

    return convert(f, target)
