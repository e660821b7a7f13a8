"""The presets of ``boolicl reproduce``: teaching sequences put in the shared test prompts,
accuracy right after them, the regimes of the teaching preset, test sets with shifted inputs
or fewer variables, and every preset's plan at both scales."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from boolfun.classes import make_class
from boolfun.parse import parse
from boolicl.compare import (
    STANDARD,
    Arm,
    TestSet,
    after_prefix,
    draw_test_prompts,
    plan_compare,
    run_compare,
)
from boolicl.reproduce import PREFIX, PRESETS, TEACH_ARMS, preset_plan, regimes, run_reproduce
from teaching.construct import teaching_sequence
from teaching.uniqueness import verify

DELTA = 1e-3  # the chance a margin below lets a correct claim fail


def hoeffding(prompts: int, delta: float = DELTA) -> float:
    """How far below its expectation a mean of ``prompts`` independent 0/1 outcomes falls with
    probability at most ``delta`` (Hoeffding: sqrt(log(1/delta) / (2 m)))."""
    return math.sqrt(math.log(1 / delta) / (2 * prompts))


@pytest.mark.parametrize("task", ["conjunction", "monotone_dnf", "sparse_parity"])
def test_teaching_prefix_is_the_functions_sequence_and_keeps_its_labels(task):
    from boolfun.samplers import sample_prompts

    n, points = 6, 30
    drawn = draw_test_prompts(task, n, points, PREFIX, 40, 3, "cpu")
    xs, ys, lengths = drawn["kwargs"]["xs"], drawn["kwargs"]["ys"], drawn["lengths"]
    s = sample_prompts(task, 40, points, n, seed=3, return_functions=True)
    cls_name = {"conjunction": "conjunction", "monotone_dnf": "dnf",
                "sparse_parity": "parity"}[task]
    cls = make_class(cls_name, n, **({"terms": 3, "monotone": True}
                                     if task == "monotone_dnf" else {}))
    for b, f in enumerate(s.functions):
        ex = teaching_sequence(f, cls, "paper")
        L = int(lengths[b])
        assert L == min(len(ex.ys), points)
        assert np.array_equal(xs[b, :L].numpy(), np.asarray(ex.xs)[:L])
        # every label, prefix or not, is f's: the prompt is still a prompt of f
        g = parse(str(f), n)
        assert np.array_equal(ys[b].numpy(), g.evaluate(xs[b].numpy()).astype(np.uint8))
        assert np.array_equal(xs[b, L:].numpy(), s.xs[b, L:].numpy())
    if task == "conjunction":  # the closed-form sequence teaches: checked by the SAT solver
        f = s.functions[0]
        ex = teaching_sequence(f, cls, "paper")
        assert verify(f, cls, ex).unique


def test_after_prefix_reads_the_position_right_after_each_prefix():
    ys = torch.tensor([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 1]])
    preds = torch.tensor([[1, 0, 0, 1], [1, 0, 1, 0], [0, 0, 0, 0]])
    # prompt 0: position 2 (wrong); prompt 1: position 1 (right); prompt 2: prefix fills it
    r = after_prefix(preds, ys, np.array([2, 1, 4]))
    assert r == {"accuracy": 0.5, "prompts": 2}
    assert after_prefix(preds, ys, np.array([4, 4, 4])) == {"accuracy": None, "prompts": 0}


def test_fewer_variables_and_shifted_inputs():
    for dims in (4, 0.5):
        d = draw_test_prompts("conjunction", 8, 20, TestSet("half", dims=dims), 50, 1, "cpu")
        xs = d["kwargs"]["xs"]
        assert xs.shape == (50, 20, 8) and not xs[..., 4:].any() and xs[..., :4].all(-1).any()
    d = draw_test_prompts("conjunction", 8, 20, TestSet("biased", p_one=0.9), 50, 1, "cpu")
    assert d["kwargs"] == {"force": None, "p_one": 0.9} and d["lengths"] is None
    for bad in (9, 0, 1.5, True):
        with pytest.raises(ValueError, match=f"dims {bad}"):
            draw_test_prompts("conjunction", 8, 20, TestSet("bad", dims=bad), 5, 1, "cpu")


def test_bad_arms_and_tests_are_refused(tmp_path):
    with pytest.raises(ValueError, match="models must be among"):
        plan_compare(["conjunction"], [Arm("gpt5")], out=tmp_path)
    with pytest.raises(ValueError, match="label_noise"):
        plan_compare(["conjunction"], [Arm("transformer", (("label_noise", 2.0),))],
                     out=tmp_path)
    with pytest.raises(ValueError, match="both called"):
        plan_compare(["conjunction"], [Arm("transformer", name="x"), Arm("lstm", name="x")],
                     out=tmp_path)
    with pytest.raises(ValueError, match="threshold, which has none"):
        plan_compare(["threshold"], ["transformer"], tests=[PREFIX], out=tmp_path)
    with pytest.raises(ValueError, match="distinct names"):
        plan_compare(["conjunction"], ["transformer"], tests=[STANDARD, STANDARD], out=tmp_path)


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("scale", ["small", "paper"])
def test_every_preset_plans_at_both_scales(name, scale, tmp_path):
    preset = PRESETS[name]
    plan = preset_plan(preset, tmp_path, scale)
    assert plan.tasks == list(preset.tasks)
    assert len(plan.configs) == len(preset.tasks) * len(preset.models)
    if scale == "paper":  # the paper's sizes: 12 layers of width 256
        c = next(iter(plan.configs.values()))[0]
        assert (c.layers, c.width) == (12, 256)
    if name == "parity-architectures":
        assert plan.sizes["sparse_parity"] == (10, 140)
        assert "per prompt" in preset.note


def test_teaching_preset_at_small_scale_is_near_perfect_after_the_sequence(tmp_path):
    """The model trained with teaching sequences, at the teaching preset's small-scale
    settings, on conjunctions: right after the sequence its accuracy is near perfect (at least
    0.95 less the Hoeffding margin of the number of prompts); the elimination learner is exactly
    perfect there, since the paper's sequence teaches the conjunction uniquely and elimination
    keeps the most specific consistent conjunction."""
    preset = PRESETS["teaching"]
    prompts = 500
    plan = plan_compare(["conjunction"], [TEACH_ARMS[1]], ["null", "elimination"],
                        out=tmp_path, tests=[STANDARD, PREFIX], **preset.scales["small"])
    result = run_compare(plan, prompts=prompts, resamples=100)
    prefixed = next(t for t in result["tasks"] if t["test"] == PREFIX.name)
    m = prefixed["models"][0]
    assert m["after_prefix"]["prompts"] == prompts  # every conjunction sequence is < 40 long
    assert m["after_prefix"]["accuracy"] >= 0.95 - hoeffding(prompts)
    el = next(r for r in prefixed["learners"] if r["name"] == "elimination")
    assert el["after_prefix"]["accuracy"] == 1.0
    assert "after_prefix" not in next(t for t in result["tasks"] if t["test"] == "standard")[
        "models"][0]


def test_teaching_report_has_every_regime_with_the_results_numbers(tmp_path):
    result = run_reproduce("teaching", tmp_path, steps=2, prompts=24, tasks=["conjunction"])
    report = result["report"]
    rows = regimes(result, "conjunction")
    assert len(rows) == 6  # 3 trained models x tested with and without the prefix
    for r in rows:
        a = "-" if r["after_prefix"] is None else f"{r['after_prefix']:.3f}"
        assert f"| {r['trained']} | {r['tested']} | {a} | {r['mean']:.3f} |" in report
    assert sum(r["after_prefix"] is not None for r in rows) == 3
    assert (tmp_path / "conjunction_n8_teaching-prefix.png").exists()
    assert "## conjunction, teaching prefix" in (tmp_path / "table.md").read_text()
    with pytest.raises(ValueError, match="tasks must be some of the preset's"):
        run_reproduce("teaching", tmp_path / "x", tasks=["majority"])


@pytest.mark.parametrize(
    "name, tasks",
    [
        ("boolean-classes", ["conjunction", "parity"]),
        ("nearest-neighbour", None),
        ("robustness", None),
        ("parity-architectures", None),
    ],
)
def test_preset_end_to_end_writes_a_finding_per_task_model_or_shift(name, tasks, tmp_path):
    """Two training steps only: the numbers mean nothing, but every finding, test set and
    file is there, and each finding's numbers are the results' own."""
    result = run_reproduce(name, tmp_path, steps=2, prompts=16, tasks=tasks)
    report = (tmp_path / "REPORT.md").read_text()
    findings = PRESETS[name].verdict(result)
    assert findings and f"in {sum(f[1] for f in findings)} of {len(findings)}" in report
    for heading, shows, sentence in findings:
        assert f"- **{heading}**: {'shows' if shows else 'does not show'}: {sentence}." in report
    preset = PRESETS[name]
    assert len(result["tasks"]) == len(tasks or preset.tasks) * len(preset.tests)
    for t in result["tasks"]:
        assert f"## {t['task']}" in report
        for m in t["models"]:
            assert m["seeds"] == 1, m["failed"]
            assert f"| {m['name']} | {m['per_position'][0]:.3f}" in report
    if name == "robustness":  # one finding for the noise, one per shifted test set
        assert len(findings) == len(preset.tests)
        assert (tmp_path / "conjunction_n8_half-the-variables.png").exists()


def test_step_factor_trains_an_arm_longer_in_its_own_folder(tmp_path):
    plan = plan_compare(["conjunction"], [Arm("transformer"), TEACH_ARMS[2]], out=tmp_path,
                        steps=10)
    plain, mix = (plan.configs[("conjunction", a)][0] for a in plan.models)
    assert (plain.steps, mix.steps) == (10, 20)
    assert plan.outs[("conjunction", TEACH_ARMS[2].label)][0].parent.name.endswith("steps-x2")
    with pytest.raises(ValueError, match="step_factor"):
        plan_compare(["conjunction"], [Arm("transformer", step_factor=0)], out=tmp_path)
