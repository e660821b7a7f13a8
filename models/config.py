"""The training configuration of an in-context model: one typed dataclass, saved as
``config.json`` next to the weights of every run, so that a model can be rebuilt from its run
folder alone (nanoGPT style).

Every field is validated in ``__post_init__``; a bad value raises ``ValueError`` naming the
field and what is allowed.

>>> c = TrainConfig(task="conjunction", n=5, points=20, layers=1, width=16, heads=2, steps=3)
>>> TrainConfig.from_dict(c.to_dict()) == c
True
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from boolfun.devices import resolve_device
from boolfun.tasks import TASKS, TEACHING_CLASSES, teaching_class
from models.backbones import BACKBONES
from models.pretrained import FREEZE_MODES, check_shape, is_pretrained, lm_shape, parse_init
from models.pretrained import resolve_model as resolve_pretrained
from models.threads import MAX_THREADS

MODEL_FIELDS = ("n", "model", "width", "layers", "heads", "points", "dropout", "freeze", "init")
"""The fields of a config that fix the architecture: the arguments of
:class:`models.wrapper.InContextModel`, under the same names (and the same names as the
``boolicl train`` flags ``--n``, ``--model``, ``--width``, ...)."""

DEFAULT_SIZES = {"layers": 12, "width": 256, "heads": 8}
"""``layers``, ``width`` and ``heads`` of the project's own backbones when not given (a
pretrained model's are its own: :mod:`models.pretrained`)."""

LIMITS = {
    "layers": 256,
    "width": 16384,
    "heads": 1024,
    "batch": 65536,
    "steps": 10**9,
    "eval_prompts": 65536,
    "pool_stash": 1024,
}
"""Upper bounds of the integer sizes (far beyond any experiment of the paper: 12 layers of
width 256, batch 64); what a size costs in memory is checked by :meth:`TrainConfig.memory`
when a run starts."""

SCHEDULES = ("constant", "cosine")
PRECISIONS = ("auto", "fp32", "bf16")


def parse_teach(text: str) -> float:
    """The probability that a prompt starts with a teaching sequence: ``"none"`` -> 0,
    ``"all"`` -> 1, ``"mixed:P"`` -> ``P`` in [0, 1]; else ``ValueError`` naming ``teach``."""
    if not isinstance(text, str):
        raise ValueError(f"teach must be 'none', 'all' or 'mixed:P', got {text!r}")
    if text == "none":
        return 0.0
    if text == "all":
        return 1.0
    if text.startswith("mixed:"):
        try:
            p = float(text[len("mixed:") :])
        except ValueError:
            p = math.nan
        if 0.0 <= p <= 1.0:
            return p
    raise ValueError(
        f"teach must be 'none', 'all' or 'mixed:P' with P a number in [0, 1], got {text!r}"
    )


