"""Full-text search of generation prompts: SQLite FTS5 in embedded mode, PostgreSQL's text search
otherwise, one meaning on both.

A search matches the generations whose prompt contains every word of the query, in any order,
ignoring case, where words are compared by their English stem ("bottles" finds "bottle" and
"bottle" finds "bottles"; "running" finds "run") and a word also matches the start of a longer
one ("kett" finds "kettle"). Words are runs of letters and digits; everything else in the query
separates words, so no query can be read as search syntax (quotes, `*`, `-`, `NEAR`, `OR` are
just separators or words). No word is ignored: "the" and "and" must appear too.

* SQLite: the FTS5 table `generation_prompt_fts` (an external-content index of
  `generation_generation.prompt`, rowid = generation id, tokenizer `porter` around `unicode61`),
  kept in step by three triggers; `MATCH '"teal"* "kettles"*'` (FTS5 stems each query word, then
  matches it as a prefix). Migration 0005 creates it, migration 0009 re-creates it stemming;
  `ensure_sqlite_index` (run after every `migrate`) re-creates the triggers if a later migration
  rebuilt the table (SQLite's schema editor copies a table to alter it, which drops its
  triggers) and then re-indexes.
* PostgreSQL: a GIN index on `to_tsvector('generation_english', prompt)`; `@@
  to_tsquery('generation_english', 'teal:* & kettles:*')`. `generation_english` (migration 0009)
  is English's Snowball stemmer without its stop words, to keep every word as SQLite does. The
  two stemmers (Porter's original and Snowball's "Porter 2") agree on plurals and common
  endings and differ in rare cases.
* Any other database: `icontains` per word (no stemming).

Measured by `python -m bench gallery` (docs/benchmarks.md, part 5).
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

MAX_WORDS = 8
FTS_TABLE = "generation_prompt_fts"
INDEX_MIGRATION = "0005_prompt_full_text_search"
PG_INDEX = "generation_prompt_search_english"
PG_CONFIG = "generation_english"
_WORD = re.compile(r"[^\W_]+")

#: The triggers that keep the FTS5 index in step with the prompts (as migration 0005 makes them).
SQLITE_TRIGGERS = {
    "generation_prompt_fts_ai": """
        CREATE TRIGGER IF NOT EXISTS generation_prompt_fts_ai
        AFTER INSERT ON generation_generation BEGIN
            INSERT INTO generation_prompt_fts(rowid, prompt) VALUES (new.id, new.prompt);
        END""",
    "generation_prompt_fts_ad": """
        CREATE TRIGGER IF NOT EXISTS generation_prompt_fts_ad
        AFTER DELETE ON generation_generation BEGIN
            INSERT INTO generation_prompt_fts(generation_prompt_fts, rowid, prompt)
            VALUES ('delete', old.id, old.prompt);
        END""",
    "generation_prompt_fts_au": """
        CREATE TRIGGER IF NOT EXISTS generation_prompt_fts_au
        AFTER UPDATE OF prompt ON generation_generation BEGIN
            INSERT INTO generation_prompt_fts(generation_prompt_fts, rowid, prompt)
            VALUES ('delete', old.id, old.prompt);
            INSERT INTO generation_prompt_fts(rowid, prompt) VALUES (new.id, new.prompt);
        END""",
}
SQLITE_CREATE = """
    CREATE VIRTUAL TABLE IF NOT EXISTS generation_prompt_fts USING fts5(
        prompt, content='generation_generation', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 0'
    )"""
SQLITE_MATCH = "SELECT rowid FROM generation_prompt_fts WHERE generation_prompt_fts MATCH %s"
SQLITE_MATCH_IN_CAMPAIGN = (
    "SELECT f.rowid FROM generation_prompt_fts f JOIN generation_generation g ON g.id = f.rowid "
    "WHERE f.generation_prompt_fts MATCH %s AND g.campaign_id = %s"
)
POSTGRES_MATCH = (  # PG_CONFIG, spelt out
    "SELECT id FROM generation_generation WHERE to_tsvector('generation_english'::regconfig, "
    "prompt) @@ to_tsquery('generation_english'::regconfig, %s)"
)
# With the campaign, PostgreSQL combines the text index with the campaign's (a BitmapAnd) instead
# of visiting every matching generation of every campaign.
POSTGRES_MATCH_IN_CAMPAIGN = POSTGRES_MATCH + " AND campaign_id = %s"


def words(text: str) -> list[str]:
    """The query's words, lower-cased (at most MAX_WORDS)."""
    return [w.lower() for w in _WORD.findall(text or "")][:MAX_WORDS]


def fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def tsquery(terms: list[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def prompt_matches(text: str, field: str = "pk", campaign_id: int | None = None) -> Q:
    """A condition that `field` (a generation id: "pk" on Generation, "generation_id" on Image)
    is a generation whose prompt matches `text`, within `campaign_id` when given (much faster
    when the rest of the query is about one campaign). An empty query matches everything."""
    terms = words(text)
    if not terms:
        return Q()
    vendor = connection.vendor
    # Bound parameters only; the query text is built from letters and digits.
    if vendor == "sqlite" and _has_fts_table():
        if campaign_id is None:
            ids = RawSQL(SQLITE_MATCH, [fts5_query(terms)])  # noqa: S611
        else:
            ids = RawSQL(SQLITE_MATCH_IN_CAMPAIGN, [fts5_query(terms), campaign_id])  # noqa: S611
    elif vendor == "postgresql":
        if campaign_id is None:
            ids = RawSQL(POSTGRES_MATCH, [tsquery(terms)])  # noqa: S611
        else:
            ids = RawSQL(POSTGRES_MATCH_IN_CAMPAIGN, [tsquery(terms), campaign_id])  # noqa: S611
    else:  # an SQLite without FTS5 (or another database): LIKE per word
        prefix = field.removesuffix("_id").removesuffix("pk")
        prefix = f"{prefix}__" if prefix else ""
        cond = Q()
        for term in terms:
            cond &= Q(**{f"{prefix}prompt__icontains": term})
        return cond
    return Q(**{f"{field}__in": ids})


@functools.cache
def fts5_available() -> bool:
    """Whether the SQLite library Python uses has FTS5 (probed once, in memory: no query on the
    database, so a page's query count does not change with it)."""
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def _has_fts_table() -> bool:
    # Migration 0005 (and `ensure_sqlite_index` after every migrate) creates the index wherever
    # FTS5 is available.
    return fts5_available()


def ensure_sqlite_index(using: str = "default", **kwargs: Any) -> None:
    """After `migrate` on SQLite: if the index or a trigger is missing (a later migration rebuilt
    the table, or the database was migrated by an SQLite without FTS5), create what is missing
    and rebuild the index from the prompts."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite" or not fts5_available():
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{FTS_TABLE}%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if {FTS_TABLE, *SQLITE_TRIGGERS} <= present:
            return  # intact
        cursor.execute(
            "SELECT 1 FROM django_migrations WHERE app = 'generation' AND name = %s",
            [INDEX_MIGRATION],
        )
        if cursor.fetchone() is None:
            return  # not migrated that far (or migrated back): nothing should exist yet
        cursor.execute(SQLITE_CREATE)
        for sql in SQLITE_TRIGGERS.values():
            cursor.execute(sql)
        cursor.execute(
            "INSERT INTO generation_prompt_fts(generation_prompt_fts) VALUES ('rebuild')"
        )
