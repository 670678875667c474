"""The custom-model catalogue follows what Firefly shares with the credential."""

from datetime import UTC, datetime

import pytest

from generation.firefly import CustomModel as FireflyCustomModel
from generation.firefly import errors
from generation.models import CustomModel
from generation.services import custom_models_sync
from generation.services.catalogue import _fields, model_version_for
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
    from generation import ratelimit

    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 4
    for n in range(3):  # the next three 15-second windows are taken
        ratelimit.reserve("submit", n)

    with pytest.raises(errors.RateLimitedError) as caught:
        custom_models_sync()

    assert 0 < caught.value.retry_after <= 45
    assert emulator.state.count("custom_models") == 0


@pytest.mark.parametrize(
    ("base", "version"),
    [
        ("clio_v2", "image3_custom"),
        ("firefly_image4", "image4_custom"),
        ("some_image4_base", "image4_custom"),
        (None, "image3_custom"),
    ],
)
def test_the_model_version_follows_the_base_model(base, version):
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
