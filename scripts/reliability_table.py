"""Write the fault-matrix table of docs/reliability.md from test runs.

    export M=tests/reliability/test_fault_matrix.py
    RELIABILITY_MATRIX_JSON=/tmp/matrix-sqlite.json .venv/bin/pytest $M
    RELIABILITY_MATRIX_JSON=/tmp/matrix-pg.json DATABASE_URL=postgres://… \
        CELERY_BROKER_URL=redis://… .venv/bin/pytest $M
    .venv/bin/python scripts/reliability_table.py /tmp/matrix-sqlite.json /tmp/matrix-pg.json

Replaces what lies between the `<!-- matrix:start -->` and `<!-- matrix:end -->` markers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"
START, END = "<!-- matrix:start -->", "<!-- matrix:end -->"
MODES = {"sqlite": "embedded (SQLite)", "postgresql": "services (PostgreSQL, Redis)"}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(runs: list[dict]) -> str:
    modes = [run["database"] for run in runs]
    by_test: dict[str, dict] = {}
    passed: dict[str, set[str]] = {}
    for run in runs:
        for row in run["rows"]:
            by_test.setdefault(row["test"], row)
            passed.setdefault(row["test"], set()).add(run["database"])
    head = (
        "| # | step | fault injected | terminal state | what the user sees | POSTs to Firefly "
        "| jobs created | images | " + " | ".join(MODES.get(m, m) for m in modes) + " |"
    )
    rule = "|---" * (8 + len(modes)) + "|"
    lines = [head, rule]
    for number, (test, row) in enumerate(by_test.items(), start=1):
        state = row["status"] + (f" (`{row['code']}`)" if row["code"] else "")
        message = row["message"] or "the images"
        marks = ["yes" if mode in passed[test] else "**no**" for mode in modes]
        lines.append(
            f"| {number} | {row['where']} | {_cell(row['fault'])} | {state} | {_cell(message)} "
            f"| {row['submits']} | {row['jobs']} | {row['images']} | " + " | ".join(marks) + " |"
        )
    return "\n".join(lines)


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(p).read_text()) for p in paths]
    text = DOC.read_text()
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(f"{before}{START}\n{table(runs)}\n{END}{after}")
    print(f"{DOC}: {sum(len(r['rows']) for r in runs)} results from {len(runs)} run(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
