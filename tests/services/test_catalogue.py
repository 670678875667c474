"""The custom-model catalogue follows what Firefly shares with the credential."""

from datetime import UTC, datetime

import pytest

from generation.firefly import CustomModel as FireflyCustomModel
from generation.firefly import errors
from generation.models import CustomModel
from generation.pipeline.catalogue import _fields, custom_models_sync, model_version_for
from tests.pipeline.support import PASTEL_MODEL_ID, WARM_MODEL_ID

pytestmark = pytest.mark.django_db


def test_the_first_sync_creates_every_model_firefly_lists(emulator):
    result = custom_models_sync()

    listed = len(emulator.state.custom_models())
    assert result.created == listed
    assert result.updated == 0
    assert result.missing == 0
    assert CustomModel.objects.count() == listed
    warm = CustomModel.objects.get(asset_id=WARM_MODEL_ID)
    assert warm.display_name == "Warm Custom Model"
    assert warm.training_mode == "style"
    assert warm.base_model_name == "clio_v2"
    assert warm.base_model_version == "2.0.0"
    assert warm.model_version == "image3_custom"
    assert warm.published_state == CustomModel.PublishedState.PUBLISHED
    assert warm.firefly_created_at == datetime(2025, 12, 11, 14, 44, 48, 871000, tzinfo=UTC)
    assert warm.size_bytes
    assert warm.etag
    assert warm.last_synced_at
    pastel = CustomModel.objects.get(asset_id=PASTEL_MODEL_ID)
    assert pastel.model_version == "image4_custom"
    states = set(CustomModel.objects.values_list("published_state", flat=True))
    assert states == {"published", "unpublished", "never"}


def test_a_second_sync_changes_nothing_and_keeps_the_admins_fields(emulator):
    custom_models_sync()
    CustomModel.objects.filter(asset_id=WARM_MODEL_ID).update(
        enabled=False, notes="Only for the spring campaign", position=3, display_name="Renamed"
    )

    result = custom_models_sync()

    assert result.created == 0
    assert result.missing == 0
    assert result.updated == 1  # the display name came back from Firefly
    warm = CustomModel.objects.get(asset_id=WARM_MODEL_ID)
    assert warm.display_name == "Warm Custom Model"
    assert (warm.enabled, warm.notes, warm.position) == (False, "Only for the spring campaign", 3)


def test_a_model_no_longer_listed_is_marked_missing_not_deleted_and_comes_back(emulator):
    gone = CustomModel.objects.create(asset_id="urn:aaid:sc:VA6C2:gone", display_name="Old look")

    first = custom_models_sync()

    gone.refresh_from_db()
    assert first.missing == 1
    assert gone.missing_since is not None
    assert custom_models_sync().missing == 0  # already marked

    emulator.state.add_custom_model(
        {
            "asset_id": gone.asset_id,
            "display_name": "Old look",
            "training_mode": "style",
            "base_model": "clio_v2",
            "published_state": "published",
            "created": "2026-01-01T00:00:00Z",
            "modified": "2026-01-02T00:00:00Z",
            "sample_prompt": "",
        }
    )
    again = custom_models_sync()

    gone.refresh_from_db()
    assert again.updated >= 1
    assert gone.missing_since is None


def test_a_failed_listing_changes_nothing(emulator):
    emulator.state.add_faults({"match": "custom_models", "kind": "error", "status": 403})
    with pytest.raises(errors.FireflyError):
        custom_models_sync()
    assert CustomModel.objects.count() == 0


def test_all_pages_are_read(emulator):
    for number in range(60):
        emulator.state.add_custom_model(
            {
                "asset_id": f"urn:aaid:sc:VA6C2:extra-{number:03d}",
                "display_name": f"Extra {number}",
                "training_mode": "style",
                "base_model": "clio_v2",
                "published_state": "published",
                "created": "2026-01-01T00:00:00Z",
                "modified": "2026-01-02T00:00:00Z",
                "sample_prompt": "",
            }
        )

    result = custom_models_sync()

    assert result.created == len(emulator.state.custom_models())
    assert emulator.state.count("custom_models") >= 2


def test_the_sync_waits_for_a_rate_limit_slot(emulator, settings):
    from generation.pipeline import ratelimit

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4
    for n in range(3):  # the next three 15-second windows are taken
        ratelimit.reserve("submit", n)

    with pytest.raises(errors.RateLimitedError) as caught:
        custom_models_sync()

    # The current slot and the next two are taken: the sync's slot starts within three widths.
    assert 0 < caught.value.retry_after <= 3 * ratelimit.slot_width()
    assert emulator.state.count("custom_models") == 0


@pytest.mark.parametrize(
    ("base", "version"),
    [
        ("clio_v2", "image3_custom"),
        ("firefly_image4", "image4_custom"),
        # Unknown bases get no version at all, however their names read: never a guess.
        ("clio_v3", None),
        ("some_image4_base", None),
        (None, None),
    ],
)
def test_the_model_version_follows_the_base_model_and_is_never_guessed(base, version):
    assert model_version_for(base) == version


