"""The prompts file: a batch of prompts in one ``.npz``, written by ``boolicl sample`` and read
wherever prompts are scored (learners, trained models).

Arrays: ``xs`` (uint8 ``(B, P, n)``), ``ys`` (uint8 ``(B, P)``), entries in {0, 1}; and, when
the prompts were sampled, ``functions`` (the string form of each prompt's target; empty strings
for nearest_neighbour), ``task``, ``n``, ``seed``, ``force`` and ``p_one`` (0-d arrays). Any
``.npz`` holding valid ``xs`` and ``ys`` is a prompts file; the other keys are optional.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from boolfun.tasks import TASKS

if TYPE_CHECKING:
    from boolfun.samplers import Prompts


@dataclass
class PromptsFile:
    """The contents of a prompts file: validated uint8 ``xs`` / ``ys`` and what the file
    records of how they were made (``None`` where it records nothing)."""

    xs: np.ndarray  # (B, P, n) uint8 in {0, 1}
    ys: np.ndarray  # (B, P) uint8 in {0, 1}
    task: str | None = None
    seed: int | None = None
    force: float | None = None
    p_one: float | None = None
    functions: list[str] | None = None


def save_prompts(path: Path | str, prompts: Prompts, *, seed: int | None = None) -> Path:
    """Write ``prompts`` (:class:`boolfun.samplers.Prompts`) to ``path`` (compressed ``.npz``;
    parent folders are created) with the ``seed`` they were sampled with; returns the path
    written, which is ``path`` with ``.npz`` appended when it has another suffix (numpy's
    rule)."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    xs, ys = prompts.numpy()
    if prompts.functions is None:
        functions = np.array([""] * len(xs))
    else:
        functions = np.array([str(f) for f in prompts.functions])
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = {} if seed is None else {"seed": np.array(seed)}
    np.savez_compressed(
        path,
        xs=xs,
        ys=ys,
        functions=functions,
        task=np.array(prompts.task),
        n=np.array(prompts.n),
        force=np.array(prompts.force),
        p_one=np.array(prompts.p_one),
        **extra,
    )
    return path


def _binary(a: np.ndarray, key: str, ndim: int, shape: str) -> np.ndarray:
    if a.ndim != ndim:
        raise ValueError(f"'{key}' must have shape {shape}, got shape {a.shape}")
    if not (a.dtype == np.bool_ or np.issubdtype(a.dtype, np.integer)):
        if not np.issubdtype(a.dtype, np.floating):
            raise ValueError(f"'{key}' must hold 0/1 numbers, got dtype {a.dtype}")
    if a.size and not np.isin(a, (0, 1)).all():
        bad = a[~np.isin(a, (0, 1))].flat[0]
        raise ValueError(f"'{key}' must contain only 0 and 1, found {bad!r}")
    return a.astype(np.uint8)


def _scalar(data: Any, key: str, kind: type) -> Any:
    if key not in data.files:
        return None
    a = data[key]
    if a.shape != ():
        raise ValueError(f"'{key}' must be a single value, got shape {a.shape}")
    try:
        return kind(a)
    except (TypeError, ValueError):
        raise ValueError(f"'{key}' must be a {kind.__name__}, got {a!r}") from None


def load_prompts(path: Path | str) -> PromptsFile:
    """Read and validate the prompts file ``path``.

    ``xs`` must be ``(B, P, n)`` and ``ys`` ``(B, P)`` with ``B, P, n >= 1`` and entries 0 or
    1; a recorded ``task`` must be a registered task and a recorded ``n`` must match ``xs``.
    Anything else raises ``ValueError`` that names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("xs", "ys") if k not in data.files]
            if missing:
                raise ValueError(
                    f"must hold arrays 'xs' and 'ys'; missing {', '.join(missing)} "
                    f"(has {', '.join(data.files) or 'nothing'})"
                )
            xs = _binary(data["xs"], "xs", 3, "(prompts, points, n)")
            ys = _binary(data["ys"], "ys", 2, "(prompts, points)")
            if xs.shape[:2] != ys.shape:
                raise ValueError(
                    f"'ys' must have shape {xs.shape[:2]} to match 'xs', got {ys.shape}"
                )
            if min(xs.shape) < 1:
                raise ValueError(
                    f"'xs' must hold at least one prompt, point and variable, got {xs.shape}"
                )
            task = _scalar(data, "task", str)
            if task is not None and task not in TASKS:
                raise ValueError(f"names task {task!r}, which is not a registered task")
            n = _scalar(data, "n", int)
            if n is not None and n != xs.shape[2]:
                raise ValueError(f"records n = {n} but its 'xs' have {xs.shape[2]} variables")
            functions = None
            if "functions" in data.files:
                functions = [str(f) for f in data["functions"].reshape(-1)]
            out = PromptsFile(
                xs,
                ys,
                task=task,
                seed=_scalar(data, "seed", int),
                force=_scalar(data, "force", float),
                p_one=_scalar(data, "p_one", float),
                functions=functions,
            )
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path} is not a readable .npz file: {e}") from None
    return out
