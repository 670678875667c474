"""No app file over 400 lines: names every longer `.py` file and exits 1 if there is one.

    .venv/bin/python scripts/file_length.py            # generation/ and fireflyweb/
    .venv/bin/python scripts/file_length.py some/dir   # other folders

Migrations are left out: Django writes them. Run by `make lint`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
APP_FOLDERS = ("generation", "fireflyweb")


def line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def too_long(folders: Iterable[Path], limit: int = MAX_LINES) -> list[tuple[Path, int]]:
    """(file, lines) for every `.py` file under `folders`, migrations excepted, over `limit`."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.relative_to(folder).parts:
                continue
            lines = line_count(path)
            if lines > limit:
                found.append((path, lines))
    return found


def main(argv: list[str]) -> int:
    folders = [Path(arg) for arg in argv] or [ROOT / name for name in APP_FOLDERS]
    found = too_long(folders)
    for path, lines in found:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}: {lines} lines (at most {MAX_LINES})")
    if found:
        print(f"{len(found)} file(s) over {MAX_LINES} lines: split them by what they do.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
