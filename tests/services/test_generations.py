"""What people do with generations: ask, cancel, retry, pick favourites."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from generation.models import CustomModel, Generation, GenerationPreset, Image
from generation.pipeline.cancel import generation_cancel_at_firefly
from generation.pipeline.generations import generation_cancel, generation_retry, image_set_favourite
from generation.pipeline.submit import generation_submit
from tests.pipeline.support import PASTEL_MODEL_ID, create_generation, poll_now, warm_model

pytestmark = pytest.mark.django_db

Status = Generation.Status


def test_a_valid_request_is_stored_queued_with_a_row_per_preset_and_submitted_after_commit(
    spring_launch, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        generation = create_generation(spring_launch, alice, seeds=(11, 22))

    assert generation.status == Status.QUEUED
    assert generation.requested_by == alice
    assert generation.model_version == "image3"
    assert generation.seeds == [11, 22]
    assert generation.next_poll_at is not None
    assert sorted(GenerationPreset.objects.values_list("preset", flat=True)) == [
        "closeup",
        "golden",
    ]
    assert len(callbacks) == 1  # submit_generation, only once the rows are committed


def test_a_custom_model_brings_its_own_model_version(spring_launch, alice):
    model = warm_model()

    generation = create_generation(spring_launch, alice, model_version=None, custom_model=model)

    assert generation.custom_model == model
    assert generation.model_version == "image3_custom"


def test_invalid_settings_are_reported_per_field_and_nothing_is_stored(spring_launch, alice):
    with pytest.raises(ValidationError) as caught:
        create_generation(spring_launch, alice, prompt=" ", width=1000, height=1000, seeds=(1, 1))

    errors = caught.value.message_dict
    assert "prompt" in errors
    assert "width" in errors
    assert "height" in errors
    assert "seeds" in errors
    assert Generation.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    [{"enabled": False}, {"published_state": CustomModel.PublishedState.UNPUBLISHED}],
    ids=["disabled", "unpublished"],
)
def test_a_custom_model_that_is_not_selectable_is_refused_on_its_field(
    spring_launch, alice, change
):
    model = warm_model(**change)

    with pytest.raises(ValidationError) as caught:
        create_generation(spring_launch, alice, model_version=None, custom_model=model)

    assert "not available" in caught.value.message_dict["custom_model"][0]


def test_a_negative_prompt_with_a_custom_model_is_refused_on_its_field(spring_launch, alice):
    model = warm_model()

    with pytest.raises(ValidationError) as caught:
        create_generation(
            spring_launch, alice, model_version=None, custom_model=model, negative_prompt="dogs"
        )

    assert "negative_prompt" in caught.value.message_dict


def test_an_archived_campaign_takes_no_new_generations(spring_launch, alice):
    spring_launch.archived = True
    spring_launch.save()

    with pytest.raises(ValidationError) as caught:
        create_generation(spring_launch, alice)

    assert NON_FIELD_ERRORS in caught.value.message_dict


def test_someone_outside_the_campaign_cannot_generate_in_it(spring_launch, bob):
    with pytest.raises(PermissionDenied):
        create_generation(spring_launch, bob)


def test_staff_may_generate_in_any_campaign(spring_launch, staff_user):
    assert create_generation(spring_launch, staff_user).pk


def test_cancelling_a_queued_generation_cancels_it_without_calling_firefly(
    emulator, spring_launch, alice
):
    generation = create_generation(spring_launch, alice)

    generation = generation_cancel(generation=generation, user=alice)

    assert generation.status == Status.CANCELLED
    assert generation.cancel_requested
    assert generation_submit(generation_id=generation.pk).outcome == "not_queued"
    assert emulator.state.count("generate") == 0
    assert emulator.state.count("cancel") == 0


def test_cancelling_a_running_generation_cancels_its_job_at_firefly(
    emulator, spring_launch, alice, django_capture_on_commit_callbacks
):
    generation = create_generation(spring_launch, alice)
    generation_submit(generation_id=generation.pk)
    generation.refresh_from_db()

    with django_capture_on_commit_callbacks() as callbacks:
        generation = generation_cancel(generation=generation, user=alice)
    assert generation.status == Status.SUBMITTED
    assert generation.cancel_requested
    assert len(callbacks) == 1  # cancel_generation

    step = generation_cancel_at_firefly(generation_id=generation.pk)

    generation.refresh_from_db()
    assert step.outcome == "cancelled"
    assert generation.status == Status.CANCELLED
    assert emulator.state.count("cancel") == 1
    assert poll_now(generation).outcome == "not_pollable"


def test_a_cancel_asked_for_while_the_submission_is_in_flight_happens_when_it_returns(
    emulator, spring_launch, alice, monkeypatch
):
    from generation.firefly import FireflyClient

    generation = create_generation(spring_launch, alice)
    real_submit = FireflyClient.submit_generation

    def submit_while_the_user_cancels(self, request, **kwargs):
        in_flight = Generation.objects.get(pk=generation.pk)
        assert in_flight.status == Status.SUBMITTED
        assert not in_flight.firefly_job_id
        generation_cancel(generation=in_flight, user=alice)
        return real_submit(self, request, **kwargs)

    monkeypatch.setattr(FireflyClient, "submit_generation", submit_while_the_user_cancels)
    step = generation_submit(generation_id=generation.pk)

    assert step.next_task == "cancel"
    generation.refresh_from_db()
    assert generation.firefly_job_id
    assert generation.cancel_requested
    generation_cancel_at_firefly(generation_id=generation.pk)
    generation.refresh_from_db()
    assert generation.status == Status.CANCELLED
    assert emulator.state.count("generate") == 1
    assert emulator.state.count("cancel") == 1


def test_cancelling_a_finished_generation_changes_nothing(spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    Generation.objects.filter(pk=generation.pk).update(status=Status.SUCCEEDED)
    generation.refresh_from_db()

    generation = generation_cancel(generation=generation, user=alice)

    assert generation.status == Status.SUCCEEDED
    assert not generation.cancel_requested


def test_someone_outside_the_campaign_cannot_cancel(spring_launch, alice, bob):
    generation = create_generation(spring_launch, alice)
    with pytest.raises(PermissionDenied):
        generation_cancel(generation=generation, user=bob)


def test_a_retry_is_a_new_generation_with_the_same_parameters(spring_launch, alice):
    model = warm_model()
    failed = create_generation(
        spring_launch,
        alice,
        model_version=None,
        custom_model=model,
        seeds=(5, 6),
        style_strength=40,
    )
    Generation.objects.filter(pk=failed.pk).update(status=Status.FAILED, error_code="x")
    failed.refresh_from_db()

    retry = generation_retry(generation=failed, user=alice)

    assert retry.pk != failed.pk
    assert retry.retry_of == failed
    assert retry.status == Status.QUEUED
    for name in (
        "prompt",
        "custom_model",
        "model_version",
        "style_presets",
        "style_strength",
        "width",
        "height",
        "num_variations",
        "seeds",
    ):
        assert getattr(retry, name) == getattr(failed, name), name
    assert list(retry.preset_rows.values_list("preset", flat=True).order_by("preset")) == [
        "closeup",
        "golden",
    ]


def test_a_generation_still_in_progress_cannot_be_retried(spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    with pytest.raises(ValidationError):
        generation_retry(generation=generation, user=alice)


@pytest.mark.parametrize(
    ("status", "code", "can_help"),
    [
        (Status.FAILED, "submit_uncertain", True),
        (Status.FAILED, "firefly_busy", True),
        (Status.FAILED, "download_failed", True),
        (Status.FAILED, "quota_exhausted", True),  # once an administrator raised the quota
        (Status.CANCELLED, "cancelled", True),
        (Status.FAILED, "content_policy", False),
        (Status.FAILED, "invalid_request", False),
        (Status.SUCCEEDED, "", False),
        (Status.RUNNING, "", False),
        (Status.QUEUED, "", False),
    ],
)
def test_retry_is_offered_only_where_sending_the_same_request_again_can_help(
    status, code, can_help
):
    assert Generation(status=status, error_code=code).retry_can_help is can_help


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("content_policy", "Adobe's content policy refused it"),
        ("invalid_request", "refused them as invalid"),
    ],
)
def test_a_retry_of_a_request_firefly_refused_itself_is_refused_saying_why(
    spring_launch, alice, code, why
):
    refused = create_generation(spring_launch, alice)
    Generation.objects.filter(pk=refused.pk).update(status=Status.FAILED, error_code=code)
    refused.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        generation_retry(generation=refused, user=alice)

    assert why in caught.value.messages[0]
    assert "Generate again with these settings" in caught.value.messages[0]
    assert not Generation.objects.filter(retry_of=refused).exists()


def test_a_retry_checks_the_custom_model_again(spring_launch, alice):
    model = warm_model()
    failed = create_generation(spring_launch, alice, model_version=None, custom_model=model)
    Generation.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    failed.refresh_from_db()
    CustomModel.objects.filter(pk=model.pk).update(enabled=False)
    failed.custom_model.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        generation_retry(generation=failed, user=alice)
    assert "custom_model" in caught.value.message_dict


def test_an_image4_custom_model_uses_image4_custom(spring_launch, alice):
    model = CustomModel.objects.create(
        asset_id=PASTEL_MODEL_ID, display_name="Pastel", model_version="image4_custom"
    )

    generation = create_generation(
        spring_launch, alice, model_version=None, custom_model=model, width=2048, height=2048
    )

    assert generation.model_version == "image4_custom"


def test_an_image_can_be_marked_and_unmarked_as_favourite(spring_launch, alice):
    generation = create_generation(spring_launch, alice)
    image = Image.objects.create(
        generation=generation,
        campaign=spring_launch,
        index=0,
        original="x.jpg",
        width=8,
        height=8,
        bytes=100,
        checksum="0" * 64,
    )

    assert image_set_favourite(image=image, favourite=True).is_favourite
    image.refresh_from_db()
    assert image.is_favourite
    image_set_favourite(image=image, favourite=False)
    image.refresh_from_db()
    assert not image.is_favourite
