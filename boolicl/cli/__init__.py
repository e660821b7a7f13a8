"""The ``boolicl`` command line: one module per command group, one parser.

Groups: prompts (``tasks``, ``sample``: :mod:`boolicl.cli.prompts`), teaching (``teach``,
``td``, ``check-certificate``: :mod:`boolicl.cli.teaching`), learners (``baselines``:
:mod:`boolicl.cli.learners`), models (``train``, ``eval``: :mod:`boolicl.cli.models`), llm
(``llm-eval``: :mod:`boolicl.cli.llm`) and ``demo`` (:mod:`boolicl.cli.demo`). Options
shared by several commands are declared once in :mod:`boolicl.cli.options`. Building the
parser imports no torch; each command imports what it runs. A bad argument, or a
``ValueError`` of the library (whose message names the parameter, which becomes the option
here), exits with status 2 and a message naming the option.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from boolicl.cli import (
    attention,
    compare,
    demo,
    learners,
    llm,
    models,
    prompts,
    reproduce,
    teaching,
)
from boolicl.cli.options import flag_error, subcommand

GROUPS = (prompts, teaching, learners, models, attention, llm, compare, reproduce, demo)
"""The command groups, in the order ``boolicl --help`` lists their commands."""

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    name: command for group in GROUPS for name, command in group.COMMANDS.items()
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="boolicl",
        description="In-context learning of Boolean functions: exact functions, teaching sets, "
        "classical learners and sequence models.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``boolicl`` console script.

    Exit status: 0 done; 2 bad usage (a bad argument, or a ``ValueError`` of the library);
    1 a failed operation (a file that cannot be read or written, a full disk, a closed
    output pipe)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe is found here, not at exit
        return code
    except ValueError as e:
        message = flag_error(str(e), subcommand(parser, args.command))
        parser.exit(2, f"boolicl {args.command}: error: {message}\n")
    except BrokenPipeError:  # `boolicl ... | head`: the reader has gone; say nothing more
        _silence_stdout()
        return 1
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        print(f"boolicl {args.command}: error: {where}{e.strerror or e}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"boolicl {args.command}: error: out of memory", file=sys.stderr)
        return 1
    return 0  # pragma: no cover


def _silence_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a descriptor (captured): nothing to do
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
