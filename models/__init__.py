"""models: sequence models trained in context.

``backbones`` (six causal backbones), ``wrapper`` (the in-context model), ``config`` (the
training configuration), ``data`` (the prompts of every training step), ``steps`` (one
optimisation step, eager or a CUDA graph), ``train`` (the loop), ``checkpoints`` (the run
folder: save, load, resume) and ``evaluate`` (per-position accuracy of a trained run). The
command line that drives them is the application's, :mod:`boolicl.cli`.
"""
