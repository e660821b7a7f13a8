"""Reading Boolean functions from strings and sympy expressions.

Formulas use variables ``x1 .. xn``: ``&`` (and), ``|`` (or), ``~`` (not), ``^`` (xor),
parentheses, ``True`` and ``False``. Python precedence applies: ``~`` binds tightest, then
``&``, ``^``, ``|``; so ``x1 & ~x3 | x2`` is ``(x1 & ~x3) | x2``.

Functional forms, at top level only::

    Majority(x2, x5, x7)
    Threshold(x1 - x3 + x4 > -0.5)      # x_i read as its ±1 value 2 x_i - 1
    Halfspace(3*x1 - 2*x2 + x5 > 0.5)   # likewise
    TruthTable(0xe8)                    # bit r of the integer is f(x^(r)), x1 least significant

Inside ``Threshold(...)`` and ``Halfspace(...)`` the two sides of the one ``>`` are linear:
sums and differences of numbers (``3``, ``0.5``; no exponent notation) and variables, products
with a number, quotients by a number, parentheses. Powers (``**``), function calls and products
of variables are not part of the grammar.

:func:`parse` returns the most specific representation (a literal or an ``&`` of literals is a
:class:`Conjunction`, an ``|`` of literals a :class:`Disjunction`, an ``|`` of terms a
:class:`DNF`, an ``&`` of clauses a :class:`CNF`, an ``^`` of variables a :class:`Parity`;
anything else a :class:`TruthTable`), or the one asked for with ``kind``. ``&``, ``|`` and
``^`` are read as sympy reads them (flattened, repeats dropped, constants folded, ``~~a`` is
``a``; the terms of a DNF in sympy's canonical order), but without sympy: :func:`parse` is a
single left-to-right pass with no recursion, bounded by the limits below, and every malformed
or oversized text gives a ``ValueError`` that starts with ``text``.

Limits (:data:`MAX_TEXT_LENGTH`, :data:`MAX_TOKENS`, :data:`MAX_DEPTH`,
:data:`MAX_NUMBER_DIGITS`, :data:`MAX_VALUE_BITS`, :data:`MAX_LINEAR_WORK`,
:data:`MAX_LINEAR_N`) are far above what
``str(f)`` writes for every function the samplers draw (n <= 1024, a few terms) and let
``parse(str(f), f.n)`` read back every representation; a ``TruthTable(0x...)`` may be as long
as its ``2^n`` bits need.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

import numpy as np
import sympy
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from boolfun.bits import MAX_TABLE_N, all_inputs, check_n
from boolfun.function import BooleanFunction, symbols
from boolfun.linear_threshold import MAX_BIAS_MAGNITUDE, Halfspace, Majority, Threshold
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

MAX_TEXT_LENGTH = 1 << 18
"""Most characters :func:`parse` reads (262,144): a conjunction of 20,000 literals has
about 170,000. Only ``TruthTable(0x...)`` may be longer, as long as its ``2^n`` bits need."""

MAX_TOKENS = 1 << 17
"""Most tokens (variables, constants, numbers, operators, parentheses) in one text."""

MAX_DEPTH = 100
"""Deepest nesting of parentheses."""

MAX_NUMBER_DIGITS = 40
"""Most digits in one number inside ``Threshold(...)`` / ``Halfspace(...)`` (a weight or bias
that a :class:`Halfspace` holds has at most 20)."""

MAX_VALUE_BITS = 256
"""Largest bit length of a numerator or denominator while a linear form is reduced
(``2*2*...*2*x1`` is refused once it passes ``2**256``)."""

MAX_LINEAR_WORK = 1 << 19
"""Most coefficient updates while a linear form is reduced (each term added or scaled counts
its variables): ``str(f)`` of a halfspace in n variables needs about ``2n``; sums in nested
parentheses that are scaled over and over run out of it."""

MAX_LINEAR_N = 1 << 20
"""Largest n for ``Threshold(...)`` / ``Halfspace(...)`` (they hold n weights)."""

_SNIPPET = 24

_FUNCTIONAL_NAMES = ("Majority", "Threshold", "Halfspace", "TruthTable")

_FORMULA_TOKEN = re.compile(
    r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([0-9][0-9.]*|\.[0-9]+)|(\*\*|[&|~^()])|(\S))"
)
_LINEAR_TOKEN = re.compile(
    r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|((?:[0-9][0-9_.]*|\.[0-9][0-9_.]*)(?:[eE][-+]?[0-9]+)?)"
    r"|(\*\*|>=|[-+*/()>])|(\S))"
)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_VARIABLE = re.compile(r"x([0-9]+)")

_FORMULA_ALLOWED = (
    "formulas may use x1..xn, True, False, &, |, ~, ^ and parentheses, or one functional form "
    "Majority(...), Threshold(... > b), Halfspace(... > b), TruthTable(0x...) as the whole text"
)
_LINEAR_ALLOWED = (
    "{name} takes one strict inequality 'a1*x1 + a2*x2 + ... > b' of linear forms: numbers, "
    "x1..xn, + - * / and parentheses (a product may hold at most one variable)"
)



def _check_depth(depth: int, pos: int) -> None:
    """``ValueError`` when a parenthesis at ``pos`` would nest deeper than ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        raise ValueError(
            f"text nests parentheses deeper than {MAX_DEPTH} levels at position {pos}; at most "
            f"{MAX_DEPTH} are allowed"
        )

