"""Bit vectors packed into int64 words, the working format of the vectorised sampler.

An input ``x in {0,1}^n`` is held as ``W = ceil(n / 64)`` int64 words: bit ``i % 64`` of word
``i // 64`` is ``x_{i+1}``; bits at positions ``>= n`` are zero. A batch of prompts is a tensor
of shape ``(batch, points, W)``, 1/8 of the bytes of the unpacked ``(batch, points, n)`` uint8
array and 64 bits per elementwise operation. Literal sets, subsets and weight planes are words of
the same layout, so labels are a handful of bitwise operations and popcounts per example.

Random bits come from ``Tensor.random_`` over the full int64 range (64 random bits per draw, one
generator call per word), which is several times cheaper than drawing one integer per bit.
"""

from __future__ import annotations

import sys

import torch

WORD_BITS = 64

_M1 = 0x5555555555555555
_M2 = 0x3333333333333333
_M4 = 0x0F0F0F0F0F0F0F0F
_INT64_MIN = -(2**63)
_LUTS: dict[torch.device, torch.Tensor] = {}


def n_words(n: int) -> int:
    """Words per bit vector of length ``n``."""
    return (n + WORD_BITS - 1) // WORD_BITS


def random_words(
    shape: tuple[int, ...], n: int, generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    """Uniform random bit vectors of length ``n``: int64 of shape ``(*shape, n_words(n))``."""
    w = torch.empty((*shape, n_words(n)), dtype=torch.int64, device=device)
    w.random_(_INT64_MIN, None, generator=generator)  # full 64-bit range
    rest = n % WORD_BITS
    if rest:
        w[..., -1] &= (1 << rest) - 1
    return w


def pack(mask: torch.Tensor) -> torch.Tensor:
    """Boolean ``(..., n)`` to words ``(..., n_words(n))``."""
    n = mask.shape[-1]
    W = n_words(n)
    bits = mask.to(torch.int64)
    if W * WORD_BITS != n:
        bits = torch.nn.functional.pad(bits, (0, W * WORD_BITS - n))
    bits = bits.view(*mask.shape[:-1], W, WORD_BITS)
    shifts = torch.arange(WORD_BITS, device=mask.device, dtype=torch.int64)
    # distinct powers of two: the sum is the bitwise OR (bit 63 wraps to the sign bit, exactly)
    return (bits << shifts).sum(-1)


def _byte_lut(device: torch.device) -> torch.Tensor:
    """``(256,)`` int64 whose 8 bytes in memory are the bits of the index, LSB first."""
    lut = _LUTS.get(device)
    if lut is None:
        r = torch.arange(256, dtype=torch.int64)
        bits = ((r[:, None] >> torch.arange(8)) & 1).to(torch.uint8).contiguous()
        lut = bits.view(torch.int64).view(256).to(device)
        _LUTS[device] = lut
    return lut


def unpack(words: torch.Tensor, n: int) -> torch.Tensor:
    """Words ``(..., W)`` to a contiguous uint8 tensor ``(..., n)`` of 0/1 (one table lookup per
    byte of input)."""
    nbytes = (n + 7) // 8
    if sys.byteorder == "little":
        byte_values = words.view(torch.uint8)[..., :nbytes].to(torch.int64)
    else:  # pragma: no cover - big-endian hosts
        j = torch.arange(nbytes, device=words.device)
        byte_values = (words[..., j // 8] >> (8 * (j % 8))) & 255
    lut = _byte_lut(words.device)
    # index_select on the flat index is several times faster than advanced indexing on CPU
    table = lut.index_select(0, byte_values.reshape(-1)).view(*byte_values.shape, 1)
    bits = table.view(torch.uint8).flatten(-2)
    return bits if n == nbytes * 8 else bits[..., :n].contiguous()


def popcount(words: torch.Tensor) -> torch.Tensor:
    """Number of set bits of every int64 element (SWAR; no signed overflow on any step)."""
    x = (words & _M1) + ((words >> 1) & _M1)
    x = (x & _M2) + ((x >> 2) & _M2)
    x = (x + (x >> 4)) & _M4
    x = x + (x >> 8)
    x = x + (x >> 16)
    x = x + (x >> 32)
    return x & 0x7F


def count(words: torch.Tensor) -> torch.Tensor:
    """Set bits of each bit vector: popcount summed over the last (word) axis."""
    pc = popcount(words)
    return pc.squeeze(-1) if pc.shape[-1] == 1 else pc.sum(-1)
