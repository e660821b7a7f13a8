"""models.evaluate: a trained run scored per position, out of distribution and under label noise."""

import pytest

from models.evaluate import evaluate_run
from models.train import train
from tests.models.helpers import tiny


def test_evaluate_ood_and_noise(tmp_path):
    run = tmp_path / "run"
    train(tiny(steps=2), run)
    r = evaluate_run(run, prompts=20, resamples=20)
    assert len(r["per_position"]) == 20 and r["config"]["n"] == 5
    assert evaluate_run(run, n=3, prompts=20, resamples=20)["n"] == 3  # zero-padded
    assert evaluate_run(run, task="disjunction", prompts=10, resamples=10)["task"] == "disjunction"
    noisy = evaluate_run(run, prompts=20, label_noise=0.3, resamples=20)
    assert noisy["label_noise"] == 0.3
    with pytest.raises(ValueError, match="exceeds the trained n"):
        evaluate_run(run, n=6, prompts=5)
    with pytest.raises(ValueError, match="points"):
        evaluate_run(run, points=21, prompts=5)
