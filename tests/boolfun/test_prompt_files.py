"""boolfun.samplers.files: the prompts ``.npz``: written, read back, and validated."""

import numpy as np
import pytest

from boolfun import parse
from boolfun.samplers import load_prompts, sample_prompts, save_prompts


def test_round_trip_keeps_prompts_and_their_making(tmp_path):
    p = sample_prompts("dnf", 5, 12, 6, seed=3, return_functions=True, force=0.2)
    path = save_prompts(tmp_path / "sub" / "p.npz", p, seed=3)
    f = load_prompts(path)
    xs, ys = p.numpy()
    np.testing.assert_array_equal(f.xs, xs)
    np.testing.assert_array_equal(f.ys, ys)
    assert (f.task, f.seed, f.force, f.p_one) == ("dnf", 3, 0.2, 0.5)
    for text, x, y in zip(f.functions, f.xs, f.ys, strict=True):  # the stored targets label
        np.testing.assert_array_equal(parse(text, 6).evaluate(x), y)


def test_any_npz_with_xs_and_ys_is_a_prompts_file(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, xs=np.ones((2, 3, 4), dtype=bool), ys=np.zeros((2, 3), dtype=np.int64))
    f = load_prompts(path)
    assert f.xs.dtype == np.uint8 and f.ys.dtype == np.uint8
    assert f.task is None and f.functions is None


@pytest.mark.parametrize(
    "arrays, needle",
    [
        ({"xs": np.zeros((2, 3, 4))}, "missing ys"),
        ({"xs": np.full((2, 3, 4), 2), "ys": np.zeros((2, 3))}, "only 0 and 1"),
        ({"xs": np.full((2, 3, 4), -1), "ys": np.zeros((2, 3))}, "only 0 and 1"),
        ({"xs": np.full((2, 3, 4), 0.5), "ys": np.zeros((2, 3))}, "only 0 and 1"),
        ({"xs": np.full((2, 3, 4), np.nan), "ys": np.zeros((2, 3))}, "only 0 and 1"),
        ({"xs": np.zeros((2, 3)), "ys": np.zeros((2, 3))}, "shape"),
        ({"xs": np.zeros((2, 3, 4)), "ys": np.zeros((2, 4))}, "to match"),
        ({"xs": np.zeros((2, 3, 4)), "ys": np.zeros((2, 3)), "task": np.array("nope")}, "nope"),
        ({"xs": np.zeros((2, 3, 4)), "ys": np.zeros((2, 3)), "n": np.array(5)}, "n = 5"),
        ({"xs": np.array(["a"] * 24).reshape(2, 3, 4), "ys": np.zeros((2, 3))}, "dtype"),
    ],
)
def test_bad_files_are_refused_naming_the_file(tmp_path, arrays, needle):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=needle) as e:
        load_prompts(path)
    assert str(e.value).startswith(str(path))


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_prompts(tmp_path / "none.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="junk.npz"):
        load_prompts(tmp_path / "junk.npz")
