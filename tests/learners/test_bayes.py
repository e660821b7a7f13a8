"""The Bayes-optimal learner: its posterior against a plain brute-force computation with
:mod:`boolfun` objects (forcing likelihood included), optimality against every other learner,
the sampled mode, and nearest_neighbour."""

from __future__ import annotations

import itertools
from collections import Counter
from math import comb, log

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun import CNF, DNF, Conjunction, Disjunction, Halfspace, Majority, Parity, Threshold
from boolfun.tasks import get_task, resolve_params
from learners import BayesOptimal, NearestNeighbours, applicable, make_learner
from learners.priors import enumerate_prior
from tests.learners.helpers import prompts


def _literal_sets(task, n, k):
    """(probability, signed literals) of one term / clause."""
    d = task.dist
    if d.exactly_k:
        for s in itertools.combinations(range(1, n + 1), k):
            yield 1 / comb(n, k), list(s)
        return
    choices = [(1, d.p_positive), (-1, d.p_negative), (0, d.p_absent)]
    for picks in itertools.product(choices, repeat=n):
        p = float(np.prod([c[1] for c in picks]))
        if p > 0:
            yield p, [sign * (i + 1) for i, (sign, _) in enumerate(picks) if sign]


def brute_prior(task_name, n, **params):
    """Every draw of the task's prior as (probability, f, forced literal set or None)."""
    t = get_task(task_name)
    d = t.dist
    k = resolve_params(t, n, params).get("k")
    f = t.family
    if f in ("conjunction", "disjunction"):
        cls = Conjunction if f == "conjunction" else Disjunction
        for p, lits in _literal_sets(t, n, k):
            yield p, cls(n, lits), lits
    elif f in ("dnf", "cnf"):
        cls = DNF if f == "dnf" else CNF
        for combo in itertools.product(list(_literal_sets(t, n, k)), repeat=d.groups):
            p = float(np.prod([c[0] for c in combo]))
            groups = [c[1] for c in combo]
            for c in range(d.groups):  # the term / clause forcing uses in this prompt
                yield p / d.groups, cls(n, groups), groups[c]
    elif f in ("majority", "parity"):
        cls = Majority if f == "majority" else Parity
        if d.exactly_k:
            for s in itertools.combinations(range(1, n + 1), k):
                yield 1 / comb(n, k), cls(n, list(s)), None
        else:
            for bits in itertools.product([0, 1], repeat=n):
                m = sum(bits)
                p = d.p_positive**m * (1 - d.p_positive) ** (n - m)
                yield p, cls(n, [i + 1 for i, b in enumerate(bits) if b]), None
    else:
        cls = Threshold if f == "threshold" else Halfspace
        for ws in itertools.product(range(len(d.weights)), repeat=n):
            p = float(np.prod([d.weight_probs[w] for w in ws]))
            for b in d.biases:
                yield p / len(d.biases), cls(n, [d.weights[w] for w in ws], b), None


def input_likelihood(x, lits, task):
    """P(x | h) under the forcing rule, written out: (1-q) 2^-n + q [pattern] 2^-(n-|F|)."""
    n = len(x)
    q = task.dist.force
    if lits is None or q == 0:
        return 2.0**-n
    satisfy = task.family in ("conjunction", "dnf")
    ok = all((x[abs(li) - 1] == 1) == ((li > 0) == satisfy) for li in lits)
    return (1 - q) * 2.0**-n + q * ok * 2.0 ** -(n - len(lits))


def brute_proba(task_name, xs, ys, use_inputs=True, **params):
    """P(y_i = 1 | examples before i, x_i) per position, by summing over the prior."""
    t = get_task(task_name)
    draws = list(brute_prior(task_name, xs.shape[2], **params))
    out = np.zeros(ys.shape)
    for b in range(len(xs)):
        labels = [f.evaluate(xs[b]) for _, f, _ in draws]
        for i in range(xs.shape[1]):
            num = den = 0.0
            for (p, _, lits), lab in zip(draws, labels, strict=True):
                if (lab[:i] != ys[b, :i]).any():
                    continue
                w = p
                if use_inputs:
                    w *= np.prod([input_likelihood(x, lits, t) for x in xs[b, : i + 1]])
                den += w
                num += w * lab[i]
            out[b, i] = num / den
    return out


