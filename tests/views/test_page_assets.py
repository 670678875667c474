"""What each page loads: the page scripts are ES modules, each on the pages that use it; and
the tiles live.js adds are cloned from the same markup as the tiles the server renders."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

MODULE = re.compile(r'<script type="module" src="/static/js/([\w/]+)\.js"></script>')


def scripts(client, url):
    html = client.get(url).content.decode()
    assert "<script src=" not in html  # every page script is a module
    return set(MODULE.findall(html))


@pytest.mark.django_db
def test_each_page_loads_the_scripts_it_uses_and_no_others(alice_client, spring_launch, finished):
    generation, images = finished
    everywhere = {"app", "bell"}
    assert scripts(alice_client, reverse("campaign_list")) == everywhere
    assert scripts(alice_client, spring_launch.get_absolute_url()) == everywhere | {
        "gallery",
        "live",
    }
    assert scripts(alice_client, generation.get_absolute_url()) == everywhere | {"gallery", "live"}
    assert scripts(alice_client, images[0].get_absolute_url()) == everywhere | {
        "image",
        "collab",
        "mentions",
    }
    new = reverse("generation_new", args=[spring_launch.slug])
    assert scripts(alice_client, new) == everywhere | {"presets", "generate"}
    review = reverse("review_queue", args=[spring_launch.slug])
    assert scripts(alice_client, review) == everywhere | {"collab"}
    assert scripts(alice_client, reverse("notification_list")) == everywhere


class Skeleton(HTMLParser):
    """Tags, classes and data-* attribute names of the first <li> found, in order."""

    def __init__(self):
        super().__init__()
        self.shape, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "li" or self.depth:
            self.depth += tag not in {"img", "input", "path", "circle", "rect"}
            names = sorted(name for name, _ in attrs if name.startswith("data-"))
            self.shape.append((tag, dict(attrs).get("class"), names))

    def handle_endtag(self, tag):
        if self.depth and tag not in {"img", "input", "path", "circle", "rect"}:
            self.depth -= 1


def skeleton(html):
    parser = Skeleton()
    parser.feed(html)
    return parser.shape


@pytest.mark.django_db
def test_the_live_tile_template_is_the_server_rendered_tile_without_an_image(
    alice_client, finished
):
    generation, images = finished
    html = alice_client.get(generation.get_absolute_url()).content.decode()
    template = re.search(r'<template id="tile-template">(.*?)</template>', html, re.S).group(1)
    tile = re.search(rf'<li class="tile" data-image-id="{images[0].pk}".*?</li>', html, re.S)
    live, served = skeleton(template), skeleton(tile.group(0))
    assert live[0] == ("li", "tile is-new", ["data-generation", "data-image-id"])
    assert live[1:] == served[1:]
