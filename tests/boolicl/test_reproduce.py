"""``boolicl reproduce``: a preset writes the comparison's files and a REPORT.md whose figures
are those of the comparison; unknown presets are refused with the list."""

from __future__ import annotations

import pytest

from boolicl.cli import main
from boolicl.reproduce import PRESETS, examples_to_reach, run_reproduce


def test_examples_to_reach_is_the_start_of_the_last_run_at_the_level():
    assert examples_to_reach([0.5, 0.995, 0.9, 0.99, 1.0]) == 3
    assert examples_to_reach([1.0, 1.0]) == 0
    assert examples_to_reach([0.5, 0.98]) is None


def test_sample_efficiency_report_states_claim_verdict_and_the_tables_numbers(tmp_path):
    result = run_reproduce("sample-efficiency", tmp_path, steps=30, prompts=64)
    report = (tmp_path / "REPORT.md").read_text()
    assert PRESETS["sample-efficiency"].claim in report
    assert "**Found**: the qualitative result" in report
    task = result["tasks"][0]
    model = task["models"][0]
    assert f"| transformer | {model['per_position'][0]:.3f}" in report
    bayes = next(r for r in task["learners"] if r["name"] == "bayes")
    assert f"{bayes['per_position'][-1]:.3f}" in report
    for name in ("table.md", "table.csv", "table.tex", "results.json", "conjunction_n8.png"):
        assert (tmp_path / name).exists(), name


def test_unknown_preset_lists_the_presets(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["reproduce", "nope", "--out", str(tmp_path / "x")])
    assert e.value.code == 2
    assert "sample-efficiency" in capsys.readouterr().err
    with pytest.raises(ValueError, match="preset must be one of sample-efficiency"):
        run_reproduce("nope", tmp_path / "y")
