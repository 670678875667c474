"""Prompt search (generation.studio.search): FTS5 on SQLite, text search on PostgreSQL, one meaning.

A query matches the prompts that contain every word of it, another form of it ("bottles" and
"bottle"), or a word starting with it, in any order and any case; nothing in a query is search
syntax.
"""

import contextlib
import functools
import random
import re
import sqlite3

import pytest
from django.db import connection
from django.urls import reverse

from generation.models import Generation
from generation.studio import search
from generation.studio.selectors import GalleryFilters, gallery_images
from tests.factories import make_generation, make_images

pytestmark = pytest.mark.django_db


def found(campaign, text) -> set[int]:
    """Generation ids whose images the gallery shows for the search `text`."""
    images = gallery_images(campaign, GalleryFilters(q=text))
    return set(images.values_list("generation_id", flat=True))


def found_generations(text) -> set[int]:
    return set(Generation.objects.filter(search.prompt_matches(text)).values_list("pk", flat=True))


@pytest.fixture
def prompts(spring_launch, alice):
    made = {}
    for prompt in [
        "A Teal kettle on a table",
        "a red kettle, golden-hour light",
        "Kettles in a row",
        "teal and orange sunset",
        "un café au lait",
    ]:
        generation = make_generation(spring_launch, alice, prompt=prompt)
        make_images(generation, 1)
        made[prompt] = generation.pk
    return made


def test_every_word_in_any_order_and_any_case(spring_launch, prompts):
    assert found(spring_launch, "KETTLE teal") == {prompts["A Teal kettle on a table"]}
    assert found(spring_launch, "teal") == {
        prompts["A Teal kettle on a table"],
        prompts["teal and orange sunset"],
    }


def test_a_word_matches_the_start_of_longer_words(spring_launch, prompts):
    assert found(spring_launch, "kett") == {
        prompts["A Teal kettle on a table"],
        prompts["a red kettle, golden-hour light"],
        prompts["Kettles in a row"],
    }
    assert found(spring_launch, "ettle") == set()  # words and their starts, not any substring


@pytest.mark.parametrize(
    ("query", "prompt"),
    [
        ("bottles", "a perfume bottle on marble"),
        ("bottle", "three perfume bottles on marble"),
        ("Flowers", "one pink flower in a glass vase"),
        ("glass", "pink flowers in glasses"),
        ("lighting", "soft morning lights"),
        ("kettle", "Kettles in a row"),
    ],
)
def test_a_word_finds_its_other_forms(alice_client, spring_launch, alice, query, prompt):
    wanted = make_generation(spring_launch, alice, prompt=prompt)
    make_images(wanted, 1)
    make_images(make_generation(spring_launch, alice, prompt="a red fox at dusk"), 1)
    response = alice_client.get(
        reverse("campaign_gallery", args=[spring_launch.slug]), {"q": query}
    )
    assert [image.generation_id for image in response.context["page"].images] == [wanted.pk]


def test_every_word_of_the_query_counts_even_short_common_ones(spring_launch, prompts):
    assert found(spring_launch, "the kettle") == set()  # no prompt has "the"
    assert found(spring_launch, "a kettle") == {
        prompts["A Teal kettle on a table"],
        prompts["a red kettle, golden-hour light"],
        prompts["Kettles in a row"],
    }


def test_punctuation_separates_words(spring_launch, prompts):
    golden = prompts["a red kettle, golden-hour light"]
    assert found(spring_launch, "golden-hour") == {golden}
    assert found(spring_launch, "hour golden") == {golden}
    assert found(spring_launch, "café") == {prompts["un café au lait"]}


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        'kettle"',
        "kettle*",
        "-kettle",
        "NEAR(kettle teal)",
        "kettle OR zebra",
        "teal AND kettle",
        "'; DROP TABLE generation_generation; --",
        "^kettle",
        "kettle:",
        "(",
        "",
        "   ",
        "_",
        "ke\u200btle",
    ],
)
def test_no_query_is_read_as_search_syntax(alice_client, spring_launch, prompts, query):
    response = alice_client.get(
        reverse("campaign_gallery", args=[spring_launch.slug]), {"q": query}
    )
    assert response.status_code == 200
    terms = search.words(query)
    if not terms:  # nothing to look for: the whole gallery
        assert len(response.context["page"].images) == len(prompts)


