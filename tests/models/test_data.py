"""models.data: the prompts of every training step (fresh or pooled functions, curriculum,
teaching prefixes, label noise), from one seeded generator."""

import torch

from boolfun.samplers import sample_prompts
from models.data import PromptSource, curriculum, eval_prompts
from tests.models.helpers import tiny

CPU = torch.device("cpu")


def test_same_seed_same_batches_and_another_seed_others():
    a, b, c = (PromptSource(tiny(seed=s), CPU) for s in (0, 0, 1))
    for step in range(3):
        xa, ya = a.batch(step)
        xb, yb = b.batch(step)
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert not torch.equal(a.batch(3)[0], c.batch(3)[0])


def test_fresh_prompts_are_the_task_sampler_drawing_from_the_run_generator():
    config = tiny(seed=4)
    xs, ys = PromptSource(config, CPU).batch(0)
    g = torch.Generator().manual_seed(4)
    ref = sample_prompts("conjunction", config.batch, config.points, config.n, generator=g)
    assert torch.equal(xs, ref.xs) and torch.equal(ys, ref.ys)


def test_curriculum_grows_points_and_zero_pads_dims():
    config = tiny(
        n=6,
        points=20,
        curriculum_points_start=5,
        curriculum_points_end=20,
        curriculum_points_increment=5,
        curriculum_points_interval=2,
        curriculum_dims_start=3,
        curriculum_dims_end=6,
        curriculum_dims_increment=1,
        curriculum_dims_interval=2,
    )
    assert [curriculum(config, s) for s in (0, 1, 2, 5, 100)] == [
        (5, 3),
        (5, 3),
        (10, 4),
        (15, 5),
        (20, 6),
    ]
    xs, ys = PromptSource(config, CPU).batch(2)
    assert xs.shape == (config.batch, 10, 6) and ys.shape == (config.batch, 10)
    assert (xs[..., 4:] == 0).all()


def test_teaching_prefix_starts_every_prompt_with_two_positives():
    """Goldman & Kearns for conjunctions: two positives first, irrelevant bits all 0 then all
    1 (so the first point is below the second), then one negative per literal."""
    xs, ys = PromptSource(tiny(teach="all"), CPU).batch(0)
    assert (ys[:, :2] == 1).all()
    assert (xs[:, 0] <= xs[:, 1]).all()


def test_pool_repeats_a_finite_set_of_functions():
    """With a pool of 3 functions every prompt's labels fit one of the pool's targets."""
    config = tiny(pool=3)
    source = PromptSource(config, CPU)
    pool = sample_prompts("conjunction", 3, 20 * 8, 5, seed=config.seed + 2, return_functions=True)
    xs, ys = source.batch(0)
    for x, y in zip(xs, ys, strict=True):
        assert any(torch.equal(f.evaluate(x), y) for f in pool.functions)


def test_label_noise_flips_about_that_share():
    clean = PromptSource(tiny(batch=256), CPU).batch(0)[1]
    noisy = PromptSource(tiny(batch=256, label_noise=0.2), CPU).batch(0)[1]
    rate = (clean != noisy).float().mean().item()
    assert 0.17 < rate < 0.23  # 5120 labels: a standard deviation of 0.0056


def test_eval_prompts_are_fixed_by_the_seed():
    config = tiny(eval_prompts=7)
    a, b = eval_prompts(config, CPU), eval_prompts(config, CPU)
    assert a[0].shape == (7, config.points, config.n) and torch.equal(a[0], b[0])
