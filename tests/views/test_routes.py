"""`generation.routes.fast_reverse` gives exactly what `reverse` gives."""

import pytest
from django.urls import reverse, set_script_prefix

from generation.routes import fast_reverse


@pytest.mark.parametrize("pk", [1, 42, 987654321987, 10**15])
def test_the_same_urls_as_reverse(pk):
    assert fast_reverse("image_detail", pk) == reverse("image_detail", kwargs={"pk": pk})
    name = "3-abcdef012345-grid.jpg"
    assert fast_reverse("rendition_file", pk, name) == reverse(
        "rendition_file", kwargs={"pk": pk, "name": name}
    )


def test_names_that_need_quoting_go_through_reverse():
    name = "a b?c.jpg"
    assert fast_reverse("rendition_file", 7, name) == reverse(
        "rendition_file", kwargs={"pk": 7, "name": name}
    )


def test_the_script_prefix_is_honoured():
    set_script_prefix("/studio/")
    try:
        assert fast_reverse("image_detail", 5) == "/studio/images/5/"
    finally:
        set_script_prefix("/")
    assert fast_reverse("image_detail", 5) == "/images/5/"
