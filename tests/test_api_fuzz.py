"""A property-based fuzz test of the public Python API: each entry point called with arbitrary
values for one argument either works or raises ``ValueError``, never another exception.

Values are drawn so that a valid one is also cheap (small integers); an expensive one is absurd
(huge integers the size checks refuse).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boolfun import parse
from boolfun.classes import make_class
from boolfun.devices import resolve_device
from boolfun.samplers import sample_prompts
from learners import make_learner, position_accuracy
from models.config import TrainConfig
from teaching.construct import teaching_sequence
from teaching.examples import Examples
from teaching.uniqueness import verify

ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.integers(10**13, 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(-1, 2), max_size=4),
)


def _sample(value):
    return sample_prompts("conjunction", value, 4, 3, seed=0)


def _sample_n(value):
    return sample_prompts("conjunction", 2, 4, value, seed=0)


def _sample_seed(value):
    return sample_prompts("parity", 2, 4, 3, seed=value)


def _sample_force(value):
    return sample_prompts("dnf", 2, 4, 3, seed=0, force=value)


def _class(value):
    return make_class("conjunction", value)


def _class_k(value):
    return make_class("sparse_parity", 4, k=value)


def _parse(value):
    return parse(value, 3)


def _accuracy(value):
    y = np.zeros((3, 4), dtype=np.uint8)
    return position_accuracy(y, y, resamples=value)


def _accuracy_preds(value):
    return position_accuracy(value, np.zeros((1, 2), dtype=np.uint8))


def _learner(value):
    return make_learner(value, "conjunction")


def _learner_params(value):
    return make_learner("sparse_parity", "sparse_parity", k=value)


def _config(field):
    def call(value):
        base = dict(task="conjunction", n=4, points=8, layers=1, width=8, heads=2)
        return TrainConfig(**{**base, field: value})

    return call


def _device(value):
    return resolve_device(value)


def _verify_time(value):
    cls = make_class("conjunction", 3)
    f = parse("x1", 3)
    return verify(f, cls, teaching_sequence(f, cls), time_limit=value)


def _examples(value):
    return Examples(np.zeros((1, 2), dtype=np.uint8), [value])


CALLS = {
    "sample_prompts(prompts)": _sample,
    "sample_prompts(n)": _sample_n,
    "sample_prompts(seed)": _sample_seed,
    "sample_prompts(force)": _sample_force,
    "make_class(n)": _class,
    "make_class(k)": _class_k,
    "parse(text)": _parse,
    "position_accuracy(resamples)": _accuracy,
    "position_accuracy(preds)": _accuracy_preds,
    "make_learner(name)": _learner,
    "make_learner(k)": _learner_params,
    "resolve_device(device)": _device,
    "verify(time_limit)": _verify_time,
    "Examples(ys)": _examples,
    **{
        f"TrainConfig({f})": _config(f)
        for f in ("n", "points", "layers", "width", "heads", "batch", "lr", "steps", "seed",
                  "device", "teach", "label_noise", "pool", "dropout", "target_accuracy",
                  "max_seconds", "model", "task", "precision", "curriculum_points_start")
    },  # fmt: skip
}


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(sorted(CALLS)), value=ANY)
def test_public_entry_points_raise_only_value_errors(name, value):
    try:
        CALLS[name](value)
    except ValueError as e:
        assert str(e).strip(), name  # a refusal says why
