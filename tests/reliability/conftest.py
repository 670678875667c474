"""Records the fault-matrix results, so docs/reliability.md can show them.

With `RELIABILITY_MATRIX_JSON=path`, every passing fault-matrix row is written to that file at
the end of the session; `python scripts/reliability_table.py path` turns it into the table in
docs/reliability.md.
"""

import json
import os
from pathlib import Path

import pytest

MATRIX: list[dict] = []


@pytest.fixture
def matrix_row(request):
    """`matrix_row(**fields)`: record this row's result (call it after the assertions)."""

    def record(**fields):
        MATRIX.append({"test": request.node.name, **fields})

    return record


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("RELIABILITY_MATRIX_JSON")
    if target and MATRIX:
        from django.db import connection

        payload = {"database": connection.vendor, "rows": MATRIX}
        Path(target).write_text(json.dumps(payload, indent=1, default=str))