def _snippet(text: str, pos: int = 0) -> str:
    s = text[pos : pos + _SNIPPET]
    return repr(s + "...") if len(text) > pos + _SNIPPET else repr(s)


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


def _variable(word: str, n: int, pos: int) -> int | None:
    """The index of ``x<i>`` (checked against ``n``), or ``None`` when ``word`` is no variable."""
    m = _VARIABLE.fullmatch(word)
    if m is None:
        return None
    digits = m.group(1)
    if digits[0] == "0" or len(digits) > len(str(n)) or not 1 <= int(digits) <= n:
        shown = word if len(word) <= _SNIPPET else word[:_SNIPPET] + "..."
        raise ValueError(
            f"text: variable {shown} out of range for n={n} (at position {pos}): allowed x1..x{n}"
        )
    return int(digits)


def _name_error(word: str, source: str, local: int, pos: int, allowed: str) -> ValueError:
    """The error for a name that is no variable: ``word`` starts at ``local`` in ``source``
    (position ``pos`` in the text)."""
    if source[local + len(word) :].lstrip().startswith("("):
        what = (
            "a functional form is allowed only as the whole text"
            if word in _FUNCTIONAL_NAMES
            else "function calls are not part of the grammar"
        )
        return ValueError(f"text: unexpected {word}(...) at position {pos}: {what}; {allowed}")
    return ValueError(f"text: unexpected {_snippet(source, local)} at position {pos}; {allowed}")


def _check_length(text: str, n: int) -> None:
    if len(text) <= MAX_TEXT_LENGTH:
        return
    table_limit = MAX_TEXT_LENGTH + 2 * (2 ** min(n, MAX_TABLE_N)) // 4
    if text.lstrip().startswith("TruthTable") and len(text) <= table_limit:
        return
    raise ValueError(
        f"text has {len(text)} characters; at most {MAX_TEXT_LENGTH} are allowed (a "
        f"TruthTable(0x...) for n={n} may have up to {table_limit})"
    )


# -- formulas ---------------------------------------------------------------------------------
_TRUE, _FALSE = 0, 1
_VAR, _NOT, _AND, _OR, _XOR, _CONST = "v", "~", "&", "|", "^", "c"
_OPS = {_AND: "And", _OR: "Or", _XOR: "Xor"}


class _Nodes:
    """Hash-consed formula nodes in sympy's canonical form; a node is an int id, children
    always have smaller ids than their parents (so ids are a topological order)."""

    def __init__(self) -> None:
        self.kind: list[str] = [_CONST, _CONST]
        self.data: list[Any] = [True, False]
        self._ids: dict[tuple, int] = {}
        self._keys: dict[int, tuple] = {}

    def _intern(self, kind: str, data: Any) -> int:
        key = (kind, data)
        i = self._ids.get(key)
        if i is None:
            i = len(self.kind)
            self.kind.append(kind)
            self.data.append(data)
            self._ids[key] = i
        return i

    def var(self, i: int) -> int:
        return self._intern(_VAR, i)

    def not_(self, a: int) -> int:
        if a == _TRUE:
            return _FALSE
        if a == _FALSE:
            return _TRUE
        if self.kind[a] == _NOT:
            return self.data[a]
        return self._intern(_NOT, a)

    def lattice(self, op: str, args: list[int]) -> int:
        """``And`` / ``Or``: flattened, the identity dropped, the zero absorbing, repeats
        dropped."""
        identity, zero = (_TRUE, _FALSE) if op == _AND else (_FALSE, _TRUE)
        if len(args) == 1:
            return args[0]
        s: set[int] = set()
        for a in args:
            if self.kind[a] == op:
                s.update(self.data[a])
            else:
                s.add(a)
        s.discard(identity)
        if zero in s:
            return zero
        if not s:
            return identity
        if len(s) == 1:
            return s.pop()
        return self._intern(op, frozenset(s))

    def xor(self, args: list[int]) -> int:
        """``Xor``: flattened, pairs cancel, ``False`` dropped, ``True`` negates the rest."""
        if len(args) == 1:
            return args[0]
        s: set[int] = set()
        for a in args:
            if self.kind[a] == _XOR:
                s.symmetric_difference_update(self.data[a])
            elif a in s:
                s.remove(a)
            else:
                s.add(a)
        s.discard(_FALSE)
        negate = _TRUE in s
        s.discard(_TRUE)
        if not s:
            return _TRUE if negate else _FALSE
        x = s.pop() if len(s) == 1 else self._intern(_XOR, frozenset(s))
        return self.not_(x) if negate else x

    # -- sympy's order of arguments (only for literals and flat groups of literals) ---------
    def _order_key(self, a: int) -> tuple:
        """``(node count, default_sort_key)`` of node ``a`` as sympy computes them (the sort
        key without its constant tail), memoized."""
        key = self._keys.get(a)
        if key is None:
            k = self.kind[a]
            if k == _VAR:
                key = (1, ((2, 0, "Symbol"), (1, (f"x{self.data[a]}",))))
            elif k == _NOT:
                size, inner = self._order_key(self.data[a])
                key = (1 + size, ((5, 0, "Not"), (1, (inner,))))
            else:
                args = [self._order_key(c) for c in self.data[a]]
                args.sort()
                key = (
                    1 + sum(c[0] for c in args),
                    ((5, 0, _OPS[k]), (len(args), tuple(c[1] for c in args))),
                )
            self._keys[a] = key
        return key

    def ordered(self, ids: Any) -> list[int]:
        """``ids`` in the order sympy gives the arguments of an ``And`` / ``Or``: by node
        count, then by ``default_sort_key``."""
        return sorted(ids, key=self._order_key)


