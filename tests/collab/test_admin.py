"""The admin: approved images can't be deleted (with a clear message), the audit trail is
read-only, and enabling/disabling custom models is audited."""

import pytest
from django.urls import reverse

from generation.audit import audit_record
from generation.collab import review
from generation.models import AuditEvent, CustomModel, Image


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def approved(images, alice, carol):
    review.review_request(image=images[0], user=alice)
    review.review_decide(image=images[0], user=carol, decision="approve")
    return images[0]


def test_deleting_an_approved_image_is_refused(staff_client, approved):
    url = reverse("admin:generation_image_delete", args=[approved.pk])
    response = staff_client.post(url, {"post": "yes"}, follow=True)
    assert Image.objects.filter(pk=approved.pk).exists()
    assert "approved and therefore locked" in response.content.decode()


def test_bulk_delete_skips_approved_images(staff_client, approved, images):
    url = reverse("admin:generation_image_changelist")
    response = staff_client.post(
        url,
        {
            "action": "delete_selected",
            "_selected_action": [i.pk for i in images],
            "post": "yes",
        },
        follow=True,
    )
    assert list(Image.objects.values_list("pk", flat=True)) == [approved.pk]
    assert "locked" in response.content.decode()


def test_draft_images_can_still_be_deleted(staff_client, images):
    url = reverse("admin:generation_image_delete", args=[images[1].pk])
    staff_client.post(url, {"post": "yes"})
    assert not Image.objects.filter(pk=images[1].pk).exists()


def test_audit_trail_is_read_only_in_the_admin(staff_client, spring_launch, alice):
    event = audit_record(AuditEvent.Action.EXPORT_CREATED, actor=alice, campaign=spring_launch)
    assert staff_client.get(reverse("admin:generation_auditevent_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:generation_auditevent_add")).status_code == 403
    change = reverse("admin:generation_auditevent_change", args=[event.pk])
    page = staff_client.get(change)
    assert page.status_code == 200  # view only
    assert b'name="_save"' not in page.content
    staff_client.post(change, {"summary": "edited"})
    event.refresh_from_db()
    assert event.summary == ""
    delete = reverse("admin:generation_auditevent_delete", args=[event.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_enabling_and_disabling_models_is_audited(staff_client, staff_user):
    from tests.factories import make_custom_model

    model = make_custom_model("Spring palette", enabled=True)
    url = reverse("admin:generation_custommodel_changelist")
    staff_client.post(url, {"action": "disable_models", "_selected_action": [model.pk]})
    staff_client.post(url, {"action": "enable_models", "_selected_action": [model.pk]})
    assert CustomModel.objects.get(pk=model.pk).enabled
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["custom_model.disabled", "custom_model.enabled"]
    assert all(e.actor == staff_user and e.target_id == str(model.pk) for e in events)


def test_admin_deletions_are_audited_and_generations_with_approved_images_kept(
    staff_client, approved, images
):
    from generation.models import Generation

    url = reverse("admin:generation_image_delete", args=[images[2].pk])
    staff_client.post(url, {"post": "yes"})
    assert AuditEvent.objects.filter(action="image.deleted", target_id=str(images[2].pk)).exists()
    generation = approved.generation
    delete = reverse("admin:generation_generation_delete", args=[generation.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:generation_generation_changelist")
    staff_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [generation.pk], "post": "yes"},
    )
    assert Generation.objects.filter(pk=generation.pk).exists()
