"""The custom model admin: catalogue list, sharing note, sync, enable/disable, permissions."""

import html
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from generation.firefly.errors import AuthenticationError, FireflyConnectionError, RateLimitedError
from generation.models import CustomModel
from generation.studio import presenters
from tests.factories import make_custom_model, make_generation, make_image

CHANGELIST = reverse("admin:generation_custommodel_changelist")
SYNC_URL = "/admin/generation/custommodel/sync/"
SYNC_PATH = "generation.admin.catalogue.custom_models_sync"
SHARING = "shares it with the technical account"

pytestmark = pytest.mark.django_db


def change_url(model):
    return reverse("admin:generation_custommodel_change", args=[model.pk])


def action(client, name, *models):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [m.pk for m in models], "index": 0},
        follow=True,
    )


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_sync_url_is_the_documented_one():
    assert reverse("admin:generation_custommodel_sync") == SYNC_URL


def test_changelist_shows_the_catalogue_columns_and_recent_output_thumbnails(
    staff_client, custom_model, spring_launch
):
    generation = make_generation(spring_launch, custom_model=custom_model)
    images = [make_image(generation, index) for index in range(4)]
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Spring palette" in page
    assert "clio_v2 2.0.0" in page
    assert 'name="form-0-position"' in page
    assert 'name="form-0-enabled"' in page
    for heading in ("Custom model", "Base model", "At Firefly", "Enabled", "Position"):
        assert heading in page
    # The three latest outputs link to their image pages; the oldest is left out.
    for image in images[1:]:
        assert reverse("admin:generation_image_change", args=[image.pk]) in page
        grid = image.renditions.get(spec="grid")
        assert f'<img src="{presenters.rendition_url(grid)}"' in page
    assert reverse("admin:generation_image_change", args=[images[0].pk]) not in page


def test_recent_outputs_cost_the_same_queries_for_any_number_of_models(staff_client, spring_launch):
    def render_count():
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(CHANGELIST).status_code == 200
        return len(queries)

    def add_model_with_outputs():
        model = make_custom_model()
        generation = make_generation(spring_launch, custom_model=model)
        for index in range(3):
            make_image(generation, index)

    add_model_with_outputs()
    few = render_count()
    for _ in range(4):
        add_model_with_outputs()
    assert render_count() == few


def test_recent_outputs_query_picks_the_latest_three_per_model(spring_launch):
    from generation.admin.media import recent_grid_renditions

    first, second = make_custom_model(), make_custom_model()
    gen_one = make_generation(spring_launch, custom_model=first)
    gen_two = make_generation(spring_launch, custom_model=second)
    one = [make_image(gen_one, i) for i in range(5)]
    two = [make_image(gen_two, 0)]
    make_image(gen_one, 9, renditions=("preview",))  # no grid rendition: not a thumbnail
    found = recent_grid_renditions([first.pk, second.pk])
    assert [r.image_id for r in found[first.pk]] == [i.pk for i in reversed(one[2:])]
    assert [r.image_id for r in found[second.pk]] == [two[0].pk]


def test_changelist_tells_admins_about_sharing_and_the_sync_interval(staff_client, custom_model):
    page = staff_client.get(CHANGELIST).content.decode()
    assert SHARING in page
    assert "Firefly web app" in page
    assert "every 15 minutes" in page
    assert f'action="{SYNC_URL}"' in page
    assert "Sync from Firefly" in page


def test_the_sync_interval_follows_the_beat_schedule(staff_client, settings):
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "sync-custom-models": {"task": "generation.tasks.sync_custom_models", "schedule": 3600.0},
    }
    assert "every 1 hour" in staff_client.get(CHANGELIST).content.decode()


def test_change_form_shows_the_note_and_keeps_firefly_fields_read_only(staff_client, custom_model):
    response = staff_client.get(change_url(custom_model))
    assert response.status_code == 200
    page = response.content.decode()
    assert SHARING in page
    assert "every 15 minutes" in page
    form = response.context["adminform"].form
    assert set(form.fields) == {"enabled", "position", "notes"}


def test_admin_fields_can_be_edited(staff_client, custom_model):
    response = staff_client.post(
        change_url(custom_model),
        {"enabled": "", "position": "7", "notes": "Only for the spring range"},
    )
    assert response.status_code == 302
    custom_model.refresh_from_db()
    assert (custom_model.enabled, custom_model.position) == (False, 7)
    assert custom_model.notes == "Only for the spring range"
    assert custom_model.display_name == "Spring palette"


