"""The in-context wrapper: token layout, read-out positions, the learner interface, errors,
and that every backbone learns to carry labels forward in context."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from learners.base import cpu_threads
from models.backbones import BACKBONES
from models.wrapper import InContextModel

N, P = 5, 6
TINY = dict(width=16, layers=2, heads=4, points=8)


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one intra-op thread (several threads on a loaded 2-core machine are far
    slower, see :func:`learners.base.cpu_threads`)."""
    with cpu_threads(torch.device("cpu"), 1):
        yield


def model_for(backbone: str = "transformer", seed: int = 0) -> InContextModel:
    torch.manual_seed(seed)
    return InContextModel(N, model=backbone, **TINY).eval()


def prompts(seed: int = 0, b: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randint(0, 2, (b, P, N), generator=g, dtype=torch.uint8),
        torch.randint(0, 2, (b, P), generator=g, dtype=torch.uint8),
    )


def test_tokens_interleave_points_and_labels() -> None:
    xs, ys = prompts()
    e = model_for().tokens(xs, ys)
    assert e.shape == (3, 2 * P, N)
    torch.testing.assert_close(e[:, 0::2], xs.float() * 2 - 1)
    torch.testing.assert_close(e[:, 1::2, 0], ys.float() * 2 - 1)
    assert (e[:, 1::2, 1:] == 0).all()


@pytest.mark.parametrize("backbone", sorted(BACKBONES))
def test_reads_at_x_positions(backbone: str) -> None:
    model = model_for(backbone)
    xs, ys = prompts()
    base = model(xs, ys)
    assert base.shape == (3, P)
    i = 2
    ys2 = ys.clone()
    ys2[:, i] ^= 1
    changed = model(xs, ys2)
    torch.testing.assert_close(changed[:, : i + 1], base[:, : i + 1])  # y_i unseen up to x_i
    assert (changed[:, i + 1] - base[:, i + 1]).abs().max() > 1e-5  # ... and seen after
    j = 4
    xs2 = xs.clone()
    xs2[:, j] ^= 1
    changed = model(xs2, ys)
    torch.testing.assert_close(changed[:, :j], base[:, :j])
    assert (changed[:, j] - base[:, j]).abs().max() > 1e-5


def test_input_dtypes_agree() -> None:
    model = model_for()
    xs, ys = prompts()
    ref = model(xs, ys)
    torch.testing.assert_close(model(xs.bool(), ys.bool()), ref)
    torch.testing.assert_close(model(xs.float(), ys.float()), ref)


def test_predict_round_trip() -> None:
    model = model_for().train()
    xs, ys = prompts()
    with torch.no_grad():
        expected = (model.eval()(xs, ys) > 0).to(torch.uint8)
    model.train()
    out_t = model.predict(xs, ys)
    assert isinstance(out_t, torch.Tensor) and out_t.dtype == torch.uint8
    assert out_t.device == xs.device
    torch.testing.assert_close(out_t, expected)
    out_np = model.predict(xs.numpy(), ys.numpy())
    assert isinstance(out_np, np.ndarray) and out_np.dtype == np.uint8
    np.testing.assert_array_equal(out_np, expected.numpy())
    assert model.training  # mode restored
    full = model.predict_full(xs.numpy(), ys.numpy())
    assert full.proba is not None and full.proba.shape == (3, P)


def test_config_rebuilds_model() -> None:
    model = model_for("retnet")
    clone = InContextModel(**model.config)
    clone.load_state_dict(model.state_dict())
    xs, ys = prompts()
    torch.testing.assert_close(clone.eval()(xs, ys), model(xs, ys))


def test_bad_input_and_config() -> None:
    with pytest.raises(ValueError, match="model must"):
        InContextModel(N, model="gru")
    with pytest.raises(ValueError, match="heads"):
        InContextModel(N, width=18, heads=4, layers=1, points=4)
    with pytest.raises(ValueError, match="n must"):
        InContextModel(0)
    model = model_for()
    xs, ys = prompts()
    with pytest.raises(ValueError, match="points=8"):
        model(torch.zeros(1, 9, N), torch.zeros(1, 9))
    with pytest.raises(ValueError, match="xs"):
        model(xs[..., :3], ys)
    with pytest.raises(ValueError, match="xs"):
        model.predict(np.full((1, 2, N), 2), np.zeros((1, 2)))


@pytest.mark.parametrize("backbone", sorted(BACKBONES))
def test_learns_from_context(backbone: str) -> None:
    """Every backbone carries labels forward: all prompts share the same points, and each
    prompt's labels are one constant bit (half the prompts 0, half 1). Without reading earlier
    labels no predictor beats ``ln 2`` at any position; copying the previous label solves
    positions 1..P-1 (floor ``ln 2 / P``). 60 Adam steps at ``lr = 1e-3`` must take the loss
    below 75% of its start (measured: 0.47-0.53 of the start for every backbone, over eight
    seeds and one or two threads, the loss falling at every step).

    The earlier version fitted random labels at ``lr = 3e-3`` for 30 steps: there the width-16
    RetNet's loss spiked (gradient norm from about 1 to 141 in one step; its per-head
    GroupNorm normalises four features whose variance at that width is below the norm's
    ``eps``) and the Transformer's did too, so the loss after 30 steps depended on the
    floating-point summation order (one or two threads, another CPU) and a fixed seed did not
    fix the outcome."""
    torch.manual_seed(0)
    model = InContextModel(N, model=backbone, **TINY).train()
    g = torch.Generator().manual_seed(5)
    xs = torch.randint(0, 2, (1, P, N), generator=g, dtype=torch.uint8).expand(8, P, N)
    ys = torch.tensor([0, 1] * 4, dtype=torch.uint8)[:, None].expand(8, P)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    losses = []
    for _ in range(60):
        loss = loss_fn(model(xs, ys), ys.float())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.75 * losses[0], f"{backbone}: {losses[0]:.3f} -> {losses[-1]:.3f}"


def test_predict_full_batches_and_pads_fewer_inputs():
    """Batched prediction equals one forward pass; prompts over fewer variables are the same
    prompts with the missing inputs set to 0; more inputs or points are refused."""
    model = model_for("lstm")
    xs, ys = prompts(b=7)
    with torch.no_grad():
        ref = (model(xs, ys) > 0).to(torch.uint8)
    torch.testing.assert_close(model.predict_full(xs, ys, batch=3).preds, ref)
    small = xs[..., :3]
    padded = torch.cat([small, torch.zeros(7, P, N - 3, dtype=torch.uint8)], dim=-1)
    torch.testing.assert_close(model.predict(small, ys), model.predict(padded, ys))
    with pytest.raises(ValueError, match="exceeds the trained n"):
        model.predict(torch.zeros(1, 2, N + 1, dtype=torch.uint8), torch.zeros(1, 2))
    with pytest.raises(ValueError, match="batch"):
        model.predict_full(xs, ys, batch=0)


def test_from_config_builds_the_architecture_of_the_config():
    from models.config import TrainConfig

    c = TrainConfig(task="conjunction", n=5, points=8, model="mamba", width=16, layers=2, heads=2)
    model = InContextModel.from_config(c)
    assert model.config == c.model_settings()
    assert model.name == "mamba" and model.points == 8 and model.n == 5
