"""Full-text search of prompts (see generation/studio/search.py): an FTS5 index with its triggers on
SQLite, a GIN expression index on PostgreSQL. Nothing changes in the models' state."""

import contextlib
import sqlite3

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS generation_prompt_fts USING fts5(
        prompt, content='generation_generation', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER IF NOT EXISTS generation_prompt_fts_ai
    AFTER INSERT ON generation_generation BEGIN
        INSERT INTO generation_prompt_fts(rowid, prompt) VALUES (new.id, new.prompt);
    END""",
    """CREATE TRIGGER IF NOT EXISTS generation_prompt_fts_ad
    AFTER DELETE ON generation_generation BEGIN
        INSERT INTO generation_prompt_fts(generation_prompt_fts, rowid, prompt)
        VALUES ('delete', old.id, old.prompt);
    END""",
    """CREATE TRIGGER IF NOT EXISTS generation_prompt_fts_au
    AFTER UPDATE OF prompt ON generation_generation BEGIN
        INSERT INTO generation_prompt_fts(generation_prompt_fts, rowid, prompt)
        VALUES ('delete', old.id, old.prompt);
        INSERT INTO generation_prompt_fts(rowid, prompt) VALUES (new.id, new.prompt);
    END""",
    # Index the prompts already there.
    "INSERT INTO generation_prompt_fts(generation_prompt_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS generation_prompt_fts_au",
    "DROP TRIGGER IF EXISTS generation_prompt_fts_ad",
    "DROP TRIGGER IF EXISTS generation_prompt_fts_ai",
    "DROP TABLE IF EXISTS generation_prompt_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS generation_prompt_search ON generation_generation "
    "USING GIN (to_tsvector('simple'::regconfig, prompt))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS generation_prompt_search"]


def _fts5_available() -> bool:
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor == "sqlite" and not _fts5_available():
            return  # an SQLite built without FTS5: search falls back to LIKE
        for sql in statements_by_vendor.get(connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0004_generation_progress_at"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
            elidable=False,
        ),
    ]
