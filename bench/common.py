"""Helpers shared by the benchmark parts: percentiles, machine facts, subprocess handling."""

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 0.95),
        "max": max(values) if values else float("nan"),
        "min": min(values) if values else float("nan"),
    }


def machine() -> dict[str, str]:
    facts = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                facts["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    return facts


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def check(
    what: str,
    measured: float,
    limit: float,
    unit: str = "",
    *,
    at_least: bool = False,
    fmt: str = "{:.2f}",
    note: str = "",
) -> dict:
    """One row of a part's targets table: PASS when `measured` is within `limit`."""
    ok = measured >= limit if at_least else measured <= limit
    if measured != measured:  # NaN: nothing measured
        ok = False
    sign = "≥" if at_least else "≤"
    return {
        "what": what,
        "target": f"{sign} {fmt.format(limit)}{unit}",
        "measured": f"{fmt.format(measured)}{unit}",
        "value": measured,
        "limit": limit,
        "pass": bool(ok),
        "note": note,
    }


def targets_table(rows: list[dict]) -> list[str]:
    lines = ["| target | required | measured | result |", "|---|---|---|---|"]
    for row in rows:
        result = "PASS" if row["pass"] else "**MISS**"
        note = f" ({row['note']})" if row.get("note") else ""
        lines.append(f"| {row['what']}{note} | {row['target']} | {row['measured']} | {result} |")
    return lines


def spread(values: list[float], unit: str = "", fmt: str = "{:.2f}") -> str:
    """`median (min–max)` for a table cell."""
    if not values:
        return "–"
    s = summary(values)
    return f"{fmt.format(s['median'])}{unit} ({fmt.format(s['min'])}–{fmt.format(s['max'])})"


def versions() -> dict[str, str]:
    """Versions of what the measurements depend on."""
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    found = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    for name in ("Django", "celery", "kombu", "pillow", "gunicorn", "psycopg", "redis"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2
        ) as c:
            found["PostgreSQL"] = c.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:  # noqa: S110 (no server: leave it out)
        pass
    try:
        from PIL import features

        found["libjpeg-turbo"] = features.version("libjpeg_turbo") or "?"
    except Exception:  # noqa: S110
        pass
    return found
