"""Learners by name, and which of them apply to which task.

Names (the ``boolicl baselines --learners`` choices): ``null``, ``averaging``, ``nn1``, ``nn3``,
``elimination``, ``gf2``, ``sparse_parity``, ``halfspace``, ``ffn``, ``bayes``.

A learner *applies* to a task when the task's targets lie in its class: ``elimination`` to the
conjunction and disjunction families (the monotone variant when the task draws no negative
literals), ``gf2`` to parities, ``sparse_parity`` to the exactly-k parity task, ``halfspace`` to
threshold, halfspace and majority (a majority is the halfspace ``sum_{l in S} x'_l > 0``); the
others to every task. Any learner *may* run on any task: outside its class it reports
``consistent = False`` where no hypothesis fits.

>>> applicable("parity")
['null', 'averaging', 'nn1', 'nn3', 'gf2', 'ffn', 'bayes']
"""

from __future__ import annotations

from typing import Any

from boolfun.tasks import Task, get_task
from learners.base import Learner
from learners.bayes import BayesOptimal
from learners.elimination import Elimination
from learners.ffn import FeedForward
from learners.gf2 import GF2Elimination
from learners.halfspace import Perceptron
from learners.neighbours import NearestNeighbours
from learners.simple import AveragingLearner, NullLearner
from learners.sparse_parity import SparseParity

LEARNERS = (
    "null",
    "averaging",
    "nn1",
    "nn3",
    "elimination",
    "gf2",
    "sparse_parity",
    "halfspace",
    "ffn",
    "bayes",
)


def _applies(name: str, t: Task) -> bool:
    f = t.family
    if name == "elimination":
        return f in ("conjunction", "disjunction")
    if name == "gf2":
        return f == "parity"
    if name == "sparse_parity":
        return f == "parity" and t.dist.exactly_k
    if name == "halfspace":
        return f in ("threshold", "halfspace", "majority")
    return True


def applicable(task: str) -> list[str]:
    """The learners whose class contains the task's targets, in :data:`LEARNERS` order."""
    t = get_task(task)
    return [name for name in LEARNERS if _applies(name, t)]


def make_learner(
    name: str,
    task: str,
    *,
    seed: int = 0,
    bayes_samples: int = 4096,
    bayes_position_samples: int = 256,
    **params: Any,
) -> Learner:
    """The learner ``name`` set up for ``task``: ``params`` are the task parameters (``k`` of
    the sparse tasks, ``start`` of nearest_neighbour; the task's defaults otherwise), ``seed``
    seeds ``ffn`` and the Monte-Carlo ``bayes`` (``bayes_samples`` draws per prompt in its
    sampled mode, ``bayes_position_samples`` per position and stratum in its conditioned
    mode)."""
    t = get_task(task)
    if name not in LEARNERS:
        raise ValueError(f"learner must be one of {list(LEARNERS)}, got {name!r}")
    for p in params:
        if p not in t.params:
            raise ValueError(
                f"unknown parameter {p!r} for task {t.name!r}: allowed parameters are "
                f"{sorted(t.params)}"
            )
    if name == "null":
        return NullLearner()
    if name == "averaging":
        return AveragingLearner()
    if name in ("nn1", "nn3"):
        return NearestNeighbours(int(name[2]))
    if name == "elimination":
        kind = "disjunction" if t.family in ("disjunction", "cnf") else "conjunction"
        monotone = t.family in ("conjunction", "disjunction") and t.dist.p_negative == 0
        return Elimination(kind, monotone)
    if name == "gf2":
        return GF2Elimination()
    if name == "sparse_parity":
        return SparseParity(params.get("k", t.params.get("k", 2)))
    if name == "halfspace":
        return Perceptron()
    if name == "ffn":
        return FeedForward(seed=seed)
    return BayesOptimal(
        t.name,
        seed=seed,
        samples=bayes_samples,
        position_samples=bayes_position_samples,
        **params,
    )
