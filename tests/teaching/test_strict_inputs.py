"""Nothing is accepted silently: certificate fields must have exactly the JSON types
``make_certificate`` writes, ``time_limit`` must be ``None`` or a finite number > 0 at every
public entry, and ``Examples`` refuses values other than 0/1 instead of casting them."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
import torch

from boolfun import Conjunction, Majority
from boolfun.classes import make_class
from boolfun.parse import parse
from teaching.certificate import check_certificate, make_certificate
from teaching.construct import teaching_sequence
from teaching.dimension import TeachingOracle, teaching_dimension
from teaching.examples import Examples
from teaching.minimality import is_irredundant, is_minimal, redundant_examples
from teaching.solving import check_time_limit, new_solver, solve
from teaching.uniqueness import verify

CLS = make_class("conjunction", 5)
TARGET = Conjunction(5, [1, -2])


@pytest.fixture(scope="module")
def cert():
    c = make_certificate(teaching_dimension(TARGET, CLS))
    assert check_certificate(c).valid
    return c


def tampered(cert, path, value=None, delete=False):
    out = copy.deepcopy(cert)
    node = out
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


def assert_invalid(result, *needles):
    assert result.valid is False
    text = " | ".join(result.errors)
    for needle in needles:
        assert needle in text, (needle, result.errors)


# -- certificates ------------------------------------------------------------------------------


def test_untampered_certificate_is_valid_from_dict_and_file(cert, tmp_path):
    assert check_certificate(cert).valid
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(cert, indent=2))
    for arg in (path, str(path)):
        res = check_certificate(arg)
        assert res.valid and not res.errors
        checks = {"size", "consistent", "teaches", "competitors_in_class", "lower_bound"}
        assert set(res.checks) == checks


@pytest.mark.parametrize(
    "name,params,expr",
    [
        ("threshold", {}, "x1"),
        ("halfspace", {"max_weight": 1}, "x1"),
        ("cnf", {"clauses": 2}, "(x1 | x2) & ~x3"),
        ("dnf", {"terms": 2}, "(x1 & x2) | ~x3"),
        ("all", {}, "x1 ^ x2"),
    ],
)
def test_certificates_of_other_classes_survive_the_file_round_trip(tmp_path, name, params, expr):
    """Float parameters (biases), booleans (monotone) and nulls (k) are what make_class
    wants: the strict checker still accepts every certificate make_certificate writes."""
    cls = make_class(name, 3, **params)
    cert = make_certificate(teaching_dimension(cls.coerce(parse(expr, 3)), cls))
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(cert))
    res = check_certificate(path)
    assert res.valid, res.errors


@pytest.mark.parametrize(
    "path,value,needle",
    [
        (["class", "n"], 5.9, "class.n"),
        (["class", "n"], 5.0, "class.n"),
        (["class", "n"], "5", "class.n"),
        (["class", "n"], True, "class.n"),
        (["class", "n"], None, "class.n"),
        (["class", "n"], 0, "class.n"),
        (["class", "n"], 40, "class.n"),  # above the exact solver's MAX_N: never certified
        (["class", "name"], 3, "class.name"),
        (["class", "name"], "banana", "class"),
        (["class", "params"], [], "class.params"),
        (["class", "params"], {"k": 2.0}, "class"),
        (["class"], "conjunction", "class"),
        (["td"], 4.9, "td"),
        (["td"], "4", "td"),
        (["td"], True, "td"),
        (["td"], -1, "td"),
        (["target"], 12, "target"),
        (["target"], "x9", "target"),
        (["examples", 0, "y"], 1.7, "examples[0].y"),
        (["examples", 0, "y"], 1.0, "examples[0].y"),
        (["examples", 0, "y"], "1", "examples[0].y"),
        (["examples", 0, "y"], True, "examples[0].y"),
        (["examples", 0, "y"], 2, "examples[0].y"),
        (["examples", 0, "y"], None, "examples[0].y"),
        (["examples", 0, "x"], "21100", "examples[0].x"),
        (["examples", 0, "x"], "1100", "examples[0].x"),
        (["examples", 0, "x"], "110001", "examples[0].x"),
        (["examples", 0, "x"], "11 00", "examples[0].x"),
        (["examples", 0, "x"], 11000, "examples[0].x"),
        (["examples", 0, "x"], [1, 1, 0, 0, 0], "examples[0].x"),
        (["examples", 0], "11000", "examples[0]"),
        (["examples"], {"x": "11000", "y": 1}, "examples"),
        (["proof", "kind"], "magic", "proof.kind"),
        (["proof", "kind"], 1, "proof.kind"),
        (["proof", "competitors"], "x1", "proof.competitors"),
        (["proof", "competitors", 0], 7, "proof.competitors[0]"),
        (["proof", "competitors", 0], "x1 &", "proof.competitors[0]"),
        (["format"], "boolicl-teaching-certificate/3", "format"),
    ],
)
def test_tampered_field_is_invalid_and_named(cert, path, value, needle):
    assert_invalid(check_certificate(tampered(cert, path, value)), needle)


@pytest.mark.parametrize(
    "path,needle",
    [
        (["format"], "format: missing"),
        (["class"], "class: missing"),
        (["class", "n"], "class.n: missing"),
        (["class", "name"], "class.name: missing"),
        (["class", "params"], "class.params: missing"),
        (["target"], "target: missing"),
        (["td"], "td: missing"),
        (["examples"], "examples: missing"),
        (["examples", 0, "y"], "examples[0].y: missing"),
        (["examples", 1, "x"], "examples[1].x: missing"),
        (["proof"], "proof: missing"),
        (["proof", "kind"], "proof.kind: missing"),
        (["proof", "competitors"], "proof.competitors: missing"),
    ],
)
def test_missing_key_is_invalid_and_named(cert, path, needle):
    assert_invalid(check_certificate(tampered(cert, path, delete=True)), needle)


def test_flipped_label_is_a_failed_check_not_a_format_error(cert):
    res = check_certificate(tampered(cert, ["examples", 0, "y"], 1 - cert["examples"][0]["y"]))
    assert_invalid(res, "consistent")
    assert res.checks["consistent"] is False


@pytest.mark.parametrize(
    "text,needle",
    [
        ("not json at all {", "not JSON"),
        ("", "not JSON"),
        ("[1, 2, 3]", "must be a JSON object"),
        ('"a string"', "must be a JSON object"),
        ("null", "must be a JSON object"),
        ("{}", "format: missing"),
        ('{"format": "boolicl-teaching-certificate/1"}', "class: missing"),
        (
            '{"format": "boolicl-teaching-certificate/1", "class": {"name": "conjunction", '
            '"n": NaN, "params": {}}}',
            "class.n",
        ),
    ],
)
def test_bad_files_are_invalid_without_raising(tmp_path, text, needle):
    path = tmp_path / "bad.json"
    path.write_text(text)
    assert_invalid(check_certificate(path), needle)


def test_unreadable_inputs_are_invalid_without_raising(tmp_path):
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert_invalid(check_certificate(binary), "file")
    assert_invalid(check_certificate(tmp_path), "file")  # a directory
    assert_invalid(check_certificate(tmp_path / "missing.json"), "file")
    for doc in ([], [1], 3, None):  # a str would be a path
        assert_invalid(check_certificate(doc), "must be a JSON object")


def test_a_wrongly_typed_certificate_written_to_json_stays_invalid(cert, tmp_path):
    """The file round trip does not launder types: 5.0 stays a float in JSON."""
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(tampered(cert, ["td"], float(cert["td"]))))
    assert_invalid(check_certificate(path), "td")


# -- time limits -------------------------------------------------------------------------------

BAD_LIMITS = [math.nan, math.inf, -math.inf, 0, 0.0, -1, -0.5, True, False, "5", [1], np.nan]
GOOD_LIMITS = [None, 1, 2.5, 1e-3, np.float64(3.0), np.int64(2)]


@pytest.mark.parametrize("limit", BAD_LIMITS)
def test_check_time_limit_refuses(limit):
    with pytest.raises(ValueError, match="time_limit"):
        check_time_limit(limit)


@pytest.mark.parametrize("limit", GOOD_LIMITS)
def test_check_time_limit_accepts(limit):
    out = check_time_limit(limit)
    assert out is None if limit is None else (out == float(limit) and type(out) is float)


@pytest.mark.parametrize("limit", [math.nan, math.inf, 0, -1, True, "5"])
def test_every_public_entry_refuses_a_bad_time_limit(limit):
    f, cls = Majority(3, [1, 2, 3]), make_class("majority", 3)
    ex = teaching_sequence(f, cls, "minimum")
    empty = Examples(np.zeros((0, 3), dtype=np.uint8), np.zeros(0, dtype=np.uint8))
    calls = [
        lambda: verify(f, cls, ex, time_limit=limit),
        lambda: teaching_dimension(f, cls, time_limit=limit),
        lambda: teaching_sequence(f, cls, "minimum", time_limit=limit),
        lambda: teaching_sequence(f, cls, "paper", time_limit=limit),  # unused, still checked
        lambda: is_minimal(f, cls, ex, time_limit=limit),
        lambda: is_irredundant(f, cls, ex, time_limit=limit),
        lambda: redundant_examples(f, cls, ex, time_limit=limit),
        lambda: redundant_examples(f, cls, empty, time_limit=limit),  # no verify call at all
    ]
    for call in calls:
        with pytest.raises(ValueError, match="time_limit"):
            call()
    oracle = TeachingOracle(f, cls)
    try:
        with pytest.raises(ValueError, match="time_limit"):
            oracle.competitor([], time_limit=limit)
    finally:
        oracle.close()
    with new_solver([[1]]) as s, pytest.raises(ValueError, match="time_limit"):
        solve(s, time_limit=limit)


def test_good_time_limits_still_work():
    f, cls = Majority(3, [1, 2, 3]), make_class("majority", 3)
    ex = teaching_sequence(f, cls, "minimum")
    assert verify(f, cls, ex, time_limit=30).unique
    assert verify(f, cls, ex, time_limit=np.float64(30.0)).unique
    assert teaching_dimension(f, cls, time_limit=30.0).status == "exact"


# -- Examples ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.5, 2, -1, math.nan, math.inf, 255])
def test_examples_refuse_non_binary_inputs(bad):
    xs = np.array([[1, 0, 1], [0, 0, 0]], dtype=float)
    xs[1, 2] = bad
    with pytest.raises(ValueError, match="xs"):
        Examples(xs, np.array([1, 0]))
    with pytest.raises(ValueError, match="xs"):
        Examples(xs.tolist(), [1, 0])
    with pytest.raises(ValueError, match="xs"):
        Examples.labelled_by(Majority(3, [1, 2, 3]), xs)  # used to cast 0.5 to 0


@pytest.mark.parametrize("bad", [0.5, 1.7, 2, -1, math.nan, "1", None])
def test_examples_refuse_non_binary_labels(bad):
    xs = np.array([[1, 0, 1], [0, 0, 0]], dtype=np.uint8)
    with pytest.raises(ValueError, match="ys"):
        Examples(xs, [1, bad])


def test_examples_refuse_strings_ragged_and_bad_shapes():
    with pytest.raises(ValueError, match="xs"):
        Examples([["1", "0"]], [1])
    with pytest.raises(ValueError, match="xs"):
        Examples([[1, 0], [1]], [1, 0])
    with pytest.raises(ValueError, match="xs"):
        Examples([1, 0, 1], [1])
    with pytest.raises(ValueError, match="ys"):
        Examples([[1, 0]], [1, 0])
    with pytest.raises(ValueError, match="xs"):
        Examples.labelled_by(Majority(3, [1, 2, 3]), [1, 0])


def test_examples_accept_exact_zero_one_in_any_numeric_or_boolean_type():
    """Booleans, integers and floats that are exactly 0.0/1.0 (as ``check_bits``)."""
    want_x = np.array([[1, 0, 1], [0, 0, 1]], dtype=np.uint8)
    want_y = np.array([1, 0], dtype=np.uint8)
    for xs, ys in [
        (want_x.astype(bool), want_y.astype(bool)),
        (want_x.astype(float), want_y.astype(float)),
        (want_x.astype(np.int64), want_y.astype(np.int64)),
        (want_x.tolist(), [True, False]),
        (torch.tensor(want_x), torch.tensor(want_y)),
    ]:
        ex = Examples(xs, ys)
        assert ex.xs.dtype == np.uint8 and ex.ys.dtype == np.uint8
        assert np.array_equal(ex.xs, want_x) and np.array_equal(ex.ys, want_y)
    f = Majority(3, [1, 2, 3])
    one = Examples.labelled_by(f, [1.0, 1.0, 0.0])  # a single point
    assert one.xs.tolist() == [[1, 1, 0]] and one.ys.tolist() == [1]
    assert len(Examples.labelled_by(f, [])) == 0