class _Frame:
    __slots__ = ("ors", "xors", "ands", "neg", "pos")

    def __init__(self, pos: int) -> None:
        self.ors: list[int] = []
        self.xors: list[int] = []
        self.ands: list[int] = []
        self.neg = False
        self.pos = pos


def _parse_formula(text: str, n: int) -> tuple[_Nodes, int]:
    nodes = _Nodes()
    stack = [_Frame(-1)]
    frame = stack[0]
    expect_operand = True
    last = ""
    count = 0

    def close_and(f: _Frame) -> None:
        f.xors.append(nodes.lattice(_AND, f.ands))
        f.ands = []

    def close_xor(f: _Frame) -> None:
        close_and(f)
        f.ors.append(nodes.xor(f.xors))
        f.xors = []

    for m in _FORMULA_TOKEN.finditer(text):
        kind = m.lastindex
        if kind is None:  # trailing whitespace
            break
        count += 1
        if count > MAX_TOKENS:
            raise ValueError(
                f"text has more than {MAX_TOKENS} tokens (variables, constants, operators, "
                "parentheses); at most that many are allowed"
            )
        pos = m.start(kind)
        tok = m.group(kind)
        operand = None
        if kind == 1:
            if tok in ("True", "False"):
                operand = _TRUE if tok == "True" else _FALSE
            else:
                v = _variable(tok, n, pos)
                if v is None:
                    raise _name_error(tok, text, pos, pos, _FORMULA_ALLOWED)
                operand = nodes.var(v)
        elif kind == 3:
            if tok == "**":
                raise ValueError(
                    f"text: '**' (power) at position {pos} is not part of the grammar; "
                    f"{_FORMULA_ALLOWED}"
                )
        else:
            raise ValueError(
                f"text: unexpected {_snippet(text, pos)} at position {pos}; {_FORMULA_ALLOWED}"
            )
        if expect_operand:
            if operand is None:
                if tok == "~":
                    frame.neg = not frame.neg
                elif tok == "(":
                    _check_depth(len(stack), pos)
                    frame = _Frame(pos)
                    stack.append(frame)
                elif tok == ")" and len(stack) == 1:
                    raise ValueError(
                        f"text: unbalanced parentheses in expression: ')' at position {pos} has "
                        "no matching '('"
                    )
                else:
                    where = f"after {last!r}" if last else "at the start"
                    raise ValueError(
                        f"text: malformed expression: expected a variable, True, False, '~' or "
                        f"'(' {where} at position {pos}, got {tok!r}"
                    )
                last = tok
                continue
        elif operand is not None or tok in ("~", "("):
            raise ValueError(
                f"text: malformed expression: expected an operator &, |, ^ or ')' after {last!r} "
                f"at position {pos}, got {tok!r}"
            )
        elif tok == "&":
            expect_operand = True
        elif tok == "^":
            close_and(frame)
            expect_operand = True
        elif tok == "|":
            close_xor(frame)
            expect_operand = True
        else:  # ")"
            if len(stack) == 1:
                raise ValueError(
                    f"text: unbalanced parentheses in expression: ')' at position {pos} has no "
                    "matching '('"
                )
            close_xor(frame)
            operand = nodes.lattice(_OR, frame.ors)
            stack.pop()
            frame = stack[-1]
        last = tok
        if operand is not None:
            if frame.neg:
                operand = nodes.not_(operand)
                frame.neg = False
            frame.ands.append(operand)
            expect_operand = False
    if expect_operand:
        raise ValueError(
            f"text: malformed expression: it ends after {last!r} where a variable, True, False, "
            "'~' or '(' should follow"
        )
    if len(stack) > 1:
        raise ValueError(
            f"text: unbalanced parentheses in expression: '(' at position {stack[-1].pos} is "
            "never closed"
        )
    close_xor(frame)
    return nodes, nodes.lattice(_OR, frame.ors)


