"""scripts/file_length.py, the CI check that no app file is over 400 lines."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("file_length", ROOT / "scripts" / "file_length.py")
file_length = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(file_length)


def _write(path: Path, lines: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n" * lines)


def test_every_file_over_the_limit_is_named_with_its_length(tmp_path, capsys):
    _write(tmp_path / "app" / "long.py", 401)
    _write(tmp_path / "app" / "rooms" / "longer.py", 650)
    _write(tmp_path / "app" / "exactly.py", 400)

    assert file_length.main([str(tmp_path / "app")]) == 1

    printed = capsys.readouterr().out
    assert "long.py: 401 lines" in printed
    assert "longer.py: 650 lines" in printed
    assert "exactly.py" not in printed


def test_migrations_and_other_files_are_left_out(tmp_path):
    _write(tmp_path / "app" / "migrations" / "0001_initial.py", 900)
    _write(tmp_path / "app" / "notes.txt", 900)

    assert file_length.main([str(tmp_path / "app")]) == 0
