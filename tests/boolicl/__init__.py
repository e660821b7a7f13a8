"""Tests of the application; :func:`run_cli` runs one ``boolicl`` command in-process."""

from __future__ import annotations

from typing import Any


def run_cli(capsys: Any, *argv: Any) -> tuple[int, str, str]:
    """``boolicl ARGV...`` through :func:`boolicl.cli.main`: its exit status (argparse's
    ``SystemExit`` included), stdout and stderr (read from pytest's ``capsys``)."""
    from boolicl.cli import main

    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err