def _node_literal(nodes: _Nodes, a: int) -> int | None:
    k = nodes.kind[a]
    if k == _VAR:
        return nodes.data[a]
    if k == _NOT and nodes.kind[nodes.data[a]] == _VAR:
        return -nodes.data[nodes.data[a]]
    return None


def _node_group(nodes: _Nodes, a: int, op: str) -> list[int] | None:
    lit = _node_literal(nodes, a)
    if lit is not None:
        return [lit]
    if a == (_TRUE if op == _AND else _FALSE):
        return []
    if nodes.kind[a] == op:
        lits = [_node_literal(nodes, c) for c in nodes.data[a]]
        if all(v is not None for v in lits):
            return lits  # type: ignore[return-value]
    return None


def _node_groups(nodes: _Nodes, a: int, outer: str, inner: str) -> list[list[int]] | None:
    absorbing = _TRUE if outer == _OR else _FALSE
    if a == absorbing:
        return [[]]
    if a in (_TRUE, _FALSE):
        return []
    args = nodes.data[a] if nodes.kind[a] == outer else [a]
    for c in args:
        if _node_group(nodes, c, inner) is None:
            return None
    # every argument is a literal or a flat group of literals: sympy's order is cheap
    return [_node_group(nodes, c, inner) for c in nodes.ordered(args)]  # type: ignore[misc]


def _node_structural(
    nodes: _Nodes, a: int, n: int, cls: type[BooleanFunction]
) -> BooleanFunction | None:
    if cls is Conjunction:
        g = _node_group(nodes, a, _AND)
        return None if g is None else Conjunction(n, g)
    if cls is Disjunction:
        g = _node_group(nodes, a, _OR)
        return None if g is None else Disjunction(n, g)
    if cls is DNF:
        gs = _node_groups(nodes, a, _OR, _AND)
        return None if gs is None else DNF(n, gs)
    if cls is CNF:
        gs = _node_groups(nodes, a, _AND, _OR)
        return None if gs is None else CNF(n, gs)
    if cls is Parity:
        if a == _FALSE:
            return Parity(n)
        if nodes.kind[a] == _VAR:
            return Parity(n, [nodes.data[a]])
        if nodes.kind[a] == _XOR and all(nodes.kind[c] == _VAR for c in nodes.data[a]):
            return Parity(n, [nodes.data[c] for c in nodes.data[a]])
    return None


