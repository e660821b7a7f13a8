"""Prompt samplers: the vectorised torch sampler against the task registry, the paper's
distributions (SPEC §1), exact conditional label rates, and the per-example reference.

Statistical checks use tolerances of ``Z`` standard errors computed from the sample size.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
import torch

from boolfun import CNF, DNF, Conjunction, Disjunction, Halfspace, Majority, Parity
from boolfun.reference import draw_function, reference_prompts
from boolfun.samplers import Prompts, sample_prompts
from boolfun.samplers.families import nearest_labels
from boolfun.samplers.words import count, pack, popcount, random_words, unpack
from boolfun.tasks import TASKS, get_task

Z = 5.0  # tolerance in standard errors
ALL = list(TASKS)
WITH_F = [name for name, t in TASKS.items() if t.has_function]
FORCING = {  # task: (label value forcing produces, q), from SPEC §1
    "conjunction": (1, 0.30),
    "monotone_conjunction": (1, 0.30),
    "conjunction_small": (1, 0.30),
    "monotone_conjunction_small": (1, 0.30),
    "disjunction": (0, 0.30),
    "disjunction_small": (0, 0.30),
    "sparse_disjunction": (0, 0.30),
    "dnf": (1, 0.35),
    "cnf": (0, 0.30),
    "monotone_dnf": (1, 0.35),  # the monotone variants for teaching sequences (not in SPEC §1)
    "monotone_cnf": (0, 0.30),
}
DEFAULTS = {  # task: (n, points, params), from SPEC §1 and the small-n LLM variants
    "conjunction": (28, 70, {}),
    "disjunction": (28, 70, {}),
    "sparse_disjunction": (28, 70, {"k": 4}),
    "dnf": (28, 100, {}),
    "cnf": (28, 100, {}),
    "monotone_dnf": (28, 100, {}),
    "monotone_cnf": (28, 100, {}),
    "majority": (28, 100, {}),
    "threshold": (28, 70, {}),
    "halfspace": (20, 70, {}),
    "parity": (10, 140, {}),
    "sparse_parity": (10, 140, {"k": 2}),
    "nearest_neighbour": (10, 100, {"start": 30}),
    "monotone_conjunction": (28, 70, {}),
    "conjunction_small": (7, 50, {}),
    "disjunction_small": (7, 50, {}),
    "majority_small": (7, 50, {}),
    "monotone_conjunction_small": (7, 50, {}),
}


SMALL_N = 5  # a small n every task accepts (sparse_disjunction needs k = 4 <= n)


def close(mean: float, expected: float, se: float, what: str) -> None:
    tol = Z * se + 1e-12
    assert abs(mean - expected) <= tol, f"{what}: {mean:.4f} vs {expected:.4f} (tol {tol:.4f})"


# -- registry ------------------------------------------------------------------------------


def test_registry_matches_spec():
    assert set(TASKS) == set(DEFAULTS)
    for name, (n, points, params) in DEFAULTS.items():
        t = get_task(name)
        assert (t.name, t.default_n, t.default_points, dict(t.params)) == (name, n, points, params)
        assert t.description and "\n" not in t.description


# -- packed words --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 8, 28, 63, 64, 65, 130])
def test_words_roundtrip_and_popcount(n):
    g = torch.Generator().manual_seed(n)
    w = random_words((50, 3), n, g, torch.device("cpu"))
    bits = unpack(w, n)
    assert bits.shape == (50, 3, n) and bits.dtype == torch.uint8 and bits.is_contiguous()
    assert torch.equal(pack(bits.bool()), w)  # bits beyond n are zero
    assert torch.equal(count(w), bits.sum(-1))
    raw = torch.empty(1000, dtype=torch.int64).random_(-(2**63), None, generator=g)
    naive = ((raw[:, None] >> torch.arange(64)) & 1).sum(-1)
    assert torch.equal(popcount(raw), naive)
    assert (raw < 0).any()  # the sign bit is exercised


# -- shapes, seeds, functions --------------------------------------------------------------


@pytest.mark.parametrize("task", ALL)
def test_shapes_dtypes_values(task):
    t = get_task(task)
    for n, points in [(None, None), (SMALL_N, 9), (70, 3)]:
        p = sample_prompts(task, 6, points, n, seed=0)
        n_, points_ = n or t.default_n, points or t.default_points
        assert isinstance(p, Prompts) and p.task == task and p.n == n_ and len(p) == 6
        assert p.xs.shape == (6, points_, n_) and p.ys.shape == (6, points_)
        assert p.xs.dtype == torch.uint8 and p.ys.dtype == torch.uint8
        assert p.xs.is_contiguous() and p.functions is None
        assert set(p.xs.unique().tolist()) <= {0, 1} and set(p.ys.unique().tolist()) <= {0, 1}
        xs, ys = p.numpy()
        assert xs.dtype == np.uint8 and ys.dtype == np.uint8 and xs.shape == tuple(p.xs.shape)
        assert p.params == {**t.params}


@pytest.mark.parametrize("task", ALL)
def test_seeds(task):
    a = sample_prompts(task, 8, seed=123)
    b = sample_prompts(task, 8, seed=123)
    c = sample_prompts(task, 8, seed=124)
    assert torch.equal(a.xs, b.xs) and torch.equal(a.ys, b.ys)
    assert not torch.equal(a.xs, c.xs)
    g = torch.Generator().manual_seed(123)
    d = sample_prompts(task, 8, generator=g)
    e = sample_prompts(task, 8, generator=g)  # the generator advanced
    assert torch.equal(a.xs, d.xs) and torch.equal(a.ys, d.ys)
    assert not torch.equal(d.xs, e.xs)


@pytest.mark.parametrize("task", ALL)
def test_functions_agree_with_labels(task):
    for n, prompts in [(None, 100), (SMALL_N, 100), (70, 20)]:
        p = sample_prompts(task, prompts, None, n, seed=1, return_functions=True)
        if not get_task(task).has_function:
            assert p.functions is None
            return
        assert p.functions is not None and len(p.functions) == prompts
        for b, f in enumerate(p.functions):
            assert f.n == p.n
            assert np.array_equal(f.evaluate(p.xs[b].numpy()), p.ys[b].numpy()), (task, b, str(f))


@pytest.mark.parametrize("task", ["parity", "sparse_parity"])
def test_parity_labels_are_xors(task):
    p = sample_prompts(task, 50, seed=2, return_functions=True)
    xs, ys = p.numpy()
    for b, f in enumerate(p.functions):
        cols = [v - 1 for v in f.variables]
        xor = np.bitwise_xor.reduce(xs[b][:, cols], axis=1) if cols else np.zeros_like(ys[b])
        assert np.array_equal(xor, ys[b])


# -- exact conditional label rates -----------------------------------------------------------


def _p_literals(lits) -> float:
    """P(all literals true) under uniform inputs."""
    lits = set(lits)
    if any(-v in lits for v in lits):
        return 0.0
    return 2.0 ** -len({abs(v) for v in lits})


def _p_union(groups) -> float:
    """P(some group has all its literals true), by inclusion-exclusion."""
    total = 0.0
    for r in range(1, len(groups) + 1):
        for sub in combinations(groups, r):
            total += (-1) ** (r + 1) * _p_literals([v for g in sub for v in g])
    return total


def _p_linear(weights, bias: Fraction) -> float:
    """P(w . x' > b) for x' uniform in {-1,1}^n (exact convolution)."""
    span = sum(abs(w) for w in weights)
    dist = np.zeros(2 * span + 1)
    dist[span] = 1.0
    for w in weights:
        if w:
            dist = 0.5 * (np.roll(dist, w) + np.roll(dist, -w))
    values = np.arange(-span, span + 1)
    return float(dist[values > bias].sum())


def p_one(f) -> float:
    """P(f(x) = 1) for x uniform on {0,1}^n."""
    if isinstance(f, Conjunction):
        return _p_literals(f.literals)
    if isinstance(f, Disjunction):
        return 1.0 - _p_literals([-v for v in f.literals])
    if isinstance(f, DNF):
        return _p_union(f.groups)
    if isinstance(f, CNF):
        return 1.0 - _p_union([[-v for v in g] for g in f.groups])
    if isinstance(f, Parity):
        return 0.5 if f.variables else 0.0
    if isinstance(f, Majority):
        return _p_linear(f.as_halfspace().weights, Fraction(0))
    assert isinstance(f, Halfspace)  # Threshold too
    return _p_linear(f.weights, f.bias)


def expected_rate(task: str, f) -> float:
    """E[mean label of a prompt | f]: forced examples get the forced label, others are
    uniform inputs."""
    value, q = FORCING.get(task, (0, 0.0))
    return q * value + (1 - q) * p_one(f)


@pytest.mark.parametrize("task", WITH_F)
def test_label_rate_given_function_is_exact(task):
    """Per prompt, the label rate matches q * forced label + (1 - q) P_uniform(f = 1); this
    checks the forcing rule and the labels together against the theory."""
    p = sample_prompts(task, 3000, seed=3, return_functions=True)
    ys = p.ys.double().mean(1).numpy()
    expected = np.array([expected_rate(task, f) for f in p.functions])
    d = ys - expected
    close(d.mean(), 0.0, d.std(ddof=1) / np.sqrt(len(d)), f"{task} label rate - E[rate | f]")
    if task in FORCING:
        value, q = FORCING[task]
        share = (p.ys.numpy() == value).mean(1)
        assert share.mean() >= q - Z * share.std(ddof=1) / np.sqrt(len(share))


# -- the distribution over functions ---------------------------------------------------------


def _literal_stats(p_pos, p_neg, groups=1):
    def stats(f, n):
        gs = f.groups if isinstance(f, DNF | CNF) else [f.literals]
        assert len(gs) == groups
        pos = np.mean([sum(v > 0 for v in g) for g in gs])
        neg = np.mean([sum(v < 0 for v in g) for g in gs])
        return {"positive": pos, "negative": neg}

    def expected(n):
        return {
            "positive": (n * p_pos, n * p_pos * (1 - p_pos) / groups),
            "negative": (n * p_neg, n * p_neg * (1 - p_neg) / groups),
        }

    return stats, expected


def _subset_stats(p):
    def stats(f, n):
        return {"size": len(f.variables)}

    return stats, lambda n: {"size": (n * p, n * p * (1 - p))}


def _exactly_k_stats(k):
    def stats(f, n):
        vs = [abs(v) for v in getattr(f, "literals", None) or f.variables]
        assert len(vs) == k and len(set(vs)) == k
        assert all(v > 0 for v in getattr(f, "literals", vs))
        return {"first": float(1 in vs), "last": float(n in vs)}

    def expected(n):
        p = k / n
        return {"first": (p, p * (1 - p)), "last": (p, p * (1 - p))}

    return stats, expected


def _weight_stats(values, probs, biases):
    def stats(f, n):
        out = {f"w={v}": np.mean([w == v for w in f.weights]) for v in values}
        out.update({f"b={b}": float(f.bias == b) for b in biases})
        return out

    def expected(n):
        out = {f"w={v}": (p, p * (1 - p) / n) for v, p in zip(values, probs, strict=True)}
        m = len(biases)
        out.update({f"b={b}": (1 / m, (1 / m) * (1 - 1 / m)) for b in biases})
        return out

    return stats, expected


HALVES = [Fraction(2 * k + 1, 2) for k in range(-3, 3)]
STATS = {  # the numbers of SPEC §1, written independently of boolfun.tasks
    "conjunction": _literal_stats(0.15, 0.15),
    "disjunction": _literal_stats(0.15, 0.15),
    "sparse_disjunction": _exactly_k_stats(4),
    "dnf": _literal_stats(0.10, 0.10, 3),
    "cnf": _literal_stats(0.10, 0.10, 3),
    "monotone_dnf": _literal_stats(0.20, 0.0, 3),
    "monotone_cnf": _literal_stats(0.20, 0.0, 3),
    "majority": _subset_stats(0.30),
    "threshold": _weight_stats([0, 1, -1], [0.70, 0.15, 0.15], HALVES),
    "halfspace": _weight_stats(list(range(-3, 4)), [1 / 7] * 7, [Fraction(1, 2)]),
    "parity": _subset_stats(0.5),
    "sparse_parity": _exactly_k_stats(2),
    "monotone_conjunction": _literal_stats(0.30, 0.0),
    "conjunction_small": _literal_stats(0.25, 0.25),
    "disjunction_small": _literal_stats(0.25, 0.25),
    "majority_small": _subset_stats(0.5),
    "monotone_conjunction_small": _literal_stats(0.5, 0.0),
}


@pytest.mark.parametrize("sampler", ["vectorised", "reference"])
@pytest.mark.parametrize("task", WITH_F)
def test_function_distribution(task, sampler):
    m, n = 2000, get_task(task).default_n
    if sampler == "vectorised":
        fs = sample_prompts(task, m, 1, seed=4, return_functions=True).functions
    else:
        rng = np.random.default_rng(4)
        fs = [draw_function(task, n, rng) for _ in range(m)]
    stats, expected = STATS[task]
    rows = [stats(f, n) for f in fs]
    for key, (mean, var) in expected(n).items():
        close(np.mean([r[key] for r in rows]), mean, np.sqrt(var / m), f"{task} {key}")


# -- the vectorised sampler against the per-example reference --------------------------------


@pytest.mark.parametrize("task", ALL)
def test_matches_reference(task):
    """Two-sample tests on per-prompt means: label rate and mean input bit."""
    t = get_task(task)
    vec = sample_prompts(task, 3000, seed=5)
    rx, ry, _ = reference_prompts(
        task, 150, t.default_points, t.default_n, np.random.default_rng(5)
    )
    vx, vy = vec.numpy()
    pairs = [("label", vy.mean(1), ry.mean(1)), ("bit", vx.mean((1, 2)), rx.mean((1, 2)))]
    for what, a, b in pairs:
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        close(a.mean(), b.mean(), se, f"{task} {what} vectorised vs reference")


# -- nearest neighbour ----------------------------------------------------------------------


def brute_force_nearest(x: np.ndarray, y: np.ndarray, start: int) -> np.ndarray:
    out = y.copy()
    for j in range(start, len(x)):
        dist = [int((x[i] != x[j]).sum()) for i in range(j)]
        out[j] = out[int(np.argmin(dist))]  # first minimum: earliest
    return out


@pytest.mark.parametrize("n,points,start", [(10, 100, 30), (3, 60, 1), (10, 20, 30), (4, 40, 5)])
def test_nearest_neighbour_brute_force(n, points, start):
    p = sample_prompts("nearest_neighbour", 6, points, n, seed=6, start=start)
    xs, ys = p.numpy()
    for b in range(len(xs)):
        assert np.array_equal(brute_force_nearest(xs[b], ys[b], start), ys[b])


def test_nearest_neighbour_exact_under_autocast():
    """Training code samples inside bf16 autocast: the nearest-point keys must stay exact."""
    with torch.autocast("cpu", dtype=torch.bfloat16):
        p = sample_prompts("nearest_neighbour", 4, 200, 12, seed=7, start=2)
    xs, ys = p.numpy()
    for b in range(len(xs)):
        assert np.array_equal(brute_force_nearest(xs[b], ys[b], 2), ys[b])


@pytest.mark.parametrize("length", [1, 2, 3, 31, 32, 33, 40])
def test_nearest_labels_follow_long_chains(length):
    """x_j = the first j bits set: each point's nearest earlier point is the previous one, so
    with start=1 the first label must travel a chain of ``length`` copies."""
    x = torch.tril(torch.ones(length + 1, length, dtype=torch.uint8), diagonal=-1)[None]
    for first in (False, True):
        ys = nearest_labels(x, torch.tensor([[first]]), 1)
        assert ys.tolist() == [[first] * (length + 1)]


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("task", ALL)
def test_bad_arguments_name_the_parameter(task):
    cases = [
        (dict(prompts=0), "prompts"),
        (dict(prompts=True), "prompts"),
        (dict(points=0), "points"),
        (dict(n=0), "n"),
        (dict(n=2.5), "n"),
        (dict(bogus=1), "bogus"),
    ]
    for kwargs, needle in cases:
        args = {"prompts": 2, "seed": 0, **kwargs}
        with pytest.raises(ValueError, match=needle):
            sample_prompts(task, **args)


@pytest.mark.parametrize(
    "task,kwargs,needle",
    [
        ("banana", {}, "task must be one of"),
        ("sparse_parity", {"n": 10, "k": 11}, "k"),
        ("sparse_parity", {"k": 0}, "k"),
        ("sparse_disjunction", {"n": 3}, "k"),
        ("nearest_neighbour", {"start": 0}, "start"),
        ("parity", {"k": 2}, "allowed parameters are"),
        ("parity", {"seed": None}, "seed"),
        ("parity", {"generator": torch.Generator()}, "seed"),
        ("parity", {"seed": -1}, "seed"),
        ("parity", {"seed": None, "generator": 3}, "generator"),
        ("parity", {"device": "banana"}, "device"),
    ],
)
def test_bad_input(task, kwargs, needle):
    args = {"prompts": 2, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=needle):
        sample_prompts(task, **args)


def test_reference_validation():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="no fixed target"):
        draw_function("nearest_neighbour", 10, rng)
    with pytest.raises(ValueError, match="rng"):
        draw_function("parity", 10, 0)
    with pytest.raises(ValueError, match="k"):
        draw_function("sparse_parity", 3, rng, k=4)
    with pytest.raises(ValueError, match="points"):
        reference_prompts("parity", 1, 0, 3, rng)
    xs, ys, fs = reference_prompts("nearest_neighbour", 2, 5, 3, rng)
    assert xs.shape == (2, 5, 3) and ys.shape == (2, 5) and fs is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("task", ALL)
def test_cuda(task):
    p = sample_prompts(task, 64, seed=0, device="cuda", return_functions=True)
    assert p.xs.is_cuda and p.ys.is_cuda
    q = sample_prompts(task, 64, seed=0, device="cuda")
    assert torch.equal(p.xs, q.xs) and torch.equal(p.ys, q.ys)
    if p.functions is not None:
        xs, ys = p.numpy()
        for b, f in enumerate(p.functions):
            assert np.array_equal(f.evaluate(xs[b]), ys[b])
