"""The ``boolicl`` command line: tasks, sample; bad input exits with status 2 (the demo:
``test_demo.py``)."""

import json

import numpy as np
import pytest

from boolfun import parse
from boolfun.tasks import TASKS
from boolicl.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_tasks_json(capsys):
    code, out, _ = run(capsys, "tasks", "--json")
    assert code == 0
    rows = json.loads(out)
    names = {r["name"] for r in rows}
    assert names == set(TASKS)
    conj = next(r for r in rows if r["name"] == "conjunction")
    assert (conj["n"], conj["points"]) == (28, 70)


def test_tasks_table(capsys):
    code, out, _ = run(capsys, "tasks")
    assert code == 0 and "sparse_parity" in out


@pytest.mark.parametrize("task", ["conjunction", "dnf", "majority", "threshold", "sparse_parity"])
def test_sample_writes_npz(capsys, tmp_path, task):
    path = tmp_path / f"{task}.npz"
    code, out, _ = run(
        capsys,
        "sample",
        task,
        "--n",
        "6",
        "--points",
        "9",
        "--prompts",
        "5",
        "--seed",
        "3",
        "--out",
        str(path),
    )
    assert code == 0 and str(path) in out
    data = np.load(path)
    assert data["xs"].shape == (5, 9, 6) and data["xs"].dtype == np.uint8
    assert data["ys"].shape == (5, 9) and data["ys"].dtype == np.uint8
    for x, y, text in zip(data["xs"], data["ys"], data["functions"], strict=True):
        assert (parse(str(text), 6).evaluate(x) == y).all()


def test_sample_is_reproducible(capsys, tmp_path):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    for p in (a, b):
        run(capsys, "sample", "parity", "--prompts", "4", "--seed", "7", "--out", str(p))
    assert (np.load(a)["xs"] == np.load(b)["xs"]).all()


def test_sample_nearest_neighbour_has_empty_functions(capsys, tmp_path):
    path = tmp_path / "nn.npz"
    code, _, _ = run(capsys, "sample", "nearest_neighbour", "--prompts", "2", "--out", str(path))
    assert code == 0 and list(np.load(path)["functions"]) == ["", ""]


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["sample", "banana", "--out", "x.npz"], "task"),
        (["sample", "conjunction", "--n", "0", "--out", "x.npz"], "--n"),
        (["sample", "conjunction", "--prompts", "-3", "--out", "x.npz"], "--prompts"),
        (["sample", "conjunction", "--points", "abc", "--out", "x.npz"], "--points"),
        (["sample", "sparse_parity", "--n", "3", "--k", "5", "--out", "x.npz"], "k"),
        (["sample", "conjunction"], "--out"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_bad_input_exits_2(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert needle in capsys.readouterr().err


def test_sample_unavailable_device_exits_2(capsys, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(SystemExit) as e:
        main(["sample", "conjunction", "--device", "cuda", "--out", str(tmp_path / "x.npz")])
    assert e.value.code == 2 and "--device" in capsys.readouterr().err
