"""No input is a 500: every URL pattern, every parameter the views read, hostile values.

Every path() pattern of the URLconf is filled with the ids, slugs and tokens of alice's real
objects, then sent GET and POST requests whose query string and body carry one hostile value in
every parameter a view reads: Unicode digits (``²`` passes ``str.isdigit()`` but not ``int()``),
numbers beyond 64 bits, negative numbers, NUL bytes (PostgreSQL refuses them in text), dates
Python cannot add a day to, impossible dates and overlong strings. As the owner, an outsider and
an anonymous visitor, the answer is never a 500 and the view raises nothing (the test client
re-raises what the server did not handle). Run it in both modes: SQLite overflows on integers
beyond 64 bits, PostgreSQL refuses NUL.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from generation.collab.exports import export_create, export_download_token
from generation.collab.sharing import share_link_create
from generation.models import Image
from generation.studio.files import file_token
from tests.factories import make_custom_model, make_generation, make_image
from tests.reliability.test_access_everywhere import fill, routes

pytestmark = pytest.mark.django_db

HOSTILE = [
    "²",
    "٣",
    "1,²,٣",
    "9" * 30,
    "-1",
    "-" + "9" * 30,
    "a\x00b",
    "1\x00",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "x" * 100_000,
]

#: Every name a view, form or selector reads from the query string or a posted body.
PARAMS = [
    "before", "after", "since", "watch", "from", "seed", "vary", "ids", "images", "image",
    "id", "model", "requester", "preset", "favourite", "date_from", "date_to", "status",
    "review", "q", "page", "action", "actor", "kind", "archived", "note", "comment",
    "decision", "body", "unknown_mentions", "username", "role", "label", "scope",
    "expires_on", "allow_download", "password", "next", "name", "description", "prompt",
    "negative_prompt", "size", "aspect_ratio", "num_variations", "content_class", "style",
    "presets", "seeds", "locale", "visual_intensity", "form_token",
]  # fmt: skip

#: Posting these ends the objects the rest of the walk needs; their views read no parameters.
DESTRUCTIVE = {"image_delete", "share_revoke", "logout", "admin:logout"}


@pytest.fixture
def world(spring_launch, alice):
    """Real objects for every path parameter: a generation, images, renditions, a share link,
    an export and the tokens that open them."""
    generation = make_generation(
        spring_launch, alice, custom_model=make_custom_model("Brand Lifestyle")
    )
    images = [make_image(generation, 0, seed=1), make_image(generation, 1, seed=2)]
    Image.objects.filter(pk=images[0].pk).update(review_state=Image.ReviewState.APPROVED)
    grid = images[0].renditions.get(spec="grid")
    created = share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=timezone.now() + dt.timedelta(days=3),
        label="Client",
        scope="all",
    )
    export = export_create(
        campaign=spring_launch, user=alice, images=Image.objects.filter(campaign=spring_launch)
    )
    return {
        "slug": [spring_launch.slug],
        "int": [str(generation.pk), str(images[0].pk), str(grid.pk)],
        "pk": [str(generation.pk), str(images[0].pk), str(grid.pk), str(created.link.pk)],
        "name": [file_token(images[0].original.name), file_token(grid.file.name)],
        "token": [created.token, export_download_token(export)],
        "spec": ["grid"],
        "export": export,
    }


def _urls(world):
    for route, name in routes():
        if route.startswith("admin/") and route != "admin/login/":
            continue  # the admin's own forms are Django's; its sign-in is the studio's concern
        values = dict(world)
        if route.startswith("exports/"):
            values["int"] = values["pk"] = [str(world["export"].pk)]
        for url in fill(route, values):
            yield url, name


@pytest.fixture(autouse=True)
def _processes_running(running_processes):
    """Workers and beat are up, as in a deployment: readiness answers 200, not its 503."""


def _walk(client: Client, world) -> int:
    sent = 0
    for url, name in _urls(world):
        for value in HOSTILE:
            data = {param: value for param in PARAMS}
            response = client.get(url, data)
            assert response.status_code < 500, (url, "GET", value[:20], response.status_code)
            sent += 1
            if name in DESTRUCTIVE:
                continue
            response = client.post(url, data)
            assert response.status_code < 500, (url, "POST", value[:20], response.status_code)
            sent += 1
    return sent


@contextmanager
def _reads():
    """The names the server reads from a query string or a posted body, recorded."""
    names: set[str] = set()
    originals = {m: getattr(QueryDict, m) for m in ("get", "getlist", "__getitem__")}

    def recording(method):
        def read(self, key, *args, **kwargs):
            names.add(key)
            return method(self, key, *args, **kwargs)

        return read

    for method_name, method in originals.items():
        setattr(QueryDict, method_name, recording(method))
    try:
        yield names
    finally:
        for method_name, method in originals.items():
            setattr(QueryDict, method_name, method)


def _one_at_a_time(client: Client, world) -> int:
    """Each parameter a view reads, alone, so one refused value cannot hide another's 500."""
    sent = 0
    for url, name in _urls(world):
        if name in DESTRUCTIVE:
            continue
        for method in (client.get, client.post):
            with _reads() as names:
                method(url, {param: "1" for param in PARAMS})
                method(url)
            for param in sorted(names - {"csrfmiddlewaretoken"}):
                for value in ("²", "٣", "9" * 30, "-1", "a\x00b", "9999-12-31", "0001-01-01"):
                    response = method(url, {param: value})
                    assert response.status_code < 500, (url, param, value, response.status_code)
                    sent += 1
    return sent


def test_the_owner_never_gets_a_500(world, alice):
    owner = Client()
    owner.force_login(alice)
    assert _walk(owner, world) > 500


def test_the_owner_never_gets_a_500_one_parameter_at_a_time(world, alice):
    owner = Client()
    owner.force_login(alice)
    assert _one_at_a_time(owner, world) > 500


def test_an_outsider_never_gets_a_500(world, bob, autumn_sale):
    outsider = Client()
    outsider.force_login(bob)
    assert _walk(outsider, world) > 500


def test_an_anonymous_visitor_never_gets_a_500(world):
    assert _walk(Client(), world) > 500