CASES = [
    ("conjunction_small", 3, {}),
    ("conjunction", 3, {}),
    ("monotone_conjunction", 3, {}),
    ("disjunction_small", 3, {}),
    ("sparse_disjunction", 4, {"k": 2}),
    ("dnf", 2, {}),
    ("cnf", 2, {}),
    ("majority", 3, {}),
    ("threshold", 2, {}),
    ("halfspace", 2, {}),
    ("parity", 3, {}),
    ("sparse_parity", 4, {"k": 2}),
]


@pytest.mark.parametrize("task,n,params", CASES)
def test_exact_posterior_matches_brute_force(task, n, params):
    points = 7 if task in ("dnf", "cnf") else 9
    xs, ys = prompts(task, 4, points, n, seed=7, **params)
    out = BayesOptimal(task, **params).predict_full(xs, ys)
    assert out.meta["mode"] == "exact"
    np.testing.assert_allclose(out.proba, brute_proba(task, xs, ys, **params), atol=1e-9)
    assert (out.preds == (out.proba > 0.5 + 1e-9)).all()
    assert out.consistent.all()
    assert (out.preds[out.determined] == ys[out.determined]).all()


@pytest.mark.parametrize("task", ["conjunction_small", "dnf"])
def test_ignoring_inputs_is_the_uniform_input_posterior(task):
    n = 2 if task == "dnf" else 3
    xs, ys = prompts(task, 4, 8, n, seed=3)
    out = BayesOptimal(task, use_inputs=False).predict_full(xs, ys)
    np.testing.assert_allclose(out.proba, brute_proba(task, xs, ys, use_inputs=False), atol=1e-9)


def test_forcing_likelihood_is_worth_accuracy():
    """On a task with forcing, the posterior that models the inputs beats the one that treats
    them as uniform (paired over 1500 prompts, by far more than the sampling error)."""
    xs, ys = prompts("conjunction_small", 1500, 16, 5, seed=11)
    a = BayesOptimal("conjunction_small").predict(xs, ys) == ys
    b = BayesOptimal("conjunction_small", use_inputs=False).predict(xs, ys) == ys
    d = (a.astype(float) - b).mean(1)
    assert d.mean() > 5 * d.std() / np.sqrt(len(d))


def test_merging_keeps_the_prior_mass():
    for task, n, params in CASES:
        t = get_task(task)
        prior = enumerate_prior(t, n, resolve_params(t, n, params))
        assert abs(float(prior.log_prior.exp().sum()) - 1) < 1e-9, task
        assert prior.tables.shape == (len(prior), 2**n)


OPTIMALITY_TASKS = [
    "conjunction_small",
    "disjunction",
    "monotone_conjunction",
    "dnf",
    "cnf",
    "majority",
    "threshold",
    "halfspace",
    "parity",
    "sparse_parity",
]


@settings(max_examples=6)
@given(task=st.sampled_from(OPTIMALITY_TASKS), n=st.integers(2, 4), seed=st.integers(0, 2**16))
def test_bayes_is_never_beaten_beyond_sampling_error(task, n, seed):
    """On prompts of its own prior, the exact Bayes vote is at least as accurate as every
    other learner that applies, up to 4 standard errors of the paired difference."""
    if task in ("dnf", "cnf"):
        n = min(n, 3)
    xs, ys = prompts(task, 300, 12, n, seed=seed)
    bayes = BayesOptimal(task).predict_full(xs, ys)
    assert bayes.meta["mode"] == "exact"
    ok = (bayes.preds == ys).astype(float)
    for name in applicable(task):
        if name == "bayes":
            continue
        other = (make_learner(name, task).predict(xs, ys) == ys).astype(float)
        d = (ok - other).mean(1)
        assert d.mean() >= -4 * d.std() / np.sqrt(len(d)) - 1e-12, name


def test_sampled_mode_approaches_the_exact_vote():
    xs, ys = prompts("threshold", 200, 12, 4, seed=5)
    exact = BayesOptimal("threshold", mode="exact").predict_full(xs, ys)
    sampled = BayesOptimal("threshold", mode="sampled", samples=2048, seed=1).predict_full(xs, ys)
    assert sampled.meta["mode"] == "sampled" and sampled.meta["samples_per_prompt"] == 2048
    assert sampled.determined is None
    assert np.abs(sampled.proba - exact.proba).mean() < 0.02
    assert abs((sampled.preds == ys).mean() - (exact.preds == ys).mean()) < 0.02


def test_sampled_mode_with_forcing_approaches_the_exact_vote():
    xs, ys = prompts("dnf", 100, 10, 3, seed=6)
    exact = BayesOptimal("dnf").predict_full(xs, ys)
    sampled = BayesOptimal("dnf", mode="sampled", samples=4096).predict_full(xs, ys)
    assert np.abs(sampled.proba - exact.proba).mean() < 0.01