def test_operators_are_plain_words(spring_launch, prompts):
    assert found(spring_launch, "kettle OR zebra") == set()  # "or" and "zebra" must appear too
    assert found(spring_launch, "teal AND kettle") == set()
    assert found(spring_launch, "teal and orange") == {prompts["teal and orange sunset"]}


def test_the_index_follows_new_changed_and_deleted_prompts(spring_launch, alice, prompts):
    new = make_generation(spring_launch, alice, prompt="a zeppelin over the bay")
    assert found_generations("zeppelin") == {new.pk}
    Generation.objects.filter(pk=new.pk).update(prompt="a kite over the bay")
    assert found_generations("zeppelin") == set()
    assert found_generations("kite bay") == {new.pk}
    Generation.objects.filter(pk=new.pk).delete()
    assert found_generations("kite") == set()


def stemmer():
    """The database's own English stemmer, word by word (the oracle for the rule below)."""
    if connection.vendor == "postgresql":

        def stem(word):
            with connection.cursor() as cursor:
                cursor.execute("SELECT to_tsvector(%s::regconfig, %s)", [search.PG_CONFIG, word])
                return re.findall(r"'([^']+)'", cursor.fetchone()[0])[0]

        return stem
    tokenize = re.search(r"tokenize='([^']+)'", search.SQLITE_CREATE)[1]

    def stem(word):
        with contextlib.closing(sqlite3.connect(":memory:")) as db:
            db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{tokenize}')")
            db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
            db.execute("INSERT INTO t(x) VALUES (?)", [word])
            return db.execute("SELECT term FROM v").fetchone()[0]

    return stem


def test_results_agree_with_a_plain_reading_of_the_rule(spring_launch, alice):
    rng = random.Random(3)
    vocabulary = [
        "teal",
        "kettle",
        "kettles",
        "tea",
        "golden",
        "hour",
        "lake",
        "lakeside",
        "fox",
        "bottle",
        "bottles",
        "running",
        "runs",
    ]
    rows = {}
    for _ in range(40):
        prompt = ", ".join(" ".join(rng.sample(vocabulary, 2)) for _ in range(2))
        rows[make_generation(spring_launch, alice, prompt=prompt).pk] = prompt
    stem = functools.cache(stemmer())

    def expected(query):
        """Every query word's stem starts some prompt word's stem."""
        terms = search.words(query)
        return {
            pk
            for pk, prompt in rows.items()
            if all(
                any(stem(w).startswith(stem(t)) for w in re.findall(r"[^\W_]+", prompt.lower()))
                for t in terms
            )
        }

    for _ in range(30):
        query = " ".join(w[: rng.randint(2, len(w))] for w in rng.sample(vocabulary, 2))
        assert found_generations(query) == expected(query), query


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_the_sqlite_index_is_repaired_after_a_migration_rebuilt_the_table(spring_launch, alice):
    generation = make_generation(spring_launch, alice, prompt="a lighthouse at dusk")
    with connection.cursor() as cursor:  # what SQLite's table rebuild does to the triggers
        for name in search.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    missed = make_generation(spring_launch, alice, prompt="a lighthouse at dawn")
    assert found_generations("dawn") == set()

    search.ensure_sqlite_index()

    assert found_generations("lighthouse") == {generation.pk, missed.pk}
    later = make_generation(spring_launch, alice, prompt="a lighthouse in fog")
    assert later.pk in found_generations("fog")


def test_a_search_within_a_campaign_matches_only_its_generations(
    spring_launch, autumn_sale, alice, bob
):
    mine = make_generation(spring_launch, alice, prompt="a teal kettle")
    make_generation(autumn_sale, bob, prompt="a teal kettle")
    within = Generation.objects.filter(search.prompt_matches("teal", campaign_id=spring_launch.pk))
    assert list(within.values_list("pk", flat=True)) == [mine.pk]
