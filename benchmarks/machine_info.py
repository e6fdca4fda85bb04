"""The machine line every benchmark prints: cores, CPU model, RAM, kernel, Python, and how
busy the machine is (load average over 1, 5 and 15 minutes), so a figure can be read
against what else was running. Imported by the bench_*.py scripts (their own folder is on
sys.path when they run as scripts)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine(*extra: str) -> str:
    model = platform.processor() or "unknown CPU"
    ram = "? GiB"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024**2:.1f} GiB"
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    parts = [
        f"{os.cpu_count()} cores, {model}, {ram} RAM",
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}",
        *extra,
        f"load average {load}",
    ]
    return ", ".join(parts)