def _node_table(nodes: _Nodes, root: int, n: int, what: str) -> TruthTable:
    """The truth table of ``root``: each reachable node once, as a ``2^n``-bit integer."""
    if n > GENERIC_TABLE_MAX_N:
        raise ValueError(
            f"text: expression {what} has no compact form boolfun holds; as a truth table it "
            f"needs n <= {GENERIC_TABLE_MAX_N}, got n={n}"
        )
    seen = {root}
    todo = [root]
    while todo:
        a = todo.pop()
        k = nodes.kind[a]
        children = (nodes.data[a],) if k == _NOT else nodes.data[a] if k in _OPS else ()
        for c in children:
            if c not in seen:
                seen.add(c)
                todo.append(c)
    size = 2**n
    mask = (1 << size) - 1
    r = np.arange(size, dtype=np.int64)
    value: dict[int, int] = {_TRUE: mask, _FALSE: 0}
    for a in sorted(seen):
        k = nodes.kind[a]
        if k == _CONST:
            continue
        if k == _VAR:
            bits = np.packbits(((r >> (nodes.data[a] - 1)) & 1).astype(bool), bitorder="little")
            value[a] = int.from_bytes(bits.tobytes(), "little")
        elif k == _NOT:
            value[a] = mask ^ value[nodes.data[a]]
        else:
            it = iter(nodes.data[a])
            v = value[next(it)]
            if k == _AND:
                for c in it:
                    v &= value[c]
            elif k == _OR:
                for c in it:
                    v |= value[c]
            else:
                for c in it:
                    v ^= value[c]
            value[a] = v
    raw = value[root].to_bytes((size + 7) // 8, "little")
    return TruthTable(n, np.frombuffer(raw, dtype=np.uint8).copy())


def _from_formula(text: str, n: int, target: type[BooleanFunction] | None) -> BooleanFunction:
    nodes, root = _parse_formula(text, n)
    compact = [Conjunction, Disjunction, DNF, CNF, Parity]
    for cls in [target] if target is not None else compact:
        f = _node_structural(nodes, root, n, cls)  # type: ignore[arg-type]
        if f is not None:
            return f
    if target is not None:
        # not in the requested syntactic form: convert semantically where possible
        for cls in compact:
            f = _node_structural(nodes, root, n, cls)
            if f is not None:
                return _convert(f, target)
        return _convert(_node_table(nodes, root, n, _snippet(text.strip())), target)
    return _node_table(nodes, root, n, _snippet(text.strip()))


# -- linear forms -----------------------------------------------------------------------------
Number = int | Fraction
"""An exact coefficient: an int while it is integral (fast), a Fraction otherwise."""


def _exact(v: Number) -> Number:
    return v.numerator if type(v) is Fraction and v.denominator == 1 else v


class _Linear:
    """``sum_i coef[i] x_i + const`` with exact coefficients."""

    __slots__ = ("coef", "const")

    def __init__(self, coef: dict[int, Number] | None = None, const: Number = 0) -> None:
        self.coef: dict[int, Number] = coef if coef is not None else {}
        self.const = const


class _Work:
    """Where errors point (``where``), and the coefficient updates still allowed."""

    __slots__ = ("where", "left")

    def __init__(self, where: str) -> None:
        self.where = where
        self.left = MAX_LINEAR_WORK

    def spend(self, k: int) -> None:
        self.left -= k
        if self.left < 0:
            raise ValueError(
                f"{self.where}: reducing it takes more than {MAX_LINEAR_WORK} coefficient "
                "updates (parenthesized sums scaled or added too often); write the form out "
                "as 'a1*x1 + a2*x2 + ... > b'"
            )


def _check_value(v: Number, work: _Work) -> Number:
    """``v`` (as an int when integral), refused beyond :data:`MAX_VALUE_BITS`."""
    v = _exact(v)
    if type(v) is int:
        big = v.bit_length() > MAX_VALUE_BITS
    else:
        big = max(v.numerator.bit_length(), v.denominator.bit_length()) > MAX_VALUE_BITS
    if big:
        raise ValueError(
            f"{work.where}: a coefficient grows beyond 2**{MAX_VALUE_BITS} in magnitude "
            f"(numerators and denominators up to 2**{MAX_VALUE_BITS} are allowed)"
        )
    return v


def _scale(a: _Linear, c: Number, work: _Work) -> _Linear:
    work.spend(len(a.coef) + 1)
    return _Linear(
        {i: _check_value(v * c, work) for i, v in a.coef.items()},
        _check_value(a.const * c, work),
    )


def _add_into(acc: _Linear, term: _Linear, negate: bool, work: _Work) -> None:
    work.spend(len(term.coef) + 1)
    coef = acc.coef
    for i, v in term.coef.items():
        coef[i] = _check_value(coef.get(i, 0) + (-v if negate else v), work)
    if term.const:
        acc.const = _check_value(acc.const + (-term.const if negate else term.const), work)


def _number(tok: str) -> Number:
    """The exact value of a decimal literal (already checked against :data:`_NUMBER`)."""
    if "." not in tok:
        return int(tok)
    whole, frac = tok.split(".")
    scale = 10 ** len(frac)
    return _exact(Fraction(int(whole or "0") * scale + int(frac or "0"), scale))


class _LinearFrame:
    __slots__ = ("acc", "term", "op", "neg", "term_neg", "pos")

    def __init__(self, pos: int) -> None:
        self.acc = _Linear()
        self.term: _Linear | None = None
        self.op = ""  # pending "*" or "/" between term and the next factor
        self.neg = False  # pending unary minus on the next factor
        self.term_neg = False  # the term is subtracted from acc
        self.pos = pos


def _parse_linear(args: str, offset: int, n: int, name: str) -> tuple[list[int], Fraction]:
    """Weights and bias of ``lhs > rhs`` (``args`` starts at ``offset`` in the text)."""
    allowed = _LINEAR_ALLOWED.format(name=name)
    work = _Work(f"text: {name}(...)")
    sides: list[_Linear] = []
    stack = [_LinearFrame(-1)]
    frame = stack[0]
    expect_operand = True
    last = ""
    count = 0

    def flush(f: _LinearFrame) -> None:
        if f.term is not None:
            if not f.acc.coef and not f.acc.const and not f.term_neg:
                f.acc = f.term  # the first term: taken over, not copied
            else:
                _add_into(f.acc, f.term, f.term_neg, work)
        f.term = None

    for m in _LINEAR_TOKEN.finditer(args):
        kind = m.lastindex
        if kind is None:
            break
        count += 1
        if count > MAX_TOKENS:
            raise ValueError(
                f"text has more than {MAX_TOKENS} tokens (variables, numbers, operators, "
                "parentheses); at most that many are allowed"
            )
        pos = offset + m.start(kind)
        tok = m.group(kind)
        value: _Linear | None = None
        if kind == 1:
            v = _variable(tok, n, pos)
            if v is None:
                raise _name_error(tok, args, pos - offset, pos, allowed)
            value = _Linear({v: 1})
        elif kind == 2:
            if not _NUMBER.fullmatch(tok):
                raise ValueError(
                    f"text: malformed number {_snippet(tok)} at position {pos} in {name}(...): "
                    "numbers are written like 3, 0.5 or .25 (no exponents, no underscores)"
                )
            digits = len(tok) - ("." in tok)
            if digits > MAX_NUMBER_DIGITS:
                raise ValueError(
                    f"text: number {_snippet(tok)} at position {pos} has {digits} digits; at "
                    f"most {MAX_NUMBER_DIGITS} digits are allowed"
                )
            value = _Linear(const=_number(tok))
        elif kind == 4:
            raise ValueError(
                f"text: unexpected {_snippet(args, m.start(kind))} at position {pos} in "
                f"{name}(...); {allowed}"
            )
        elif tok == "**":
            raise ValueError(
                f"text: '**' (power) at position {pos} is not allowed in {name}(...); {allowed}"
            )
        elif tok == ">=":
            raise ValueError(
                f"text: '>=' at position {pos}: {name}(...) holds a strict inequality 'lhs > b'"
            )
        if expect_operand:
            if value is None:
                if tok in "+-":
                    frame.neg ^= tok == "-"
                elif tok == "(":
                    _check_depth(len(stack), pos)
                    frame = _LinearFrame(pos)
                    stack.append(frame)
                elif tok == ")" and len(stack) == 1:
                    raise ValueError(
                        f"text: unbalanced parentheses in {name}(...): ')' at position {pos} has "
                        "no matching '('"
                    )
                else:
                    where = f"after {last!r}" if last else "at the start"
                    raise ValueError(
                        f"text: malformed {name}(...): expected a number, a variable or '(' "
                        f"{where} at position {pos}, got {tok!r}"
                    )
                last = tok
                continue
        elif value is not None or tok == "(":
            raise ValueError(
                f"text: malformed {name}(...): expected an operator after {last!r} at position "
                f"{pos}, got {tok!r}"
            )
        elif tok in "*/":
            frame.op = tok
            expect_operand = True
        elif tok in "+-":
            flush(frame)
            frame.term_neg = tok == "-"
            expect_operand = True
        elif tok == ">":
            if len(stack) > 1:
                raise ValueError(
                    f"text: '>' at position {pos} inside parentheses; {name}(...) must hold "
                    "one strict inequality 'lhs > b'"
                )
            if sides:
                raise ValueError(
                    f"text: a second '>' at position {pos}; {name}(...) must hold one strict "
                    "inequality 'lhs > b'"
                )
            flush(frame)
            sides.append(frame.acc)
            stack = [_LinearFrame(-1)]
            frame = stack[0]
            expect_operand = True
        else:  # ")"
            if len(stack) == 1:
                raise ValueError(
                    f"text: unbalanced parentheses in {name}(...): ')' at position {pos} has no "
                    "matching '('"
                )
            flush(frame)
            value = frame.acc
            stack.pop()
            frame = stack[-1]
        last = tok
        if value is not None:
            if frame.neg:
                value = _scale(value, -1, work)
                frame.neg = False
            if frame.term is None:
                frame.term = value
            elif frame.op == "*":
                if frame.term.coef and value.coef:
                    raise ValueError(
                        f"text: {name}(...) must be linear in x1..x{n}: a product of variables "
                        f"at position {pos}"
                    )
                if frame.term.coef:
                    frame.term = _scale(frame.term, value.const, work)
                else:
                    frame.term = _scale(value, frame.term.const, work)
            else:  # "/"
                if value.coef:
                    raise ValueError(
                        f"text: {name}(...) must be linear in x1..x{n}: a division by a variable "
                        f"at position {pos}"
                    )
                if value.const == 0:
                    raise ValueError(f"text: division by zero at position {pos} in {name}(...)")
                frame.term = _scale(frame.term, Fraction(1, 1) / value.const, work)
            expect_operand = False
    if expect_operand:
        raise ValueError(
            f"text: malformed {name}(...): it ends after {last!r} where a number, a variable "
            "or '(' should follow"
            if last
            else f"text: {name}(...) is empty; {allowed}"
        )
    if len(stack) > 1:
        raise ValueError(
            f"text: unbalanced parentheses in {name}(...): '(' at position {stack[-1].pos} is "
            "never closed"
        )
    flush(frame)
    sides.append(frame.acc)
    if len(sides) != 2:
        raise ValueError(f"text: {name}(...) must hold one strict inequality 'lhs > b'")
    lhs, rhs = sides
    if n > MAX_LINEAR_N:
        raise ValueError(f"n must be <= {MAX_LINEAR_N} for {name}(...) in text, got {n}")
    weights = [0] * n
    for i in set(lhs.coef) | set(rhs.coef):
        w = lhs.coef.get(i, 0) - rhs.coef.get(i, 0)
        if w.denominator != 1:
            raise ValueError(f"text: {name}(...) weights must be integers, got {w} for x{i}")
        weights[i - 1] = int(w)
    return weights, rhs.const - lhs.const


# -- functional forms -------------------------------------------------------------------------
def _functional(text: str) -> tuple[str, str, int] | None:
    """``(name, args, offset of args)`` when ``text`` is ``Name(...)``; ``None`` otherwise."""
    start = len(text) - len(text.lstrip())
    for name in _FUNCTIONAL_NAMES:
        if text.startswith(name, start):
            after = start + len(name)
            rest = text[after:].lstrip()
            if not rest.startswith("("):
                return None
            open_pos = len(text) - len(rest)
            body = text.rstrip()
            if not body.endswith(")") or len(body) - 1 < open_pos + 1:
                raise ValueError(
                    f"text: a functional form {name}(...) must be the whole text, ending with "
                    f"the ')' that closes the '(' at position {open_pos}"
                )
            return name, body[open_pos + 1 : -1], open_pos + 1
    return None


def _parse_majority(args: str, n: int) -> Majority:
    if not args.strip():
        return Majority(n, [])
    items = args.split(",")
    if len(items) > MAX_TOKENS:
        raise ValueError(f"text: Majority(...) has more than {MAX_TOKENS} arguments")
    variables = []
    for a in items:
        a = a.strip()
        v = _variable(a, n, 0) if _VARIABLE.fullmatch(a) else None
        if v is None:
            raise ValueError(
                f"text: Majority takes variables x1..x{n} separated by commas, got {_snippet(a)}"
            )
        variables.append(v)
    if len(set(variables)) != len(variables):
        raise ValueError("text: Majority(...) variables must be distinct")
    return Majority(n, variables)


def _parse_truth_table(args: str, n: int) -> TruthTable:
    if n > MAX_TABLE_N:
        raise ValueError(f"n must be <= {MAX_TABLE_N} for a TruthTable, got {n}")
    s = args.strip()
    bits = 2**n
    per_digit = {"0x": 4, "0o": 3, "0b": 1}.get(s[:2].lower())
    digits = len(s) - 2 if per_digit else len(s)
    needed = -(-bits // per_digit) if per_digit else bits * 30103 // 100000 + 1
    if digits > 2 * needed + 64:
        raise ValueError(
            f"text: TruthTable(...) for n={n} takes an integer below 2^(2^n) = 2^{bits}; "
            f"{digits} digits are more than it needs"
        )
    if not per_digit and digits > 4000:
        raise ValueError(
            f"text: TruthTable(...) in decimal may have at most 4000 digits, got {digits}; "
            "write long tables in hexadecimal, TruthTable(0x...)"
        )
    try:
        value = int(s, 0)
    except ValueError:
        raise ValueError(
            f"text: TruthTable takes an integer such as 0xe8, got {_snippet(s)}"
        ) from None
    if value < 0 or value >> bits:
        raise ValueError(f"text: TruthTable value must be in [0, 2^(2^n)) for n={n}")
    raw = value.to_bytes((bits + 7) // 8, "little")
    return TruthTable(n, np.frombuffer(raw, dtype=np.uint8).copy())


def _parse_functional(name: str, args: str, offset: int, n: int) -> BooleanFunction:
    if name == "Majority":
        return _parse_majority(args, n)
    if name == "TruthTable":
        return _parse_truth_table(args, n)
    weights, bias = _parse_linear(args, offset, n, name)
    try:
        return (Threshold if name == "Threshold" else Halfspace)(n, weights, bias)
    except ValueError as e:
        raise ValueError(f"text: {name}(...): {e}") from None


def parse(text: str, n: int, kind: Any = None) -> BooleanFunction:
    """Read a function of ``n`` variables from its string form (see the module docstring).

    ``kind`` (a name from :data:`KINDS` or a class) forces the representation: for example
    ``parse("x1 & x2", 3, "dnf")`` is a one-term DNF. Reading is bounded by the module's
    limits; a malformed or oversized ``text`` raises ``ValueError``.
    """
    n = check_n(n)
    target = _resolve_kind(kind)
    if not isinstance(text, str) or not text.strip():
        shown = _snippet(text) if isinstance(text, str) else repr(type(text).__name__)
        raise ValueError(f"text must be a non-empty string, got {shown}")
    _check_length(text, n)
    form = _functional(text)
    if form is not None:
        f = _parse_functional(form[0], form[1], form[2], n)
        return f if target is None else _convert(f, target)
    return _from_formula(text, n, target)


# -- sympy expressions ------------------------------------------------------------------------
def _sympy_linear(expr: sympy.Basic, n: int, what: str) -> tuple[list[int], Fraction]:
    """Integer weights and the constant ``c`` of ``expr = w . x + c``; no expansion, so a
    power or product of variables is refused rather than multiplied out."""
    index = {f"x{i}": i for i in range(1, n + 1)}
    work = _Work(f"expression: {what}")

    def walk(e: sympy.Basic) -> _Linear:
        if isinstance(e, sympy.Symbol):
            return _Linear({index[e.name]: 1})
        if isinstance(e, sympy.Rational):
            return _Linear(const=_exact(Fraction(int(e.p), int(e.q))))
        if isinstance(e, sympy.Float):
            r = sympy.nsimplify(e, rational=True)
            return _Linear(const=_exact(Fraction(int(r.p), int(r.q))))
        if isinstance(e, sympy.Add):
            acc = _Linear()
            for a in e.args:
                _add_into(acc, walk(a), False, work)
            return acc
        if isinstance(e, sympy.Mul):
            acc = _Linear(const=1)
            for a in e.args:
                t = walk(a)
                if acc.coef and t.coef:
                    raise ValueError(f"expression: {what} must be linear in x1..x{n}")
                acc = _scale(t, acc.const, work) if t.coef else _scale(acc, t.const, work)
            return acc
        raise ValueError(f"expression: {what} must be linear in x1..x{n}, got {e}")

    lin = walk(expr)
    weights = [0] * n
    for i, c in lin.coef.items():
        if c.denominator != 1:
            raise ValueError(f"expression: {what} weights must be integers, got {c} for x{i}")
        weights[i - 1] = int(c)
    return weights, lin.const


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
        # 0/1 coding: a . x + c > 0  <=>  a . x' > -2c - sum(a); divided by gcd(a)
        weights, c = _sympy_linear(expr.lhs - expr.rhs, n, "inequality")
        bias = -2 * c - sum(weights)
        g = math.gcd(*weights) or 1
        weights = [w // g for w in weights]
        bias = Fraction(bias, g)
        if max(abs(bias.numerator), bias.denominator) > MAX_BIAS_MAGNITUDE:
            # w . x' is an integer in [-S, S]: w . x' > b  <=>  w . x' > floor(b), clipped
            total = sum(abs(w) for w in weights)
            bias = Fraction(min(max(math.floor(bias), -total - 1), total))
        h = Halfspace(n, weights, bias)
        return h if cls is Halfspace else _convert(h, cls)
    return None


def _generic(expr: sympy.Basic, n: int) -> BooleanFunction:
    if n > GENERIC_TABLE_MAX_N:
        raise ValueError(
            f"expression {expr} has no compact form boolfun holds; as a truth table it needs "
            f"n <= {GENERIC_TABLE_MAX_N}, got n={n}"
        )
    if isinstance(expr, sympy.Rel):
        # a linear inequality that is not a strict '>': evaluate it on every input
        syms = symbols(n)
        cols = all_inputs(n).astype(np.int64).T
        fn = sympy.lambdify(syms, expr, modules="numpy")
        values = np.broadcast_to(np.asarray(fn(*cols), dtype=bool), (2**n,)).copy()
        return TruthTable(n, values)
    nodes = _Nodes()
    return _node_table(nodes, _sympy_nodes(expr, nodes), n, str(expr)[:_SNIPPET])


def _sympy_nodes(expr: sympy.Basic, nodes: _Nodes) -> int:
    """``expr`` (a Boolean expression in x1..xn) as a node of ``nodes``, bottom-up without
    recursion; ``Implies``, ``Equivalent``, ``ITE``, ... are rewritten in And/Or/Not first."""
    done: dict[sympy.Basic, int] = {}
    todo: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while todo:
        e, ready = todo.pop()
        if e in done:
            continue
        if isinstance(e, BooleanTrue | BooleanFalse) or e is True or e is False:
            done[e] = _TRUE if bool(e) else _FALSE
            continue
        if isinstance(e, sympy.Symbol):
            done[e] = nodes.var(int(e.name[1:]))
            continue
        if not isinstance(e, sympy.And | sympy.Or | sympy.Not | sympy.Xor):
            rewritten = e.to_nnf() if hasattr(e, "to_nnf") else None
            if rewritten is None or rewritten == e:
                raise ValueError(f"expression: {e} is not a Boolean formula in x1..xn")
            if ready:
                done[e] = done[rewritten]
            else:
                todo.append((e, True))
                todo.append((rewritten, False))
            continue
        if not ready:
            todo.append((e, True))
            todo.extend((a, False) for a in e.args if a not in done)
            continue
        args = [done[a] for a in e.args]
        if isinstance(e, sympy.Not):
            done[e] = nodes.not_(args[0])
        elif isinstance(e, sympy.Xor):
            done[e] = nodes.xor(args)
        else:
            done[e] = nodes.lattice(_AND if isinstance(e, sympy.And) else _OR, args)
    return done[expr]


def _convert(f: BooleanFunction, target: type[BooleanFunction]) -> BooleanFunction:
    """``f`` in the representation ``target`` when one with the same semantics is found by
    :func:`boolfun.convert.convert`; a ``ValueError`` otherwise."""
    from boolfun.convert import convert

    return convert(f, target)