def _int(name: str, value: Any, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be an integer {bound}, got {value}")


def _float(name: str, value: Any, low: float, high: float, *, open_low: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < low or value > high or (open_low and value == low):
        lo = "(" if open_low else "["
        raise ValueError(f"{name} must be in {lo}{low}, {high}], got {value}")


@dataclass
class TrainConfig:
    """Everything a training run depends on. ``n`` / ``points`` default (``None``) to the
    task's values and are resolved at construction."""

    task: str = "conjunction"
    # backbone name, one of models.backbones.BACKBONES, or hf:PATH: a pretrained Hugging Face
    # causal LM (a folder, or a name in the local HF cache; models.pretrained)
    model: str = "transformer"
    n: int | None = None  # input dimension (the read-in width)
    points: int | None = None  # examples per prompt (the model's positional limit)
    # layers / width (d_model) / heads: None = 12 / 256 / 8, or a pretrained model's own
    # (which they must equal when given: its hidden size is the in-context width)
    layers: int | None = None
    width: int | None = None
    heads: int | None = None  # attention heads (others ignore it but it must divide width)
    dropout: float = 0.0
    # hf:PATH only: what stays frozen (all | all-but-ln; None = all), and its weights:
    # "pretrained", or the random control "random" / "random:S" (the same architecture with
    # the library's initialisation from seed S, frozen). Other backbones: "none", "pretrained".
    freeze: str | None = None
    init: str = "pretrained"
    batch: int = 64
    lr: float = 1e-4
    steps: int = 15000
    seed: int = 0  # seeds model init, the prompt generator and the eval prompts (seed + 1)
    device: str = "cpu"
    warmup: int = 0  # linear learning-rate warm-up steps
    schedule: str = "constant"  # after warm-up: constant or cosine decay to 10% at `steps`
    # curriculum: the prompt grows from *_start by *_increment every *_interval steps up to
    # *_end (0 = off: the full n / points from the start). Fewer dims are zero-padded to n.
    curriculum_points_start: int = 0
    curriculum_points_end: int = 0
    curriculum_points_increment: int = 1
    curriculum_points_interval: int = 0
    curriculum_dims_start: int = 0
    curriculum_dims_end: int = 0
    curriculum_dims_increment: int = 1
    curriculum_dims_interval: int = 0
    label_noise: float = 0.0  # probability of flipping each training label
    pool: int = 0  # finite number of training functions (0 = fresh functions every step)
    pool_stash: int = 8  # with a pool: examples kept per function = pool_stash * points
    teach: str = "none"  # "none" | "all" | "mixed:P": prompts start with a teaching sequence
    eval_every: int = 100  # steps between evaluations on fixed prompts (0 = never)
    eval_prompts: int = 256
    target_accuracy: float = 0.0  # early stop when eval accuracy from target_from reaches it
    target_from: int = 40  # first position of that accuracy (clipped to the prompt)
    max_seconds: float = 0.0  # stop (with a checkpoint) after this much training time (0 = off)
    precision: str = "auto"  # auto = bf16 autocast on CUDA, fp32 elsewhere
    compile: bool = False  # torch.compile the model (on a CPU: pays only on long runs)
    cuda_graph: bool = False  # record each step in a CUDA graph and replay it (CUDA only)
    checkpoint_every: int = 500  # steps between checkpoints (0 = only at the end)
    log_every: int = 10  # steps between JSONL metric lines
    threads: int = 0  # torch CPU threads while training (0 = choose: models.threads)

    def __post_init__(self) -> None:
        for name in ("task", "model", "schedule", "precision", "teach", "device"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a string, got {getattr(self, name)!r}")
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        t = TASKS[self.task]
        self._check_model()
        if self.n is None:
            self.n = t.default_n
        if self.points is None:
            self.points = t.default_points
        _int("n", self.n, t.min_n, 1024)
        _int("points", self.points, 1, 4096)
        if is_pretrained(self.model) and 2 * self.points > self._shape.max_positions:
            raise ValueError(
                f"points must be at most {self._shape.max_positions // 2} for model "
                f"{self.model!r} (a prompt of P points is 2P tokens; the model has "
                f"{self._shape.max_positions} positions), got {self.points}"
            )
        for name, high in LIMITS.items():
            _int(name, getattr(self, name), 1, high)
        if self.width % self.heads:
            raise ValueError(f"width ({self.width}) must be divisible by heads ({self.heads})")
        _float("dropout", self.dropout, 0.0, 1.0)
        if self.dropout == 1.0:
            raise ValueError("dropout must be in [0, 1), got 1.0")
        _float("lr", self.lr, 0.0, 10.0, open_low=True)
        _int("seed", self.seed, 0, 2**63 - 1)
        _int("warmup", self.warmup, 0)
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}"
            )
        for kind, full in (("points", self.points), ("dims", self.n)):
            p = f"curriculum_{kind}_"
            start, end = getattr(self, p + "start"), getattr(self, p + "end")
            _int(p + "start", start, 0, full)
            _int(p + "end", end, 0, full)
            _int(p + "increment", getattr(self, p + "increment"), 1)
            _int(p + "interval", getattr(self, p + "interval"), 0)
            if getattr(self, p + "interval") and not 1 <= start <= end:
                raise ValueError(
                    f"{p}start must be in [1, {p}end] when {p}interval > 0, got {start} and {end}"
                )
        if self.curriculum_dims_interval and self.curriculum_dims_start < t.min_n:
            raise ValueError(
                f"curriculum_dims_start must be >= {t.min_n} for {self.task}, "
                f"got {self.curriculum_dims_start}"
            )
        _float("label_noise", self.label_noise, 0.0, 0.5)
        _int("pool", self.pool, 0, 10**7)
        p_teach = parse_teach(self.teach)
        if p_teach > 0 and teaching_class(self.task) is None:
            raise ValueError(
                f"teach {self.teach!r} needs a task with a teaching construction "
                f"({', '.join(TEACHING_CLASSES)}), got {self.task!r}"
            )
        if p_teach > 0 and (self.pool or self.curriculum_dims_interval):
            raise ValueError("teach cannot be combined with pool or curriculum_dims_interval")
        _int("eval_every", self.eval_every, 0)
        _float("target_accuracy", self.target_accuracy, 0.0, 1.0)
        if self.target_accuracy and not self.eval_every:
            raise ValueError(
                "target_accuracy needs eval_every > 0: the target is checked at each evaluation"
            )
        _int("target_from", self.target_from, 0)
        _float("max_seconds", self.max_seconds, 0.0, 1e9)
        if self.precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}"
            )
        if not isinstance(self.device, str):
            raise ValueError(f"device must be a torch device name, got {self.device!r}")
        resolve_device(self.device, check_available=False)  # availability: when training
        on_cuda = self.device.startswith("cuda")
        if self.precision == "bf16" and not on_cuda:
            raise ValueError(f"precision 'bf16' needs a CUDA device, got device {self.device!r}")
        if not isinstance(self.compile, bool):
            raise ValueError(f"compile must be true or false, got {self.compile!r}")
        if not isinstance(self.cuda_graph, bool):
            raise ValueError(f"cuda_graph must be true or false, got {self.cuda_graph!r}")
        if self.cuda_graph and not on_cuda:
            raise ValueError(f"cuda_graph needs a CUDA device, got device {self.device!r}")
        _int("checkpoint_every", self.checkpoint_every, 0)
        _int("log_every", self.log_every, 1)
        _int("threads", self.threads, 0, MAX_THREADS)

    def _check_model(self) -> None:
        """``model``, ``freeze``, ``init`` and the sizes ``layers`` / ``width`` / ``heads``
        (defaults resolved: :data:`DEFAULT_SIZES`, or a pretrained model's own)."""
        if not isinstance(self.init, str):
            raise ValueError(f"init must be a string, got {self.init!r}")
        if self.freeze is not None and self.freeze not in FREEZE_MODES:
            raise ValueError(
                f"freeze must be one of {', '.join(FREEZE_MODES)}, got {self.freeze!r}"
            )
        if is_pretrained(self.model):
            self.model = resolve_pretrained(self.model)
            self._shape = lm_shape(self.model)  # ValueError naming model: none there, or no LM
            if self.freeze is None:
                self.freeze = "all"
            if self.freeze == "none":
                raise ValueError(
                    f"freeze must be 'all' or 'all-but-ln' for the pretrained model "
                    f"{self.model!r} (its own weights are not trained), got 'none'"
                )
            parse_init(self.init)
            own = {"layers": self._shape.layers, "width": self._shape.width}
            own["heads"] = self._shape.heads
            for name in DEFAULT_SIZES:
                if getattr(self, name) is None:
                    setattr(self, name, own[name])
            for name in DEFAULT_SIZES:
                _int(name, getattr(self, name), 1, LIMITS[name])
            check_shape(self.model, self._shape, self.width, self.layers, self.heads)
            if self.dropout != 0.0:
                raise ValueError(
                    f"dropout must be 0 for the pretrained model {self.model!r} (it runs "
                    f"without dropout), got {self.dropout!r}"
                )
            return
        if self.model not in BACKBONES:
            raise ValueError(
                f"model must be one of {', '.join(BACKBONES)} or hf:PATH (a pretrained causal "
                f"language model), got {self.model!r}"
            )
        if self.freeze is None:
            self.freeze = "none"
        if self.freeze != "none":
            raise ValueError(
                f"freeze must be 'none' for the {self.model} backbone (freezing applies only "
                f"to a pretrained model hf:PATH), got {self.freeze!r}"
            )
        if self.init != "pretrained":
            raise ValueError(
                f"init must be 'pretrained' for the {self.model} backbone (a random control "
                f"applies only to a pretrained model hf:PATH), got {self.init!r}"
            )
        for name, default in DEFAULT_SIZES.items():
            if getattr(self, name) is None:
                setattr(self, name, default)

    @property
    def pretrained(self) -> bool:
        """Whether the backbone is a pretrained language model (``hf:PATH``)."""
        return is_pretrained(self.model)

    @property
    def teach_probability(self) -> float:
        """The parsed ``teach``: probability that a prompt starts with a teaching sequence."""
        return parse_teach(self.teach)

    @property
    def autocast_bf16(self) -> bool:
        """Whether the forward pass runs under bf16 autocast."""
        return self.precision == "bf16" or (
            self.precision == "auto" and self.device.startswith("cuda")
        )

    def memory(self) -> tuple[float, str]:
        """A rough upper estimate of the bytes one training step needs, and a description
        that starts with the dominant size: weights, gradients and Adam's two moments (16
        bytes per parameter, about ``12 layers width^2`` of them), the activations kept for
        the backward pass (about 40 floats per layer, token and width, and the attention
        matrices of ``heads`` heads), and a function pool's stash."""
        L = 2 * self.points
        params = 12 * self.layers * self.width**2 + (self.n + 2) * self.width
        activations = 4.0 * self.batch * L * self.layers * (40 * self.width + 3 * self.heads * L)
        stash = self.pool * self.points * self.pool_stash * (self.n + 1)
        total = 16.0 * params + activations + stash
        what = (
            f"width {self.width} with layers {self.layers}, batch {self.batch} and points "
            f"{self.points}"
        )
        if stash > activations + 16.0 * params:
            what = f"pool {self.pool} of pool_stash {self.pool_stash} x {self.points} points"
        return total, what

    def model_settings(self) -> dict[str, Any]:
        """The architecture: ``InContextModel(**config.model_settings())`` builds it."""
        return {k: getattr(self, k) for k in MODEL_FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready field values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """A config from :meth:`to_dict` output; unknown keys raise ``ValueError``."""
        if not isinstance(data, dict):
            raise ValueError(f"config must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"config has unknown fields: {', '.join(unknown)}")
        return cls(**data)

    def save(self, path: Path | str) -> None:
        """Write ``path`` (JSON) atomically: a temporary file renamed over it."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path | str) -> TrainConfig:
        """Read a config written by :meth:`save`; a bad file raises ``ValueError``."""
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"{path} is not a readable config JSON file: {e}") from None
        try:
            return cls.from_dict(data)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{path}: {e}") from None
