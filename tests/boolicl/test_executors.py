"""The executors of :mod:`boolicl.executors`: the same run folders as ``train_stack`` called
directly, a failing job retried once and then marked failed while the others go on, a rerun
that picks up finished runs, and the errors that come before any training. The Ray tests
(skipped without Ray) start one local Ray for all of them, and one more as a cluster to join."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import boolicl.executors as executors
from boolicl.executors import (
    CRASH_ENV,
    EXECUTORS,
    JobResult,
    RayExecutor,
    TrainJob,
    check_gpus_per_run,
    make_executor,
)
from models.stack import train_stack
from models.threads import PARALLEL_FLOPS, step_flops
from models.train import TrainingInterrupted
from tests.models.helpers import tiny, weights

TIMING = {"seconds", "steps_per_second", "model_steps_per_second"}


def jobs_in(root: Path, stack_label: str = "stack", one_label: str = "one") -> list[TrainJob]:
    """Two tiny jobs: a stack of seeds 0 and 1, and one model of seed 2 on another task."""
    return [
        TrainJob([tiny(seed=0), tiny(seed=1)], [root / "s0", root / "s1"], stack_label),
        TrainJob([tiny(task="parity", seed=2)], [root / "p2"], one_label),
    ]


def same_folders(a: Path, b: Path) -> None:
    """Run folders ``a`` and ``b`` hold the same run: weights bitwise, the same metrics and
    config, the same files."""
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for k in wa:
        assert torch.equal(wa[k], wb[k]), k
    for name in ("metrics.jsonl", "config.json"):
        assert (a / name).read_text() == (b / name).read_text(), name


def untimed(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k not in TIMING | {"out"}}


def direct(root: Path, jobs: list[TrainJob]) -> list[list[dict]]:
    """``train_stack`` called directly on the jobs' configs, into the same names under
    ``root``."""
    return [train_stack(j.configs, [root / o.name for o in j.outs]) for j in jobs]


def check_same_as_direct(results: list[JobResult], jobs: list[TrainJob], ref: Path) -> None:
    expected = direct(ref, jobs)
    for r, job, exp in zip(results, jobs, expected, strict=True):
        assert r.job is job and r.error is None and r.attempts == 1
        assert [s["out"] for s in r.summaries] == [str(o) for o in job.outs]
        assert [untimed(s) for s in r.summaries] == [untimed(s) for s in exp]
        for o in job.outs:
            same_folders(o, ref / o.name)


# ---- in-process -----------------------------------------------------------------------------


def test_inprocess_writes_what_train_stack_writes(tmp_path):
    jobs = jobs_in(tmp_path / "ex")
    ex = make_executor()
    assert ex.name == "inprocess"
    results = ex.run(jobs)
    ex.close()
    check_same_as_direct(results, jobs, tmp_path / "ref")


def test_rerun_picks_up_finished_runs(tmp_path):
    jobs = jobs_in(tmp_path)
    ex = make_executor("inprocess")
    first = ex.run(jobs)
    metrics = {o: (o / "metrics.jsonl").read_text() for j in jobs for o in j.outs}
    again = ex.run(jobs)
    for r0, r1 in zip(first, again, strict=True):
        assert r1.error is None and r1.attempts == 1
        for s0, s1 in zip(r0.summaries, r1.summaries, strict=True):
            assert s1["resumed_from"] == s1["steps"] == s0["steps"] == 6
            assert s1["final_loss"] is None
    assert metrics == {o: (o / "metrics.jsonl").read_text() for j in jobs for o in j.outs}


def test_failure_is_retried_once_then_marked_and_the_others_go_on(tmp_path, monkeypatch):
    calls: dict[str, int] = {}
    real = executors.train_stack

    def flaky(configs, outs, **kw):
        name = outs[0].name
        calls[name] = calls.get(name, 0) + 1
        if name == "bad" or (name == "flaky" and calls[name] == 1):
            raise RuntimeError(f"boom {calls[name]}")
        return real(configs, outs, **kw)

    monkeypatch.setattr(executors, "train_stack", flaky)
    jobs = [
        TrainJob([tiny()], [tmp_path / "bad"], "bad"),
        TrainJob([tiny()], [tmp_path / "flaky"], "flaky"),
        TrainJob([tiny()], [tmp_path / "good"], "good"),
    ]
    bad, flaky_r, good = make_executor().run(jobs)
    assert (bad.summaries, bad.error, bad.attempts) == (None, "RuntimeError: boom 2", 2)
    assert flaky_r.error is None and flaky_r.attempts == 2 and flaky_r.summaries[0]["steps"] == 6
    assert good.error is None and good.attempts == 1
    assert calls == {"bad": 2, "flaky": 2, "good": 1}


def test_mismatching_checkpoint_fails_the_job_only(tmp_path):
    train_stack([tiny(width=32)], [tmp_path / "taken"])
    jobs = [
        TrainJob([tiny()], [tmp_path / "taken"], "mismatch"),
        TrainJob([tiny()], [tmp_path / "free"], "free"),
    ]
    mismatch, free = make_executor().run(jobs)
    assert mismatch.summaries is None and mismatch.attempts == 2
    assert mismatch.error.startswith("ValueError: ") and "width" in mismatch.error
    assert free.error is None and free.summaries[0]["steps"] == 6


def test_ctrl_c_stops_everything_without_retry(tmp_path, monkeypatch):
    calls = []

    def interrupted(configs, outs, **kw):
        calls.append(outs)
        raise TrainingInterrupted("interrupted at step 3")

    monkeypatch.setattr(executors, "train_stack", interrupted)
    with pytest.raises(TrainingInterrupted):
        make_executor().run(jobs_in(tmp_path))
    assert len(calls) == 1


# ---- errors before any training -----------------------------------------------------------


def test_unknown_executor_lists_them():
    with pytest.raises(ValueError, match=r"executor must be one of inprocess, ray, got 'dask'"):
        make_executor("dask")
    assert EXECUTORS == ("inprocess", "ray")


def test_ray_options_are_refused_by_the_inprocess_executor():
    with pytest.raises(ValueError, match="ray_address"):
        make_executor("inprocess", address="127.0.0.1:6379")
    with pytest.raises(ValueError, match="gpus_per_run"):
        make_executor("inprocess", gpus_per_run=1)


def test_ray_missing_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    with pytest.raises(ValueError, match=r"executor 'ray' needs Ray.*pip install -e '\.\[ray\]'"):
        make_executor("ray")


@pytest.mark.parametrize("bad", [0, -1, 1.5, 2.5, True, "1", float("nan"), float("inf")])
def test_bad_gpus_per_run(bad, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # the check comes before Ray is needed
    with pytest.raises(ValueError, match="gpus_per_run must be a number in"):
        make_executor("ray", gpus_per_run=bad)


@pytest.mark.parametrize("good, value", [(0.25, 0.25), (1, 1.0), (2, 2), (4.0, 4), (None, None)])
def test_good_gpus_per_run(good, value):
    assert check_gpus_per_run(good) == value


def test_bad_jobs(tmp_path):
    with pytest.raises(ValueError, match="outs must hold one run folder per config"):
        TrainJob([tiny(seed=0), tiny(seed=1)], [tmp_path / "a"], "x")
    with pytest.raises(ValueError, match="may differ only in seed"):
        TrainJob([tiny(seed=0), tiny(seed=1, width=32)], [tmp_path / "a", tmp_path / "b"], "x")
    with pytest.raises(ValueError, match="outs must be distinct"):
        TrainJob([tiny(seed=0), tiny(seed=1)], [tmp_path / "a", tmp_path / "a"], "x")
    with pytest.raises(ValueError, match="label must be"):
        TrainJob([tiny()], [tmp_path / "a"], "")
    a = TrainJob([tiny()], [tmp_path / "a"], "first")
    b = TrainJob([tiny(seed=1)], [str(tmp_path / "a")], "second")
    with pytest.raises(ValueError, match="jobs 'first' and 'second' both train into"):
        make_executor().run([a, b])
    with pytest.raises(ValueError, match="jobs must be a list of TrainJobs"):
        make_executor().run(a)
    assert not (tmp_path / "a").exists()  # nothing trained


# ---- Ray ------------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def local_ray():
    """One executor on a local Ray for the class, whose workers crash on the jobs labelled
    ``crash`` (every attempt) and ``flaky`` (the first)."""
    pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CRASH_ENV, "crash,flaky@1")
        ex = make_executor("ray")
        ex.run([])  # nothing: the local Ray starts at the first job
        assert not ex.ray.is_initialized()
        yield ex
        ex.close()
    assert not ex.ray.is_initialized()


class TestLocalRay:
    def test_same_run_folders_as_inprocess(self, local_ray, tmp_path):
        jobs = jobs_in(tmp_path / "ex")
        results = local_ray.run(jobs)
        assert local_ray.name == "ray" and local_ray.ray.is_initialized()
        check_same_as_direct(results, jobs, tmp_path / "ref")

    def test_dead_worker_is_retried_once_then_marked_failed(self, local_ray, tmp_path):
        jobs = [
            TrainJob([tiny()], [tmp_path / "crash"], "crash"),
            TrainJob([tiny(seed=1)], [tmp_path / "flaky"], "flaky"),
            TrainJob([tiny(seed=2)], [tmp_path / "ok"], "ok"),
        ]
        crash, flaky, ok = local_ray.run(jobs)
        assert crash.summaries is None and crash.attempts == 2
        assert crash.error.startswith("WorkerCrashedError"), crash.error
        assert flaky.error is None and flaky.attempts == 2
        assert ok.error is None and ok.attempts == 1
        same = [train_stack([j.configs[0]], [tmp_path / "ref" / j.label]) for j in jobs[1:]]
        for r, exp in zip((flaky, ok), same, strict=True):
            assert untimed(r.summaries[0]) == untimed(exp[0])
            same_folders(r.job.outs[0], tmp_path / "ref" / r.job.label)

    def test_rerun_picks_up_finished_runs(self, local_ray, tmp_path):
        jobs = [TrainJob([tiny()], [tmp_path / "a"], "a")]
        local_ray.run(jobs)
        (again,) = local_ray.run(jobs)
        s = again.summaries[0]
        assert s["resumed_from"] == s["steps"] == 6 and s["final_loss"] is None

    def test_cuda_job_without_gpus_is_refused_before_training(self, local_ray, tmp_path):
        if torch.cuda.is_available():
            pytest.skip("this machine has a GPU")
        job = TrainJob([tiny(device="cuda")], [tmp_path / "g"], "gpu")
        with pytest.raises(ValueError, match="trains on cuda but the Ray cluster has no GPUs"):
            local_ray.run([job])
        assert not (tmp_path / "g").exists()


def test_unreachable_address_is_refused_quickly():
    pytest.importorskip("ray")
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"ray_address '127\.0\.0\.1:1': nothing answers there"):
        make_executor("ray", address="127.0.0.1:1")
    assert time.perf_counter() - t0 < 5
    with pytest.raises(ValueError, match="ray_address must be 'host:port'"):
        make_executor("ray", address="nowhere")


def test_something_else_listening_is_refused_within_the_timeout():
    pytest.importorskip("ray")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"127.0.0.1:{server.getsockname()[1]}"
        t0 = time.perf_counter()
        with pytest.raises(ValueError, match="no Ray cluster answered within 3 s"):
            RayExecutor(address=address, connect_timeout=3)
        assert time.perf_counter() - t0 < 8


HEAD = (
    "import sys, ray\n"
    "ray.init(address='local', num_cpus=1, include_dashboard=False, log_to_driver=False)\n"
    "print(ray.get_runtime_context().gcs_address, flush=True)\n"
    "sys.stdin.read()\n"
)


def test_joins_a_cluster_at_an_address(tmp_path):
    ray = pytest.importorskip("ray")
    assert not ray.is_initialized()  # the local Ray of TestLocalRay is stopped
    head = subprocess.Popen(
        [sys.executable, "-c", HEAD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        address = head.stdout.readline().strip()
        assert address, "the head did not start"
        with make_executor("ray", address=address) as ex:
            jobs = [TrainJob([tiny()], [tmp_path / "ex" / "a"], "a")]
            results = ex.run(jobs)
        assert not ray.is_initialized()
        check_same_as_direct(results, jobs, tmp_path / "ref")
    finally:
        head.stdin.close()
        head.wait(timeout=60)
    assert json.loads((tmp_path / "ex" / "a" / "config.json").read_text())["seed"] == 0


def test_resources_per_task(tmp_path):
    pytest.importorskip("ray")
    ex = RayExecutor()  # the local Ray starts only at the first job: none here

    def res(config, cpus=4.0, gpus=0.0, **kw):
        return RayExecutor(**kw).resources(TrainJob([config], [tmp_path / "r"], "j"), cpus, gpus)

    assert res(tiny()) == {"num_cpus": 1.0, "num_gpus": 0.0}
    assert res(tiny(threads=2)) == {"num_cpus": 2.0, "num_gpus": 0.0}
    big = tiny(layers=12, width=512, batch=256)  # models.threads gives it every core
    assert step_flops(big) >= PARALLEL_FLOPS
    assert res(big, cpus=16) == {"num_cpus": 16.0, "num_gpus": 0.0}
    assert res(tiny(device="cuda"), gpus=1) == {"num_cpus": 1.0, "num_gpus": 1.0}
    assert res(tiny(device="cuda"), gpus=1, gpus_per_run=0.25)["num_gpus"] == 0.25
    assert res(tiny(device="cuda"), gpus=8, gpus_per_run=2)["num_gpus"] == 2.0
    assert res(tiny(), gpus_per_run=0.5)["num_gpus"] == 0.0  # a CPU job asks for no GPU
    with pytest.raises(ValueError, match="'j': threads 8 is more than the 4 CPUs"):
        res(tiny(threads=8), cpus=4)
    with pytest.raises(ValueError, match="trains on cuda but the Ray cluster has no GPUs"):
        res(tiny(device="cuda"))
    with pytest.raises(ValueError, match="gpus_per_run 2 is more than the 1 GPUs"):
        res(tiny(device="cuda"), gpus=1, gpus_per_run=2)
    with pytest.raises(ValueError, match="use device 'cuda'"):
        res(tiny(device="cuda:1"), gpus=2)
    assert not ex.ray.is_initialized()
