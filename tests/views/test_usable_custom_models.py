"""One rule for "a usable custom model": what the generation form offers and pre-selects is
exactly what `generation_create` accepts (`CustomModel.objects.usable()`)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from generation.models import CustomModel
from tests.factories import make_generation


def new_url(campaign, query=""):
    return reverse("generation_new", args=[campaign.slug]) + query


@pytest.fixture
def gone(custom_model):
    """`custom_model`, enabled and published, but no longer listed by Firefly."""
    CustomModel.objects.filter(pk=custom_model.pk).update(missing_since=timezone.now())
    custom_model.refresh_from_db()
    return custom_model


def test_a_model_missing_at_firefly_is_not_offered(alice_client, spring_launch, gone):
    form = alice_client.get(new_url(spring_launch)).context["form"]
    assert f"custom-{gone.pk}" not in dict(form.fields["model"].choices)
    assert gone.display_name not in [option["name"] for option in form.model_options()]


def test_a_campaign_default_missing_at_firefly_is_not_preselected(
    alice_client, spring_launch, gone
):
    spring_launch.default_custom_model = gone
    spring_launch.save()
    form = alice_client.get(new_url(spring_launch)).context["form"]
    assert form["model"].value() == "image4_standard"


def test_generate_again_with_a_model_missing_at_firefly_falls_back_and_says_so(
    alice_client, spring_launch, alice, custom_model
):
    source = make_generation(spring_launch, alice, custom_model=custom_model)
    CustomModel.objects.filter(pk=custom_model.pk).update(missing_since=timezone.now())
    response = alice_client.get(new_url(spring_launch, f"?from={source.pk}"))
    assert response.context["form"]["model"].value() == "image4_standard"
    assert "no longer available" in response.content.decode()


def test_form_service_and_queryset_agree_on_every_model(alice_client, spring_launch):
    from tests.factories import make_custom_model

    models = [
        make_custom_model("Usable"),
        make_custom_model("Disabled", enabled=False),
        make_custom_model("Unpublished", published_state=CustomModel.PublishedState.UNPUBLISHED),
        make_custom_model("Draft", published_state=CustomModel.PublishedState.NEVER),
        make_custom_model("Gone", missing_since=timezone.now()),
        make_custom_model("Unknown base", model_version=""),
    ]
    usable = set(CustomModel.objects.usable())
    assert usable == {models[0]}
    form = alice_client.get(new_url(spring_launch)).context["form"]
    offered = {value for value, _ in form.fields["model"].choices}
    for model in models:
        assert (f"custom-{model.pk}" in offered) == (model in usable) == model.is_usable()