def test_auto_mode_switches_on_size():
    b = BayesOptimal("conjunction")
    assert b.resolved_mode(4) == "exact" and b.resolved_mode(28) == "conditioned"
    assert BayesOptimal("majority").resolved_mode(28) == "sampled"
    xs, ys = prompts("conjunction", 3, 10, 28, seed=0)
    out = b.predict_full(xs, ys)
    assert out.meta["mode"] == "conditioned" and out.meta["samples_per_position"] == 512
    assert 0 <= out.meta["posterior_empty_rate"] <= 1
    xs, ys = prompts("dnf", 3, 10, 28, seed=0)
    out = BayesOptimal("dnf").predict_full(xs, ys)
    assert out.meta["mode"] == "sampled" and out.meta["samples_per_prompt"] == 4096


CONDITIONED_TASKS = ["conjunction", "monotone_conjunction", "disjunction", "sparse_disjunction"]


@pytest.mark.parametrize("task", CONDITIONED_TASKS)
def test_conditioned_draws_fit_the_constraining_examples(task):
    """Every conditioned draw for position i is true on the earlier positives (conjunction) /
    false on the earlier negatives (disjunction), whatever the rest of the prompt says."""
    from learners.priors import conditioned_hypotheses, hypothesis_labels

    t = get_task(task)
    xs, ys = prompts(task, 4, 15, 9, seed=3)
    x, y = torch.from_numpy(xs), torch.from_numpy(ys)
    hyp, _ = conditioned_hypotheses(t, resolve_params(t, 9, {}), x, y, 64, torch.Generator())
    flat = {k: v.reshape(4 * 15, *v.shape[2:]) for k, v in hyp.items()}
    labels, _ = hypothesis_labels(t, flat, x[:, None].expand(4, 15, 15, 9).reshape(60, 15, 9))
    labels = labels.view(4, 15, 64, 15)  # prompt, position i, draw, example j
    label = 1 if t.family == "conjunction" else 0
    before = torch.arange(15)[None, None, :] < torch.arange(15)[None, :, None]  # j < i ...
    constraining = before & (y[:, None, :] == label)  # ... with the constraining label
    assert (labels.eq(bool(label)) | ~constraining[:, :, None, :]).all()
    assert constraining.sum() > 5  # the check is not vacuous


@pytest.mark.parametrize("task", ["conjunction", "disjunction", "sparse_disjunction"])
def test_conditioned_draws_follow_the_renormalised_prior(task):
    """At n = 3 the empirical law of the draws for one position matches the prior restricted
    to the allowed literal sets, tilted by the constraining input's forcing likelihood
    ``(1 - q) + q 2^k`` and renormalised, and ``Z`` is that tilted mass (by enumeration)."""
    from learners.priors import conditioned_hypotheses

    t = get_task(task)
    n, k = 3, 1
    params = {"k": k} if t.dist.exactly_k else {}
    label = 1 if t.family == "conjunction" else 0
    xs = torch.tensor([[[1, 0, 0], [1, 1, 1], [0, 0, 0]]], dtype=torch.uint8)
    ys = torch.tensor([[label, 1 - label, 0]], dtype=torch.uint8)  # position 2 sees one
    hyp, log_Z = conditioned_hypotheses(t, params, xs, ys, 40000, torch.Generator().manual_seed(0))
    pos, neg = hyp["pos"][0, 2, :, 0], hyp["neg"][0, 2, :, 0]  # (samples, n)
    keys = [tuple(row) for row in (pos.int() - neg.int()).tolist()]
    seen = {key: count / len(keys) for key, count in Counter(keys).items()}
    allowed = {}
    for prob, lits in _literal_sets(t, n, k):
        key = tuple((1 if v + 1 in lits else -1 if -(v + 1) in lits else 0) for v in range(n))
        on_first = [1 if s == 1 and xs[0, 0, v] or s == -1 and not xs[0, 0, v] else 0
                    for v, s in enumerate(key) if s]  # fmt: skip
        fits = all(on_first) if label == 1 else not any(on_first)
        if fits:
            g = (1 - t.dist.force) + t.dist.force * 2 ** len(lits)
            allowed[key] = allowed.get(key, 0.0) + prob * g
    total = sum(allowed.values())
    assert abs(float(log_Z[0, 2].exp()) - total) < 1e-9 * total
    law = {key: p / total for key, p in allowed.items()}
    assert set(seen) == set(law) and len(law) > 1
    assert sum(abs(seen[key] - law[key]) for key in law) < 0.03


