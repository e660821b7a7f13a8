"""Every task's prior over its targets, as hypotheses a Bayesian learner can vote with.

A *hypothesis* is one draw of the task's parameters (SPEC §1, the numbers of
:class:`boolfun.tasks.Distribution`): the literal sets of a conjunction / disjunction / DNF /
CNF together with the term or clause the forcing rule uses for the prompt, the subset of a
majority or parity, the weights and bias of a threshold or halfspace. Each hypothesis ``h``
labels inputs and, for tasks with forcing, also shapes the inputs: with ``F_h`` the literal set
that forcing makes true (conjunction, DNF term) or false (disjunction, CNF clause) and
``m_h(x)`` "``x`` agrees with that pattern on the bits of ``F_h``",

``P(x | h) = (1 - q) 2^-n + q [m_h(x)] 2^-(n - |F_h|)``,

so ``log P(x | h) = -n log 2 + log((1 - q) + q 2^|F_h| [m_h(x)])``; the first term is the same
for every ``h`` and dropped (:func:`forcing_loglik`).

Two representations:

* :func:`enumerate_prior` lists every parameter draw with positive probability, computes its
  truth table, and merges draws that agree on both the truth table and the forcing pattern
  (summing their prior mass) — exact, for small ``n`` (:func:`enumeration_cost` says how big).
* :func:`sample_hypotheses` draws parameters from the prior with torch (any shape, any device)
  and :func:`hypothesis_labels` evaluates them on a batch of inputs (batched matrix products).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb, lcm, log
from typing import Any

import numpy as np
import torch

from boolfun.bits import all_inputs
from boolfun.samplers import draws
from boolfun.tasks import Task
from learners.base import exclusive_cumsum

LITERAL_FAMILIES = ("conjunction", "disjunction", "dnf", "cnf")
CONJ_LIKE = ("conjunction", "dnf")  # forcing makes literals true (else false)


def has_prior(task: Task) -> bool:
    """Whether the task draws a target function (every task but nearest_neighbour)."""
    return task.has_function


def forcing_loglik(match: torch.Tensor, n_forced: torch.Tensor, q: float) -> torch.Tensor:
    """``log((1 - q) + q 2^|F| [match])``: the input log-likelihood under forcing, up to the
    common ``-n log 2`` (``n_forced`` broadcasts against ``match``)."""
    hit = torch.log((1 - q) + q * torch.exp2(n_forced.to(torch.float64)))
    return torch.where(match, hit, torch.tensor(log(1 - q), dtype=torch.float64))


# ----------------------------------------------------------------------------- enumeration


def _group_options(task: Task, n: int, params: dict[str, int]) -> tuple[np.ndarray, ...]:
    """``(pos, neg, logp)`` of every literal set one term / clause can draw: ``(K, n)`` bool
    masks and their log probabilities."""
    d = task.dist
    if d.exactly_k:
        k = params["k"]
        subsets = list(combinations(range(n), k))
        pos = np.zeros((len(subsets), n), dtype=bool)
        for r, s in enumerate(subsets):
            pos[r, list(s)] = True
        return pos, np.zeros_like(pos), np.full(len(subsets), -log(len(subsets)))
    options = [(kind, p) for kind, p in enumerate((d.p_positive, d.p_negative, d.p_absent)) if p]
    kinds = np.array([o[0] for o in options])
    logps = np.log(np.array([o[1] for o in options]))
    base = len(options)
    digits = (np.arange(base**n)[:, None] // base ** np.arange(n)) % base  # (K, n)
    return kinds[digits] == 0, kinds[digits] == 1, logps[digits].sum(1)


def _n_group_options(task: Task, n: int, params: dict[str, int]) -> int:
    d = task.dist
    if d.exactly_k:
        return comb(n, params["k"])
    return sum(1 for p in (d.p_positive, d.p_negative, d.p_absent) if p) ** n


def enumeration_cost(task: Task, n: int, params: dict[str, int]) -> int:
    """Truth-table entries :func:`enumerate_prior` computes (its memory, in bits, and time)."""
    d = task.dist
    f = task.family
    if f in LITERAL_FAMILIES:
        return _n_group_options(task, n, params) ** d.groups * 2**n
    if f in ("majority", "parity"):
        subsets = comb(n, params["k"]) if d.exactly_k else 2**n
        return subsets * 2**n
    if f in ("threshold", "halfspace"):
        return len(d.weights) ** n * len(d.biases) * 2**n
    raise ValueError(f"task {task.name!r} has no prior over functions")


def _packed(tables: np.ndarray) -> np.ndarray:
    """Bool tables ``(R, 2^n)`` as uint8 rows (little bit order) for hashing."""
    return np.packbits(tables, axis=1, bitorder="little")


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first index of each distinct row, inverse)`` of a uint8 matrix (the inverse numbers
    the distinct rows)."""
    view = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.shape[1])))[:, 0]
    _, first, inverse = np.unique(view, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _merge(keys: np.ndarray, logp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal ``keys`` (int64): ``(representative index, log of summed prior, inverse)``."""
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    top = logp.max()
    mass = np.bincount(inverse, weights=np.exp(logp - top), minlength=len(uniq))
    return first, np.log(mass) + top, inverse


@dataclass
class ExactPrior:
    """The prior of a task over ``n`` variables, merged by (truth table, forcing pattern).

    ``tables[m, r]`` is hypothesis ``m``'s label at input ``r`` (row ``r`` of
    :func:`boolfun.bits.all_inputs`), ``log_prior[m]`` its total prior mass (log). With forcing,
    ``pattern[m]`` indexes ``logx_patterns`` whose row is ``log P(x_r | h)`` (up to a constant).
    ``draws`` is the number of parameter draws enumerated before merging.
    """

    tables: torch.Tensor  # (M, 2^n) bool
    log_prior: torch.Tensor  # (M,) float64
    pattern: torch.Tensor | None  # (M,) int64
    logx_patterns: torch.Tensor | None  # (K, 2^n) float64
    draws: int

    def __len__(self) -> int:
        return self.tables.shape[0]

    def to(self, device: torch.device) -> ExactPrior:
        """The same prior on ``device``."""
        mv = lambda t: None if t is None else t.to(device)  # noqa: E731
        return ExactPrior(
            mv(self.tables), mv(self.log_prior), mv(self.pattern), mv(self.logx_patterns),
            self.draws,
        )  # fmt: skip


def _literal_prior(task: Task, n: int, params: dict[str, int]) -> ExactPrior:
    d = task.dist
    pos, neg, logp = _group_options(task, n, params)
    X = all_inputs(n).astype(np.int32)  # (2^n, n)
    p32, n32 = pos.astype(np.int32), neg.astype(np.int32)
    conj_like = task.family in CONJ_LIKE
    if conj_like:  # every literal true
        group = (p32 @ (1 - X).T + n32 @ X.T) == 0
    else:  # some literal true
        group = (p32 @ X.T + n32 @ (1 - X).T) > 0
    K = len(logp)
    gpack = _packed(group)  # (K, bytes)
    acc, acc_lp = gpack, logp
    for _ in range(d.groups - 1):  # combo index in mixed radix, first group most significant
        op = np.bitwise_or if task.family == "dnf" else np.bitwise_and
        acc = op(acc[:, None, :], gpack[None, :, :]).reshape(-1, gpack.shape[1])
        acc_lp = (acc_lp[:, None] + logp[None, :]).reshape(-1)
    _, tid = _unique_rows(acc)
    R = len(acc_lp)
    draws_count = R
    if d.force > 0:
        G = d.groups
        combo = np.arange(R)
        k_of = [(combo // K ** (G - 1 - c)) % K for c in range(G)]  # forced group's option
        keys = np.concatenate([tid.astype(np.int64) * K + k for k in k_of])
        lps = np.concatenate([acc_lp - log(G)] * G)
        rep, log_prior, _ = _merge(keys, lps)
        table_rows = acc[rep % R]
        pattern = np.concatenate(k_of)[rep]
        draws_count = R * G if G > 1 else R
        # m_h(x): the forced pattern holds at x (conj-like: the group is true; else: false)
        match = group if conj_like else ~group
        n_forced = torch.from_numpy((pos | neg).sum(1))
        logx = forcing_loglik(torch.from_numpy(match), n_forced[:, None], d.force)
        pattern_t: torch.Tensor | None = torch.from_numpy(pattern.astype(np.int64))
    else:
        rep, log_prior, _ = _merge(tid.astype(np.int64), acc_lp)
        table_rows = acc[rep]
        pattern_t, logx = None, None
    tables = np.unpackbits(table_rows, axis=1, count=2**n, bitorder="little").astype(bool)
    return ExactPrior(
        torch.from_numpy(tables), torch.from_numpy(log_prior), pattern_t, logx, draws_count
    )


def _subset_prior(task: Task, n: int, params: dict[str, int]) -> ExactPrior:
    d = task.dist
    if d.exactly_k:
        subsets = list(combinations(range(n), params["k"]))
        S = np.zeros((len(subsets), n), dtype=bool)
        for r, s in enumerate(subsets):
            S[r, list(s)] = True
        logp = np.full(len(subsets), -log(len(subsets)))
    else:
        S = all_inputs(n).astype(bool)
        size = S.sum(1)
        logp = size * log(d.p_positive) + (n - size) * log(1 - d.p_positive)
    X = all_inputs(n).astype(np.int32)
    c = S.astype(np.int32) @ X.T
    tables = (c % 2 == 1) if task.family == "parity" else (2 * c > S.sum(1)[:, None])
    _, tid = _unique_rows(_packed(tables))
    rep, log_prior, _ = _merge(tid.astype(np.int64), logp)
    return ExactPrior(
        torch.from_numpy(tables[rep]), torch.from_numpy(log_prior), None, None, len(logp)
    )


def _threshold_prior(task: Task, n: int, params: dict[str, int]) -> ExactPrior:
    d = task.dist
    V = len(d.weights)
    digits = (np.arange(V**n)[:, None] // V ** np.arange(n)) % V  # (R_w, n)
    W = np.array(d.weights, dtype=np.int64)[digits]
    lpw = np.log(np.array(d.weight_probs))[digits].sum(1)
    X = all_inputs(n).astype(np.int64)
    lhs = 2 * (W @ X.T) - W.sum(1, keepdims=True)  # w . x' with x' = 2x - 1, (R_w, 2^n)
    den = lcm(*(b.denominator for b in d.biases))
    tables = np.concatenate([lhs * den > int(b * den) for b in d.biases])
    logp = np.concatenate([lpw - log(len(d.biases))] * len(d.biases))
    _, tid = _unique_rows(_packed(tables))
    rep, log_prior, _ = _merge(tid.astype(np.int64), logp)
    return ExactPrior(
        torch.from_numpy(tables[rep]), torch.from_numpy(log_prior), None, None, len(logp)
    )


def enumerate_prior(task: Task, n: int, params: dict[str, int]) -> ExactPrior:
    """Every hypothesis of ``task`` over ``n`` variables with its prior (see
    :class:`ExactPrior`); ``params`` are the resolved task parameters (``k``). Costs
    :func:`enumeration_cost` table entries."""
    f = task.family
    if f in LITERAL_FAMILIES:
        return _literal_prior(task, n, params)
    if f in ("majority", "parity"):
        return _subset_prior(task, n, params)
    if f in ("threshold", "halfspace"):
        return _threshold_prior(task, n, params)
    raise ValueError(f"task {task.name!r} has no prior over functions")


# ----------------------------------------------------------------------------- sampling


def sample_hypotheses(
    task: Task,
    n: int,
    params: dict[str, int],
    shape: tuple[int, ...],
    generator: torch.Generator,
    device: torch.device,
) -> dict[str, torch.Tensor]:
    """Parameters of independent draws from the task's prior, with leading dims ``shape``:
    literal families ``pos``/``neg`` ``(*shape, G, n)`` bool and ``forced`` ``(*shape,)`` (the
    group forcing acts on); majority/parity ``subset`` ``(*shape, n)``; threshold/halfspace
    ``weights`` ``(*shape, n)`` int64 and ``bias`` ``(*shape,)`` (index into the biases)."""
    d = task.dist
    f = task.family
    if f in LITERAL_FAMILIES:
        s = (*shape, d.groups, n)
        if d.exactly_k:
            pos = draws.subset_masks(params["k"], s, generator, device)
            neg = torch.zeros_like(pos)
        else:
            pos, neg = draws.literal_masks(d.p_positive, d.p_negative, s, generator, device)
        forced = torch.randint(d.groups, shape, generator=generator, device=device)
        return {"pos": pos, "neg": neg, "forced": forced}
    if f in ("majority", "parity"):
        if d.exactly_k:
            return {"subset": draws.subset_masks(params["k"], (*shape, n), generator, device)}
        return {"subset": draws.bernoulli(d.p_positive, (*shape, n), generator, device)}
    if f in ("threshold", "halfspace"):
        values = torch.tensor(d.weights, dtype=torch.int64, device=device)
        w = values[draws.categorical(d.weight_probs, (*shape, n), generator, device)]
        bias = torch.randint(len(d.biases), shape, generator=generator, device=device)
        return {"weights": w, "bias": bias}
    raise ValueError(f"task {task.name!r} has no prior over functions")


def can_condition(task: Task) -> bool:
    """Whether :func:`conditioned_hypotheses` applies: one conjunction or disjunction (the
    examples of one label constrain each variable's literal separately)."""
    return task.family in ("conjunction", "disjunction") and task.dist.groups == 1


def conditioned_hypotheses(
    task: Task,
    params: dict[str, int],
    xs_BxPxN: torch.Tensor,
    ys_BxP: torch.Tensor,
    samples: int,
    generator: torch.Generator,
    *,
    with_query: bool = False,
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """For every prompt and position ``i``, ``samples`` exact draws from the prior restricted
    to the hypotheses that fit the *constraining* examples before ``i`` (the positives of a
    conjunction, the negatives of a disjunction; with ``with_query`` also the query ``x_i``
    taken as one) and tilted by those examples' input likelihood: ``(hypotheses, log_Z)``, the
    hypotheses with leading dims ``(B, P, samples)`` and ``log_Z`` ``(B, P)`` the log of the
    proposal's total mass ``Z = sum_h prior(h) g(h)`` over the allowed ``h``.

    A conjunction is true on a positive example, so each of its literals is: variable ``v`` can
    carry ``x_v`` only if every constraining example has ``x_v = 1``, and ``~x_v`` only if every
    one has ``x_v = 0`` (dually, a disjunction's literals are false on every negative). With
    ``m`` such examples, forcing probability ``q`` and ``k`` literals, those examples' inputs
    have likelihood ``g(k) = ((1 - q) + q 2^k)^m`` (:func:`forcing_loglik`, up to ``2^-n``),
    which grows steeply with ``k``. Once ``m >= 1`` each variable has at most one allowed
    literal, so the proposal mass of the sets with ``i`` positive and ``j`` negative literals is
    ``p_0^n C(a, i) C(b, j) r_+^i r_-^j g(i + j)`` (``a``, ``b`` the allowed counts, ``r_+-``
    the prior odds of a literal against absence): the sampler draws ``(i, j)`` from that table,
    then uniform subsets. With ``m = 0`` the proposal is the prior (``Z = 1``). A uniform
    ``k``-subset prior (sparse tasks) is restricted to the allowed variables (``Z`` = their
    share of the prior times ``g(k)``; with fewer than ``k`` allowed, ``Z = 0`` and the subsets
    are padded with disallowed variables).
    """
    if not can_condition(task):
        raise ValueError(f"task {task.name!r} has no per-variable conditioning")
    d = task.dist
    B, P, n = xs_BxPxN.shape
    dev = xs_BxPxN.device
    # the examples that constrain the literals: positives (conjunction), negatives (disjunction)
    label = 1 if task.family == "conjunction" else 0
    sel = (ys_BxP == label).to(torch.int32)  # (B, P)
    xi = xs_BxPxN.to(torch.int32)
    count = exclusive_cumsum(sel, dim=1)  # (B, P) such examples before i
    ones = exclusive_cumsum(sel[..., None] * xi, dim=1)  # (B, P, n)
    if with_query:
        count, ones = count + 1, ones + xi
    all_one, all_zero = ones == count[..., None], ones == 0
    # conjunction: x_v allowed iff all ones, ~x_v iff all zeros; disjunction: the reverse
    pos_ok, neg_ok = (all_one, all_zero) if label == 1 else (all_zero, all_one)
    shape = (B, P, samples, n)
    q = d.force
    if d.exactly_k:
        k = params["k"]
        keys = torch.rand(shape, generator=generator, device=dev)
        keys = torch.where(pos_ok[:, :, None, :], keys, keys - 2.0)  # allowed ones first
        idx = keys.topk(k, dim=-1).indices
        pos = torch.zeros(shape, dtype=torch.bool, device=dev).scatter_(-1, idx, True)
        neg = torch.zeros_like(pos)
        a = pos_ok.sum(-1).to(torch.float64)
        all_n = torch.tensor(float(n), dtype=torch.float64)
        log_share = _log_choose(a, float(k)) - _log_choose(all_n, float(k))
        log_g = count.to(torch.float64) * log((1 - q) + q * 2.0**k) if q > 0 else 0.0
        log_Z = log_share + log_g
    else:
        log_Z = torch.zeros((B, P), dtype=torch.float64, device=dev)
        constrained = count >= 1  # (B, P)
        pos, neg, tz = _tilted_draws(d, pos_ok, neg_ok, count, samples, generator)
        log_Z = torch.where(constrained, tz, log_Z)
        free = ~constrained  # m = 0: the prior (both literals of every variable allowed)
        if bool(free.any()):
            u = torch.rand((int(free.sum()), samples, n), generator=generator, device=dev)
            pos[free] = u < d.p_positive
            neg[free] = (u >= d.p_positive) & (u < d.p_positive + d.p_negative)
    forced = torch.zeros((B, P, samples), dtype=torch.int64, device=dev)
    return {"pos": pos[..., None, :], "neg": neg[..., None, :], "forced": forced}, log_Z


def _log_choose(top: torch.Tensor, r: torch.Tensor | float) -> torch.Tensor:
    """``log C(top, r)`` elementwise (``-inf`` where ``r > top``)."""
    r = torch.as_tensor(r, dtype=torch.float64, device=top.device)
    out = torch.lgamma(top + 1) - torch.lgamma(r + 1) - torch.lgamma((top - r).clamp(min=0) + 1)
    return torch.where(r <= top, out, float("-inf"))


def _tilted_draws(
    d: Any,
    pos_ok: torch.Tensor,
    neg_ok: torch.Tensor,
    count: torch.Tensor,
    samples: int,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(pos, neg, log_Z)`` of the tilted proposal of :func:`conditioned_hypotheses` at every
    ``(B, P)`` with at least one constraining example (other rows: meaningless)."""
    B, P, n = pos_ok.shape
    dev = pos_ok.device
    a = pos_ok.sum(-1).to(torch.float64)[..., None, None]  # allowed positive literals
    b = neg_ok.sum(-1).to(torch.float64)[..., None, None]  # allowed negative literals
    k = torch.arange(n + 1, device=dev, dtype=torch.float64)
    i, j = k[:, None], k[None, :]  # (n+1, n+1) literal counts of each kind

    def log_odds(p: float, r: torch.Tensor) -> torch.Tensor:  # r log(p / p_absent); 0^0 = 1
        return torch.where(r == 0, 0.0, r * log(p / d.p_absent) if p > 0 else float("-inf"))

    q = d.force
    m = count.to(torch.float64)[..., None, None]
    log_g = m * torch.log((1 - q) + q * torch.exp2(i + j)) if q > 0 else torch.zeros_like(i + j)
    lw = _log_choose(a, i) + _log_choose(b, j) + log_odds(d.p_positive, i)
    lw = (lw + log_odds(d.p_negative, j) + log_g).reshape(B * P, -1)  # (B P, (n+1)^2)
    log_Z = (torch.logsumexp(lw, dim=-1) + n * log(d.p_absent)).view(B, P)
    probs = torch.softmax(lw, dim=-1)
    probs = torch.nan_to_num(probs, nan=0.0)
    probs[:, 0] += (probs.sum(-1) == 0).to(probs.dtype)  # rows without constraints: any
    pick = torch.multinomial(probs, samples, replacement=True, generator=generator)
    ni, nj = (pick // (n + 1)).view(B, P, samples, 1), (pick % (n + 1)).view(B, P, samples, 1)
    # uniform subsets of ni allowed positive and nj allowed negative literals from one sort:
    # keys of the positive block in [0, 1), of the negative block in [2, 3), others 5; a
    # literal is taken iff its key is at most the ni-th (nj-th) smallest of its block
    pos_ok4, neg_ok4 = pos_ok[:, :, None, :], neg_ok[:, :, None, :]
    keys = torch.rand((B, P, samples, n), generator=generator, device=dev)
    keys = torch.where(pos_ok4, keys, torch.where(neg_ok4, keys + 2.0, 5.0))
    ordered = keys.sort(-1).values
    a4 = pos_ok.sum(-1)[:, :, None, None]
    t_pos = ordered.gather(-1, (ni - 1).clamp(min=0))
    t_neg = ordered.gather(-1, (a4 + nj - 1).clamp(min=0, max=n - 1))
    pos = pos_ok4 & (keys <= t_pos) & (ni >= 1)
    neg = neg_ok4 & (keys <= t_neg) & (nj >= 1)
    return pos, neg, log_Z


def _bmm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Batched product of small-integer matrices, exact (float32 sums stay below 2^24; no
    autocast)."""
    with torch.autocast(a.device.type, enabled=False):
        return torch.bmm(a.to(torch.float32), b.to(torch.float32))


def hypothesis_labels(
    task: Task, hyp: dict[str, torch.Tensor], xs_BxPxN: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``(labels, logx)`` of hypotheses with leading dims ``(B, H)`` (from
    :func:`sample_hypotheses`) on inputs ``(B, P, n)`` in {0, 1}: ``labels`` ``(B, H, P)`` bool
    and the forcing log-likelihood ``logx`` ``(B, H, P)`` (``None`` without forcing). Each
    label is an integer count (literals violated, ones in ``S``, ``w . x``) from one batched
    matrix product."""
    d = task.dist
    f = task.family
    xT = xs_BxPxN.transpose(1, 2).to(torch.float32)  # (B, n, P)
    x0T = 1 - xT
    if f in LITERAL_FAMILIES:
        pos, neg = hyp["pos"], hyp["neg"]  # (B, H, G, n)
        B, H, G, n = pos.shape
        conj_like = f in CONJ_LIKE
        groups = []
        for g in range(G):
            if conj_like:  # every literal true: no positive literal on a 0, no negative on a 1
                groups.append((_bmm(pos[:, :, g], x0T) + _bmm(neg[:, :, g], xT)) == 0)
            else:  # some literal true
                groups.append((_bmm(pos[:, :, g], xT) + _bmm(neg[:, :, g], x0T)) > 0)
        stack = torch.stack(groups, 2)  # (B, H, G, P)
        labels = stack.any(2) if f == "dnf" else stack.all(2)
        if d.force <= 0:
            return labels, None
        c = hyp["forced"]  # (B, H)
        chosen = stack.gather(2, c[:, :, None, None].expand(B, H, 1, stack.shape[-1]))[:, :, 0]
        # the forced pattern holds at x iff the chosen group is true (conj-like) / false
        match = chosen if conj_like else ~chosen
        lits = (pos | neg).gather(2, c[:, :, None, None].expand(B, H, 1, n))[:, :, 0]
        return labels, forcing_loglik(match, lits.sum(-1)[..., None], d.force)
    if f in ("majority", "parity"):
        s = hyp["subset"]
        cnt = _bmm(s, xT)  # (B, H, P)
        if f == "parity":
            return cnt.to(torch.int64) % 2 == 1, None
        return 2 * cnt > s.sum(-1, keepdim=True), None
    if f in ("threshold", "halfspace"):
        w = hyp["weights"]
        lhs = 2 * _bmm(w, xT).to(torch.int64) - w.sum(-1, keepdim=True)  # w . x'
        den = lcm(*(b.denominator for b in d.biases))
        scaled = torch.tensor([int(b * den) for b in d.biases], device=w.device)
        return lhs * den > scaled[hyp["bias"]][..., None], None
    raise ValueError(f"task {task.name!r} has no prior over functions")


def describe_prior(prior: ExactPrior) -> dict[str, Any]:
    """Sizes worth reporting."""
    return {"hypotheses": len(prior), "draws_enumerated": prior.draws}
