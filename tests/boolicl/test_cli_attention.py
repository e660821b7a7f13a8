"""``boolicl attention``: a run folder and an ``hf:`` folder each give a PNG heatmap and a JSON
file of layers x heads scores; bad input exits 2 naming what is wrong."""

from __future__ import annotations

import json

import pytest

from boolicl.cli import main
from models.train import train
from tests.boolicl import run_cli
from tests.models.helpers import tiny

PNG = b"\x89PNG\r\n\x1a\n"




@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A one-layer, two-head transformer run of 6 steps."""
    out = tmp_path_factory.mktemp("runs") / "tiny-run"
    train(tiny(), out)
    return out


def test_a_run_gives_a_heatmap_and_json(run, tmp_path, capsys):
    out = tmp_path / "att"
    code, stdout, _ = run_cli(capsys, "attention", run, "--task", "nearest_neighbour",
                              "--prompts", 4, "--threshold", 0, "--out", out, "--json")
    assert code == 0
    result = json.loads(stdout)
    assert (result["layers"], result["heads"]) == (1, 2)
    assert result["model"] == str(run) and result["backbone"] == "transformer"
    for key in ("induction", "nearest_neighbour"):
        assert len(result[key]) == 1 and len(result[key][0]) == 2
        assert all(0 <= v <= 1 for v in result[key][0])
        assert len(result["heads_above_threshold"][key]) == 2  # threshold 0: every head
    assert (out / "tiny-run.png").read_bytes()[:8] == PNG
    assert json.loads((out / "tiny-run.json").read_text()) == result


def test_the_summary_names_the_best_heads_and_files(run, tmp_path, capsys):
    code, stdout, _ = run_cli(capsys, "attention", run, "--prompts", 2, "--out", tmp_path)
    assert code == 0
    assert "induction: best L0H" in stdout and "chance" in stdout
    assert f"wrote {tmp_path / 'tiny-run.png'}" in stdout


def test_an_hf_folder_gives_a_heatmap_and_json(tmp_path, capsys):
    transformers = pytest.importorskip("transformers")
    config = transformers.GPT2Config(n_layer=1, n_head=2, n_embd=8, n_positions=64,
                                     vocab_size=20, bos_token_id=0, eos_token_id=0)
    folder = tmp_path / "gpt2-tiny"
    transformers.GPT2LMHeadModel(config).save_pretrained(folder)
    out = tmp_path / "att"
    code, stdout, _ = run_cli(capsys, "attention", f"hf:{folder}", "--n", 4, "--prompts", 2,
                              "--out", out, "--json")
    assert code == 0
    result = json.loads(stdout)
    assert (result["layers"], result["heads"], result["points"]) == (1, 2, 64 // 6)
    assert (out / "gpt2-tiny.png").read_bytes()[:8] == PNG


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["{run}", "--task", "gru"], "--task must be one of"),
        (["{tmp}/missing"], "does not exist"),
        (["hf:{tmp}/missing"], "does not exist"),
        (["hf:"], "needs a folder"),
        (["{lstm}"], "supported backbones are retnet, transformer"),
        (["{run}", "--n", "4"], "--n applies to hf: models only"),
        (["{run}", "--threshold", "2"], "--threshold"),
        (["{run}", "--block", "11"], "--block must be an integer in"),
        (["{run}", "--start", "20"], "--start must be an integer in"),
        (["{tmp}"], "is not a run folder"),
    ],
)
def test_bad_input_exits_2(run, tmp_path, capsys, argv, needle):
    lstm = tmp_path / "lstm-run"
    lstm.mkdir()
    tiny(model="lstm").save(lstm / "config.json")
    out = tmp_path / "att"
    names = dict(run=run, tmp=tmp_path, lstm=lstm)
    args = [a.format(**names) for a in argv]
    with pytest.raises(SystemExit) as e:
        main(["attention", *args, "--prompts", "2", "--out", str(out)])
    assert e.value.code == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()  # nothing written
