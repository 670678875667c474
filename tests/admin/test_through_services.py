"""The admin goes through the studio's services: deleting images removes their files and is
audited as in the studio, a sync is audited once, and a model enabled by its list checkbox is
audited like the action."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from generation.models import AuditEvent, CustomModel, Generation, Image
from tests.factories import make_image

IMAGES = reverse("admin:generation_image_changelist")
MODELS = reverse("admin:generation_custommodel_changelist")

pytestmark = pytest.mark.django_db


def stored_files(images):
    names = []
    for image in images:
        names += [image.original.name, *(r.file.name for r in image.renditions.all())]
    return names


def test_the_delete_action_removes_the_files_after_commit(
    staff_client, generation, django_capture_on_commit_callbacks
):
    images = [make_image(generation, index) for index in range(3)]
    names = stored_files(images)
    assert len(names) == 9
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            IMAGES,
            {
                "action": "delete_selected",
                "_selected_action": [i.pk for i in images],
                "post": "yes",
            },
        )
    assert not Image.objects.exists()
    assert [name for name in names if default_storage.exists(name)] == []
    events = AuditEvent.objects.filter(action=AuditEvent.Action.IMAGE_DELETED)
    assert sorted(int(e.target_id) for e in events) == sorted(i.pk for i in images)


def test_the_delete_view_removes_the_files_after_commit(
    staff_client, staff_user, image, django_capture_on_commit_callbacks
):
    names = stored_files([image])
    url = reverse("admin:generation_image_delete", args=[image.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff_client.post(url, {"post": "yes"})
    assert callbacks, "the files are deleted once the transaction commits"
    assert not Image.objects.filter(pk=image.pk).exists()
    assert [name for name in names if default_storage.exists(name)] == []
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.IMAGE_DELETED)
    assert (event.actor, event.target_id) == (staff_user, str(image.pk))


def test_one_sync_from_the_admin_is_audited_once(staff_client, staff_user, emulator, settings):
    settings.FIREFLY_RATE_LIMIT_PER_MINUTE = 0
    staff_client.post(reverse("admin:generation_custommodel_sync"))
    assert CustomModel.objects.exists()
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.MODEL_SYNCED)
    assert event.actor == staff_user


def test_enabling_by_the_list_checkbox_is_audited_once_like_the_action(
    staff_client, staff_user, custom_model
):
    CustomModel.objects.filter(pk=custom_model.pk).update(enabled=False)

    def save_list(enabled):
        form = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(custom_model.pk),
            "form-0-position": "0",
            "_save": "Save",
        }
        if enabled:
            form["form-0-enabled"] = "on"
        assert staff_client.post(MODELS, form).status_code == 302

    save_list(enabled=True)
    assert CustomModel.objects.get(pk=custom_model.pk).enabled
    save_list(enabled=False)
    assert not CustomModel.objects.get(pk=custom_model.pk).enabled
    events = AuditEvent.objects.order_by("id")
    assert [e.action for e in events] == ["custom_model.enabled", "custom_model.disabled"]
    assert all(e.actor == staff_user and e.target_id == str(custom_model.pk) for e in events)


@pytest.mark.parametrize("how", ["delete view", "delete action"])
def test_deleting_a_generation_removes_its_images_files_after_commit(
    staff_client, generation, how, django_capture_on_commit_callbacks
):
    images = [make_image(generation, index) for index in range(2)]
    names = stored_files(images)
    with django_capture_on_commit_callbacks(execute=True):
        if how == "delete view":
            url = reverse("admin:generation_generation_delete", args=[generation.pk])
            staff_client.post(url, {"post": "yes"})
        else:
            staff_client.post(
                reverse("admin:generation_generation_changelist"),
                {"action": "delete_selected", "_selected_action": [generation.pk], "post": "yes"},
            )
    assert not Generation.objects.filter(pk=generation.pk).exists()
    assert [name for name in names if default_storage.exists(name)] == []
    events = AuditEvent.objects.filter(action=AuditEvent.Action.IMAGE_DELETED)
    assert sorted(int(e.target_id) for e in events) == sorted(i.pk for i in images)


def membership_rows(campaign, *rows):
    """The campaign's change form as posted, with `rows` (pk, user, role, delete) as members."""
    data = {
        "name": campaign.name,
        "slug": campaign.slug,
        "description": "",
        "brand_notes": "",
        "default_custom_model": "",
        "default_style_presets": "[]",
        "default_size": "",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(sum(1 for pk, *_ in rows if pk)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for n, (pk, user, role, delete) in enumerate(rows):
        data.update({f"memberships-{n}-id": pk or "", f"memberships-{n}-campaign": campaign.pk})
        data.update({f"memberships-{n}-user": user.pk, f"memberships-{n}-role": role})
        if delete:
            data[f"memberships-{n}-DELETE"] = "on"
    return data


def test_members_changed_in_the_admin_are_audited_like_on_the_members_page(
    staff_client, staff_user, spring_launch, alice, bob
):
    from generation.models import CampaignMembership

    url = reverse("admin:generation_campaign_change", args=[spring_launch.pk])
    existing = list(CampaignMembership.objects.filter(campaign=spring_launch).order_by("pk"))
    owner = next(m for m in existing if m.role == "owner")
    rows = [(m.pk, m.user, m.role, False) for m in existing]
    response = staff_client.post(
        url, membership_rows(spring_launch, *rows, (None, bob, "approver", False))
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    [added] = AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_ROLE_CHANGED)
    assert (added.actor, added.details["member"], added.details["new"]) == (
        staff_user,
        bob.get_username(),
        "approver",
    )
    # The last owner can't be removed here either.
    others = [(m.pk, m.user, m.role, m.pk == owner.pk) for m in existing]
    others += [
        (
            CampaignMembership.objects.get(user=bob, campaign=spring_launch).pk,
            bob,
            "approver",
            False,
        )
    ]
    response = staff_client.post(url, membership_rows(spring_launch, *others))
    assert response.status_code == 200
    assert "A campaign needs at least one owner." in response.content.decode()
    assert CampaignMembership.objects.filter(pk=owner.pk).exists()


def test_share_links_are_revoked_in_the_admin_through_the_sharing_service(
    staff_client, staff_user, spring_launch, alice
):
    import datetime as dt

    from django.utils import timezone

    from generation.collab import sharing

    link = sharing.share_link_create(
        campaign=spring_launch, user=alice, expires_at=timezone.now() + dt.timedelta(days=3)
    ).link
    change = reverse("admin:generation_sharelink_change", args=[link.pk])
    assert 'name="revoked_at' not in staff_client.get(change).content.decode()
    staff_client.post(
        reverse("admin:generation_sharelink_changelist"),
        {"action": "revoke_links", "_selected_action": [link.pk]},
    )
    link.refresh_from_db()
    assert (link.is_revoked, link.revoked_by) == (True, staff_user)
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.SHARE_REVOKED)
    assert (event.actor, event.target_id) == (staff_user, str(link.pk))
