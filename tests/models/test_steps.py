"""The training step: eager vs the graph step's body (CPU), warm-up undone exactly, and on CUDA
the captured graph against the eager step."""

import pytest
import torch

from boolfun.samplers import sample_prompts
from models.config import TrainConfig
from models.steps import EagerStep, GraphStep, make_optimizer
from models.train import train
from models.wrapper import InContextModel

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def tiny_model(seed: int = 0, device: str = "cpu") -> torch.nn.Module:
    torch.manual_seed(seed)
    c = TrainConfig(task="conjunction", n=5, points=12, layers=2, width=16, heads=2, dropout=0.0)
    return InContextModel.from_config(c).to(device)


def batches(shapes: list[int], device: str = "cpu") -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator(device=device).manual_seed(3)
    out = []
    for points in shapes:
        s = sample_prompts("conjunction", 8, points, 5, generator=g, device=device)
        out.append((s.xs, s.ys))
    return out


def run(kind: str, shapes: list[int], device: str = "cpu") -> tuple[list[float], dict]:
    model = tiny_model(device=device)
    dev = torch.device(device)
    graph = kind == "graph"
    opt = make_optimizer(model.parameters(), 1e-2, dev, graph=graph and dev.type == "cuda")
    if kind == "eager":
        step = EagerStep(model, opt, bf16=False)
    else:
        step = GraphStep(model, opt, bf16=False, capture=dev.type == "cuda")
    lrs = [1e-2 if i % 2 == 0 else 5e-3 for i in range(len(shapes))]
    losses = [
        float(step(xs, ys, lr)) for (xs, ys), lr in zip(batches(shapes, device), lrs, strict=True)
    ]
    return losses, {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


SHAPES = [12, 12, 12, 6, 6, 12]  # a shape change re-prepares the graph step (curriculum)


def test_graph_body_equals_eager_on_cpu():
    """The graph step's warm-up is undone: its updates are those of the eager step."""
    le, we = run("eager", SHAPES)
    lg, wg = run("graph", SHAPES)
    torch.testing.assert_close(torch.tensor(lg), torch.tensor(le), rtol=1e-5, atol=1e-6)
    for k in we:
        torch.testing.assert_close(wg[k], we[k], rtol=1e-5, atol=1e-6)
    assert le[0] != le[1]  # the steps did change the model


def test_warm_up_is_undone_exactly():
    model = tiny_model()
    opt = make_optimizer(model.parameters(), 1e-2, torch.device("cpu"))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    step = GraphStep(model, opt, bf16=False, capture=False)
    ((xs, ys),) = batches([12])
    step._prepare(xs.shape, ys.shape, xs.device)  # warm-up step, then restore
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    for st in opt.state.values():  # Adam state as fresh: all zeros
        assert all(float(v.abs().max()) == 0 for v in st.values() if isinstance(v, torch.Tensor))
    assert step.captures == 1


def test_cuda_graph_needs_cuda():
    with pytest.raises(ValueError, match="cuda_graph"):
        TrainConfig(task="conjunction", n=5, points=12, cuda_graph=True)
    with pytest.raises(ValueError, match="cuda_graph"):
        TrainConfig(task="conjunction", n=5, points=12, device="cuda", cuda_graph=1)


@cuda
def test_captured_graph_equals_eager_on_cuda():
    le, we = run("eager", SHAPES, "cuda")
    lg, wg = run("graph", SHAPES, "cuda")
    torch.testing.assert_close(torch.tensor(lg), torch.tensor(le), rtol=1e-4, atol=1e-5)
    for k in we:
        torch.testing.assert_close(wg[k], we[k], rtol=1e-4, atol=1e-5)


@cuda
def test_cuda_graph_run_resumes_and_learns(tmp_path):
    kw = dict(task="conjunction", n=5, points=20, layers=2, width=32, heads=2, batch=64, lr=3e-3)
    c = TrainConfig(**kw, steps=300, device="cuda", cuda_graph=True, checkpoint_every=100)
    part = train(c, tmp_path / "run", stop_after=150)
    assert part["stopped"] == "stop_after"
    eager = TrainConfig(**{**c.to_dict(), "cuda_graph": False})
    rest = train(eager, tmp_path / "run")  # a graph checkpoint resumes eagerly, and back
    assert rest["resumed_from"] == 150 and rest["steps"] == 300
    assert rest["final_loss"] < part["losses"][0][1]


def test_checkpoint_stores_a_tensor_learning_rate_as_a_float():
    """A CUDA-graph optimizer keeps its learning rate in a tensor; checkpoints store floats so
    that any run (eager, other device) can resume them."""
    from models.checkpoints import _portable

    model = tiny_model()
    opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(0.5), foreach=False)
    state = _portable(opt.state_dict())
    assert state["param_groups"][0]["lr"] == 0.5  # exact in float32
    assert isinstance(state["param_groups"][0]["lr"], float)
    assert isinstance(opt.param_groups[0]["lr"], torch.Tensor)  # the optimizer is untouched
