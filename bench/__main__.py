"""`python -m bench [part ...] [--quick]`: run benchmark parts and write docs/benchmarks.md.

Each part writes docs/bench-results/<part>.json; the report is rebuilt from every part's latest
result, so one part can be re-run alone. `--quick` (or BENCH_QUICK=1) shrinks the parts that
have a size knob, for a fast check; reported figures come from full runs.
"""

import argparse
import datetime as dt
import importlib
import inspect
import json
import os
import time

from bench.common import ROOT, machine, versions

PARTS = [
    "broker",
    "polling",
    "ratelimit",
    "completion",
    "renditions",
    "gallery",
    "load",
    "embedded",
]
#: Parts run only when named (`python -m bench chaos`): too long or too invasive for `make bench`;
#: they write their own report section instead of one in docs/benchmarks.md.
OPT_IN = ["chaos"]
RESULTS_DIR = ROOT / "docs" / "bench-results"
TITLES = {
    "broker": "Celery transport",
    "polling": "1. Polling at scale",
    "ratelimit": "2. Rate limit and fair share",
    "completion": "3. Completion to gallery",
    "renditions": "4. Renditions",
    "gallery": "5. Gallery at scale",
    "load": "6. Under load",
    "embedded": "7. Embedded mode holds",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    choices = ", ".join(PARTS + OPT_IN)
    parser.add_argument("parts", nargs="*", default=PARTS, help=f"any of {choices}")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")))
    args = parser.parse_args()
    unknown = [name for name in args.parts if name not in PARTS + OPT_IN]
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; choose from {choices}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    options = {"redis_url": args.redis_url, "quick": args.quick}
    for name in args.parts:
        module = importlib.import_module(f"bench.{name}")
        accepted = inspect.signature(module.run).parameters
        kwargs = {key: value for key, value in options.items() if key in accepted}
        print(f"running {name} …", flush=True)
        started = time.monotonic()
        load_before = os.getloadavg()[0]
        result = module.run(**kwargs)
        result["duration_s"] = round(time.monotonic() - started, 1)
        # Other work on the machine skews timings: note the 1-minute load average around it.
        result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        result["quick"] = args.quick
        result["machine"] = machine()
        result["versions"] = versions()
        result["when"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        (RESULTS_DIR / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(result["markdown"], flush=True)
        print(f"({name}: {result['duration_s']:.0f} s)", flush=True)
    write_report()


def write_report() -> None:
    sections = []
    summary = [
        "| part | target | required | measured | result |",
        "|---|---|---|---|---|",
    ]
    total = 0.0
    facts = None
    for name in PARTS:
        path = RESULTS_DIR / f"{name}.json"
        if not path.exists():
            continue
        result = json.loads(path.read_text())
        facts = facts or result
        total += result.get("duration_s", 0.0)
        for row in result.get("targets", []):
            verdict = "PASS" if row["pass"] else "**MISS**"
            summary.append(
                f"| {TITLES[name]} | {row['what']} | {row['target']} | {row['measured']} "
                f"| {verdict} |"
            )
        m = result["machine"]
        quick = " (quick run: reduced sizes)" if result.get("quick") else ""
        took = f", took {result['duration_s']:.0f} s" if "duration_s" in result else ""
        if "load_average" in result:
            before, after = result["load_average"]
            took += f", 1-min load average {before:.1f} before and {after:.1f} after"
        sections.append(
            result["markdown"]
            + f"\n\n_Measured {result['when']} on {m['platform']}, {m['cpus']} CPUs, "
            f"Python {m['python']}{took}{quick}._"
        )
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); each part runs alone with "
        "`python -m bench NAME` and writes `docs/bench-results/NAME.json`; the report is "
        "rebuilt from every part's latest result. Medians with (min–max) or p95 as stated; "
        "every baseline is measured in the same run as what it is compared with. Each part "
        "runs the product's own processes (emulator, `celery worker -P prefork -c 2`, "
        "gunicorn or runserver) in a private temporary `FIREFLY_VAR_DIR`.",
        "",
        "Knobs: `--quick` (or `BENCH_QUICK=1`) shrinks every part for a fast check; "
        "`BENCH_FULL=1` runs part 1's sleeping baseline at full size instead of projecting "
        "it; `BENCH_KEEP=1` keeps the temporary folders (logs, databases); "
        "`BENCH_BROKER_URL=redis://…` runs the worker parts on Redis instead of the file-system "
        "broker. Timings are wall-clock on a shared 2-CPU machine: each part notes the load "
        "average around it, and other work on the machine shows in the tails.",
        "",
    ]
    if facts is not None:
        m = facts["machine"]
        header += [
            f"Machine: {m['platform']}, {m['cpus']} CPUs, {m.get('memory', '?')}, "
            f"{m.get('cpu_model', '')}.",
            "",
            "Versions: "
            + ", ".join(f"{k} {v}" for k, v in facts.get("versions", {}).items())
            + ".",
            "",
            f"Sum of the parts' run times: {total / 60:.1f} min.",
            "",
            "## Targets",
            "",
            *summary,
            "",
        ]
    (ROOT / "docs" / "benchmarks.md").write_text(
        "\n".join(header) + "\n" + "\n\n".join(sections) + "\n"
    )


if __name__ == "__main__":
    main()