def test_epoch_millisecond_dates_are_understood():
    item = FireflyCustomModel.from_payload(
        {
            "assetId": "a",
            "displayName": "A",
            "createdDate": 1733928288871,
            "modifiedDate": "2026-01-02T03:04:05Z",
            "publishedState": "weird",
        }
    )

    fields = _fields(item)

    assert fields["firefly_created_at"] == datetime(2024, 12, 11, 14, 44, 48, 871000, tzinfo=UTC)
    assert fields["firefly_modified_at"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert fields["published_state"] == "never"


# --- custom models on a base model the studio does not know -----------------------------------

#: The emulator's seeded "Nordic Knitwear Look": base clio_v3, unknown to the studio, which
#: Firefly (the emulator) only generates with image4_custom.
NORDIC_MODEL_ID = "urn:aaid:sc:VA6C2:7c4e1b90-3f2d-4a6e-b8c1-d05e9f2a6b34"


def test_a_model_on_an_unknown_base_model_is_synced_disabled_without_a_guessed_version(emulator):
    custom_models_sync()

    nordic = CustomModel.objects.get(asset_id=NORDIC_MODEL_ID)
    assert (nordic.base_model_name, nordic.base_model_version) == ("clio_v3", "3.0.0")
    assert nordic.model_version == ""
    assert nordic.enabled is False
    assert nordic not in CustomModel.objects.selectable()
    assert nordic.not_offered_because() == "its model version has not been picked"
    warm = CustomModel.objects.get(asset_id=WARM_MODEL_ID)
    assert (warm.model_version, warm.enabled) == ("image3_custom", True)


def test_a_generation_is_never_requested_with_a_guessed_model_version(
    emulator, spring_launch, alice
):
    from django.core.exceptions import ValidationError

    from generation.models import Generation
    from generation.pipeline.generations import generation_create

    custom_models_sync()
    nordic = CustomModel.objects.get(asset_id=NORDIC_MODEL_ID)
    CustomModel.objects.filter(pk=nordic.pk).update(enabled=True)  # even if someone forces it
    nordic.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        generation_create(
            campaign=spring_launch,
            user=alice,
            prompt="knitwear on a porch",
            custom_model=nordic,
            width=2048,
            height=2048,
        )

    assert "custom_model" in caught.value.message_dict
    assert not Generation.objects.exists()
    assert emulator.state.count("generate") == 0


def test_a_model_enabled_with_a_guessed_version_is_disabled_by_the_next_sync(emulator):
    from generation.models import AuditEvent

    CustomModel.objects.create(  # as an older sync left it: guessed Image 3, enabled
        asset_id=NORDIC_MODEL_ID,
        display_name="Nordic Knitwear Look",
        base_model_name="clio_v3",
        base_model_version="3.0.0",
        model_version="image3_custom",
        enabled=True,
    )

    custom_models_sync()

    nordic = CustomModel.objects.get(asset_id=NORDIC_MODEL_ID)
    assert (nordic.model_version, nordic.enabled) == ("", False)
    event = AuditEvent.objects.get(action=AuditEvent.Action.MODEL_DISABLED)
    assert event.actor is None
    assert event.target_id == str(nordic.pk)
    assert "base model is unknown" in event.summary


def test_the_admins_model_version_is_used_kept_by_syncs_and_accepted_by_firefly(
    emulator, spring_launch, alice, staff_user
):
    from generation.models import AuditEvent
    from generation.pipeline.catalogue import custom_model_choose_version, custom_models_set_enabled
    from generation.pipeline.generations import generation_create
    from generation.pipeline.submit import generation_submit

    custom_models_sync()
    nordic = CustomModel.objects.get(asset_id=NORDIC_MODEL_ID)
    assert custom_models_set_enabled([nordic], enabled=True, actor=staff_user).refused

    custom_model_choose_version(nordic, "image4_custom", actor=staff_user)
    result = custom_models_set_enabled([nordic], enabled=True, actor=staff_user)
    custom_models_sync()

    assert result.changed == [nordic]
    nordic.refresh_from_db()
    assert (nordic.chosen_model_version, nordic.model_version) == ("image4_custom",) * 2
    assert nordic in CustomModel.objects.selectable()
    actions = list(
        AuditEvent.objects.filter(actor=staff_user).order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditEvent.Action.MODEL_VERSION_CHOSEN, AuditEvent.Action.MODEL_ENABLED]

    generation = generation_create(
        campaign=spring_launch,
        user=alice,
        prompt="chunky wool sweaters on a snowy porch",
        custom_model=nordic,
        width=2048,
        height=2048,
    )
    generation_submit(generation_id=generation.pk)

    generation.refresh_from_db()
    assert generation.model_version == "image4_custom"
    assert generation.status == generation.Status.SUBMITTED
    [submitted] = emulator.state.requests("generate")
    assert submitted["headers"]["x-model-version"] == "image4_custom"


def test_a_model_version_cannot_be_chosen_for_a_known_base_model_or_made_up(emulator):
    from django.core.exceptions import ValidationError

    from generation.pipeline.catalogue import custom_model_choose_version

    custom_models_sync()
    warm = CustomModel.objects.get(asset_id=WARM_MODEL_ID)
    nordic = CustomModel.objects.get(asset_id=NORDIC_MODEL_ID)

    with pytest.raises(ValidationError):
        custom_model_choose_version(warm, "image4_custom", actor=None)
    with pytest.raises(ValidationError):
        custom_model_choose_version(nordic, "image5", actor=None)

    warm.refresh_from_db()
    nordic.refresh_from_db()
    assert warm.model_version == "image3_custom"
    assert nordic.model_version == ""
