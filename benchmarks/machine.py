"""Where a benchmark ran: the machine description stored with every result file."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(devices: list[str]) -> dict[str, Any]:
    """Where the numbers were measured."""
    names = {}
    for d in devices:
        dev = torch.device(d)
        names[d] = torch.cuda.get_device_name(dev) if dev.type == "cuda" else cpu_name()
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "numpy": np.__version__,
        "devices": names,
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }


def write_results(
    result: dict[str, Any], text: str, out: Path | None, markdown: Path | None
) -> None:
    """Print the markdown ``text`` and write ``result`` as JSON to ``out`` and ``text`` to
    ``markdown`` (each when given; parent folders created)."""
    print(text)
    for path, content in ((out, json.dumps(result, indent=2) + "\n"), (markdown, text)):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
