"""Where the trainings of a sweep run: in this process, or as Ray tasks on one machine or a
cluster.

A sweep (``boolicl compare``, ``boolicl reproduce``) is a list of :class:`TrainJob`: one model,
or a stack of models equal but for their seed (:func:`models.stack.train_stack`), and one run
folder per model. An executor runs them and returns one :class:`JobResult` per job, in job
order::

    ex = make_executor("ray")                     # or "inprocess" (the default)
    try:
        results = ex.run([TrainJob(configs, outs, "transformer on conjunction"), ...])
    finally:
        ex.close()

Both executors
    - run every job as ``train_stack(job.configs, job.outs)``, so a job whose run folders already
      hold finished runs returns at once (``final_loss`` ``None``, ``resumed_from`` its steps)
      and a job cut short (a kill, a dead worker) resumes from its last checkpoint: rerunning a
      sweep picks up what it finished and trains only the rest;
    - retry a job that raised, or whose worker died, once; a second failure is recorded in
      :attr:`JobResult.error` (the exception's type and message) and the other jobs go on. A
      diverged model is not a failure: ``train_stack`` reports it in its summary;
    - write the same run folders for the same jobs on the same kind of machine: CPU training is
      deterministic for a seed and a thread count (:mod:`models.threads` picks the threads from
      the config and the machine only), so weights, checkpoints and ``metrics.jsonl`` are equal
      bit for bit; only the timing fields of the summaries differ (the tests check it).

``inprocess`` runs the jobs one after another in this process. Ctrl-C
(:class:`models.train.TrainingInterrupted`) stops the sweep with checkpoints; it is not a
failure and is not retried.

``ray`` runs each job as a Ray task (``pip install -e '.[ray]'``), all at once as far as the
cluster's resources go:

    - ``address=None`` (or ``"local"``): a new local Ray on this machine (whatever
      ``RAY_ADDRESS`` says), started at the first :meth:`run` with one CPU per core and every
      CUDA device torch sees, without dashboard, and stopped by :meth:`close`. A Ray that this
      process has already started (``ray.init``) is used as it is and left running.
    - ``address="host:port"`` (the head node's GCS address, what ``ray start`` prints; or
      ``"ray://host:port"`` for Ray Client, which needs ``ray[client]``; or ``"auto"`` for a Ray
      already running on this machine): joins that cluster at construction. An address where
      nothing answers, or where something other than a Ray cluster answers, raises
      ``ValueError`` naming ``ray_address`` before any training (within ``connect_timeout``
      seconds; Ray itself would wait for ever).
    - Resources per task: a job on ``cuda`` asks for ``gpus_per_run`` GPUs (default 1; a
      fraction such as 0.25 packs four runs on one GPU) and one CPU; a CPU job asks for the
      threads it will train with (1 for small models; ``threads`` of the config; every core of
      the largest node for a config that lets :mod:`models.threads` use them all). A job the
      cluster cannot hold (no GPU, fewer cores than ``threads``) is refused before any training.
      Ray makes the task's GPU the only one it sees, so a config must say ``cuda``, not
      ``cuda:1``.
    - Every node must import the same version of this project with the same Python packages
      (a local Ray uses this interpreter; Ray puts this process's working directory first on
      the workers' ``sys.path``, which is how a clone that is not installed works too, and why a
      folder there named like one of the project's packages would shadow it), and must see the
      run folders at the same path: a shared filesystem for a cluster. Run folders are
      sent as absolute paths; the summaries give them back as the job named them.
    - The configs travel as dicts (:meth:`TrainConfig.to_dict`) and are rebuilt in the worker.
      A worker's output (progress bars, warnings) is not forwarded; with ``progress`` this
      process shows one bar over the jobs.
    - Ctrl-C cancels the tasks still running, which reaches each training as a Ctrl-C of its
      own: it stops at the end of its step with a checkpoint (:data:`CANCEL_WAIT`); then
      ``KeyboardInterrupt`` is raised.

For the tests only: a worker whose job label equals the environment variable
:data:`CRASH_ENV` (a comma-separated list; ``LABEL@K``: only at attempt ``K``) had when the
local Ray started exits at once, as a worker killed by the operating system would.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from tqdm.auto import tqdm

from models.config import TrainConfig
from models.stack import check_stack, train_stack
from models.threads import PARALLEL_FLOPS, available_cores, step_flops

EXECUTORS = ("inprocess", "ray")
"""The executors of :func:`make_executor`."""

ATTEMPTS = 2
"""Tries of a job: the first and one retry."""

CONNECT_TIMEOUT = 15.0
"""Seconds a ``ray`` executor waits for the cluster at ``address`` to answer."""

CANCEL_WAIT = 30.0
"""Seconds a ``ray`` executor interrupted by Ctrl-C waits for its cancelled trainings to save
their checkpoints (a second Ctrl-C stops waiting)."""

CRASH_ENV = "BOOLICL_EXECUTOR_CRASH"
"""Test hook: the labels, comma-separated, of the jobs whose Ray worker exits at once
(``LABEL@K``: at attempt ``K`` only); read by the worker."""

RAY_INSTALL = "executor 'ray' needs Ray, an optional extra: pip install -e '.[ray]'"


@dataclass
class TrainJob:
    """One training job: one model, or a stack of models equal but for their seed
    (:func:`models.stack.check_stack`), and one run folder per config."""

    configs: list[TrainConfig]  # one model, or a stack of models equal but for their seed
    outs: list[Path]  # one run folder per config
    label: str  # for progress lines and errors, e.g. "transformer on conjunction"

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label:
            raise ValueError(f"label must be a non-empty string, got {self.label!r}")
        if not isinstance(self.configs, list | tuple):
            raise ValueError(
                f"job {self.label!r}: configs must be a list of TrainConfigs, "
                f"got {type(self.configs).__name__}"
            )
        self.configs = list(self.configs)
        try:
            check_stack(self.configs)
        except ValueError as e:
            raise ValueError(f"job {self.label!r}: {e}") from None
        if not isinstance(self.outs, list | tuple) or len(self.outs) != len(self.configs):
            raise ValueError(
                f"job {self.label!r}: outs must hold one run folder per config "
                f"({len(self.configs)})"
            )
        for o in self.outs:
            if not isinstance(o, str | os.PathLike):
                raise ValueError(f"job {self.label!r}: outs must be paths, got {o!r}")
        self.outs = [Path(o) for o in self.outs]
        if len({o.absolute() for o in self.outs}) != len(self.outs):
            raise ValueError(f"job {self.label!r}: outs must be distinct run folders")


@dataclass
class JobResult:
    """What became of a :class:`TrainJob`."""

    job: TrainJob
    summaries: list[dict] | None  # train_stack's summaries, None when the job failed
    error: str | None  # the last error message ("Type: message"), None on success
    attempts: int  # 1 or 2


class Executor(Protocol):
    """Runs training jobs: :class:`InProcessExecutor`, :class:`RayExecutor`."""

    name: str

    def run(self, jobs: Sequence[TrainJob]) -> list[JobResult]:
        """Run ``jobs``; one result per job, in job order."""
        ...

    def close(self) -> None:
        """Shut down what the executor started."""
        ...


def make_executor(
    name: str = "inprocess",
    *,
    address: str | None = None,
    gpus_per_run: float | None = None,
    progress: bool = False,
) -> Executor:
    """The executor ``name`` (one of :data:`EXECUTORS`). ``address``, ``gpus_per_run``: of the
    ``ray`` executor (:class:`RayExecutor`); ``progress``: progress bars."""
    if name not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {name!r}")
    if name == "inprocess":
        for param, value in (("ray_address", address), ("gpus_per_run", gpus_per_run)):
            if value is not None:
                raise ValueError(f"{param} is for the ray executor, not {name!r}")
        return InProcessExecutor(progress=progress)
    return RayExecutor(address=address, gpus_per_run=gpus_per_run, progress=progress)


def check_jobs(jobs: Sequence[TrainJob]) -> list[TrainJob]:
    """``jobs`` as a list, after checking they are :class:`TrainJob` with distinct run
    folders; else ``ValueError`` naming ``jobs``."""
    if isinstance(jobs, TrainJob) or not isinstance(jobs, Sequence):
        raise ValueError(f"jobs must be a list of TrainJobs, got {type(jobs).__name__}")
    seen: dict[Path, str] = {}
    for job in jobs:
        if not isinstance(job, TrainJob):
            raise ValueError(f"jobs must be TrainJobs, got {type(job).__name__}")
        for o in job.outs:
            key = o.absolute()
            if key in seen:
                raise ValueError(
                    f"jobs {seen[key]!r} and {job.label!r} both train into {o}; "
                    "every run needs its own folder"
                )
            seen[key] = job.label
    return list(jobs)


def describe(error: BaseException) -> str:
    """``"Type: message"`` of an exception (of the task's own exception for a Ray task
    error, whose message would hold the whole remote traceback)."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, BaseException):
        error = cause
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class InProcessExecutor:
    """Runs the jobs one after another in this process."""

    name = "inprocess"

    def __init__(self, *, progress: bool = False) -> None:
        self.progress = bool(progress)

    def run(self, jobs: Sequence[TrainJob]) -> list[JobResult]:
        jobs = check_jobs(jobs)
        results = []
        bar = tqdm(total=len(jobs), disable=not self.progress or len(jobs) < 2, desc="jobs")
        for job in jobs:
            bar.set_postfix_str(job.label)
            results.append(self._run_one(job))
            bar.update(1)
        bar.close()
        return results

    def _run_one(self, job: TrainJob) -> JobResult:
        error = ""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                summaries = train_stack(job.configs, job.outs, progress=self.progress)
            except Exception as e:  # any failure is the job's; Ctrl-C is not an Exception
                error = describe(e)
                continue
            return JobResult(job, summaries, None, attempt)
        return JobResult(job, None, error, ATTEMPTS)

    def close(self) -> None:
        pass

    def __enter__(self) -> InProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def import_ray() -> Any:
    """The ``ray`` module, or ``ValueError`` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ValueError(RAY_INSTALL) from None
    return ray


def check_gpus_per_run(value: float | None) -> float | None:
    """``None``, a number in (0, 1] or a positive integer; else ``ValueError``."""
    if value is None:
        return None
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    ok = ok and (0 < value <= 1 or (value > 1 and float(value).is_integer()))
    if not ok:
        raise ValueError(
            f"gpus_per_run must be a number in (0, 1] or a positive integer, got {value!r}"
        )
    return int(value) if value > 1 else float(value)


def _host_port(address: str) -> tuple[str, int] | None:
    """``(host, port)`` of ``"host:port"`` or ``"ray://host:port"``; ``None`` for ``"auto"``;
    else ``ValueError`` naming ``ray_address``."""
    if address == "auto":
        return None
    rest = address.removeprefix("ray://")
    host, sep, port = rest.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(
            f"ray_address must be 'host:port', 'ray://host:port' or 'auto', got {address!r}"
        )
    return host, int(port)


_PROBE = (
    "import sys, ray\n"
    "ray.init(address=sys.argv[1], log_to_driver=False, logging_level=40)\n"
    "ray.shutdown()\n"
)


def check_address(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """``ValueError`` naming ``ray_address`` unless a Ray cluster answers at ``address``
    within about ``timeout`` seconds: a socket probe of ``host:port`` (nothing listening, an
    unknown or unreachable host), then a Ray driver in a child process that joins and leaves
    (something else listening, another Ray version; Ray itself would retry for ever)."""
    hp = _host_port(address)
    if hp is not None:
        try:
            socket.create_connection(hp, timeout=min(3.0, timeout)).close()
        except OSError as e:
            why = e.strerror or type(e).__name__
            raise ValueError(
                f"ray_address {address!r}: nothing answers there ({why}); is a Ray cluster's "
                "head node running at that host and port?"
            ) from None
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, address],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ValueError(
            f"ray_address {address!r}: no Ray cluster answered within {timeout:g} s (is it the "
            "head node's GCS address, the one `ray start` prints, and the same Ray version?)"
        ) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise ValueError(f"ray_address {address!r}: cannot join the Ray cluster there: {why}")


def _train_job(
    label: str, configs: list[dict[str, Any]], outs: list[str], attempt: int
) -> list[dict[str, Any]]:
    """The Ray task: the configs rebuilt from their dicts, trained into ``outs``."""
    crash = os.environ.get(CRASH_ENV, "").split(",")
    if label in crash or f"{label}@{attempt}" in crash:
        os._exit(17)
    return train_stack([TrainConfig.from_dict(c) for c in configs], [Path(o) for o in outs])


class RayExecutor:
    """Runs every job as a Ray task (see the module's docstring): on a local Ray that it
    starts when ``address`` is ``None``, else on the cluster at ``address``, joined at
    construction (``ValueError`` naming ``ray_address`` within ``connect_timeout`` seconds when
    none answers). ``gpus_per_run``: GPUs of a job on ``cuda`` (:func:`check_gpus_per_run`;
    ``None``: 1)."""

    name = "ray"

    def __init__(
        self,
        *,
        address: str | None = None,
        gpus_per_run: float | None = None,
        progress: bool = False,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self.gpus_per_run = check_gpus_per_run(gpus_per_run)
        if address is not None and (not isinstance(address, str) or not address):
            raise ValueError(f"ray_address must be a non-empty string, got {address!r}")
        if address == "local":
            address = None
        if (
            isinstance(connect_timeout, bool)
            or not isinstance(connect_timeout, int | float)
            or not connect_timeout > 0
        ):
            raise ValueError(f"connect_timeout must be a number > 0, got {connect_timeout!r}")
        self.ray = import_ray()
        self.address = address
        self.progress = bool(progress)
        self.owned = False  # whether close() shuts down the Ray that this executor started
        self._task: Any = None
        if address is not None:
            check_address(address, connect_timeout)
            if self.ray.is_initialized():
                raise ValueError(
                    f"ray_address {address!r}: this process is already connected to a Ray "
                    "cluster (ray.init); give no address to use that connection"
                )
            self.ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
            self.owned = True  # leaving the cluster, not stopping it

    def _connect(self) -> None:
        ray = self.ray
        if not ray.is_initialized():
            ray.init(
                address="local",  # a new local Ray whatever RAY_ADDRESS says
                num_cpus=available_cores(),
                num_gpus=torch.cuda.device_count(),
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
                ignore_reinit_error=True,
            )
            self.owned = True
        if self._task is None:
            self._task = ray.remote(_train_job)

    def _nodes(self) -> tuple[float, float]:
        """The most CPUs and GPUs of one alive node of the cluster."""
        nodes = [n.get("Resources", {}) for n in self.ray.nodes() if n.get("Alive")]
        cpus = max((r.get("CPU", 0.0) for r in nodes), default=0.0)
        gpus = max((r.get("GPU", 0.0) for r in nodes), default=0.0)
        return cpus, gpus

    def resources(self, job: TrainJob, node_cpus: float, node_gpus: float) -> dict[str, float]:
        """``num_cpus`` and ``num_gpus`` of ``job``'s task on a cluster whose largest node
        has ``node_cpus`` CPUs and ``node_gpus`` GPUs; ``ValueError`` when no node can hold
        it."""
        c = job.configs[0]
        dev = torch.device(c.device)
        if dev.type == "cuda":
            if dev.index is not None:
                raise ValueError(
                    f"job {job.label!r}: device {c.device!r}: on Ray each run sees only the "
                    "GPU it is given; use device 'cuda'"
                )
            gpus = 1.0 if self.gpus_per_run is None else float(self.gpus_per_run)
            if node_gpus <= 0:
                raise ValueError(
                    f"job {job.label!r} trains on cuda but the Ray cluster has no GPUs"
                )
            if gpus > node_gpus:
                raise ValueError(
                    f"gpus_per_run {gpus:g} is more than the {node_gpus:g} GPUs of any node "
                    "of the Ray cluster"
                )
            return {"num_cpus": float(c.threads or 1), "num_gpus": gpus}
        if c.threads:
            if c.threads > node_cpus:
                raise ValueError(
                    f"job {job.label!r}: threads {c.threads} is more than the "
                    f"{node_cpus:g} CPUs of any node of the Ray cluster"
                )
            return {"num_cpus": float(c.threads), "num_gpus": 0.0}
        cpus = 1.0 if step_flops(c) < PARALLEL_FLOPS else max(1.0, node_cpus)
        return {"num_cpus": cpus, "num_gpus": 0.0}

    def run(self, jobs: Sequence[TrainJob]) -> list[JobResult]:
        jobs = check_jobs(jobs)
        if not jobs:
            return []
        self._connect()
        ray = self.ray
        node_cpus, node_gpus = self._nodes()
        options = [self.resources(job, node_cpus, node_gpus) for job in jobs]
        payload = [
            ([c.to_dict() for c in job.configs], [str(o.absolute()) for o in job.outs])
            for job in jobs
        ]

        def submit(i: int, attempt: int) -> Any:
            task = self._task.options(
                **options[i], max_retries=0, retry_exceptions=False, name=jobs[i].label
            )
            return task.remote(jobs[i].label, *payload[i], attempt)

        results: list[JobResult | None] = [None] * len(jobs)
        pending = {submit(i, 1): (i, 1) for i in range(len(jobs))}
        bar = tqdm(total=len(jobs), disable=not self.progress, desc="ray jobs")
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                i, attempt = pending.pop(ready[0])
                try:
                    summaries = ray.get(ready[0])
                except Exception as e:  # the task's exception, or its worker's death
                    if attempt < ATTEMPTS:
                        pending[submit(i, attempt + 1)] = (i, attempt + 1)
                        continue
                    results[i] = JobResult(jobs[i], None, describe(e), attempt)
                else:
                    for s, o in zip(summaries, jobs[i].outs, strict=True):
                        s["out"] = str(o)  # as the job named it, as train_stack would
                    results[i] = JobResult(jobs[i], summaries, None, attempt)
                bar.set_postfix_str(jobs[i].label)
                bar.update(1)
        except KeyboardInterrupt:
            for ref in pending:  # reaches a training as a Ctrl-C: it stops with a checkpoint
                ray.cancel(ref)
            ray.wait(list(pending), num_returns=len(pending), timeout=CANCEL_WAIT)
            raise
        finally:
            bar.close()
        return [r for r in results if r is not None]

    def close(self) -> None:
        """Stop the local Ray this executor started, or leave the cluster it joined."""
        if self.owned and self.ray.is_initialized():
            self.ray.shutdown()
        self.owned = False
        self._task = None

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
