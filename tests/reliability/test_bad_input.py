"""Bad input gets a clear error and nothing half-saved (property-based, through HTTP).

Hypothesis throws values of the wrong type, out of range, unknown choices, markup and control
characters at every field of the generation and campaign forms. Whatever it sends, the answer is
either the form again (200, with an error on a field, nothing stored) or a redirect after storing
exactly one object whose values are all within Firefly's limits; never a 500.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generation.firefly import facts
from generation.models import Campaign, Generation, GenerationPreset

pytestmark = pytest.mark.django_db

PROMPT_MAX = facts.LIMITS["prompt_max_chars"]

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

junk = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "5",
            "99999999999999999999",
            "1e9",
            "NaN",
            "null",
            "[]",
            "{}",
            "<script>alert(1)</script>",
            "2048x2048",
            "1024x1024",
            "9999x9999",
            "0x0",
            "image3",
            "image4_custom",
            "bogus",
            "photo",
            "en-US",
            "xx",
            "\x00",
            "a" * 5000,
        ]
    ),
)


def _token(response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    return match[1] if match else ""


@pytest.fixture
def member(alice, spring_launch):
    client = Client()
    client.force_login(alice)
    return client


@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            name: junk
            for name in (
                "prompt",
                "model",
                "style_strength",
                "size",
                "num_variations",
                "seeds",
                "negative_prompt",
                "content_class",
                "visual_intensity",
                "locale",
            )
        },
    ),
    presets=st.lists(st.one_of(st.sampled_from(sorted(facts.PRESET_IDS)), junk), max_size=5),
)
@HYPOTHESIS
def test_the_generation_form_never_half_saves_whatever_it_is_sent(
    member, spring_launch, data, presets
):
    url = reverse("generation_new", args=[spring_launch.slug])
    before = Generation.objects.count(), GenerationPreset.objects.count()
    response = member.post(
        url, {**data, "style_presets": presets, "form_token": _token(member.get(url))}
    )

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert response.context["form"].errors, "the form came back without saying why"
        assert (Generation.objects.count(), GenerationPreset.objects.count()) == before
        assert "<script>alert(1)</script>" not in response.content.decode()
    else:
        assert Generation.objects.count() == before[0] + 1
        generation = Generation.objects.latest("pk")
        assert 1 <= len(generation.prompt) <= PROMPT_MAX
        assert 1 <= generation.num_variations <= 4
        assert set(generation.style_presets) <= set(facts.PRESET_IDS)
        assert generation.status == Generation.Status.QUEUED


@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            name: junk
            for name in (
                "name",
                "description",
                "brand_notes",
                "default_custom_model",
                "default_size",
                "archived",
            )
        },
    ),
    presets=st.lists(junk, max_size=3),
)
@HYPOTHESIS
def test_the_campaign_form_never_half_saves_whatever_it_is_sent(member, data, presets):
    before = Campaign.objects.count()
    response = member.post(reverse("campaign_create"), {**data, "default_style_presets": presets})

    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        form = response.context["form"]
        assert form.errors or not form.is_bound  # nothing posted at all: the empty form again
        assert Campaign.objects.count() == before
        assert "<script>alert(1)</script>" not in response.content.decode()
    else:
        assert Campaign.objects.count() == before + 1
