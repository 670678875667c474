"""Prompt search stems English words, so "bottles" finds "bottle" and the other way round (see
generation/studio/search.py).

* SQLite: the FTS5 index is rebuilt with the `porter` tokenizer around `unicode61` (an FTS5
  table's tokenizer cannot be altered), with its triggers, and re-filled from the prompts.
* PostgreSQL: a text search configuration `generation_english`, English's Snowball stemmer
  without its stop-word list (so "the" or "and" in a query must appear, as on SQLite), and the
  GIN expression index on it in place of the one on `simple`.

Nothing changes in the models' state.
"""

import contextlib
import sqlite3

from django.db import migrations

_TRIGGERS = [
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
]
_DROP_SQLITE_INDEX = [
    "DROP TRIGGER IF EXISTS generation_prompt_fts_au",
    "DROP TRIGGER IF EXISTS generation_prompt_fts_ad",
    "DROP TRIGGER IF EXISTS generation_prompt_fts_ai",
    "DROP TABLE IF EXISTS generation_prompt_fts",
]


def _sqlite_index(tokenize: str) -> list[str]:
    return [
        *_DROP_SQLITE_INDEX,
        f"""CREATE VIRTUAL TABLE generation_prompt_fts USING fts5(
            prompt, content='generation_generation', content_rowid='id',
            tokenize='{tokenize}'
        )""",
        *_TRIGGERS,
        "INSERT INTO generation_prompt_fts(generation_prompt_fts) VALUES ('rebuild')",
    ]


SQLITE_FORWARD = _sqlite_index("porter unicode61 remove_diacritics 0")
SQLITE_BACKWARD = _sqlite_index("unicode61 remove_diacritics 0")
POSTGRES_FORWARD = [
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS generation_english",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS generation_english_stem",
    # The Snowball template without `StopWords`: every word is kept and stemmed.
    "CREATE TEXT SEARCH DICTIONARY generation_english_stem "
    "(TEMPLATE = pg_catalog.snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION generation_english (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION generation_english ALTER MAPPING FOR "
    "asciiword, asciihword, hword_asciipart, word, hword, hword_part "
    "WITH generation_english_stem",
    "CREATE INDEX IF NOT EXISTS generation_prompt_search_english ON generation_generation "
    "USING GIN (to_tsvector('generation_english'::regconfig, prompt))",
    "DROP INDEX IF EXISTS generation_prompt_search",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS generation_prompt_search ON generation_generation "
    "USING GIN (to_tsvector('simple'::regconfig, prompt))",
    "DROP INDEX IF EXISTS generation_prompt_search_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS generation_english",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS generation_english_stem",
]


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
        ("generation", "0008_campaign_requesters_cannot_approve"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
            elidable=False,
        ),
    ]
