"""The new-generation form: defaults, prefill, server-side validation per field, one generation
per submitted form."""

import re

import pytest
from django.urls import reverse

from generation.firefly import facts
from generation.models import CustomModel, Generation
from tests.factories import make_custom_model, make_generation


def new_url(campaign, query=""):
    return reverse("generation_new", args=[campaign.slug]) + query


def token_from(response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert match, "the form carries a one-time token"
    return match[1]


@pytest.fixture
def post_form(alice_client, spring_launch):
    """POST the form with valid defaults, overridden by keyword arguments (None removes)."""

    def post(campaign=None, token=None, **changes):
        campaign = campaign or spring_launch
        if token is None:
            token = token_from(alice_client.get(new_url(campaign)))
        data = {
            "form_token": token,
            "prompt": "a teal kettle on a sunny kitchen table",
            "model": "image4_standard",
            "size": "2048x2048",
            "num_variations": "2",
            "style_strength": "50",
            "content_class": "",
            "locale": "",
        }
        data.update(changes)
        data = {k: v for k, v in data.items() if v is not None}
        return alice_client.post(new_url(campaign), data)

    return post


def field_error(response, field: str) -> str:
    """The error text shown under one field (and check it's tied to the field for readers)."""
    form = response.context["form"]
    assert field in form.errors, f"expected an error on {field}, got {dict(form.errors)}"
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html or f'id="{form[field].auto_id}_error"' in html
    return " ".join(form.errors[field])


def test_the_form_renders_grouped_presets_models_and_sizes(
    alice_client, spring_launch, custom_model
):
    make_custom_model("Hidden draft", enabled=False)
    response = alice_client.get(new_url(spring_launch))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Brand Lifestyle" in html
    assert "Hidden draft" not in html
    assert custom_model.sample_prompt in html
    assert "<legend>Color and tone</legend>" in html
    assert 'value="golden_hour"' in html
    assert 'data-versions="image3 image4_standard image4_ultra image3_custom image4_custom"' in html
    assert (
        'name="negative_prompt"' in html
    )  # there without JavaScript; JS hides it for custom models


def test_campaign_defaults_prefill_the_form(alice_client, spring_launch, custom_model):
    spring_launch.default_custom_model = custom_model
    spring_launch.default_style_presets = ["golden_hour", "pastel_color"]
    spring_launch.default_size = "2304x1792"
    spring_launch.save()
    form = alice_client.get(new_url(spring_launch)).context["form"]
    assert form["model"].value() == f"custom-{custom_model.pk}"
    assert form.selected_presets() == ["golden_hour", "pastel_color"]
    assert form["size"].value() == "2304x1792"


def test_a_valid_form_creates_one_generation_and_shows_the_gallery(post_form, spring_launch, alice):
    response = post_form(style_presets=["golden_hour", "pastel_color"], seeds="11, 22")
    assert response.status_code == 302
    assert response.url == spring_launch.get_absolute_url()
    generation = Generation.objects.get()
    assert generation.requested_by == alice
    assert generation.status == Generation.Status.QUEUED
    assert (generation.width, generation.height, generation.num_variations) == (2048, 2048, 2)
    assert generation.seeds == [11, 22]
    assert sorted(generation.preset_rows.values_list("preset", flat=True)) == [
        "golden_hour",
        "pastel_color",
    ]


def test_a_custom_model_generation_uses_the_models_version(post_form, custom_model):
    post_form(model=f"custom-{custom_model.pk}", size="1152x896")
    generation = Generation.objects.get()
    assert generation.custom_model == custom_model
    assert generation.model_version == "image3_custom"


def test_double_submit_creates_one_generation(alice_client, post_form, spring_launch):
    token = token_from(alice_client.get(new_url(spring_launch)))
    first = post_form(token=token)
    second = post_form(token=token)
    assert Generation.objects.count() == 1
    assert first.status_code == 302
    generation = Generation.objects.get()
    assert second.status_code == 302
    assert second.url == generation.get_absolute_url()


def test_a_token_the_server_never_issued_creates_nothing(post_form):
    response = post_form(token="made-up")
    assert response.status_code == 200
    assert "expired" in " ".join(response.context["form"].non_field_errors())
    assert Generation.objects.count() == 0


def test_an_invalid_form_keeps_its_token_usable_once(alice_client, post_form, spring_launch):
    response = post_form(prompt="")
    assert response.status_code == 200
    fresh = token_from(response)
    assert post_form(token=fresh).status_code == 302
    assert post_form(token=fresh).status_code == 302
    assert Generation.objects.count() == 1


def test_an_empty_prompt_is_refused(post_form):
    assert "Enter a prompt" in field_error(post_form(prompt="   "), "prompt")


def test_a_prompt_over_the_limit_is_refused_on_the_prompt_field(post_form):
    response = post_form(prompt="x" * 1025)
    assert "at most 1024 characters" in field_error(response, "prompt")
    assert Generation.objects.count() == 0


def test_the_text_boxes_carry_firefly_limits_but_no_maxlength_that_drops_characters(
    alice_client, spring_launch
):
    html = alice_client.get(new_url(spring_launch)).content.decode()
    for name, limit in [
        ("prompt", facts.LIMITS["prompt_max_chars"]),
        ("negative_prompt", facts.LIMITS["negative_prompt_max_chars"]),
    ]:
        textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', html)[0]
        assert "maxlength" not in textarea
        assert f'data-max-chars="{limit}"' in textarea


def test_line_breaks_count_once_as_the_counter_and_firefly_count_them(post_form):
    limit = facts.LIMITS["prompt_max_chars"]
    text = "Hero image.\nTeal kettle.\n" + "z" * (limit - 25)
    assert len(text) == limit
    response = post_form(prompt=text.replace("\n", "\r\n"))  # as a browser sends a textarea
    assert response.status_code == 302
    assert Generation.objects.get().prompt == text


def test_a_negative_prompt_over_the_limit_is_refused_on_its_field(post_form):
    limit = facts.LIMITS["negative_prompt_max_chars"]
    response = post_form(negative_prompt="n" * (limit + 1))
    assert f"at most {limit} characters (it has {limit + 1})" in field_error(
        response, "negative_prompt"
    )
    assert Generation.objects.count() == 0


def test_seeds_must_match_the_number_of_variations(post_form):
    response = post_form(num_variations="3", seeds="1, 2")
    assert "one seed per variation" in field_error(response, "seeds")


def test_seeds_must_be_numbers(post_form):
    assert "whole numbers" in field_error(post_form(seeds="one, two"), "seeds")


def test_a_size_the_model_does_not_support_is_refused(post_form, custom_model):
    # 9:16 exists only for Image 4 models; this custom model is on Image 3.
    response = post_form(model=f"custom-{custom_model.pk}", size="1440x2560")
    message = field_error(response, "size")
    assert "not available for Brand Lifestyle" in message


def test_an_unknown_size_is_refused(post_form):
    assert field_error(post_form(size="4000x4000"), "size")


def test_an_unknown_preset_is_refused(post_form):
    response = post_form(style_presets=["golden_hour", "glitter_bomb"])
    assert "Unknown style preset(s): glitter_bomb" in field_error(response, "style_presets")


@pytest.mark.parametrize(
    "change",
    [{"enabled": False}, {"published_state": CustomModel.PublishedState.UNPUBLISHED}],
)
def test_disabled_or_unpublished_custom_models_are_refused(post_form, custom_model, change):
    CustomModel.objects.filter(pk=custom_model.pk).update(**change)
    response = post_form(model=f"custom-{custom_model.pk}", size="2048x2048")
    assert "isn't available" in field_error(response, "model")
    assert Generation.objects.count() == 0


def test_a_model_that_went_missing_at_firefly_is_refused(post_form, custom_model):
    from django.utils import timezone

    CustomModel.objects.filter(pk=custom_model.pk).update(missing_since=timezone.now())
    response = post_form(model=f"custom-{custom_model.pk}", size="2048x2048")
    assert "isn't available any more" in field_error(response, "model")


def test_custom_models_refuse_a_negative_prompt(post_form, custom_model):
    response = post_form(model=f"custom-{custom_model.pk}", negative_prompt="no people")
    assert "doesn't accept a negative prompt" in field_error(response, "negative_prompt")


def test_base_models_accept_a_negative_prompt(post_form):
    assert post_form(negative_prompt="no people").status_code == 302
    assert Generation.objects.get().negative_prompt == "no people"


def test_visual_intensity_is_refused_with_image4_custom_models(post_form):
    model = make_custom_model("Bottle", model_version="image4_custom")
    response = post_form(model=f"custom-{model.pk}", visual_intensity="6")
    assert "isn't available" in field_error(response, "visual_intensity")


def test_visual_intensity_out_of_range_is_refused(post_form):
    assert field_error(post_form(visual_intensity="11"), "visual_intensity")


def test_image4_ultra_makes_one_image(post_form):
    response = post_form(model="image4_ultra", num_variations="4")
    assert "one image per request" in field_error(response, "num_variations")


def test_a_malformed_locale_is_refused(post_form):
    assert field_error(post_form(locale="english"), "locale")


def test_an_archived_campaign_shows_the_services_error_above_the_form(post_form, spring_launch):
    spring_launch.archived = True
    spring_launch.save()
    response = post_form()
    assert response.status_code == 200
    assert "archived" in " ".join(response.context["form"].non_field_errors())


def test_generate_again_prefills_every_setting(alice_client, spring_launch, alice, custom_model):
    source = make_generation(
        spring_launch,
        alice,
        custom_model=custom_model,
        presets=["golden_hour"],
        prompt="a picnic at dusk",
        width=2304,
        height=1792,
        num_variations=3,
        style_strength=70,
        content_class="photo",
        locale="de-DE",
        seeds=[5, 6, 7],
    )
    form = alice_client.get(new_url(spring_launch, f"?from={source.pk}")).context["form"]
    assert form["prompt"].value() == "a picnic at dusk"
    assert form["model"].value() == f"custom-{custom_model.pk}"
    assert form.selected_presets() == ["golden_hour"]
    assert form["size"].value() == "2304x1792"
    assert form["num_variations"].value() == 3
    assert form["style_strength"].value() == 70
    assert form["content_class"].value() == "photo"
    assert form["locale"].value() == "de-DE"
    assert not form["seeds"].value()  # fresh seeds: new variations of the same settings


def test_use_as_a_starting_point_prefills_one_variation_with_that_seed(
    alice_client, finished, spring_launch
):
    generation, images = finished
    url = new_url(spring_launch, f"?from={generation.pk}&seed={images[1].seed}")
    form = alice_client.get(url).context["form"]
    assert form["seeds"].value() == str(images[1].seed)
    assert form["num_variations"].value() == 1


def test_vary_prefills_a_new_seed_with_every_other_setting_the_same(
    alice_client, finished, spring_launch
):
    generation, _images = finished  # seeds 111 and 222
    response = alice_client.get(new_url(spring_launch, f"?from={generation.pk}&vary=222"))
    form = response.context["form"]
    seed = int(form["seeds"].value())
    assert seed not in (111, 222)  # neither image's seed: a different image, not a copy
    assert form["num_variations"].value() == 1
    assert form["prompt"].value() == generation.prompt
    assert form["model"].value() == f"custom-{generation.custom_model_id}"
    assert form.selected_presets() == ["golden_hour", "pastel_color"]
    assert form["size"].value() == "2048x2048"
    assert "with a new seed in place of 222" in response.content.decode()


def test_varying_an_image_never_pays_for_the_same_image_again(
    alice_client, finished, spring_launch
):
    """Follow the image page's Vary button and submit the form as it comes."""
    generation, images = finished
    page = alice_client.get(images[1].get_absolute_url()).content.decode()
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>((?:(?!</a>).)*)</a>', page, re.S)
    [(href, label)] = [(href, label) for href, label in links if "Vary" in label]
    assert "new seed" in label  # the button says what it does
    form_page = alice_client.get(href.replace("&amp;", "&"))
    form = form_page.context["form"]
    data = {name: form[name].value() for name in ("prompt", "model", "size", "num_variations")}
    data.update(
        style_presets=form.selected_presets(),
        style_strength=form["style_strength"].value(),
        seeds=form["seeds"].value(),
        form_token=token_from(form_page),
    )
    alice_client.post(new_url(spring_launch), data)
    varied = Generation.objects.exclude(pk=generation.pk).get()
    assert varied.prompt == generation.prompt
    assert varied.custom_model_id == generation.custom_model_id
    assert varied.style_presets == generation.style_presets
    assert len(varied.seeds) == 1
    assert varied.seeds[0] != images[1].seed


def test_prefill_from_a_generation_the_user_cannot_see_copies_nothing(
    alice_client, spring_launch, autumn_sale, bob
):
    secret = make_generation(autumn_sale, bob, prompt="bob's secret prompt")
    response = alice_client.get(new_url(spring_launch, f"?from={secret.pk}"))
    assert response.status_code == 200
    assert "bob's secret prompt" not in response.content.decode()


def test_prefill_with_a_model_no_longer_available_falls_back(
    alice_client, spring_launch, alice, custom_model
):
    source = make_generation(spring_launch, alice, custom_model=custom_model)
    CustomModel.objects.filter(pk=custom_model.pk).update(enabled=False)
    response = alice_client.get(new_url(spring_launch, f"?from={source.pk}"))
    assert response.context["form"]["model"].value() == "image4_standard"
    assert "no longer available" in response.content.decode()


def test_errors_are_summarised_with_links_to_each_field(post_form):
    html = post_form(prompt="", seeds="x").content.decode()
    assert 'href="#field-prompt"' in html
    assert 'href="#field-seeds"' in html
    assert 'aria-invalid="true"' in html


def test_the_generating_message_names_its_generation_so_the_gallery_can_retire_it(
    alice_client, post_form, spring_launch
):
    response = post_form()
    generation = Generation.objects.get()
    html = alice_client.get(response.url).content.decode()
    assert f'data-message-tags="generation-{generation.pk}"' in html
    assert "Generating 2 images" in html
