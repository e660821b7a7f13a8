"""The options the ``boolicl`` commands share, each declared once, and the registries their
choices come from.

Every ``add_*`` function declares one option (its flag, type, default and the words of its
help) so that ``--n`` or ``--seed`` mean the same on every command; a command passes only what
differs (a required ``--n``, what its seed seeds). Choice lists are read from the library's
own registry (:class:`Registry`) when an argument is checked or help is shown, not when the
parser is built, so ``boolicl --help`` imports no torch.

:func:`flag_error` turns a library error, which names its parameter (``"k must be ..."``),
into one that names the command's option (``"--k must be ..."``).
"""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Iterator
from typing import Any

from boolicl.cli import types


class Registry:
    """The names of a library registry, ``"module:attribute"``, imported on first use: the
    ``choices`` of an option (argparse only asks ``in``, iterates and measures it)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self._names: tuple[str, ...] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        if self._names is None:
            module, attribute = self.where.split(":")
            self._names = tuple(getattr(importlib.import_module(module), attribute))
        return self._names

    def __contains__(self, item: object) -> bool:
        return item in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"Registry({self.where!r})"


LEARNERS = Registry("learners.registry:LEARNERS")
"""``--learners``: :data:`learners.registry.LEARNERS`."""
BACKBONES = Registry("models.backbones:BACKBONES")
"""``--model``: :data:`models.backbones.BACKBONES`."""
SCALES = Registry("boolicl.compare:SCALES")
"""``--scale`` of ``compare``: :data:`boolicl.compare.SCALES`."""
EXECUTORS = Registry("boolicl.executors:EXECUTORS")
"""``--executor``: :data:`boolicl.executors.EXECUTORS`."""
PRESETS = Registry("boolicl.reproduce:PRESETS")
"""``PRESET`` of ``reproduce``: :data:`boolicl.reproduce.PRESETS`."""
CLASSES = Registry("boolfun.classes:CLASSES")
"""``CLASS`` of ``teach`` / ``td``: :data:`boolfun.classes.CLASSES`."""
CONSTRUCTIONS = Registry("teaching.construct:CONSTRUCTIONS")
"""``--construction`` of ``teach``: :data:`teaching.construct.CONSTRUCTIONS`."""
SCHEDULES = Registry("models.config:SCHEDULES")
PRECISIONS = Registry("models.config:PRECISIONS")


def add_task(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument("task", help=f"task name (see `boolicl tasks`){what}")


def add_n(p: argparse.ArgumentParser, *, required: bool = False, help: str = "") -> None:
    p.add_argument(
        "--n",
        type=types.positive_int,
        required=required,
        default=None,
        help=help or "input dimension (default: the task's)",
    )


def add_points(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--points",
        type=types.positive_int,
        default=None,
        help="examples per prompt (default: the task's)",
    )


def add_prompts(p: argparse.ArgumentParser, default: int | None, help: str = "") -> None:
    p.add_argument(
        "--prompts", type=types.positive_int, default=default, help=help or "number of prompts"
    )


def add_seed(p: argparse.ArgumentParser, seeds: str = "the prompts") -> None:
    p.add_argument("--seed", type=types.nonnegative_int, default=0, help=f"random seed of {seeds}")


def add_device(p: argparse.ArgumentParser, what: str = "to run on") -> None:
    p.add_argument(
        "--device", type=types.device, default="cpu", help=f"torch device {what} (cpu, cuda)"
    )


def add_k(p: argparse.ArgumentParser, help: str = "k of the sparse tasks (1 <= k <= n)") -> None:
    """``--k``: a task's or a class's ``k``; the library checks its range for what it sizes
    (:func:`boolfun.tasks.resolve_params`, :func:`boolfun.classes.make_class`)."""
    p.add_argument("--k", type=types.nonnegative_int, default=None, help=help)


def add_task_params(p: argparse.ArgumentParser) -> None:
    """``--k`` and ``--start``: the task parameters of :data:`boolfun.tasks.TASKS` (their
    ranges are the task's: :func:`boolfun.tasks.resolve_params`)."""
    add_k(p)
    p.add_argument(
        "--start",
        type=types.positive_int,
        default=None,
        help="random labels before copying (nearest_neighbour)",
    )


def task_params(args: argparse.Namespace) -> dict[str, int]:
    """``k`` / ``start`` of ``--k`` / ``--start`` when given."""
    return {k: v for k, v in (("k", args.k), ("start", args.start)) if v is not None}


def add_input_options(p: argparse.ArgumentParser, sampled_only: bool = False) -> None:
    """``--force`` and ``--p-one``: an out-of-distribution input distribution for sampled
    prompts (:func:`boolfun.samplers.sample_prompts`); ``sampled_only``: not with
    ``--prompts-file``."""
    note = " (not with --prompts-file)" if sampled_only else ""
    p.add_argument(
        "--force",
        type=types.probability,
        default=None,
        metavar="Q",
        help="forcing probability in [0, 1] instead of the task's (conjunction, disjunction, "
        f"dnf, cnf tasks; others accept only 0){note}",
    )
    p.add_argument(
        "--p-one",
        type=types.open_probability,
        default=None,
        metavar="P",
        help=f"probability in (0, 1) that an input bit is 1 before forcing (default 0.5){note}",
    )


def input_params(args: argparse.Namespace) -> dict[str, float]:
    """``force`` / ``p_one`` of ``--force`` / ``--p-one`` when given."""
    return {k: v for k, v in (("force", args.force), ("p_one", args.p_one)) if v is not None}


def add_prompts_file(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--prompts-file", type=types.path, default=None, help=help)


def add_bootstrap(p: argparse.ArgumentParser) -> None:
    action = p.add_argument(
        "--bootstrap",
        type=types.positive_int,
        default=1000,
        help="bootstrap resamples for the intervals",
    )
    action.parameter = "resamples"  # type: ignore[attr-defined]  # its library name


def add_json(p: argparse.ArgumentParser, what: str = "the result") -> None:
    p.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def flag_error(message: str, parser: argparse.ArgumentParser) -> str:
    """``message`` with the parameters it names written as the options of ``parser`` that
    set them: a leading parameter name (``k must be ...`` -> ``--k must be ...``) and, anywhere,
    a name with an underscore (``prompts_file`` -> ``--prompts-file``); other words unchanged.
    Library errors name their parameters; the command line names its flags."""
    flags = {}
    for action in parser._actions:
        long = [s for s in action.option_strings if s.startswith("--")]
        if long:
            flags[action.dest] = long[0]
            flags[long[0][2:].replace("-", "_")] = long[0]
            if hasattr(action, "parameter"):  # the option sets a parameter of another name
                flags[action.parameter] = long[0]
    head, sep, rest = message.partition(" ")
    word = head.rstrip(":")
    if word in flags:
        message = flags[word] + head[len(word) :] + sep + rest
    for name, flag in flags.items():
        if "_" in name:
            message = re.sub(rf"(?<![\w-]){name}(?!\w)", flag, message)
    return message


def subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of sub-command ``name`` of ``parser``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            return action.choices[name]
    raise KeyError(name)


def iter_options(parser: argparse.ArgumentParser) -> Iterator[Any]:
    """Every action of ``parser`` and of its sub-commands (for tests and documentation)."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from iter_options(sub)


def add_experiment_options(p: argparse.ArgumentParser) -> None:
    """The options ``compare`` and ``reproduce`` share: ``--scale``, ``--steps``, ``--device``,
    ``--prompts`` (shared test prompts), ``--executor``, ``--ray-address``,
    ``--gpus-per-run``, ``--overwrite``, ``--no-progress``."""
    p.add_argument("--scale", choices=SCALES, default="small", metavar="SCALE",
                   help="small (default): minutes on 2 CPU cores; paper: the paper's sizes (GPU)")
    p.add_argument("--steps", type=types.positive_int, default=None,
                   help="training steps (default: the scale's)")
    add_device(p, "to train and evaluate on")
    add_prompts(p, None, "shared test prompts per task (default 1000; a preset's own)")
    p.add_argument("--executor", choices=EXECUTORS, default="inprocess", metavar="NAME",
                   help="inprocess (default) or ray: where the trainings run")
    p.add_argument("--ray-address", default=None,
                   help="Ray cluster to join (default: start a local Ray)")
    p.add_argument("--gpus-per-run", type=types.positive_float, default=None,
                   help="ray: GPUs per training, in (0, 1] or a whole number (default 1 on CUDA)")
    p.add_argument("--overwrite", action="store_true", help="replace results already in --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
