"""boolicl, the application: the command line (:mod:`boolicl.cli`), the comparison of learners
and models on shared prompts (:mod:`boolicl.comparison`), tables, plots and the demo. It is
the only package that imports all the others (``boolfun``, ``teaching``, ``learners``,
``models``); none of them imports it.

python-sat installs its example scripts into the environment's ``bin/`` folder, one of them
named ``models.py``; Python puts a console script's folder first on ``sys.path``, where that
file would shadow this project's :mod:`models` package. :func:`main` takes such folders off
the path before importing the command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def _unshadow_models() -> None:
    def shadows(entry: str) -> bool:
        folder = entry or os.getcwd()
        return os.path.isfile(os.path.join(folder, "models.py")) and not os.path.isfile(
            os.path.join(folder, "models", "__init__.py")
        )

    sys.path[:] = [p for p in sys.path if not shadows(p)]
    loaded = sys.modules.get("models")
    if loaded is not None and not hasattr(loaded, "__path__"):
        del sys.modules["models"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``boolicl`` (see :func:`boolicl.cli.main`)."""
    _unshadow_models()
    from boolicl.cli import main as cli_main

    return cli_main(argv)
