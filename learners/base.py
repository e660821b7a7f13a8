"""The interface every in-context learner shares, and the validation of its input.

A batch of prompts is ``xs`` of shape ``(B, P, n)`` and ``ys`` of shape ``(B, P)``, both in
{0, 1}. A learner maps it to predictions ``preds`` of shape ``(B, P)``: ``preds[b, i]`` is the
label the learner gives to ``xs[b, i]`` after seeing the labelled examples
``(xs[b, j], ys[b, j])`` for ``j < i`` only, exactly like a causal sequence model read at the
``x`` positions. Position 0 therefore sees no example, and ``ys[:, P - 1]`` is never used for a
prediction (it is still validated).

numpy arrays give numpy results; torch tensors give tensors on the same device (the work is
done there). Learners that are *exact* (they know their hypothesis class) also report, per
position, whether the prediction is *determined*: every hypothesis of the class consistent with
the examples so far gives ``x_i`` the same label (the version-space view), and whether the
examples so far are *consistent* with some hypothesis of the class at all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from boolfun.devices import using_threads

Array = np.ndarray | torch.Tensor


@dataclass
class Predictions:
    """A learner's output on a batch of prompts, all of shape ``(B, P)``.

    ``preds`` is uint8 in {0, 1}. ``determined`` (exact learners, else ``None``): every
    hypothesis of the learner's class that agrees with examples ``0..i-1`` gives ``x_i`` the
    label ``preds[b, i]``. ``consistent`` (learners with a class, else ``None``): some hypothesis
    of the class agrees with examples ``0..i-1``; where it is ``False`` the prompt lies outside
    the class and the prediction follows the learner's documented fallback (the perceptron,
    which cannot decide separability, reports whether its own current halfspace fits). ``proba``
    (probabilistic learners): the predicted ``P(y_i = 1 | examples, x_i)``. ``meta``: settings
    and statistics worth reporting (e.g. the sample size of a sampled posterior).
    """

    preds: Array
    determined: Array | None = None
    consistent: Array | None = None
    proba: Array | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def numpy(self) -> Predictions:
        """The same predictions with every array as numpy."""
        conv = _to_numpy
        return Predictions(
            conv(self.preds),
            None if self.determined is None else conv(self.determined),
            None if self.consistent is None else conv(self.consistent),
            None if self.proba is None else conv(self.proba),
            dict(self.meta),
        )


def _to_numpy(a: Array) -> np.ndarray:
    return a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def _check_binary(a: Any, name: str) -> torch.Tensor:
    """A numpy array / list / torch tensor of 0/1 as a uint8 tensor (numpy: shares memory when
    already uint8)."""
    if isinstance(a, torch.Tensor):
        t = a
    else:
        arr = np.asarray(a)
        if arr.dtype == object or not (
            arr.dtype == np.bool_
            or np.issubdtype(arr.dtype, np.integer)
            or np.issubdtype(arr.dtype, np.floating)
        ):
            raise ValueError(f"{name} must be a numeric or boolean array of 0/1, got {arr.dtype}")
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if t.dtype == torch.bool:
        return t.to(torch.uint8)
    if t.is_complex():
        raise ValueError(f"{name} must be a numeric or boolean array of 0/1, got {t.dtype}")
    if t.numel() and not bool(((t == 0) | (t == 1)).all()):
        raise ValueError(f"{name} must contain only 0 and 1")
    return t if t.dtype == torch.uint8 else t.to(torch.uint8)


def check_prompts(xs: Any, ys: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate a batch of prompts; returns ``(xs, ys)`` as uint8 torch tensors on the input's
    device (numpy input: CPU tensors).

    ``xs`` must have shape ``(B, P, n)`` and ``ys`` shape ``(B, P)`` with ``B, P, n >= 1``,
    entries 0/1 (bool, integer, or floats exactly 0.0/1.0), both numpy or both torch on the same
    device. Violations raise ``ValueError`` naming ``xs`` or ``ys``.
    """
    if isinstance(xs, torch.Tensor) != isinstance(ys, torch.Tensor):
        raise ValueError(
            "xs and ys must both be torch tensors or both numpy arrays, got "
            f"xs: {type(xs).__name__}, ys: {type(ys).__name__}"
        )
    shape_x = tuple(xs.shape) if hasattr(xs, "shape") else np.shape(xs)
    shape_y = tuple(ys.shape) if hasattr(ys, "shape") else np.shape(ys)
    if len(shape_x) != 3:
        raise ValueError(f"xs must have shape (batch, points, n), got shape {shape_x}")
    if len(shape_y) != 2:
        raise ValueError(f"ys must have shape (batch, points), got shape {shape_y}")
    if shape_x[:2] != shape_y:
        raise ValueError(
            f"ys must have shape (batch, points) = {shape_x[:2]} to match xs {shape_x}, "
            f"got {shape_y}"
        )
    if min(shape_x) < 1:
        raise ValueError(
            f"xs must hold at least one prompt, one point and one variable, got shape {shape_x}"
        )
    if isinstance(xs, torch.Tensor) and xs.device != ys.device:
        raise ValueError(f"ys must be on the device of xs ({xs.device}), got {ys.device}")
    return _check_binary(xs, "xs"), _check_binary(ys, "ys")


class Learner(ABC):
    """An in-context learner: ``predict(xs, ys) -> preds`` at every position of every prompt.

    Subclasses implement :meth:`_run` on validated uint8 tensors ``xs_BxPxN`` and ``ys_BxP``
    (on any device) and return torch :class:`Predictions` on that device.
    """

    name: str = "learner"
    exact: bool = False  # reports `determined`

    def predict(self, xs: Any, ys: Any) -> Array:
        """``(B, P)`` uint8 predictions; ``preds[b, i]`` uses examples ``0..i-1`` and
        ``xs[b, i]`` only. numpy in, numpy out; torch in, torch out on the same device."""
        return self.predict_full(xs, ys).preds

    def predict_full(self, xs: Any, ys: Any) -> Predictions:
        """:meth:`predict` with the version-space report (see :class:`Predictions`)."""
        is_torch = isinstance(xs, torch.Tensor)
        x, y = check_prompts(xs, ys)
        out = self._run(x, y)
        out.meta = {"learner": self.name, **self.describe(), **out.meta}
        return out if is_torch else out.numpy()

    def describe(self) -> dict[str, Any]:
        """Settings that identify this learner (reported with its results)."""
        return {}

    @abstractmethod
    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        """Predictions on validated uint8 tensors."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.describe().items())
        return f"{type(self).__name__}({args})"


def signed(bits: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The ±1 coding ``2 b - 1`` of 0/1 bits."""
    return bits.to(dtype) * 2 - 1


def exclusive_cumsum(a: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """``out[..., i] = sum_{j < i} a[..., j]`` along ``dim`` (booleans count as 0/1, int32)."""
    if a.dtype == torch.bool:
        a = a.to(torch.int32)
    return a.cumsum(dim, dtype=a.dtype) - a


@contextmanager
def cpu_threads(device: torch.device, threads: int | None) -> Iterator[None]:
    """Run the block with ``threads`` intra-op torch threads when ``device`` is the CPU,
    restoring the previous setting afterwards (``None``: leave torch's setting).

    Learners that take many small sequential steps (gf2, halfspace, ffn) use one thread: their
    tensors are too small to gain from intra-op parallelism, and on a small machine shared with
    other work each multi-threaded step can wait for a busy core (measured here: 20-50x slower
    with 2 threads on 2 loaded cores).
    """
    if threads is None or device.type != "cpu":
        yield
        return
    with using_threads(threads):
        yield
