"""Backup and restore of a whole studio: the database (pg_dump custom format for PostgreSQL, the
SQLite online-backup API for the embedded file) and every media object, read and written through
Django's storage API so a folder and an S3 bucket back up and restore alike.

Layout of a backup folder: `manifest.json`, `database.dump` (PostgreSQL) or `database.sqlite3`,
and `media/` with every object under its storage name. The database is dumped first and media
copied after it: files are saved before their rows commit, so every row in the dump finds its
file; a file newer than the dump is merely unreferenced.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.utils import timezone

from fireflyweb import __version__

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"


class BackupError(Exception):
    pass


def storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every object name in `storage`, recursively (a missing media root has none)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from storage_names(storage, posixpath.join(folder, sub) if folder else sub)


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password travels in the environment,
    never on a command line another user could read."""
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed).")
    # The tool is pg_dump or pg_restore; the arguments come from settings, never from a user.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-2000:]}")


def backup(destination: Path, storage: Storage = default_storage) -> dict:
    """Write a backup of this studio into `destination` (a new or empty folder)."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty.")
    destination.mkdir(parents=True, exist_ok=True)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_env(db)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", *args, f"--file={destination / PG_DUMP}"],
            env,
        )
        database = "postgresql"
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(destination / SQLITE_COPY) as copy:
            connection.connection.backup(copy)
        copy.close()
        database = "sqlite"
    else:
        raise BackupError(f"No backup for the {connection.vendor} database.")
    count = size = 0
    for name in storage_names(storage):
        target = destination / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        count += 1
        size += target.stat().st_size
    manifest = {
        "studio_version": __version__,
        "created_at": timezone.now().isoformat(),
        "database": database,
        "media_files": count,
        "media_bytes": size,
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore(source: Path, storage: Storage = default_storage) -> dict:
    """Restore the backup in `source` into this studio's database and media storage, both of
    which must be fresh (no tables, no objects): a restore never merges into live data."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a studio backup ({exc}).") from None
    if connection.introspection.table_names():
        raise BackupError("The database is not empty: restore into a freshly created one.")
    if next(storage_names(storage), None) is not None:
        raise BackupError("Media storage is not empty: restore into a fresh folder or bucket.")
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"The backup holds a {manifest['database']} database; this studio uses "
            f"{connection.vendor}."
        )
    if connection.vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *args,
                str(source / PG_DUMP),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(source / SQLITE_COPY) as dump:
            dump.backup(connection.connection)
        dump.close()
    connection.close()  # the schema changed under this connection
    media = source / MEDIA
    count = 0
    for path in sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []:
        name = path.relative_to(media).as_posix()
        with path.open("rb") as content:
            saved = storage.save(name, File(content, name=name))
        if saved != name:
            raise BackupError(f"Media object {name} was stored as {saved}.")
        count += 1
    if count != manifest["media_files"]:
        raise BackupError(
            f"Restored {count} media files; the backup lists {manifest['media_files']}."
        )
    return {**manifest, "restored_media_files": count}