@pytest.mark.parametrize(
    "task, use_inputs", [(t, True) for t in CONDITIONED_TASKS] + [("conjunction", False)]
)
def test_conditioned_mode_approaches_the_exact_vote(task, use_inputs):
    xs, ys = prompts(task, 150, 20, 5, seed=4)
    exact = BayesOptimal(task, mode="exact", use_inputs=use_inputs).predict_full(xs, ys)
    cond = BayesOptimal(
        task, mode="conditioned", position_samples=512, use_inputs=use_inputs
    ).predict_full(xs, ys)
    assert cond.meta["mode"] == "conditioned" and cond.determined is None
    assert np.abs(cond.proba - exact.proba).mean() < 0.015
    # where the exact posterior is determined, any consistent draw gives its label
    det = exact.determined
    assert (cond.preds[det] == exact.preds[det]).mean() > 0.99


def test_conditioned_bayes_is_a_ceiling_at_paper_size():
    """n = 28: the conditioned vote is at least as accurate as elimination, null and nn3 (up to
    4 standard errors of the paired difference), and almost every position has fitting
    draws."""
    xs, ys = prompts("conjunction", 60, 70, 28, seed=8)
    cond = BayesOptimal("conjunction", position_samples=128).predict_full(xs, ys)
    for name in ("elimination", "null", "nn3"):
        other = make_learner(name, "conjunction").predict(xs, ys)
        d = ((cond.preds == ys).astype(float) - (other == ys).astype(float)).mean(1)
        assert d.mean() >= -4 * d.std() / np.sqrt(len(d)), name
    assert cond.meta["posterior_empty_rate"] < 0.01


def test_nearest_neighbour_bayes_is_1nn_after_start():
    xs, ys = prompts("nearest_neighbour", 20, 40, 6, seed=2, start=10)
    out = BayesOptimal("nearest_neighbour", start=10).predict_full(xs, ys)
    nn = NearestNeighbours(1).predict(xs, ys)
    assert (out.preds[:, 10:] == nn[:, 10:]).all() and (out.preds[:, 10:] == ys[:, 10:]).all()
    # before start: an exact repeat of an earlier point is its first copy's label, determined;
    # any other label is a fair coin (predict 0, probability 1/2)
    repeat = np.array(
        [
            [any((xs[b, j] == xs[b, i]).all() for j in range(i)) for i in range(10)]
            for b in range(20)
        ]
    )
    assert repeat.any() and not repeat.all()
    assert (out.preds[:, :10][repeat] == ys[:, :10][repeat]).all()
    assert (out.preds[:, :10][~repeat] == 0).all() and (out.proba[:, :10][~repeat] == 0.5).all()
    assert out.determined[:, 10:].all() and (out.determined[:, :10] == repeat).all()
    assert out.consistent.all()


def test_outside_the_support_falls_back_to_fewest_mistakes():
    # parity prompts judged under the conjunction prior: mostly no consistent conjunction
    xs, ys = prompts("parity", 10, 12, 3, seed=1)
    out = BayesOptimal("conjunction_small").predict_full(xs, ys)
    assert not out.consistent.all()
    assert np.isfinite(out.proba).all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        BayesOptimal("parity", mode="fast")
    with pytest.raises(ValueError, match="samples"):
        BayesOptimal("parity", samples=0)
    with pytest.raises(ValueError, match="position_samples"):
        BayesOptimal("conjunction", position_samples=0)
    with pytest.raises(ValueError, match="conditioned"):
        BayesOptimal("dnf", mode="conditioned")
    with pytest.raises(ValueError, match="task"):
        BayesOptimal("banana")
    with pytest.raises(ValueError, match="parameter"):
        BayesOptimal("parity", k=2)
    xs, ys = prompts("sparse_parity", 2, 5, 3, seed=0, k=2)
    with pytest.raises(ValueError, match="k"):
        BayesOptimal("sparse_parity", k=5).predict(xs, ys)


def test_log_prior_of_a_single_draw():
    t = get_task("conjunction")
    prior = enumerate_prior(t, 1, {})
    # x1 (.15), ~x1 (.15), empty (.70): three distinct tables
    assert sorted(np.round(prior.log_prior.exp().numpy(), 12)) == [0.15, 0.15, 0.7]
    assert abs(log(0.7) - float(prior.log_prior.max())) < 1e-12
