"""Printing the results as text tables, describing the machine, and writing the JSON file."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import time
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["RESULTS", "finish", "machine", "table", "verdict", "write_json"]

#: Where result files go (ignored by git).
RESULTS = Path(__file__).resolve().parent / "results"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def machine(postgres_version: str | None) -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version,
        "sqlalchemy": metadata.version("sqlalchemy"),
        "psycopg": metadata.version("psycopg"),
        "crm_returns": metadata.version("crm-returns"),
    }


def verdict(value: float, target: float, *, at_least: bool) -> str:
    """``met`` or ``not met``, for a ratio and its target."""
    met = value >= target if at_least else value <= target
    return "met" if met else "NOT met"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table; numbers right-aligned, text left-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [
        all(_looks_numeric(row[i]) for row in rows if str(row[i])) for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([title, line(list(headers)), rule, *(line(r) for r in cells)])


def _looks_numeric(value: object) -> bool:
    text = str(value).replace(",", "").replace("×", "").replace("%", "").strip()
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_json(
    results: Mapping[str, Any], path: Path | None, benchmark: str = "persistence"
) -> Path:
    """Write ``results`` as JSON to ``path``; ``None``: a new ``<benchmark>-<time>.json``.

    The new file is in :data:`RESULTS`.
    """
    if path is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{benchmark}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def finish(results: dict[str, Any], started: float, path: Path | None, benchmark: str) -> int:
    """Add the run's time and the load at its end to ``results``, write them, say where.

    Args:
        results: What the run measured; two keys are added.
        started: ``time.perf_counter()`` when the run began.
        path: Where to write the JSON (``None``: a new file in :data:`RESULTS`).
        benchmark: The benchmark's name, which begins the new file's.

    Returns:
        0, the exit status of a run that finished.
    """
    elapsed = time.perf_counter() - started
    results["seconds"] = round(elapsed, 1)
    results["load_average_at_end"] = load = os.getloadavg()
    written = write_json(results, path, benchmark)
    print(
        f"\nLoad average at end: {load[0]:.2f}.  Total time: {elapsed // 60:.0f} min "
        f"{elapsed % 60:.0f} s.  JSON: {written}"
    )
    return 0
