"""A frozen pretrained language model as the backbone of an in-context model.

The backbone ``hf:PATH`` is the decoder of a Hugging Face causal language model (GPT-2 family
first; any causal LM whose decoder takes ``inputs_embeds``), read from the folder ``PATH`` or,
when no such folder exists, from the local Hugging Face cache under the name ``PATH``. Nothing
is downloaded: every load is ``local_files_only``. ``transformers`` is the optional extra
``llm`` and is imported only here, inside the functions, so ``import models`` works without it.

With read-in ``R`` and read-out ``W`` (trainable MLPs, :func:`mlp`) and the decoder ``G``
(its own learned position embeddings added to its input, its final norm applied), the logits
of :class:`models.wrapper.InContextModel` are

    h_{0..2P-1} = G(R(e_0), ..., R(e_{2P-1}))      logits[:, i] = W(h_{2i})

with the token layout ``e`` of :mod:`models.wrapper`. The in-context width *is* the model's
hidden size ``d``, and its layers and heads are its own: a config's ``width``, ``layers`` and
``heads`` must equal them (:func:`lm_shape`). The prompt must fit the model's positions:
``2 * points <= max_position_embeddings``.

What is trained (``freeze``, :data:`FREEZE_MODES`):

- ``all``: no weight of the language model; only the read-in and the read-out;
- ``all-but-ln``: besides them, exactly the parameters of its normalisation layers
  (``LayerNorm`` / ``RMSNorm`` modules: GPT-2's ``ln_1``, ``ln_2`` and ``ln_f``).

Frozen parameters have ``requires_grad = False``, so no gradient reaches them, and the model's
``state_dict`` leaves them out: a checkpoint holds only the trainable weights, and the frozen
ones come back from the base model when the run is rebuilt. The base model is identified by
its name and by :attr:`PretrainedBackbone.base_sha256`, the SHA-256 of all its weights as
loaded (:func:`tensors_digest`), which a checkpoint records and its loader checks.

The control (``init``, :func:`parse_init`): ``"pretrained"`` loads the model's weights;
``"random"`` (= ``"random:0"``) or ``"random:S"`` builds the same architecture from the same
config with the library's own initialisation drawn from ``torch.manual_seed(S)`` (in a forked
RNG: the caller's random stream is not touched), frozen the same way. ``S`` is part of the
model, not of the run's ``seed``, so that the runs of several seeds share one frozen network,
as they do with the pretrained weights.

The language model always runs in eval mode (no dropout: a frozen network's dropout would only
add noise), so a config's ``dropout`` must be 0.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch
from torch import nn

from models.backbones import Linear, init_weights

PREFIX = "hf:"
"""A model name ``hf:PATH`` is a pretrained Hugging Face causal language model."""

FREEZE_MODES = ("none", "all", "all-but-ln")
"""``freeze``: ``none`` for the project's own backbones (trained whole); ``all`` or
``all-but-ln`` for a pretrained model."""

INITS = ("pretrained", "random", "random:S")
"""``init`` forms: the model's own weights, or the random control drawn with seed ``S``."""

INSTALL_HINT = "pip install -e '.[llm]'"


def is_pretrained(model: Any) -> bool:
    """Whether ``model`` names a pretrained model (``hf:PATH``)."""
    return isinstance(model, str) and model.startswith(PREFIX)


def model_path(model: str) -> str:
    """``PATH`` of ``hf:PATH``; ``ValueError`` naming ``model`` when it is empty."""
    path = model[len(PREFIX) :] if is_pretrained(model) else ""
    if not path.strip():
        raise ValueError(
            f"model must be hf:PATH with PATH a model folder or a name in the local Hugging "
            f"Face cache, got {model!r}"
        )
    return path


def resolve_model(model: str) -> str:
    """``hf:PATH`` with ``PATH`` made absolute when it is an existing folder (so a run folder
    names its base model wherever it is read from); a cache name is kept as it is."""
    path = model_path(model)
    p = Path(path).expanduser()
    return PREFIX + str(p.resolve()) if p.is_dir() else model


def parse_init(init: Any) -> int | None:
    """``None`` for ``"pretrained"``; the seed ``S`` of ``"random:S"`` (``"random"`` is 0);
    else ``ValueError`` naming ``init``."""
    if init == "pretrained":
        return None
    if init == "random":
        return 0
    if isinstance(init, str) and init.startswith("random:"):
        text = init[len("random:") :]
        if text.isdigit() and int(text) < 2**63:
            return int(text)
    raise ValueError(
        f"init must be 'pretrained', 'random' or 'random:S' (S an integer >= 0), got {init!r}"
    )


