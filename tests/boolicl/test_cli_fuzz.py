"""A property-based fuzz test of the command line: any command, any one option set to any
value, and the outcome is a clean one: exit status 0, 1 or 2, no traceback, no hang, no file
written outside the folder the call was given, and a bounded peak of memory.

Values are drawn so that a valid one is also cheap (small integers), and an expensive one is
absurd (huge integers the size checks refuse): the test bounds time by the inputs it draws and
by an alarm. ``benchmarks/robustness.py`` runs the fixed corpus of more than 1,000 bad inputs.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boolicl.cli import build_parser, main
from boolicl.cli.options import subcommand

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGALRM")

BASE = {
    "tasks": ["tasks"],
    "sample": ["sample", "conjunction", "--n", "4", "--points", "8", "--prompts", "4",
               "--out", "out/p.npz"],
    "baselines": ["baselines", "conjunction", "--n", "4", "--points", "8", "--prompts", "8",
                  "--learners", "null", "--bootstrap", "10", "--out", "out/plot.png"],
    "teach": ["teach", "conjunction", "--n", "3", "--target", "x1 & ~x2"],
    "td": ["td", "monotone_conjunction", "--n", "2"],
    "train": ["train", "conjunction", "--n", "4", "--points", "8", "--layers", "1", "--width",
              "8", "--heads", "2", "--batch", "4", "--steps", "2", "--eval-every", "0",
              "--no-progress", "--out", "out/run"],
}  # fmt: skip
"""A small valid call of each command but ``demo`` (the demo runs every task: the corpus
benchmark covers it)."""

MAX_PEAK_GIB = 6.0
"""The peak resident memory the test process may reach (the suite itself needs about 1 GiB;
the sizes the checks refuse would take tens of GiB or more)."""

PATH_OPTIONS = {"--out", "--prompts-file", "--certificate"}
SLOW = {"--verify", "--minimal", "--construction"}  # solver options: bounded by the target


def options(command: str) -> list[str]:
    sub = subcommand(build_parser(), command)
    return [
        a.option_strings[-1]
        for a in sub._actions
        if a.option_strings and a.nargs != 0 and a.option_strings[-1] not in SLOW | {"--help"}
    ]


CALLS = [(c, o) for c in BASE for o in options(c)]

small_ints = st.integers(-3, 40).map(str)
huge_ints = st.integers(10**13, 10**30).map(str)
numbers = st.floats(allow_nan=True, allow_infinity=True).map(repr)
words = st.text(max_size=12)
relative_paths = st.text(
    alphabet=st.characters(blacklist_characters="/\\\x00", blacklist_categories=("Cs",)),
    max_size=12,
).map(lambda s: f"out/{s}")
values = st.one_of(small_ints, huge_ints, numbers, words, st.sampled_from(["", "-", "--x"]))


class _Hang(Exception):
    pass


@contextlib.contextmanager
def alarm(seconds: float):
    def fire(signum, frame):
        raise _Hang

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def files_below(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_option_any_value_ends_cleanly(tmp_path_factory, data):
    command, option = data.draw(st.sampled_from(CALLS), label="option")
    value = data.draw(relative_paths if option in PATH_OPTIONS else values, label="value")
    base = BASE[command]
    argv = list(base)
    if option in argv:
        argv[argv.index(option) + 1] = value
    else:
        argv += [option, value]
    root = tmp_path_factory.mktemp("fuzz")
    work = root / "work"
    work.mkdir()
    (root / "sentinel").write_text("outside")
    before_root = files_below(root) - files_below(work)
    err = io.StringIO()
    cwd = os.getcwd()
    os.chdir(work)
    try:
        with (
            alarm(120),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = main(argv)
            except SystemExit as e:
                code = e.code
    finally:
        os.chdir(cwd)
    assert code in (0, 1, 2), (argv, code, err.getvalue())
    assert "Traceback" not in err.getvalue(), argv
    if code:
        assert err.getvalue().strip(), argv  # a refusal says why
    assert files_below(root) - files_below(work) == before_root, argv
    # memory: the peak of this whole process stays far below what a refused size would take
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    assert peak_gib < MAX_PEAK_GIB, (argv, peak_gib)
