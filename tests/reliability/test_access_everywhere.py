"""Every URL of the whole URLconf (not only `generation.studio.urls`), enumerated at test time, so a
URL another app adds later is covered without touching this file:

* an anonymous GET never gets the page: it is sent to sign in, or gets 404/405;
* a signed-in member of another campaign, with the ids, slugs and file names of alice's
  objects filled into every pattern, never sees alice's data (no 200 carrying her prompt,
  campaign name or image bytes).

Regex patterns (the admin's own) are left to tests/admin/test_access.py.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from generation.studio.files import file_token
from tests.factories import make_custom_model, make_generation, make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(spring_launch, alice):
    """A finished generation in alice's campaign with two images (real files)."""
    generation = make_generation(
        spring_launch,
        alice,
        custom_model=make_custom_model("Brand Lifestyle"),
        presets=["golden_hour"],
    )
    return generation, [make_image(generation, 0, seed=1), make_image(generation, 1, seed=2)]


#: Patterns anyone may open (route strings, after the prefix).
PUBLIC = {
    "healthz",
    "healthz/ready",
    "healthz/live",
    "accounts/login/",
    "accounts/logout/",
    "admin/login/",
    "admin/logout/",
}
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def routes(resolver=None, prefix: str = ""):
    """(route, name) of every path() pattern, includes flattened; regex patterns skipped."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every URL for `route` with each parameter taken from `values` (by name, else type)."""
    urls = [route]
    for match in PARAM.finditer(route):
        name, converter = match["name"], match["converter"] or "str"
        candidates = values.get(name) or values.get(converter) or ["1"]
        urls = [u.replace(match[0], c, 1) for u in urls for c in candidates]
    return ["/" + u for u in urls]


def test_the_enumeration_sees_the_studio_and_the_admin():
    found = {route for route, _ in routes()}
    assert "generations/<int:pk>/status.json" in found
    assert "admin/login/" in found


def test_anonymous_visitors_never_get_a_page_anywhere(client, finished, spring_launch):
    generation, images = finished
    values = {
        "slug": [spring_launch.slug],
        "int": [str(generation.pk), str(images[0].pk), "1"],
        "name": [file_token(images[0].original.name)],
    }
    login = reverse("login")
    for route, name in routes():
        if route in PUBLIC:
            continue
        for url in fill(route, values):
            response = client.get(url)
            if response.status_code == 302:
                assert login in response.url or "/admin/login/" in response.url, (url, response.url)
            else:
                assert response.status_code in (404, 405), (url, name, response.status_code)


def test_members_of_another_campaign_never_see_its_data_anywhere(
    finished, spring_launch, autumn_sale, bob
):
    generation, images = finished
    grid = images[0].renditions.get(spec="grid")
    values = {
        "slug": [spring_launch.slug],
        "int": [str(generation.pk), str(images[0].pk), str(grid.pk)],
        "name": [file_token(images[0].original.name), file_token(grid.file.name)],
    }
    markers = [generation.prompt, spring_launch.name]
    outsider = Client()
    outsider.force_login(bob)
    checked = 0
    for route, name in routes():
        if route.startswith("admin/") or "<" not in route:
            continue
        for url in fill(route, values):
            response = outsider.get(url)
            checked += 1
            if response.status_code != 200:
                assert response.status_code in (302, 404, 405), (url, response.status_code)
                continue
            body = b"".join(response) if response.streaming else response.content
            assert not response.get("Content-Type", "").startswith("image/"), url
            text = body.decode(errors="replace")
            for marker in markers:
                assert marker not in text, (url, name, marker)
    assert checked >= 10