def import_transformers() -> ModuleType:
    """The ``transformers`` module, or ``ValueError`` saying how to install it."""
    try:
        import transformers
    except ImportError:
        raise ValueError(
            f"model hf:...: pretrained models need the transformers package: {INSTALL_HINT}"
        ) from None
    return transformers


@contextmanager
def quiet_transformers(transformers: ModuleType) -> Iterator[None]:
    """Neither progress bars nor warnings from ``transformers`` while the block runs (library
    code does not print); its settings are restored afterwards."""
    logging = transformers.utils.logging
    verbosity, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()


@dataclass(frozen=True)
class LMShape:
    """The sizes of a causal language model, from its config."""

    width: int  # hidden size d: the in-context width
    layers: int
    heads: int
    max_positions: int  # the longest sequence: 2 * points must not exceed it
    model_type: str


def load_lm_config(model: str) -> Any:
    """The ``transformers`` config of ``hf:PATH``, read locally; ``ValueError`` naming
    ``model`` when there is none or it is not a causal language model's."""
    path = model_path(model)
    local = Path(path).expanduser()
    if not local.is_dir() and (local.is_absolute() or path.startswith((".", "~"))):
        raise ValueError(
            f"model {model!r}: no folder {path!r} (a path names a folder written by "
            "save_pretrained; nothing is downloaded)"
        )
    transformers = import_transformers()
    with quiet_transformers(transformers):
        try:
            config = transformers.AutoConfig.from_pretrained(path, local_files_only=True)
        except (OSError, ValueError, KeyError) as e:
            where = "folder" if Path(path).expanduser().is_dir() else "folder or cached model"
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ValueError(
                f"model {model!r}: no Hugging Face causal language model in the {where} "
                f"{path!r} (nothing is downloaded: give a folder written by save_pretrained, "
                f"or a name already in the local Hugging Face cache): {first}"
            ) from None
    if type(config) not in transformers.MODEL_FOR_CAUSAL_LM_MAPPING:
        raise ValueError(
            f"model {model!r} is a {config.model_type!r} model, not a causal language model "
            "(AutoModelForCausalLM has no class for it)"
        )
    return config


def lm_shape(model: str) -> LMShape:
    """The width, layers, heads and positions of ``hf:PATH`` (:func:`load_lm_config`)."""
    config = load_lm_config(model)
    sizes = []
    for attr in ("hidden_size", "num_hidden_layers", "num_attention_heads"):
        value = getattr(config, attr, None)
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"model {model!r}: its config has no positive {attr}")
        sizes.append(value)
    positions = getattr(config, "max_position_embeddings", None)
    if not isinstance(positions, int) or positions < 1:
        positions = 2**31 - 1  # no learned positions (rotary, ...): no limit from the model
    return LMShape(*sizes, positions, str(config.model_type))


def check_shape(model: str, shape: LMShape, width: int, layers: int, heads: int) -> None:
    """``ValueError`` naming ``width`` / ``layers`` / ``heads`` when one differs from the
    language model's own."""
    for name, given, own in (
        ("width", width, shape.width),
        ("layers", layers, shape.layers),
        ("heads", heads, shape.heads),
    ):
        if given != own:
            what = "hidden size" if name == "width" else f"number of {name}"
            raise ValueError(
                f"{name} must be {own}, the {what} of model {model!r} (a pretrained model's "
                f"width, layers and heads are its own; leave {name} unset), got {given}"
            )


