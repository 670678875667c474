"""Review states, locking, comments with @mentions, notifications (in-app and email), members."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from generation.collab import comments, members, notifications, review
from generation.models import AuditEvent, CampaignMembership, Image, Notification

State = Image.ReviewState


def test_request_then_approve_locks_the_image(
    emails_delivered, images, alice, carol, bob, django_capture_on_commit_callbacks
):
    image = images[0]
    with django_capture_on_commit_callbacks(execute=True):
        review.review_request(image=image, user=alice, note="Hero candidate for the banner")
    assert image.review_state == State.IN_REVIEW
    assert image.review_requested_by == alice
    # carol (the approver) is told, in the app and by email
    note = Notification.objects.get(recipient=carol)
    assert note.kind == Notification.Kind.REVIEW_REQUESTED
    assert note.url == f"/images/{image.pk}/"
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]

    with pytest.raises(PermissionDenied):
        review.review_decide(image=image, user=alice, decision="approve")  # owner, not approver
    review.review_decide(image=image, user=carol, decision="approve", comment="Lovely light")
    image.refresh_from_db()
    assert image.review_state == State.APPROVED
    assert image.is_locked
    assert image.reviewed_by == carol
    assert image.comments.get(decision=State.APPROVED).body == "Lovely light"
    assert Notification.objects.get(recipient=alice).kind == Notification.Kind.REVIEW_DECIDED

    with pytest.raises(ValidationError, match="locked"):
        review.image_delete(image=image, user=alice)
    with pytest.raises(ValidationError):
        review.review_request(image=image, user=alice)  # approved: can't go back
    assert Image.objects.filter(pk=image.pk).exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["review.requested", "review.approved"]


@pytest.mark.parametrize(
    ("decision", "state"),
    [("changes", State.CHANGES_REQUESTED), ("reject", State.REJECTED)],
)
def test_changes_and_rejection_can_be_reviewed_again(images, alice, carol, decision, state):
    image = images[0]
    review.review_request(image=image, user=alice)
    review.review_decide(image=image, user=carol, decision=decision, comment="Warmer, please")
    assert image.review_state == state
    with pytest.raises(ValidationError, match="not in review"):
        review.review_decide(image=image, user=carol, decision="approve")
    review.review_request(image=image, user=alice)
    assert image.review_state == State.IN_REVIEW
    assert image.reviewed_by is None


def test_staff_may_decide_and_outsiders_may_not_request(images, alice, bob, staff_user):
    with pytest.raises(PermissionDenied):
        review.review_request(image=images[0], user=bob)
    review.review_request(image=images[0], user=alice)
    review.review_decide(image=images[0], user=staff_user, decision="reject", comment="Off brief")
    assert images[0].review_state == State.REJECTED


def test_unapproved_images_can_be_deleted_with_an_audit_event(
    images, dave, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    image = images[1]
    name = image.original.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        review.image_delete(image=image, user=dave)
    assert not Image.objects.filter(pk=image.pk).exists()
    assert not default_storage.exists(name)
    event = AuditEvent.objects.get(action="image.deleted")
    assert event.actor == dave
    assert event.target_id == str(image.pk)


def test_mentions_notify_members_only_and_the_requester(
    emails_delivered, images, alice, carol, dave, bob, django_capture_on_commit_callbacks
):
    image = images[0]
    review.review_request(image=image, user=dave)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comments.comment_add(
            image=image,
            user=carol,
            body="@alice can we warm it up? cc @bob @nobody",
            allow_unknown_mentions=True,  # "post anyway": otherwise refused (test_mentions.py)
        )
    assert list(comment.mentions.all()) == [alice]  # bob isn't in the campaign
    notes = {n.recipient.username: n.kind for n in Notification.objects.all()}
    assert notes == {"alice": "mention", "dave": "comment"}
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "dave@example.com"]


def test_comment_validation(images, alice, bob):
    with pytest.raises(ValidationError):
        comments.comment_add(image=images[0], user=alice, body="   ")
    with pytest.raises(PermissionDenied):
        comments.comment_add(image=images[0], user=bob, body="hi")


def test_email_failures_never_break_the_review(
    images, alice, carol, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        review.review_request(image=images[0], user=alice)
    assert Notification.objects.filter(recipient=carol).exists()


def test_roles_are_managed_by_owners_and_keep_an_owner(spring_launch, alice, dave, carol):
    with pytest.raises(PermissionDenied):
        members.membership_set_role(campaign=spring_launch, user=dave, member=dave, role="owner")
    members.membership_set_role(campaign=spring_launch, user=alice, member=dave, role="approver")
    assert CampaignMembership.objects.get(user=dave).role == "approver"
    with pytest.raises(ValidationError, match="owner"):
        members.membership_set_role(campaign=spring_launch, user=alice, member=alice, role="member")
    with pytest.raises(ValidationError, match="owner"):
        members.membership_remove(campaign=spring_launch, user=alice, member=alice)
    members.membership_remove(campaign=spring_launch, user=alice, member=carol)
    assert not CampaignMembership.objects.filter(user=carol).exists()
    assert AuditEvent.objects.filter(action="member.role_changed").count() == 2
