"""boolicl.cli.options: every choice list is its library registry, every shared option means
the same on every command, library errors come back naming the option, and the console script
survives python-sat's ``models.py`` example script beside it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from boolfun.classes import CLASSES
from boolicl.cli import COMMANDS, build_parser, main
from boolicl.cli.options import Registry, flag_error, iter_options, subcommand
from boolicl.compare import SCALES
from boolicl.executors import EXECUTORS
from boolicl.reproduce import PRESETS
from learners.registry import LEARNERS
from models.backbones import BACKBONES
from models.config import PRECISIONS, SCHEDULES
from teaching.construct import CONSTRUCTIONS

REGISTRIES = {
    "learners.registry:LEARNERS": tuple(LEARNERS),
    "models.backbones:BACKBONES": tuple(BACKBONES),
    "boolfun.classes:CLASSES": tuple(CLASSES),
    "models.config:SCHEDULES": tuple(SCHEDULES),
    "models.config:PRECISIONS": tuple(PRECISIONS),
    "teaching.construct:CONSTRUCTIONS": tuple(CONSTRUCTIONS),
    "boolicl.compare:SCALES": tuple(SCALES),
    "boolicl.executors:EXECUTORS": tuple(EXECUTORS),
    "boolicl.reproduce:PRESETS": tuple(PRESETS),
}


def test_every_choice_list_is_a_registry():
    """No option carries a copied list of names: each choice list reads its registry."""
    seen = set()
    for action in iter_options(build_parser()):
        if action.choices is None or action.dest == "command":
            continue
        assert isinstance(action.choices, Registry), action.option_strings or action.dest
        assert tuple(action.choices) == REGISTRIES[action.choices.where]
        seen.add(action.choices.where)
    assert seen == set(REGISTRIES)


def test_every_command_has_a_parser_and_back():
    parser = build_parser()
    for name in COMMANDS:
        assert subcommand(parser, name).prog == f"boolicl {name}"


SHARED = ("--n", "--points", "--prompts", "--seed", "--device", "--k", "--start", "--force")


@pytest.mark.parametrize("flag", SHARED)
def test_a_shared_option_has_one_type_everywhere(flag):
    """Declared once: the same type and (but for required --n) the same default everywhere."""
    found = [a for a in iter_options(build_parser()) if flag in a.option_strings]
    assert len(found) >= 2, flag
    assert len({a.type for a in found}) == 1
    if flag not in ("--n", "--prompts"):
        assert len({repr(a.default) for a in found}) == 1


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["sample", "nearest_neighbour", "--start", "0", "--out", "x.npz"], "--start"),
        (["baselines", "sparse_parity", "--k", "0"], "--k"),
        (["sample", "sparse_parity", "--n", "4", "--k", "5", "--out", "x.npz"], "--k"),
        (["baselines", "conjunction", "--learners", "gru"], "invalid choice"),
        (["train", "conjunction", "--model", "gru", "--out", "x"], "invalid choice"),
        (["td", "gru", "--n", "2"], "invalid choice"),
        (["sample", "conjunction", "--device", "gpu", "--out", "x.npz"], "--device"),
    ],
)
def test_bad_values_name_the_option(tmp_path, monkeypatch, capsys, argv, needle):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert needle in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing written


def test_flag_error_names_the_option():
    eval_parser = subcommand(build_parser(), "eval")
    assert flag_error("p_one must be in (0, 1)", eval_parser) == "--p-one must be in (0, 1)"
    assert (
        flag_error("force cannot be used with prompts_file: fixed", eval_parser)
        == "--force cannot be used with --prompts-file: fixed"
    )
    assert flag_error("n: 5 is too large", eval_parser) == "--n: 5 is too large"
    assert flag_error("task must be one of ...", eval_parser) == "--task must be one of ..."
    baselines = subcommand(build_parser(), "baselines")  # there the task is positional
    assert flag_error("task must be one of ...", baselines) == "task must be one of ..."
    assert flag_error("xs must be 0/1 in point n", eval_parser) == "xs must be 0/1 in point n"


def test_registry_is_read_on_first_use_only():
    r = Registry("learners.registry:LEARNERS")
    assert r._names is None and "gf2" in r and r._names == tuple(LEARNERS)


def test_console_script_beside_a_models_py(tmp_path):
    """python-sat puts an example script ``models.py`` in the environment's ``bin/``, the
    folder Python puts first on ``sys.path`` for a console script there: ``boolicl`` must still
    find this project's ``models`` package (here: ``train --help`` lists the backbones, read
    from ``models.backbones``)."""
    (tmp_path / "models.py").write_text("raise ImportError('the pysat example script')\n")
    script = tmp_path / "boolicl"
    script.write_text(
        textwrap.dedent(
            """\
            import sys
            from boolicl import main
            sys.exit(main())
            """
        )
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, str(script), "train", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "mamba" in out.stdout
