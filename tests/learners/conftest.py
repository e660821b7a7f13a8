"""Learner tests run torch on one thread: the test machines are small and shared, and
batched learners lose more to thread contention than they gain."""

import torch

torch.set_num_threads(1)
