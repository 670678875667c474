"""Issue 16: a backup (database + media) restored into a fresh database and a fresh media folder
shows the same studio: the same campaigns, images and files, page for page."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from generation.models import CampaignMembership
from tests.factories import make_generation, make_image
from tests.foundation.support import ROOT

#: What a member sees: campaign slugs on the list, and every image and rendition file linked from
#: each gallery and image page, fetched through the studio's own authorising views.
_STUDIO_AS_SEEN = r"""
import hashlib, json, re, sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
home = client.get("/")
assert home.status_code == 200, home.status_code
slugs = sorted(set(re.findall(r'href="/campaigns/([\w-]+)/"', home.content.decode())) - {"new"})
files = {}
for slug in slugs:
    gallery = client.get(f"/campaigns/{slug}/").content.decode()
    for pk in sorted(set(re.findall(r"/images/(\d+)/", gallery))):
        page = gallery + client.get(f"/images/{pk}/").content.decode()
        for url in set(re.findall(r'/(?:images/\d+/original|renditions/\d+)/[^"\s?]+', page)):
            r = client.get(url)
            body = b"".join(r.streaming_content) if r.streaming else r.content
            files[url] = [r.status_code, hashlib.sha256(body).hexdigest()]
print(json.dumps({"campaigns": slugs, "files": files}, sort_keys=True))
"""


def database_url(settings_dict: dict, name: str | None = None) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD")
    auth = f"{user}:{quote(str(password), safe='')}" if password else user
    host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name or settings_dict['NAME']}"


def studio_env(tmp_path, url: str, media) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDIA_"))}
    env.update(
        DATABASE_URL=url,
        MEDIA_ROOT=str(media),
        FIREFLY_VAR_DIR=str(tmp_path / "var"),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="fireflyweb.settings",
    )
    env.pop("AWS_STORAGE_BUCKET_NAME", None)
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a database that exists and is empty."""
    if connection.vendor == "sqlite":
        yield database_url({}, str(tmp_path / "restored.sqlite3"))
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed")
    name = f"firefly_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(connection.settings_dict, name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.local_media  # restored into a folder; the storage API copies a bucket the same way
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_shows_the_same_campaigns_and_images(
    alice, bob, spring_launch, autumn_sale, settings, tmp_path, fresh_database
):
    CampaignMembership.objects.create(
        campaign=autumn_sale, user=alice, role=CampaignMembership.Role.MEMBER
    )
    for campaign in (spring_launch, autumn_sale):
        generation = make_generation(campaign, alice)
        for index in range(2):
            make_image(generation, index)
    call_command("backup_studio", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["media_files"] >= 4

    source = studio_env(tmp_path, database_url(connection.settings_dict), settings.MEDIA_ROOT)
    before = json.loads(run(["-c", _STUDIO_AS_SEEN, alice.username], source))
    restored = studio_env(tmp_path, fresh_database, tmp_path / "restored-media")
    run(["manage.py", "restore_studio", str(tmp_path / "backup")], restored)
    after = json.loads(run(["-c", _STUDIO_AS_SEEN, alice.username], restored))

    assert before["campaigns"] == sorted([spring_launch.slug, autumn_sale.slug])
    assert len(before["files"]) >= 4
    assert all(status == 200 for status, _ in before["files"].values())
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_fresh(alice, spring_launch, tmp_path, settings):
    call_command("backup_studio", str(tmp_path / "backup"))
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="database is not empty"):
        call_command("restore_studio", str(tmp_path / "backup"))


@pytest.mark.django_db
def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("an older backup")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup_studio", str(tmp_path / "backup"))
