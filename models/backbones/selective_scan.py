"""The selective scan of Mamba (S6) in pure torch, with a hand-written backward pass.

For a batch, ``E`` channels and ``N`` states per channel, given ``dt_t`` (``E``), inputs
``u_t`` (``E``), ``B_t``, ``C_t`` (``N``) and the diagonal ``A`` (``E x N``), the scan is

    a_t = exp(dt_t[e] A[e, n]),   b_t = dt_t[e] u_t[e] B_t[n],
    h_t = a_t * h_{t-1} + b_t,    h_{-1} = 0,          y_t[e] = sum_n C_t[n] h_t[e, n].

Its gradients, for an upstream ``gy_t`` and with ``g_t`` the total gradient on ``h_t``
(``g_{L-1}`` gets only the local term, plus the gradient of the returned last state):

    g_t = gy_t[e] C_t[n] + a_{t+1} * g_{t+1}                 (a reverse scan)
    dL/dC_t[n]   = sum_e gy_t[e] h_t[e, n]
    dL/d(dtu)_t[e] = sum_n g_t[e, n] B_t[n],    dL/dB_t[n] = sum_e g_t[e, n] (dt u)_t[e]
    dL/ddt_t[e]  = sum_n z_t[e, n] A[e, n],     dL/dA[e, n] = sum_{batch, t} z_t[e, n] dt_t[e]
    with z_t = g_t * h_{t-1} * a_t   (the gradient on dt_t A through the exponential).

Autograd through a Python loop would keep every ``h_t`` and ``a_t`` (``B x E x N`` each, about
24 GB for the paper-scale 12-layer model at batch 64). :class:`_ScanSegment` instead runs a
segment of ``K`` positions in place without recording anything, saves only its inputs, and in
the backward pass recomputes the segment's states (``K`` of them) before the reverse scan:
``O(B L E N / K + B K E N)`` memory for one extra forward scan, and few allocations (on a CPU the
many short-lived state tensors of the plain loop fragment the heap). :func:`scan_reference` is
the plain autograd loop the tests compare against.
"""

from __future__ import annotations

from typing import Any

import torch

SCAN_CHUNK = 16
"""Positions per segment of :func:`selective_scan`."""


def scan_reference(
    h_BxExN: torch.Tensor,
    dt_BxKxE: torch.Tensor,
    dtu_BxKxE: torch.Tensor,
    B_BxKxN: torch.Tensor,
    C_BxKxN: torch.Tensor,
    A_ExN: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(y_BxKxE, h_last)`` of the scan from state ``h`` by a plain loop (autograd records
    every step)."""
    ys = []
    for dt_BxE, dtu_BxE, B_BxN, C_BxN in zip(
        dt_BxKxE.unbind(1), dtu_BxKxE.unbind(1), B_BxKxN.unbind(1), C_BxKxN.unbind(1), strict=True
    ):
        h_BxExN = (
            torch.exp(dt_BxE[..., None] * A_ExN) * h_BxExN + dtu_BxE[..., None] * B_BxN[:, None, :]
        )
        ys.append((h_BxExN @ C_BxN[..., None]).squeeze(-1))
    return torch.stack(ys, dim=1), h_BxExN


def _states(
    h0: torch.Tensor, dt: torch.Tensor, dtu: torch.Tensor, Bm: torch.Tensor, A: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """All states ``h_BxKxExN`` and decays ``a_BxKxExN`` of a segment, in place."""
    K = dt.shape[1]
    As = torch.exp(dt[..., None] * A)  # (B, K, E, N)
    hs = dtu[..., None] * Bm[:, :, None, :]  # b_t, then h_t in place
    prev = h0
    for t in range(K):
        hs[:, t] += As[:, t] * prev  # not addcmul_: no batching rule (vmap)
        prev = hs[:, t]
    return hs, As


class _ScanSegment(torch.autograd.Function):
    """One segment of the scan; see the module docstring for the backward formulas."""

    generate_vmap_rule = True  # so that stacked models (models.stack) can vmap the scan

    @staticmethod
    def forward(  # type: ignore[override]
        h0: torch.Tensor,
        dt: torch.Tensor,
        dtu: torch.Tensor,
        Bm: torch.Tensor,
        C: torch.Tensor,
        A: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.autocast(h0.device.type, enabled=False):  # float32 throughout
            hs, _ = _states(h0, dt, dtu, Bm, A)
            ys = (hs @ C[:, :, :, None]).squeeze(-1)  # (B, K, E)
        return ys, hs[:, -1].clone()

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[torch.Tensor, ...], output: Any) -> None:
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(  # type: ignore[override]
        ctx: Any, gys: torch.Tensor, gh_last: torch.Tensor | None
    ) -> tuple[torch.Tensor, ...]:
        h0, dt, dtu, Bm, C, A = ctx.saved_tensors
        hs, As = _states(h0, dt, dtu, Bm, A)
        K = dt.shape[1]
        # local gradients on every h_t, then the reverse scan g_t += a_{t+1} g_{t+1}
        gs = gys[..., None] * C[:, :, None, :]  # (B, K, E, N)
        if gh_last is not None:
            gs[:, -1].add_(gh_last)
        for t in range(K - 2, -1, -1):
            gs[:, t] += As[:, t + 1] * gs[:, t + 1]
        g_h0 = gs[:, 0] * As[:, 0]
        prev = torch.cat((h0[:, None], hs[:, :-1]), dim=1)  # h_{t-1}
        z = gs * prev * As  # gradient on dt_t A
        g_dt = (z * A).sum(-1)
        g_A = torch.einsum("bken,bke->en", z, dt)
        g_dtu = (gs @ Bm[:, :, :, None]).squeeze(-1)
        g_B = torch.einsum("bken,bke->bkn", gs, dtu)
        g_C = torch.einsum("bke,bken->bkn", gys, hs)
        return g_h0, g_dt, g_dtu, g_B, g_C, g_A


def selective_scan(
    u_BxLxE: torch.Tensor,
    dt_BxLxE: torch.Tensor,
    A_ExN: torch.Tensor,
    B_BxLxN: torch.Tensor,
    C_BxLxN: torch.Tensor,
    D_E: torch.Tensor,
    chunk: int = SCAN_CHUNK,
) -> torch.Tensor:
    """``y_BxLxE = scan(...) + D * u`` over all ``L`` positions, in segments of ``chunk``
    (in float32: under bf16 autocast the inputs are upcast, the recurrence is not rounded)."""
    f32 = [t.float() for t in (u_BxLxE, dt_BxLxE, A_ExN, B_BxLxN, C_BxLxN)]
    u, dt, A, Bm, C = f32
    dtu = dt * u
    h = u.new_zeros(u.shape[0], u.shape[2], A.shape[1])
    ys = []
    for parts in zip(
        dt.split(chunk, dim=1),
        dtu.split(chunk, dim=1),
        Bm.split(chunk, dim=1),
        C.split(chunk, dim=1),
        strict=True,
    ):
        y, h = _ScanSegment.apply(h, *parts, A)
        ys.append(y)
    return torch.cat(ys, dim=1) + D_E * u
