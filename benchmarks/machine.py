"""The machine the figures were measured on: CPU, memory, OS, Python and the databases."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from benchmarks.databases import postgres_version, sqlite_version


def machine_facts() -> dict[str, Any]:
    """Describe the machine the figures were measured on: CPU, memory, OS, Python and the databases."""
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "physical_cores": _physical_cores(),
        "memory_gib": _memory_gib(),
        "os": _os_name(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "sqlite": sqlite_version(),
        "postgresql": postgres_version(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _physical_cores() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.cpu_count(logical=False)


def _memory_gib() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return round(psutil.virtual_memory().total / 2**30, 1)


def _os_name() -> str:
    try:
        return platform.freedesktop_os_release().get("PRETTY_NAME") or platform.system()
    except OSError:
        return f"{platform.system()} {platform.release()}"
