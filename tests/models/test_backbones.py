"""Every backbone, by one parametrised body: shape, causality (by gradients), determinism,
length limit, configuration errors, recurrent == parallel forms."""

from __future__ import annotations

import pytest
import torch

from learners.base import cpu_threads
from models.backbones import BACKBONES, make_backbone

NAMES = sorted(BACKBONES)
D, LAYERS, HEADS, MAX_LEN = 16, 2, 4, 12


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny tensors: one intra-op thread (several threads on a loaded 2-core machine are far
    slower, see :func:`learners.base.cpu_threads`)."""
    with cpu_threads(torch.device("cpu"), 1):
        yield


def build(name: str, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return make_backbone(name, D, LAYERS, HEADS, MAX_LEN)


def test_registry_names() -> None:
    assert set(BACKBONES) == {"transformer", "lstm", "dss", "hyena", "retnet", "mamba"}


@pytest.mark.parametrize("name", NAMES)
def test_shape_and_causality(name: str) -> None:
    model = build(name)
    L, t = 10, 4
    h = torch.randn(2, L, D, generator=torch.Generator().manual_seed(1), requires_grad=True)
    out = model(h)
    assert out.shape == (2, L, D)
    assert torch.isfinite(out).all()
    w = torch.randn(D, generator=torch.Generator().manual_seed(2))  # (sum of a LayerNorm is const)
    (grad,) = torch.autograd.grad((out[:, t] * w).sum(), h)
    past = grad[:, : t + 1].abs().amax(dim=(0, 2))
    future = grad[:, t + 1 :].abs().max()
    assert (past > 0).all(), f"{name}: output at {t} ignores some earlier input: {past}"
    # FFT convolutions leak round-off (~1e-9) into the future; anything real is far larger
    assert future <= 1e-6 * past.max(), f"{name}: output at {t} depends on later inputs"


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_under_seed(name: str) -> None:
    h = torch.randn(2, 6, D, generator=torch.Generator().manual_seed(3))
    a, b, c = build(name, 0), build(name, 0), build(name, 1)
    torch.testing.assert_close(a(h), b(h), rtol=0, atol=0)
    assert not torch.allclose(a(h), c(h))


@pytest.mark.parametrize("name", NAMES)
def test_too_long_input_raises(name: str) -> None:
    model = build(name)
    model(torch.zeros(1, MAX_LEN, D))  # exactly max_len is fine
    with pytest.raises(ValueError, match="max_len"):
        model(torch.zeros(1, MAX_LEN + 1, D))


def test_bad_config() -> None:
    with pytest.raises(ValueError, match="backbone.*transformer"):
        make_backbone("gru", D, LAYERS, HEADS, MAX_LEN)
    for name in ("transformer", "retnet"):
        with pytest.raises(ValueError, match="heads"):
            make_backbone(name, 18, LAYERS, 4, MAX_LEN)
    with pytest.raises(ValueError, match="layers"):
        make_backbone("lstm", D, 0, HEADS, MAX_LEN)
    with pytest.raises(ValueError, match="dropout"):
        make_backbone("dss", D, LAYERS, HEADS, MAX_LEN, dropout=1.5)


@pytest.mark.parametrize("name", ["retnet", "mamba"])
def test_recurrent_equals_parallel(name: str) -> None:
    model = build(name)
    g = torch.Generator().manual_seed(4)
    with torch.no_grad():  # move away from the small init so every term matters
        for p in model.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=g))
    h = torch.randn(3, 9, D, generator=g)
    par, rec = model(h), model.forward_recurrent(h)
    assert par.abs().max() > 0.1
    torch.testing.assert_close(rec, par, rtol=1e-4, atol=1e-5)


def scan_inputs(seed: int, dtype: torch.dtype, Bt: int = 2, L: int = 10, E: int = 6, N: int = 4):
    g = torch.Generator().manual_seed(seed)
    u, dt = torch.randn(Bt, L, E, generator=g), torch.rand(Bt, L, E, generator=g) + 0.05
    A = -torch.rand(E, N, generator=g) - 0.1
    Bm, C = torch.randn(Bt, L, N, generator=g), torch.randn(Bt, L, N, generator=g)
    return [t.to(dtype).requires_grad_() for t in (u, dt, A, Bm, C, torch.randn(E, generator=g))]


def test_scan_segment_gradcheck():
    """The hand-written backward of one segment against finite differences (float64), with a
    gradient on the returned last state as well as on the outputs."""
    from models.backbones.selective_scan import _ScanSegment

    u, dt, A, Bm, C, _ = scan_inputs(6, torch.float64, L=5)
    h0 = torch.randn(2, 6, 4, dtype=torch.float64, requires_grad=True)
    dtu = (dt * u).detach().requires_grad_()
    assert torch.autograd.gradcheck(_ScanSegment.apply, (h0, dt, dtu, Bm, C, A))


def test_selective_scan_equals_the_plain_loop():
    """Segments of 3 over 10 positions (a ragged last one) give the values and gradients of one
    plain autograd loop over all positions."""
    from models.backbones.selective_scan import scan_reference, selective_scan

    inputs, ref_inputs = scan_inputs(5, torch.float32), scan_inputs(5, torch.float32)
    u, dt, A, Bm, C, Dv = ref_inputs
    w = torch.randn(2, 10, 6, generator=torch.Generator().manual_seed(7))
    y = selective_scan(*inputs, chunk=3)
    ref = scan_reference(torch.zeros(2, 6, 4), dt, dt * u, Bm, C, A)[0] + Dv * u
    torch.testing.assert_close(y, ref)
    grads = torch.autograd.grad((y * w).sum(), inputs)
    ref_grads = torch.autograd.grad((ref * w).sum(), ref_inputs)
    for a, b in zip(grads, ref_grads, strict=True):
        torch.testing.assert_close(a, b)
