"""The prompt text of direct prompting and its strict answer parser."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.prompting.format import (
    INSTRUCTION,
    build_prompt,
    parse_answer,
    query_positions,
)

XS = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]], dtype=np.uint8)
YS = np.array([1, 0, 1], dtype=np.uint8)


def test_prompt_matches_the_documented_format_byte_for_byte():
    # written from the format in the module docstring: instruction, empty line, two lines
    # per shown example, the query's Input line and a bare "Label:"
    expected = (
        "Decide.\n"
        "\n"
        "Input: 1 0 1\n"
        "Label: 1\n"
        "Input: 0 0 1\n"
        "Label: 0\n"
        "Input: 1 1 0\n"
        "Label:"
    )
    assert build_prompt(XS, YS, 2, instruction="Decide.") == expected


def test_position_zero_with_the_default_instruction():
    expected = (
        "Each input is a list of bits and its label is a Boolean function of those bits, the "
        "same function for every input below. Answer with the label of the last input: 0 or "
        "1.\n\nInput: 1 0 1\nLabel:"
    )
    assert build_prompt(XS, YS, 0) == expected
    assert INSTRUCTION in expected


def test_the_query_label_never_appears():
    # the label of the queried example is not in the prompt: flipping it changes nothing
    flipped = YS.copy()
    flipped[1] ^= 1
    assert build_prompt(XS, YS, 1) == build_prompt(XS, flipped, 1)
    assert build_prompt(XS, YS, 2) != build_prompt(XS, flipped, 2)


@given(st.integers(1, 6), st.integers(1, 8), st.data())
def test_prompt_structure(n, points, data):
    xs = np.array(data.draw(st.lists(st.lists(st.integers(0, 1), min_size=n, max_size=n),
                                     min_size=points, max_size=points)))
    ys = np.array(data.draw(st.lists(st.integers(0, 1), min_size=points, max_size=points)))
    i = data.draw(st.integers(0, points - 1))
    lines = build_prompt(xs, ys, i, instruction="I").split("\n")
    assert lines[:2] == ["I", ""]
    assert len(lines) == 2 + 2 * i + 2 and lines[-1] == "Label:"
    for j in range(i + 1):
        assert lines[2 + 2 * j] == "Input: " + " ".join(str(int(b)) for b in xs[j])
    for j in range(i):
        assert lines[3 + 2 * j] == f"Label: {int(ys[j])}"


@pytest.mark.parametrize("text,label", [("0", 0), ("1", 1), (" 1", 1), ("1\n", 1),
                                        ("\t 0 \r\n", 0), ("\v1\f", 1)])
def test_parser_accepts_a_digit_in_ascii_whitespace(text, label):
    assert parse_answer(text) == label


@pytest.mark.parametrize("text", ["", " ", "01", "10", "1.", "one", "Label: 1", "1 0", "0x1",
                                  "\u00a01", "1\u2003", "１", "-1", "+1", "1\nInput", None, 1])
def test_parser_rejects_anything_else(text):
    assert parse_answer(text) is None


WS = st.text(alphabet=" \t\n\r\f\v", max_size=4)


@given(st.text(max_size=12))
def test_parser_is_strict(text):
    """Valid iff the text is a digit 0/1 in ASCII whitespace; then it is that digit."""
    core = text.strip(" \t\n\r\f\v")
    expected = {"0": 0, "1": 1}.get(core)
    assert parse_answer(text) == expected


@given(WS, st.sampled_from("01"), WS)
def test_parser_accepts_every_padding(left, digit, right):
    assert parse_answer(left + digit + right) == int(digit)


def test_query_positions():
    assert query_positions(10, 1) == list(range(10))
    assert query_positions(10, 3) == [0, 3, 6, 9]
    assert query_positions(10, 20) == [0]


@pytest.mark.parametrize("kw,word", [
    (dict(position=3), "position"), (dict(position=-1), "position"),
    (dict(instruction="two\nlines"), "instruction"), (dict(instruction=" "), "instruction"),
])
def test_bad_prompts_are_refused(kw, word):
    args = {"position": 1, **kw}
    with pytest.raises(ValueError, match=word):
        build_prompt(XS, YS, args.pop("position"), **args)


def test_bad_arrays_are_refused():
    with pytest.raises(ValueError, match="xs and ys"):
        build_prompt(XS, YS[:2], 0)
    with pytest.raises(ValueError, match="only 0 and 1"):
        build_prompt(XS * 2, YS, 0)
    with pytest.raises(ValueError, match="every"):
        query_positions(10, 0)
