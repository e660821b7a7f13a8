"""models.config: the training configuration, its validation and its file."""

import pytest

from models.config import TrainConfig, parse_teach
from tests.models.helpers import tiny


def test_config_round_trip(tmp_path):
    c = tiny(teach="mixed:0.25", label_noise=0.1)
    c.save(tmp_path / "c.json")
    assert TrainConfig.load(tmp_path / "c.json") == c
    assert c.teach_probability == 0.25 and parse_teach("all") == 1.0
    assert TrainConfig(task="conjunction").n == 28  # task defaults


@pytest.mark.parametrize(
    "field, value",
    [
        ("task", "nope"),
        ("model", "gpt5"),
        ("heads", 3),
        ("lr", -1.0),
        ("lr", float("nan")),
        ("steps", 0),
        ("teach", "mixed:2"),
        ("teach", "some"),
        ("label_noise", 0.9),
        ("precision", "bf16"),
        ("compile", "yes"),
        ("threads", -1),
        ("threads", 10**6),
        ("schedule", "linear"),
        ("curriculum_points_interval", 5),
        ("batch", True),
    ],
)
def test_bad_config_names_field(field, value):
    with pytest.raises(ValueError, match=field if field != "heads" else "divisible by heads"):
        tiny(**{field: value})


def test_bad_config_file(tmp_path):
    (tmp_path / "c.json").write_text('{"task": "conjunction", "bogus": 1}')
    with pytest.raises(ValueError, match="bogus"):
        TrainConfig.load(tmp_path / "c.json")