def tensors_digest(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 of named tensors: every name, dtype, shape and the bytes of the data, in name
    order (the format of :func:`models.checkpoints.weights_digest`)."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        if t.numel():
            h.update(t.view(-1).view(torch.uint8).numpy())  # no copy of the bytes
    return h.hexdigest()


def is_norm(module: nn.Module) -> bool:
    """Whether ``module`` is a normalisation layer (``LayerNorm`` / ``RMSNorm`` of torch or
    of a model's own code): the parameters ``all-but-ln`` trains."""
    if isinstance(module, nn.LayerNorm | nn.RMSNorm):
        return True
    name = type(module).__name__
    return name.endswith("LayerNorm") or name.endswith("RMSNorm")


def mlp(d_in: int, d_hidden: int, d_out: int, layers: int) -> nn.Sequential:
    """``Linear(d_in, d_hidden) -> GELU -> Linear(d_hidden, d_out)``: the read-in
    (``n -> d -> d``) and read-out (``d -> d -> 1``) of a pretrained backbone, initialised by
    :func:`models.backbones.init_weights` (GPT-2 style)."""
    net = nn.Sequential(Linear(d_in, d_hidden), nn.GELU(), Linear(d_hidden, d_out))
    init_weights(net, layers)
    return net


class PretrainedBackbone(nn.Module):
    """The decoder of ``hf:PATH`` as a causal backbone ``(B, L, d) -> (B, L, d)``, frozen by
    ``freeze`` (``all`` / ``all-but-ln``), with the pretrained or random weights of ``init``,
    for sequences up to ``max_len`` tokens. See the module docstring.

    ``base_model``: the path or cache name; ``base_sha256``: the digest of the decoder's weights
    as built; ``frozen``: the names (in :attr:`lm`) of the parameters and buffers that are
    not trained, left out of ``state_dict`` and restored from the base model by
    ``load_state_dict``; ``shape``: its :class:`LMShape`.
    """

    def __init__(self, model: str, freeze: str, init: str, max_len: int) -> None:
        super().__init__()
        if freeze not in ("all", "all-but-ln"):
            raise ValueError(
                f"freeze must be 'all' or 'all-but-ln' for the pretrained model {model!r} "
                f"(its own weights are not trained), got {freeze!r}"
            )
        seed = parse_init(init)
        config = load_lm_config(model)
        self.shape = lm_shape(model)
        if max_len > self.shape.max_positions:
            raise ValueError(
                f"points must be at most {self.shape.max_positions // 2} for model {model!r}: "
                f"a prompt of P points is 2P tokens and the model has "
                f"{self.shape.max_positions} positions"
            )
        self.base_model = model_path(model)
        self.max_len = int(max_len)
        self.lm = load_decoder(model, config, seed)
        self.lm.eval()
        trainable = set()
        if freeze == "all-but-ln":
            for mname, m in self.lm.named_modules():
                if is_norm(m):
                    trainable |= {f"{mname}.{p}" if mname else p for p, _ in m.named_parameters()}
        for name, p in self.lm.named_parameters():
            p.requires_grad_(name in trainable)
        self.frozen = frozenset(set(self.lm.state_dict()) - trainable)
        self.base_sha256 = tensors_digest(self.lm.state_dict())
        if hasattr(self, "register_state_dict_post_hook"):  # torch >= 2.5
            self.register_state_dict_post_hook(_drop_frozen)
            self.register_load_state_dict_pre_hook(_restore_frozen)
        else:  # pragma: no cover - the same hooks under their older, private names
            self._register_state_dict_hook(_drop_frozen)
            self._register_load_state_dict_pre_hook(_restore_frozen, with_module=True)

    def forward(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        if h_BxLxD.shape[1] > self.max_len:
            raise ValueError(
                f"sequence length {h_BxLxD.shape[1]} exceeds the backbone's "
                f"max_len={self.max_len}"
            )
        return self.lm(inputs_embeds=h_BxLxD, use_cache=False).last_hidden_state

    def train(self, mode: bool = True) -> PretrainedBackbone:
        """Set the mode of this module; the language model itself stays in eval mode."""
        super().train(mode)
        self.lm.eval()
        return self


def _drop_frozen(module: PretrainedBackbone, state: dict, prefix: str, meta: Any) -> None:
    """State-dict post hook: the frozen tensors are the base model's, not the run's."""
    for name in module.frozen:
        state.pop(f"{prefix}lm.{name}", None)


def _restore_frozen(module: PretrainedBackbone, state: dict, prefix: str, *args: Any) -> None:
    """Load-state-dict pre hook: the frozen tensors are kept as built (from the base model),
    so a state dict of the trainable tensors loads strictly."""
    own = module.lm.state_dict(keep_vars=True)
    for name in module.frozen:
        state.setdefault(f"{prefix}lm.{name}", own[name])


def load_decoder(model: str, config: Any, seed: int | None) -> nn.Module:
    """The decoder (``base_model``) of the causal LM ``hf:PATH`` in fp32: its pretrained
    weights (``seed`` None), or the library's initialisation from ``torch.manual_seed(seed)``
    (the caller's RNG untouched); ``ValueError`` naming ``model`` when it cannot be read or
    does not take ``inputs_embeds``."""
    transformers = import_transformers()
    auto = transformers.AutoModelForCausalLM
    major, minor = (int(v) for v in transformers.__version__.split(".")[:2])
    fp32 = {"dtype" if (major, minor) >= (4, 56) else "torch_dtype": torch.float32}
    with quiet_transformers(transformers), torch.random.fork_rng(devices=[]):
        try:
            if seed is None:
                lm = auto.from_pretrained(
                    model_path(model), config=config, local_files_only=True, **fp32
                )
            else:
                torch.manual_seed(seed)
                lm = auto.from_config(config, **fp32)
        except (OSError, ValueError, RuntimeError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ValueError(f"model {model!r}: its weights cannot be loaded: {first}") from None
    decoder = lm.base_model
    if "inputs_embeds" not in inspect.signature(decoder.forward).parameters:
        raise ValueError(f"model {model!r}: its decoder does not accept inputs_embeds")
    return decoder
