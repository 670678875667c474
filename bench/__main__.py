"""`python -m bench [part ...]`: run benchmark parts and write docs/benchmarks.md."""

import argparse
import datetime as dt
import importlib
import json

from bench.common import ROOT, machine

PARTS = ["broker"]
RESULTS_DIR = ROOT / "docs" / "bench-results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("parts", nargs="*", default=PARTS, help=f"any of {', '.join(PARTS)}")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for name in args.parts:
        module = importlib.import_module(f"bench.{name}")
        print(f"running {name} …", flush=True)
        kwargs = {"redis_url": args.redis_url} if name == "broker" else {}
        result = module.run(**kwargs)
        result["machine"] = machine()
        result["when"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        (RESULTS_DIR / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(result["markdown"], flush=True)
    write_report()


def write_report() -> None:
    sections = []
    for name in PARTS:
        path = RESULTS_DIR / f"{name}.json"
        if path.exists():
            result = json.loads(path.read_text())
            facts = result["machine"]
            sections.append(
                result["markdown"]
                + f"\n\n_Measured {result['when']} on {facts['platform']}, {facts['cpus']} CPUs, "
                f"Python {facts['python']}._"
            )
    report = (
        "# Benchmarks\n\n"
        "Written by `make bench`; each part runs alone with `python -m bench NAME`.\n\n"
    )
    (ROOT / "docs" / "benchmarks.md").write_text(report + "\n\n".join(sections) + "\n")


if __name__ == "__main__":
    main()
