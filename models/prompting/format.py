"""The prompt format of direct prompting and its strict answer parser.

A prompt of ``B`` examples ``(x_1, y_1), ..., (x_B, y_B)`` over ``n`` variables, queried at
position ``i`` (the model has seen ``i`` examples: ``0 <= i < B``), is the text

.. code-block:: text

    {INSTRUCTION}\\n
    \\n
    Input: b_1 b_2 ... b_n\\n        (x_1: its bits, 0 or 1, joined by one space)
    Label: y_1\\n
    ...                               (examples 1 .. i)
    Input: b_1 b_2 ... b_n\\n        (x_{i+1}, the query)
    Label:

— the instruction line, an empty line, two lines per shown example, and the query's
``Input:`` line followed by a bare ``Label:`` (no trailing space or newline). So with
``i = 0`` the prompt is the instruction, an empty line and the query. The model's answer is its
continuation; backends stop it at the first newline (the stop sequence ``"\\n"``).

The parser is strict (:func:`parse_answer`): the answer with leading and trailing ASCII
whitespace (space, tab, ``\\n``, ``\\r``, ``\\f``, ``\\v``) removed must be exactly ``"0"`` or
``"1"``. Anything else (``"1."``, ``"one"``, ``"01"``, ``"Label: 1"``, ``""``, a non-ASCII
space around the digit) is *invalid*: scored as wrong and counted separately.

>>> import numpy as np
>>> print(build_prompt(np.array([[1, 0], [0, 1]]), np.array([1, 0]), 1, instruction="Go."))
Go.
<BLANKLINE>
Input: 1 0
Label: 1
Input: 0 1
Label:
>>> parse_answer(" 1\\n"), parse_answer("1."), parse_answer("0")
(1, None, 0)
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

FORMAT_VERSION = "boolicl-llm-prompt/1"
"""The version of the prompt format and the parser; recorded in every result file."""

INSTRUCTION = (
    "Each input is a list of bits and its label is a Boolean function of those bits, the same "
    "function for every input below. Answer with the label of the last input: 0 or 1."
)
"""The default instruction, the first line of every prompt."""

WHITESPACE = " \t\n\r\f\v"
"""The characters :func:`parse_answer` strips around an answer (ASCII whitespace only)."""

ANSWERS = {"0": 0, "1": 1}
"""The only answers the parser accepts, after stripping :data:`WHITESPACE`."""


def _bits(row: np.ndarray) -> str:
    return " ".join("1" if b else "0" for b in row.tolist())


def check_instruction(instruction: str) -> str:
    """``instruction`` if it is one non-empty line of text, else ``ValueError``."""
    if not isinstance(instruction, str) or not instruction.strip() or "\n" in instruction:
        raise ValueError(f"instruction must be one non-empty line of text, got {instruction!r}")
    return instruction


def build_prompt(
    xs: Any, ys: Any, position: int, *, instruction: str = INSTRUCTION
) -> str:
    """The prompt text (module docstring) of one prompt's inputs ``xs`` ``(P, n)`` and labels
    ``ys`` ``(P,)`` (0/1), querying the input at ``position`` after the ``position`` examples
    before it."""
    x, y = np.asarray(xs), np.asarray(ys)
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0] or x.shape[1] < 1:
        raise ValueError(
            f"xs and ys must have shapes (points, n) and (points,), got {x.shape} and {y.shape}"
        )
    if x.size and not ((x == 0) | (x == 1)).all() or y.size and not ((y == 0) | (y == 1)).all():
        raise ValueError("xs and ys must contain only 0 and 1")
    if not isinstance(position, int | np.integer) or not 0 <= position < x.shape[0]:
        raise ValueError(f"position must be an integer in [0, {x.shape[0] - 1}], got {position!r}")
    lines = [check_instruction(instruction), ""]
    for j in range(int(position)):
        lines.append(f"Input: {_bits(x[j])}")
        lines.append(f"Label: {int(y[j])}")
    lines.append(f"Input: {_bits(x[position])}")
    lines.append("Label:")
    return "\n".join(lines)


def parse_answer(text: Any) -> int | None:
    """The label an answer gives: ``text`` stripped of ASCII whitespace must be exactly
    ``"0"`` or ``"1"`` (-> 0 or 1); anything else, a non-string included, is invalid
    (-> ``None``)."""
    if not isinstance(text, str):
        return None
    return ANSWERS.get(text.strip(WHITESPACE))


def query_positions(points: int, every: int) -> list[int]:
    """The positions queried in a prompt of ``points`` examples with a query every ``every``
    examples: ``0, every, 2 every, ...`` below ``points`` (position ``i`` follows ``i``
    examples)."""
    for name, value in (("points", points), ("every", every)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return list(range(0, points, every))


def instruction_hash(instruction: str) -> str:
    """A short SHA-256 of the instruction (recorded in result files)."""
    return hashlib.sha256(instruction.encode()).hexdigest()[:16]
