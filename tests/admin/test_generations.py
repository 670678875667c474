"""The generation admin: list, status badge, read-only pipeline, Retry and Cancel actions."""

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from generation.firefly.errors import ConflictError
from generation.models import Generation
from tests.factories import make_generation, make_image

CHANGELIST = reverse("admin:generation_generation_changelist")
RETRY = "generation.admin.generations.generation_retry"
CANCEL = "generation.admin.generations.generation_cancel"

pytestmark = pytest.mark.django_db


def change_url(generation):
    return reverse("admin:generation_generation_change", args=[generation.pk])


def run_action(client, name, *generations):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [g.pk for g in generations], "index": 0},
        follow=True,
    )


def texts(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_changelist_shows_status_badges_campaign_requester_and_model(staff_client, generation):
    failed = make_generation(generation.campaign, status=Generation.Status.FAILED)
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span class="ff-badge ff-badge-queued">Queued</span>' in page
    assert '<span class="ff-badge ff-badge-failed">Failed</span>' in page
    assert "Spring launch" in page
    assert "alice" in page
    assert "Spring palette" in page
    assert "a lighthouse at dawn" in page
    assert {g.pk for g in response.context["cl"].result_list} == {generation.pk, failed.pk}


def test_status_filter_search_and_date_hierarchy(staff_client, generation):
    make_generation(
        generation.campaign,
        prompt="a red kite",
        status=Generation.Status.SUCCEEDED,
        firefly_job_id="job-7f3a",
    )

    def prompts(query):
        response = staff_client.get(CHANGELIST + query)
        assert response.status_code == 200, query
        return [g.prompt for g in response.context["cl"].result_list]

    assert prompts("?status__exact=succeeded") == ["a red kite"]
    assert prompts("?q=lighthouse") == ["a lighthouse at dawn"]
    assert prompts("?q=job-7f3a") == ["a red kite"]
    year = generation.created_at.year
    assert len(prompts(f"?created_at__year={year}")) == 2
    assert len(prompts(f"?created_at__year={year - 1}")) == 0


def test_change_page_is_read_only_and_shows_the_images(staff_client, generation):
    image = make_image(generation)
    response = staff_client.get(change_url(generation))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields) == set()
    page = response.content.decode()
    assert "ff-badge-queued" in page
    assert reverse("admin:generation_image_change", args=[image.pk]) in page
    assert 'name="_save"' not in page


def test_generations_are_not_added_here(staff_client):
    assert staff_client.get(reverse("admin:generation_generation_add")).status_code == 403


def test_html_in_a_prompt_is_escaped(staff_client, spring_launch):
    generation = make_generation(spring_launch, prompt='<img src=x onerror="alert(1)"> beach')
    for url in (CHANGELIST, change_url(generation)):
        page = staff_client.get(url).content.decode()
        assert "<img src=x" not in page
        assert "&lt;img src=x" in page


# --- Retry and Cancel -------------------------------------------------------------------------


def test_retry_calls_the_service_for_each_row_and_reports_each_outcome(
    staff_client, staff_user, generation
):
    other = make_generation(generation.campaign, status=Generation.Status.FAILED)
    stuck = make_generation(generation.campaign, status=Generation.Status.RUNNING)
    retried = make_generation(generation.campaign, retry_of=other, status=Generation.Status.QUEUED)

    def retry(*, generation, user):
        if generation.pk == stuck.pk:
            raise ValidationError("Only failed or cancelled generations can be retried.")
        return retried

    with mock.patch(RETRY, side_effect=retry) as service:
        response = run_action(staff_client, "retry_generations", stuck, other)
    assert [c.kwargs["generation"].pk for c in service.call_args_list] == [other.pk, stuck.pk]
    assert all(c.kwargs["user"] == staff_user for c in service.call_args_list)
    assert texts(response) == [
        ("success", f"Generation {other.pk}: retried as generation {retried.pk}."),
        (
            "error",
            f"Generation {stuck.pk} could not be retried: "
            "Only failed or cancelled generations can be retried.",
        ),
    ]


def test_cancel_calls_the_service_for_each_active_row_and_reports_each_outcome(
    staff_client, staff_user, generation
):
    running = make_generation(
        generation.campaign, status=Generation.Status.RUNNING, firefly_job_id="job-1"
    )
    done = make_generation(generation.campaign, status=Generation.Status.SUCCEEDED)
    broken = make_generation(generation.campaign, status=Generation.Status.SUBMITTED)

    def cancel(*, generation, user):
        assert user == staff_user
        if generation.pk == broken.pk:
            raise ConflictError(status=409, error_code="job_completed")
        if generation.status == Generation.Status.QUEUED:
            generation.status = Generation.Status.CANCELLED
        generation.cancel_requested = True
        return generation

    with mock.patch(CANCEL, side_effect=cancel) as service:
        response = run_action(staff_client, "cancel_generations", generation, running, done, broken)
    assert sorted(c.kwargs["generation"].pk for c in service.call_args_list) == sorted(
        [generation.pk, running.pk, broken.pk]
    )
    assert texts(response) == [
        ("success", f"Generation {generation.pk}: cancelled."),
        (
            "success",
            f"Generation {running.pk}: cancel requested; it stops as soon as Firefly confirms.",
        ),
        ("warning", f"Generation {done.pk}: already done, nothing to cancel."),
        (
            "error",
            f"Generation {broken.pk} could not be cancelled: "
            "The job had already finished or been cancelled.",
        ),
    ]


def test_an_unexpected_error_in_one_row_does_not_stop_the_others(staff_client, generation):
    second = make_generation(generation.campaign, status=Generation.Status.QUEUED)
    calls = []

    def cancel(*, generation, user):
        calls.append(generation.pk)
        if len(calls) == 1:
            raise RuntimeError("database hiccup at 10.0.0.5")
        return generation

    with mock.patch(CANCEL, side_effect=cancel):
        response = run_action(staff_client, "cancel_generations", generation, second)
    assert calls == sorted([generation.pk, second.pk])
    outcome = texts(response)
    assert [level for level, _ in outcome] == ["error", "success"]
    assert "unexpected error" in outcome[0][1]
    assert "10.0.0.5" not in outcome[0][1]


# --- the same actions with the real services (no Firefly call is made) --------------------------


def test_cancel_with_the_real_service_cancels_a_queued_generation(staff_client, generation):
    response = run_action(staff_client, "cancel_generations", generation)
    generation.refresh_from_db()
    assert generation.status == Generation.Status.CANCELLED
    assert texts(response) == [("success", f"Generation {generation.pk}: cancelled.")]


def test_retry_with_the_real_service(staff_client, staff_user, generation):
    Generation.objects.filter(pk=generation.pk).update(status=Generation.Status.FAILED)
    running = make_generation(generation.campaign, status=Generation.Status.RUNNING)
    response = run_action(staff_client, "retry_generations", generation, running)
    retry = Generation.objects.get(retry_of=generation)
    assert (retry.status, retry.prompt, retry.requested_by) == (
        Generation.Status.QUEUED,
        generation.prompt,
        staff_user,
    )
    assert texts(response) == [
        ("success", f"Generation {generation.pk}: retried as generation {retry.pk}."),
        (
            "error",
            f"Generation {running.pk} could not be retried: "
            "This generation is still in progress; cancel it first.",
        ),
    ]
