"""boolfun.devices: one parser of device names for sampling, training and evaluation."""

import pytest
import torch

from boolfun.devices import resolve_device
from boolfun.samplers import sample_prompts


def test_cpu_and_device_objects():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")


@pytest.mark.parametrize("bad", ["gpu", "", "cuda:x", 3, None])
def test_bad_names_name_the_parameter(bad):
    with pytest.raises(ValueError, match=r"^device must be a torch device"):
        resolve_device(bad)
    with pytest.raises(ValueError, match=r"^where must be"):
        resolve_device(bad, name="where")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_missing_cuda_is_refused_unless_only_parsing():
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")
    assert resolve_device("cuda:1", check_available=False).type == "cuda"
    with pytest.raises(ValueError, match=r"^device 'cuda'"):  # the sampler uses the same check
        sample_prompts("conjunction", 2, seed=0, device="cuda")
