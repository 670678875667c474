"""Helpers for the settings tests: every setting of a fresh process, and what .env.example says."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
_ASSIGNMENT = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
_SETTINGS_DUMP = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({name: repr(getattr(settings, name)) for name in dir(settings) if name.isupper()}))
"""


def example_assignments() -> list[tuple[str, str, bool]]:
    """(name, value, commented out) for every `KEY=value` line of .env.example."""
    found = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = _ASSIGNMENT.match(line.strip())
        if match:
            found.append((match[2], match[3], bool(match[1])))
    return found


def variables_settings_read() -> set[str]:
    """Every variable the settings (fireflyweb/settings/) read through an env helper."""
    source = "".join(p.read_text() for p in sorted((ROOT / "fireflyweb" / "settings").glob("*.py")))
    helper = r"\benv_(?:str|bool|int|float|list|path|choice)"
    return set(re.findall(helper + r"\(\s*\"([A-Z0-9_]+)\"", source))


def settings_with(variables: dict[str, str]) -> dict[str, str]:
    """Every setting (repr) of a fresh process whose environment has `variables` and none of the
    studio's other variables."""
    ours = variables_settings_read() | {name for name, _, _ in example_assignments()}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ours and not key.endswith("_FILE")
    }
    env.update(variables, DJANGO_SETTINGS_MODULE="fireflyweb.settings")
    result = subprocess.run(
        [sys.executable, "-c", _SETTINGS_DUMP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def differences(left: dict, right: dict) -> dict:
    return {
        k: (left.get(k), right.get(k))
        for k in left.keys() | right.keys()
        if left.get(k) != right.get(k)
    }
