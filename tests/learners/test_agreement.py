"""learners.agreement: the agreement rate of two predictors per position, the matrix over many
predictors, and groups of prompts (with / without a teaching prefix)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from learners import (
    Agreement,
    agreement,
    agreement_by_group,
    agreement_matrix,
    make_learner,
    split_by_prefix,
)
from learners.evaluation import MAX_RESAMPLES
from tests.learners.helpers import prompts

R = 50  # bootstrap resamples: enough to exercise the intervals, cheap


@st.composite
def pred_pairs(draw, min_prompts=1):
    """Two (B, P) 0/1 uint8 arrays of one shape."""
    B = draw(st.integers(min_prompts, 12))
    P = draw(st.integers(1, 6))
    bits = hnp.arrays(np.uint8, (B, P), elements=st.integers(0, 1))
    return draw(bits), draw(bits)


@given(pred_pairs())
def test_a_predictor_agrees_with_itself_everywhere(pair):
    a, _ = pair
    g = agreement(a, a, resamples=R)
    assert g.per_position.tolist() == [1.0] * a.shape[1]
    assert g.ci_low.tolist() == [1.0] * a.shape[1] and g.ci_high.tolist() == [1.0] * a.shape[1]
    assert g.mean == 1.0 and g.mean_ci == (1.0, 1.0)


@given(pred_pairs())
def test_agreement_is_symmetric_and_a_rate(pair):
    a, b = pair
    ab, ba = agreement(a, b, resamples=R, seed=3), agreement(b, a, resamples=R, seed=3)
    assert ab.to_dict() == ba.to_dict()
    assert ((0 <= ab.per_position) & (ab.per_position <= 1)).all()
    assert (ab.ci_low <= ab.per_position + 1e-12).all()
    assert (ab.per_position <= ab.ci_high + 1e-12).all()
    # 1 - agreement is the Hamming distance of the prediction columns (over prompts)
    np.testing.assert_allclose(1 - ab.per_position, (a != b).mean(0))


def test_hand_computed_case():
    """4 prompts x 3 positions.

    a = 1 0 1      b = 1 1 1      equal = 1 0 1
        0 0 1          0 1 0              1 0 0
        1 1 0          1 1 1              1 1 0
        0 1 1          1 1 1              0 1 1
    per position: 3/4, 2/4, 2/4; mean over positions (0.75 + 0.5 + 0.5) / 3 = 7/12.
    Only prompts 0 and 2 (mask): equal rows 1 0 1 and 1 1 0 -> 1, 1/2, 1/2; mean 2/3.
    """
    a = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 1]], dtype=np.uint8)
    b = np.array([[1, 1, 1], [0, 1, 0], [1, 1, 1], [1, 1, 1]], dtype=np.uint8)
    g = agreement(a, b, resamples=R)
    assert g.per_position.tolist() == [0.75, 0.5, 0.5]
    assert g.mean == pytest.approx(7 / 12)
    assert g.prompts == 4 and g.resamples == R and g.level == 0.95
    m = agreement(a, b, mask=np.array([True, False, True, False]), resamples=R)
    assert m.per_position.tolist() == [1.0, 0.5, 0.5]
    assert m.mean == pytest.approx(2 / 3) and m.prompts == 2
    d = g.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["per_position"] == [0.75, 0.5, 0.5] and d["mean"] == round(7 / 12, 4)
    assert d["prompts"] == 4 and len(d["mean_ci"]) == 2


def test_torch_and_predictions_inputs_give_the_same_numbers():
    a = np.array([[1, 0, 1], [0, 0, 1]], dtype=np.uint8)
    b = np.array([[1, 1, 1], [0, 1, 0]], dtype=np.uint8)
    ref = agreement(a, b, resamples=R).to_dict()
    assert agreement(torch.from_numpy(a), torch.from_numpy(b), resamples=R).to_dict() == ref
    learner = make_learner("null", "conjunction")
    xs, ys = prompts("conjunction", 2, 3, 4)
    out = learner.predict_full(xs, ys)
    assert isinstance(agreement(out, out.preds, resamples=R), Agreement)


@given(pred_pairs(), st.data())
def test_mask_equals_the_subset(pair, data):
    a, b = pair
    mask = data.draw(hnp.arrays(np.bool_, a.shape[0]).filter(lambda m: m.any()))
    on_mask = agreement(a, b, mask=mask, resamples=R, seed=1)
    on_subset = agreement(a[mask], b[mask], resamples=R, seed=1)
    assert on_mask.to_dict() == on_subset.to_dict()
    assert on_mask.prompts == int(mask.sum())
    assert agreement(a, b, mask=torch.from_numpy(mask), resamples=R, seed=1).to_dict() == (
        on_subset.to_dict()
    )


Y = np.zeros((3, 4), dtype=np.uint8)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"preds_b": np.zeros((3, 5), np.uint8)}, "preds_b"),
        ({"preds_a": np.zeros((3,), np.uint8)}, "preds_a"),
        ({"preds_a": np.full((3, 4), 2)}, "preds_a"),
        ({"preds_b": np.full((3, 4), 0.5)}, "preds_b"),
        ({"preds_a": np.zeros((0, 4), np.uint8), "preds_b": np.zeros((0, 4))}, "preds_a"),
        ({"mask": np.zeros(3, bool)}, "mask"),
        ({"mask": np.ones(4, bool)}, "mask"),
        ({"mask": np.array([1, 0, 1])}, "mask"),
        ({"resamples": 0}, "resamples"),
        ({"resamples": MAX_RESAMPLES + 1}, "resamples"),
        ({"resamples": 2.5}, "resamples"),
        ({"level": 1.0}, "level"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, name):
    args = {"preds_a": Y, "preds_b": Y, "resamples": R, **kwargs}
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        agreement(args.pop("preds_a"), args.pop("preds_b"), **args)


ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.integers(10**13, 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(-1, 2), max_size=4),
    st.lists(st.booleans(), max_size=4),
)


@given(st.sampled_from(["preds_a", "mask", "resamples", "level", "seed"]), ANY)
def test_arbitrary_values_work_or_raise_value_error(param, value):
    args = {"preds_a": Y, "preds_b": Y, "resamples": R, param: value}
    try:
        agreement(args.pop("preds_a"), args.pop("preds_b"), **args)
    except ValueError:
        pass


@pytest.fixture(scope="module")
def learner_preds():
    """Elimination, 1-NN and null on the same conjunction prompts."""
    xs, ys = prompts("conjunction", 40, 12, 5, seed=0)
    names = ("elimination", "nn1", "null")
    return {k: make_learner(k, "conjunction").predict_full(xs, ys).preds for k in names}


def test_matrix_of_real_learners(learner_preds):
    m = agreement_matrix(learner_preds, positions=[0, 11], resamples=R)
    assert json.loads(json.dumps(m)) == m
    names = list(learner_preds)
    assert m["rows"] == names and m["columns"] == names
    assert (m["prompts"], m["points"], m["resamples"]) == (40, 12, R)
    M = np.array(m["mean"])
    assert M.shape == (3, 3) and (np.diag(M) == 1.0).all()
    assert ((0 <= M) & (M <= 1)).all() and (M == M.T).all()
    assert np.array(m["mean_ci"]).shape == (3, 3, 2)
    assert m["positions"] == [0, 11] and np.array(m["at"]).shape == (3, 3, 2)
    for r in names:
        for c in names:
            curve = m["curves"][r][c]
            assert len(curve["per_position"]) == 12 and len(curve["ci_low"]) == 12
            direct = agreement(learner_preds[r], learner_preds[c], resamples=R)
            assert curve["per_position"] == direct.to_dict()["per_position"]
    i, j = names.index("elimination"), names.index("null")
    # elimination predicts 0 until it has seen a positive: it agrees with null at position 0
    assert m["at"][i][j][0] == 1.0


def test_matrix_rows_references_and_mask(learner_preds):
    mask = np.arange(40) < 15
    m = agreement_matrix(
        learner_preds, ["elimination", "null"], rows=["nn1"], mask=mask, resamples=R
    )
    assert m["rows"] == ["nn1"] and m["columns"] == ["elimination", "null"]
    assert m["prompts"] == 15 and np.array(m["mean"]).shape == (1, 2) and m["at"] == [[[], []]]
    sub = {k: v[:15] for k, v in learner_preds.items()}
    assert m["mean"][0] == [
        round(agreement(sub["nn1"], sub[c], resamples=R).mean, 4) for c in m["columns"]
    ]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"predictions": {}}, "predictions"),
        ({"predictions": {"a": Y, "b": np.zeros((3, 5), np.uint8)}}, "predictions"),
        ({"predictions": {"a": Y, "b": np.full((3, 4), 7)}}, "predictions"),
        ({"references": ["c"]}, "references"),
        ({"references": []}, "references"),
        ({"references": "a"}, "references"),
        ({"rows": ["a", "a"]}, "rows"),
        ({"positions": [4]}, "positions"),
        ({"positions": 1}, "positions"),
        ({"mask": np.zeros(3, bool)}, "mask"),
        ({"mask": np.ones((3, 1), bool)}, "mask"),
        ({"resamples": 0}, "resamples"),
    ],
)
def test_matrix_bad_input_names_the_parameter(kwargs, name):
    args = {"predictions": {"a": Y, "b": Y}, "resamples": R, **kwargs}
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        agreement_matrix(args.pop("predictions"), **args)


def test_groups_with_and_without_prefix(learner_preds):
    teach = np.arange(40) % 3 == 0
    groups = split_by_prefix(teach)
    assert list(groups) == ["teaching prefix", "no prefix"]
    out = agreement_by_group(learner_preds, groups, ["elimination"], resamples=R)
    assert list(out) == ["teaching prefix", "no prefix"]
    assert json.loads(json.dumps(out)) == out
    for g, mask in groups.items():
        assert out[g]["skipped"] is None and out[g]["group"] == g
        direct = agreement_matrix(learner_preds, ["elimination"], mask=mask, resamples=R)
        assert {k: v for k, v in out[g].items() if k not in ("group", "skipped")} == direct
    assert out["teaching prefix"]["prompts"] + out["no prefix"]["prompts"] == 40


def test_an_empty_group_is_skipped_with_a_reason(learner_preds):
    out = agreement_by_group(learner_preds, split_by_prefix(np.zeros(40, bool)), resamples=R)
    assert out["teaching prefix"] == {
        "group": "teaching prefix",
        "prompts": 0,
        "skipped": "no prompt in this group",
    }
    assert out["no prefix"]["prompts"] == 40 and out["no prefix"]["skipped"] is None


@pytest.mark.parametrize(
    ("groups", "name"),
    [
        ({}, "groups"),
        ({"g": np.ones(3, bool)}, "groups"),
        ({"g": np.ones(40, int)}, "groups"),
        ({1: np.ones(40, bool)}, "groups"),
    ],
)
def test_group_bad_input_names_the_parameter(learner_preds, groups, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        agreement_by_group(learner_preds, groups, resamples=R)


def test_split_by_prefix_needs_a_boolean_vector():
    with pytest.raises(ValueError, match=r"^mask\b"):
        split_by_prefix(np.array([0, 1]))
    with pytest.raises(ValueError, match=r"^mask\b"):
        split_by_prefix(np.ones((2, 2), bool))
    g = split_by_prefix(torch.tensor([True, False]))
    assert g["teaching prefix"].tolist() == [True, False] and g["no prefix"].tolist() == [
        False,
        True,
    ]
