"""The page scripts are ES modules importing helpers from js/lib/. In production the manifest
storage hashes every file name; the imports inside the modules must name the hashed files too,
or a page would load a new module with an old, long-cached helper (or none at all)."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

from tests.foundation.test_health import production_static

IMPORT = re.compile(r"""^\s*import\s*(?:[\w{}\s,*]+from\s*)?["']([^"']+)["']""", re.MULTILINE)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("modules") / "static"
    with production_static(root):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


def hashed_scripts(root):
    paths = json.loads((root / "staticfiles.json").read_text())["paths"]
    return {name: hashed for name, hashed in paths.items() if name.startswith("js/")}


def test_collected_modules_import_the_hashed_helpers(collected):
    scripts = hashed_scripts(collected)
    hashed_helpers = {scripts[name] for name in scripts if name.startswith("js/lib/")}
    assert hashed_helpers
    imported = set()
    for hashed in scripts.values():
        for target in IMPORT.findall((collected / hashed).read_text()):
            assert target.startswith("./"), target
            folder = hashed.rsplit("/", 1)[0]
            path = f"{folder}/{target[2:]}"
            assert path in hashed_helpers, f"{hashed} imports {target}, which is not a hashed file"
            imported.add(path)
    assert imported == hashed_helpers  # every helper is used, each through its hashed name


@pytest.mark.django_db
def test_a_production_page_loads_its_module_and_the_helpers_it_imports(collected):
    with production_static(collected):
        client = Client()  # a new handler, so WhiteNoise serves this STATIC_ROOT
        page = client.get("/accounts/login/").content.decode()
        app = re.search(r'<script type="module" src="(/static/js/app\.[0-9a-f]{12}\.js)">', page)
        assert app, "the login page does not load the hashed app.js as a module"
        script = client.get(app.group(1))
        assert script.status_code == 200
        assert "javascript" in script["Content-Type"]
        source = b"".join(script.streaming_content).decode()
        imports = IMPORT.findall(source)
        assert imports
        for target in imports:
            helper = client.get("/static/js/" + target[2:])
            assert helper.status_code == 200, target
            assert re.search(r"\.[0-9a-f]{12}\.js$", target), target