def test_position_is_editable_in_the_list(staff_client, custom_model):
    response = staff_client.post(
        CHANGELIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(custom_model.pk),
            "form-0-enabled": "on",
            "form-0-position": "3",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    custom_model.refresh_from_db()
    assert custom_model.position == 3


def test_models_cannot_be_added_here(staff_client):
    assert staff_client.get(reverse("admin:generation_custommodel_add")).status_code == 403
    page = staff_client.get(CHANGELIST).content.decode()
    assert reverse("admin:generation_custommodel_add") not in page


def test_delete_is_offered_only_for_unused_models_firefly_no_longer_lists(
    staff_client, custom_model, spring_launch
):
    def delete_url(model):
        return reverse("admin:generation_custommodel_delete", args=[model.pk])

    gone = make_custom_model(missing_since=timezone.now())
    gone_but_used = make_custom_model(missing_since=timezone.now())
    make_generation(spring_launch, custom_model=gone_but_used)

    # Still listed by Firefly (it would come back at the next sync), or used: no delete.
    for model in (custom_model, gone_but_used):
        assert delete_url(model) not in staff_client.get(change_url(model)).content.decode()
        assert staff_client.get(delete_url(model)).status_code == 403
    changelist = staff_client.get(CHANGELIST).content.decode()
    assert 'value="delete_selected"' not in changelist
    assert delete_url(gone) in staff_client.get(change_url(gone)).content.decode()
    staff_client.post(delete_url(gone), {"post": "yes"})
    assert not CustomModel.objects.filter(pk=gone.pk).exists()
    assert CustomModel.objects.filter(pk=custom_model.pk).exists()


def test_search_and_filters(staff_client, custom_model):
    make_custom_model(
        display_name="Mascot",
        asset_id="urn:aaid:sc:VA6C2:mascot",
        training_mode=CustomModel.TrainingMode.SUBJECT,
        sample_prompt="the fox mascot waving",
        base_model_name="image4",
    )
    for query, shown, hidden in (
        ("?q=mascot", "Mascot", "Spring palette"),
        ("?q=fox+mascot", "Mascot", "Spring palette"),
        ("?q=VA6C2%3Amascot", "Mascot", "Spring palette"),
        ("?training_mode__exact=style", "Spring palette", "Mascot"),
        ("?base_model_name=image4", "Mascot", "Spring palette"),
        ("?published_state__exact=published&enabled__exact=1", "Mascot", "nothing hidden"),
    ):
        response = staff_client.get(CHANGELIST + query)
        assert response.status_code == 200, query
        names = [m.display_name for m in response.context["cl"].result_list]
        assert shown in names, query
        assert hidden not in names, query


# --- sync -------------------------------------------------------------------------------------


def sync_result(created=1, updated=2, missing=0):
    return SimpleNamespace(created=created, updated=updated, missing=missing)


def test_the_sync_action_calls_the_service_and_reports_the_counts(
    staff_client, staff_user, custom_model
):
    with mock.patch(SYNC_PATH, return_value=sync_result(2, 5, 1)) as sync:
        response = action(staff_client, "sync_from_firefly", custom_model)
    sync.assert_called_once_with(actor=staff_user)
    assert response.status_code == 200
    assert texts(response) == [
        "Synced custom models from Firefly: 2 new, 5 updated, 1 no longer listed."
    ]


def test_the_sync_button_posts_to_the_sync_url_and_comes_back(staff_client, staff_user):
    with mock.patch(SYNC_PATH, return_value=sync_result(0, 3, 0)) as sync:
        response = staff_client.post(SYNC_URL, follow=True)
    sync.assert_called_once_with(actor=staff_user)
    assert response.redirect_chain == [(CHANGELIST, 302)]
    assert texts(response) == ["Synced custom models from Firefly: 0 new, 3 updated."]


@pytest.mark.parametrize(
    ("retry_after", "when"), [(12.3, "in about 13 seconds"), (0.2, "in about 1 second")]
)
def test_a_rate_limited_sync_says_when_to_try_again(staff_client, retry_after, when):
    with mock.patch(SYNC_PATH, side_effect=RateLimitedError(retry_after=retry_after)):
        response = staff_client.post(SYNC_URL, follow=True)
    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [
        (
            "warning",
            "Sync from Firefly did not run: this app is at its Firefly request limit right now. "
            f"Try again {when}.",
        )
    ]


def test_the_sync_button_syncs_the_emulators_catalogue(staff_client, emulator, settings):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0  # two syncs back to back
    response = staff_client.post(SYNC_URL, follow=True)
    [text] = texts(response)
    created = CustomModel.objects.count()
    assert created > 0
    assert text == f"Synced custom models from Firefly: {created} new, 0 updated."
    page = response.content.decode()
    assert "Fenn the Fox Mascot" in page
    assert "last sync" in page
    # Synced again: nothing new, and the admin's own fields survive.
    CustomModel.objects.update(notes="kept", position=5)
    response = action(staff_client, "sync_from_firefly", CustomModel.objects.first())
    assert texts(response) == ["Synced custom models from Firefly: 0 new, 0 updated."]
    assert set(CustomModel.objects.values_list("notes", "position")) == {("kept", 5)}


def test_a_failed_sync_says_why_without_details_of_the_credentials(staff_client, settings):
    error = AuthenticationError(status=401, error_code="invalid_client", request_id="req-42")
    with mock.patch(SYNC_PATH, side_effect=error):
        response = staff_client.post(SYNC_URL, follow=True)
    [text] = texts(response)
    assert text.startswith("Sync from Firefly failed: We couldn't sign in to Adobe Firefly.")
    assert "HTTP 401" in text
    assert "req-42" in text
    assert settings.FIREFLY_CLIENT_SECRET not in response.content.decode()


def test_an_unreachable_firefly_names_the_endpoint(staff_client, settings):
    with mock.patch(SYNC_PATH, side_effect=FireflyConnectionError()):
        response = staff_client.post(SYNC_URL, follow=True)
    assert texts(response) == [
        "Sync from Firefly failed: We couldn't reach Adobe Firefly; we'll retry automatically. "
        f"(endpoint: {settings.FIREFLY_ENDPOINT})"
    ]


def test_an_unexpected_sync_error_is_reported_not_raised(staff_client):
    with mock.patch(SYNC_PATH, side_effect=RuntimeError("boom with internals")):
        response = staff_client.post(SYNC_URL, follow=True)
    [text] = texts(response)
    assert "unexpected error" in text
    assert "internals" not in text


def test_the_sync_url_is_post_only(staff_client):
    with mock.patch(SYNC_PATH) as sync:
        assert staff_client.get(SYNC_URL).status_code == 405
    sync.assert_not_called()


def test_the_sync_url_needs_a_csrf_token(staff_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    with mock.patch(SYNC_PATH) as sync:
        assert client.post(SYNC_URL).status_code == 403
    sync.assert_not_called()


def test_the_sync_url_needs_change_permission(client):
    from tests.personas import make_user

    viewer = make_user("viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_custommodel"))
    client.force_login(viewer)
    page = client.get(CHANGELIST).content.decode()
    assert SHARING in page
    assert SYNC_URL not in page
    with mock.patch(SYNC_PATH) as sync:
        assert client.post(SYNC_URL).status_code == 403
    sync.assert_not_called()


# --- enable / disable -------------------------------------------------------------------------


def test_enable_and_disable_actions(staff_client, custom_model):
    other = make_custom_model(enabled=False)
    response = action(staff_client, "disable_models", custom_model, other)
    assert not CustomModel.objects.filter(enabled=True).exists()
    assert texts(response)[0].startswith("Disabled 1 custom model;")
    response = action(staff_client, "enable_models", custom_model, other)
    assert CustomModel.objects.filter(enabled=True).count() == 2
    assert texts(response) == ["Enabled 2 custom models."]


def test_enabling_a_model_without_a_model_version_is_refused_with_the_reason(
    staff_client, custom_model
):
    unknown = make_custom_model(
        base_model_name="clio_v3", base_model_version="3.0.0", model_version="", enabled=False
    )
    response = action(staff_client, "enable_models", custom_model, unknown)
    assert not CustomModel.objects.get(pk=unknown.pk).enabled
    assert texts(response)[1].startswith(
        f"“{unknown.display_name}” was not enabled. Pick the model version first: "
        "Firefly's base model “clio_v3 3.0.0” is new to the studio"
    )


def test_enabling_a_model_firefly_does_not_publish_says_it_is_not_offered_yet(staff_client):
    withdrawn = make_custom_model(
        display_name="Withdrawn",
        published_state=CustomModel.PublishedState.UNPUBLISHED,
        enabled=False,
    )
    response = action(staff_client, "enable_models", withdrawn)
    assert CustomModel.objects.get(pk=withdrawn.pk).enabled
    assert texts(response) == [
        "Enabled 1 custom model.",
        "Enabled, but not offered when generating until that changes at Firefly: "
        "“Withdrawn”: unpublished at Firefly.",
    ]


# --- the list shows what the generation form offers -------------------------------------------


def row_cells(page: str, model) -> str:
    """The list's row for `model` (from its link to the end of its row)."""
    start = page.index(change_url(model))
    return page[start : page.index("</tr>", start)]


def test_enabled_is_ticked_only_on_models_the_generation_form_offers(staff_client, spring_launch):
    from generation.studio.forms import GenerationForm

    offered = make_custom_model(display_name="Offered")
    unpublished = make_custom_model(
        display_name="Withdrawn", published_state=CustomModel.PublishedState.UNPUBLISHED
    )
    draft = make_custom_model(
        display_name="Draft", published_state=CustomModel.PublishedState.NEVER
    )
    gone = make_custom_model(display_name="Gone", missing_since=timezone.now())
    unknown = make_custom_model(
        display_name="New base", base_model_name="clio_v3", model_version="", enabled=False
    )

    page = staff_client.get(CHANGELIST).content.decode()

    assert 'type="checkbox"' in row_cells(page, offered)
    assert "checked" in row_cells(page, offered).split("field-enabled")[1]
    for model, reason in (
        (unpublished, "Not offered: unpublished at Firefly"),
        (draft, "Not offered: not published at Firefly yet"),
        (gone, "Not offered: no longer shared with this app at Firefly"),
        (unknown, "Not offered: <a"),
    ):
        enabled_cell = row_cells(page, model).split("field-enabled")[1].split("</td>")[0]
        assert reason in enabled_cell, model
        assert "checkbox" not in enabled_cell, model
    assert "pick its model version" in row_cells(page, unknown)
    form = GenerationForm(campaign=spring_launch)
    assert [m.display_name for m in form.custom_models.values()] == ["Offered"]


def test_saving_the_list_keeps_the_enabled_setting_of_models_not_offered(staff_client):
    unpublished = make_custom_model(published_state=CustomModel.PublishedState.UNPUBLISHED)
    response = staff_client.post(
        CHANGELIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(unpublished.pk),
            "form-0-position": "4",  # no "enabled": its cell has no checkbox
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    unpublished.refresh_from_db()
    assert (unpublished.position, unpublished.enabled) == (4, True)


def test_every_input_in_the_list_is_labelled_with_its_models_name(staff_client, custom_model):
    page = staff_client.get(CHANGELIST).content.decode()
    assert 'aria-label="Position of Spring palette"' in page
    assert 'aria-label="Enable Spring palette"' in page


# --- an unknown base model: the admin picks its model version ---------------------------------


@pytest.fixture
def unknown_base(db):
    return make_custom_model(
        display_name="Nordic Knitwear Look",
        base_model_name="clio_v3",
        base_model_version="3.0.0",
        model_version="",
        enabled=False,
    )


def test_the_change_form_explains_an_unknown_base_model_and_offers_the_model_versions(
    staff_client, unknown_base, custom_model
):
    response = staff_client.get(change_url(unknown_base))
    page = html.unescape(response.content.decode())
    assert "Firefly's base model “clio_v3 3.0.0” is new to the studio" in page
    assert "does not guess" in page
    form = response.context["adminform"].form
    assert set(form.fields) == {"enabled", "chosen_model_version", "position", "notes"}
    assert [value for value, _ in form.fields["chosen_model_version"].choices] == [
        "",
        "image3_custom",
        "image4_custom",
    ]
    known = staff_client.get(change_url(custom_model))
    assert "chosen_model_version" not in known.context["adminform"].form.fields
    assert "new to the studio" not in known.content.decode()


def test_an_unknown_base_model_cannot_be_enabled_without_a_model_version(
    staff_client, unknown_base
):
    response = staff_client.post(
        change_url(unknown_base),
        {"enabled": "on", "chosen_model_version": "", "position": "100", "notes": ""},
    )
    assert response.status_code == 200
    assert "Pick the model version first" in html.unescape(response.content.decode())
    unknown_base.refresh_from_db()
    assert unknown_base.enabled is False


def test_picking_the_model_version_and_enabling_makes_it_offered_and_is_audited(
    staff_client, unknown_base, staff_user
):
    from generation.models import AuditEvent

    response = staff_client.post(
        change_url(unknown_base),
        {
            "enabled": "on",
            "chosen_model_version": "image4_custom",
            "position": "5",
            "notes": "Checked with the owner: Image 4",
        },
    )
    assert response.status_code == 302
    unknown_base.refresh_from_db()
    assert (unknown_base.model_version, unknown_base.enabled) == ("image4_custom", True)
    assert (unknown_base.position, unknown_base.notes) == (5, "Checked with the owner: Image 4")
    assert unknown_base in CustomModel.objects.selectable()
    events = AuditEvent.objects.filter(target_id=str(unknown_base.pk)).order_by("id")
    assert [(e.action, e.actor) for e in events] == [
        (AuditEvent.Action.MODEL_VERSION_CHOSEN, staff_user),
        (AuditEvent.Action.MODEL_ENABLED, staff_user),
    ]
    assert "Custom model (Image 4 base)" in events[0].summary
