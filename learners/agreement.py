"""Agreement between predictors: which algorithm does a model follow?

Two predictors ``a`` and ``b`` (classical learners of :mod:`learners` or trained models, each
through its ``predict_full(xs, ys).preds``) give predictions of shape ``(B, P)`` on the *same*
prompts. Their agreement at position ``i`` over the prompts selected by a mask
``M ⊆ {1..B}`` is

    g_i(a, b) = (1/|M|) sum_{b in M} [a_{b,i} = b_{b,i}],

and the overall agreement is the mean over positions ``g = (1/P) sum_i g_i``. ``g`` is
symmetric, ``g_i(a, a) = 1``, and ``1 - g_i`` is the Hamming distance between the prediction
columns, so it is a pseudo-metric. Agreement is the accuracy of ``a`` scored against ``b``'s
predictions taken as labels, so the interval is exactly that of
:func:`learners.evaluation.position_accuracy` on the selected prompts: a percentile bootstrap
over prompts, with the same validation and the same limit
:data:`~learners.evaluation.MAX_RESAMPLES`.
Every pair is resampled with the same seed, hence the same bootstrap batches (common random
numbers): differences between cells of a matrix are not blurred by independent resampling noise.

Reading the numbers (the paper's "two distinct algorithms" question): a model whose agreement
with one learner is near 1 at every position while its agreement with another learner is clearly
below follows the first; on prompts where both learners agree with each other the question is
moot, so read a model's row next to the learners' own rows of the same matrix.

Prompts with and without a teaching prefix are compared by passing a boolean mask of shape
``(B,)`` (``True`` = the prompt starts with a teaching sequence; the caller knows which prompts
it built that way): ``agreement(..., mask=m)`` and ``agreement(..., mask=~m)``, or all at once
:func:`agreement_by_group` with :func:`split_by_prefix` ``(m)``.

>>> import numpy as np
>>> a = np.array([[1, 0, 1], [0, 0, 1]])
>>> b = np.array([[1, 1, 1], [0, 1, 0]])
>>> agreement(a, b, resamples=10).per_position.tolist()
[1.0, 0.0, 0.5]
>>> m = agreement_matrix({"a": a, "b": b}, resamples=10)
>>> m["mean"]
[[1.0, 0.5], [0.5, 1.0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from boolfun.bits import check_int
from learners.evaluation import MAX_RESAMPLES, PositionAccuracy, _as_numpy, position_accuracy

PREFIX_GROUPS = ("teaching prefix", "no prefix")
"""The group names :func:`split_by_prefix` gives: prompts with and without a teaching prefix."""


@dataclass
class Agreement:
    """The agreement of two predictors at every position with its bootstrap interval (module
    docstring); ``mean`` averages the positions, ``prompts`` is ``|M|``."""

    per_position: np.ndarray  # (P,) g_i
    ci_low: np.ndarray  # (P,)
    ci_high: np.ndarray  # (P,)
    mean: float  # g, the mean over positions
    mean_ci: tuple[float, float]
    prompts: int  # the prompts the mask selected
    level: float
    resamples: int

    def to_dict(self, digits: int = 4) -> dict[str, Any]:
        """JSON-ready: ``per_position``, ``ci_low``, ``ci_high`` (lists of ``P`` floats),
        ``mean``, ``mean_ci`` (``[low, high]``), ``prompts``, ``level``, ``resamples``."""

        return {
            **PositionAccuracy.to_dict(self, digits),  # type: ignore[arg-type]
            "prompts": self.prompts,
            "level": self.level,
            "resamples": self.resamples,
        }


def _preds(a: Any, name: str) -> np.ndarray:
    """``(B, P)`` bool from an array, a tensor or anything with ``.preds`` (Predictions)."""
    if hasattr(a, "preds") and not isinstance(a, np.ndarray | torch.Tensor):
        a = a.preds
    arr = _as_numpy(a, name)
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{name} must hold at least one prompt and one point, got {arr.shape}")
    return arr


def _mask(mask: Any, prompts: int, name: str = "mask") -> np.ndarray:
    """A boolean ``(prompts,)`` selection (numpy, torch or a list of bools)."""
    if isinstance(mask, torch.Tensor):
        mask = mask.detach().cpu().numpy()
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        raise ValueError(f"{name} must be a boolean array of shape ({prompts},), got {arr.dtype}")
    if arr.shape != (prompts,):
        raise ValueError(f"{name} must have shape ({prompts},) (one per prompt), got {arr.shape}")
    return arr


def _check_bootstrap(resamples: Any, seed: Any, level: Any) -> None:
    check_int(resamples, "resamples", 1, MAX_RESAMPLES)
    check_int(seed, "seed", 0)
    if isinstance(level, bool) or not isinstance(level, float | int) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")


def _agree(a: np.ndarray, b: np.ndarray, resamples: int, seed: int, level: float) -> Agreement:
    acc = position_accuracy(a, b, resamples=resamples, seed=seed, level=level)
    return Agreement(
        per_position=acc.per_position,
        ci_low=acc.ci_low,
        ci_high=acc.ci_high,
        mean=acc.mean,
        mean_ci=acc.mean_ci,
        prompts=acc.prompts,
        level=acc.level,
        resamples=acc.resamples,
    )


def agreement(
    preds_a: Any,
    preds_b: Any,
    *,
    mask: Any = None,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Agreement:
    """The agreement ``g_i`` of ``preds_a`` and ``preds_b`` (each ``(B, P)`` in {0, 1}, numpy,
    torch, or a :class:`~learners.base.Predictions`) at every position, over the prompts where
    ``mask`` (``(B,)`` bool; default all) is true, with a percentile-bootstrap interval over
    those prompts (module docstring). Symmetric in ``a`` and ``b``, exactly."""
    a, b = _preds(preds_a, "preds_a"), _preds(preds_b, "preds_b")
    if a.shape != b.shape:
        raise ValueError(f"preds_b must have the shape of preds_a {a.shape}, got {b.shape}")
    _check_bootstrap(resamples, seed, level)
    if mask is not None:
        m = _mask(mask, a.shape[0])
        if not m.any():
            raise ValueError("mask must select at least one prompt, got none")
        a, b = a[m], b[m]
    return _agree(a, b, resamples, seed, level)


def _names(value: Any, known: list[str], name: str) -> list[str]:
    if value is None:
        return list(known)
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise ValueError(f"{name} must be a non-empty list of predictor names, got {value!r}")
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValueError(f"{name} must name predictors among {known}, got unknown {unknown}")
    if len(set(value)) != len(value):
        raise ValueError(f"{name} must not repeat a name, got {list(value)}")
    return list(value)


def _positions(value: Any, points: int) -> list[int]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"positions must be a list of integers in [0, {points - 1}]")
    return [check_int(p, "positions", 0, points - 1) for p in value]


def _check_predictions(predictions: Any) -> dict[str, np.ndarray]:
    if not isinstance(predictions, Mapping) or not predictions:
        raise ValueError("predictions must be a non-empty dict of name -> (B, P) predictions")
    arrays: dict[str, np.ndarray] = {}
    shape = None
    for key, value in predictions.items():
        if not isinstance(key, str):
            raise ValueError(f"predictions must be keyed by name (str), got key {key!r}")
        arr = _preds(value, f"predictions[{key!r}]")
        if shape is not None and arr.shape != shape:
            raise ValueError(
                f"predictions[{key!r}] must have the shape {shape} of the others, got {arr.shape}"
            )
        shape = arr.shape
        arrays[key] = arr
    return arrays


def _matrix(
    arrays: dict[str, np.ndarray],
    rows: list[str],
    columns: list[str],
    positions: list[int],
    resamples: int,
    seed: int,
    level: float,
    digits: int,
) -> dict[str, Any]:
    done: dict[tuple[str, str], Agreement] = {}
    for r in rows:
        for c in columns:
            if (c, r) in done:  # symmetric: the same numbers, exactly
                done[r, c] = done[c, r]
            else:
                done[r, c] = _agree(arrays[r], arrays[c], resamples, seed, level)
    B, P = next(iter(arrays.values())).shape

    def rd(v: Any) -> float:
        return round(float(v), digits)

    return {
        "rows": rows,
        "columns": columns,
        "prompts": B,
        "points": P,
        "level": float(level),
        "resamples": resamples,
        "mean": [[rd(done[r, c].mean) for c in columns] for r in rows],
        "mean_ci": [[[rd(v) for v in done[r, c].mean_ci] for c in columns] for r in rows],
        "positions": positions,
        "at": [
            [[rd(done[r, c].per_position[p]) for p in positions] for c in columns] for r in rows
        ],
        "curves": {r: {c: _curve(done[r, c], digits) for c in columns} for r in rows},
    }


def _curve(a: Agreement, digits: int) -> dict[str, list[float]]:
    d = a.to_dict(digits)
    return {k: d[k] for k in ("per_position", "ci_low", "ci_high")}


def _prepare(
    predictions: Any,
    references: Any,
    rows: Any,
    positions: Any,
    resamples: int,
    seed: int,
    level: float,
    digits: int,
) -> tuple[dict[str, np.ndarray], list[str], list[str], tuple[int, int], list[int], int]:
    """The checked arguments of :func:`agreement_matrix` and :func:`agreement_by_group`."""
    arrays = _check_predictions(predictions)
    names = list(arrays)
    columns = _names(references, names, "references")
    row_names = _names(rows, names, "rows")
    B, P = next(iter(arrays.values())).shape
    pos = _positions(positions, P)
    _check_bootstrap(resamples, seed, level)
    return arrays, columns, row_names, (B, P), pos, check_int(digits, "digits", 0, 17)


def agreement_matrix(
    predictions: Mapping[str, Any],
    references: Sequence[str] | None = None,
    *,
    rows: Sequence[str] | None = None,
    mask: Any = None,
    positions: Sequence[int] | None = None,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    digits: int = 4,
) -> dict[str, Any]:
    """The agreement of every row predictor with every reference predictor on the same prompts.

    ``predictions`` maps a name to its ``(B, P)`` predictions (all of one shape; numpy, torch or
    :class:`~learners.base.Predictions`). Columns are ``references`` (default: every name), rows
    are ``rows`` (default: every name, so the references' agreement with each other sits in the
    same matrix). ``mask`` (``(B,)`` bool) selects the prompts; ``positions`` (indices in
    ``[0, P)``) are reported one by one besides the mean over all positions. A predictor against
    itself gives exactly 1.0. JSON-ready result:

    - ``rows`` (R names), ``columns`` (C names), ``prompts`` (selected), ``points`` (P),
      ``level``, ``resamples``;
    - ``mean``: R x C list of the mean agreement over positions; ``mean_ci``: R x C x 2;
    - ``positions``: the requested positions (K, default none); ``at``: R x C x K agreement
      at each of them;
    - ``curves[row][column]``: ``per_position``, ``ci_low``, ``ci_high`` (P floats each).
    """
    arrays, columns, row_names, (B, P), pos, digits = _prepare(
        predictions, references, rows, positions, resamples, seed, level, digits
    )
    if mask is not None:
        m = _mask(mask, B)
        if not m.any():
            raise ValueError("mask must select at least one prompt, got none")
        arrays = {k: v[m] for k, v in arrays.items()}
    return _matrix(arrays, row_names, columns, pos, resamples, seed, level, digits)


def split_by_prefix(mask: Any) -> dict[str, np.ndarray]:
    """``{"teaching prefix": mask, "no prefix": ~mask}`` for :func:`agreement_by_group`, from
    ``mask`` (``(B,)`` bool, ``True`` where the prompt starts with a teaching sequence)."""
    if isinstance(mask, torch.Tensor):
        mask = mask.detach().cpu().numpy()
    arr = np.asarray(mask)
    if arr.dtype != np.bool_ or arr.ndim != 1:
        raise ValueError(
            f"mask must be a boolean array of shape (prompts,), got {arr.dtype} {arr.shape}"
        )
    return {PREFIX_GROUPS[0]: arr, PREFIX_GROUPS[1]: ~arr}


def agreement_by_group(
    predictions: Mapping[str, Any],
    groups: Mapping[str, Any],
    references: Sequence[str] | None = None,
    *,
    rows: Sequence[str] | None = None,
    positions: Sequence[int] | None = None,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    digits: int = 4,
) -> dict[str, dict[str, Any]]:
    """One :func:`agreement_matrix` per group of prompts: ``groups`` maps a group name to its
    ``(B,)`` boolean mask (e.g. :func:`split_by_prefix`). Returns ``{group: entry}`` in the
    order of ``groups``; every entry has ``group``, ``prompts`` and ``skipped``. A group that
    selects no prompt is not an error: its entry is ``{"group", "prompts": 0, "skipped":
    reason}``; the others are the matrix with ``skipped = None``."""
    arrays, columns, row_names, (B, P), pos, digits = _prepare(
        predictions, references, rows, positions, resamples, seed, level, digits
    )
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError("groups must be a non-empty dict of group name -> (B,) boolean mask")
    masks = {}
    for g, m in groups.items():
        if not isinstance(g, str):
            raise ValueError(f"groups must be keyed by name (str), got key {g!r}")
        masks[g] = _mask(m, B, f"groups[{g!r}]")
    out: dict[str, dict[str, Any]] = {}
    for g, m in masks.items():
        if not m.any():
            out[g] = {"group": g, "prompts": 0, "skipped": "no prompt in this group"}
            continue
        sub = {k: v[m] for k, v in arrays.items()}
        matrix = _matrix(sub, row_names, columns, pos, resamples, seed, level, digits)
        out[g] = {"group": g, "skipped": None, **matrix}
    return out
