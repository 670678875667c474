"""Review rules a real team relies on: whoever made an image or asked for its review doesn't decide
it (a campaign setting, on by default, owners only), and sending an image back — changes
requested or rejected — always says why, wherever the decision is made."""

import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from generation.collab import review
from generation.models import AuditEvent, Campaign, CampaignMembership, Comment, Image, Notification
from tests.factories import make_generation, make_image
from tests.personas import make_user

State = Image.ReviewState


@pytest.fixture
def erin(spring_launch):
    """A second approver in alice's campaign."""
    user = make_user("erin")
    CampaignMembership.objects.create(
        campaign=spring_launch, user=user, role=CampaignMembership.Role.APPROVER
    )
    return user


@pytest.fixture
def carols_image(spring_launch, carol):
    """An image carol (an approver) generated herself."""
    return make_image(make_generation(spring_launch, carol), 0)


def _decide_fields(page_html: str, image: Image) -> dict:
    """The hidden fields of the decision form for `image` on a rendered page."""
    action = reverse("image_review_decide", args=[image.pk])
    form = page_html[page_html.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    found = re.findall(r'type="hidden" name="(next|back)" value="([^"]*)"', form)
    return {name: html.unescape(value) for name, value in found}


# --- Requesters cannot approve their own images -------------------------------------------------


def test_new_campaigns_keep_requesters_from_approving_their_own_images(client_for, alice):
    client = client_for(alice)
    page = client.get(reverse("campaign_create")).content.decode()
    assert re.search(r'<input[^>]*name="requesters_cannot_approve"[^>]*checked', page)
    assert Campaign._meta.get_field("requesters_cannot_approve").default is True


@pytest.mark.parametrize("decision", ["approve", "changes", "reject"])
def test_an_approver_cannot_decide_a_review_they_asked_for(images, carol, erin, decision):
    image = images[0]
    review.review_request(image=image, user=carol)

    with pytest.raises(PermissionDenied, match="You asked for this review"):
        review.review_decide(image=image, user=carol, decision=decision, comment="Looks good")
    image.refresh_from_db()
    assert image.review_state == State.IN_REVIEW
    assert not Comment.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["review.requested"]

    review.review_decide(image=image, user=erin, decision="approve")
    assert image.review_state == State.APPROVED


def test_an_approver_cannot_decide_on_an_image_they_generated(carols_image, alice, carol, erin):
    review.review_request(image=carols_image, user=alice)
    with pytest.raises(PermissionDenied, match="You made this image"):
        review.review_decide(image=carols_image, user=carol, decision="approve")
    assert Image.objects.get(pk=carols_image.pk).review_state == State.IN_REVIEW
    review.review_decide(image=carols_image, user=erin, decision="approve")
    assert carols_image.review_state == State.APPROVED


def test_staff_are_held_to_the_rule_too(spring_launch, staff_user, erin):
    image = make_image(make_generation(spring_launch, staff_user), 0)
    review.review_request(image=image, user=staff_user)
    with pytest.raises(PermissionDenied, match="You asked for this review"):
        review.review_decide(image=image, user=staff_user, decision="approve")


def test_with_the_rule_off_an_approver_may_decide_their_own_request(
    spring_launch, carols_image, carol
):
    spring_launch.requesters_cannot_approve = False
    spring_launch.save()
    image = Image.objects.select_related("campaign").get(pk=carols_image.pk)
    review.review_request(image=image, user=carol)
    review.review_decide(image=image, user=carol, decision="approve")
    assert image.review_state == State.APPROVED


def test_the_requester_sees_why_they_cannot_decide_on_every_review_page(
    client_for, images, spring_launch, carol
):
    for image in images[:2]:
        review.review_request(image=image, user=carol)
    client = client_for(carol)
    pages = [
        reverse("image_detail", args=[images[0].pk]),
        reverse("review_queue", args=[spring_launch.slug]),
        reverse("compare", args=[spring_launch.slug]) + f"?ids={images[0].pk},{images[1].pk}",
    ]
    for url in pages:
        page_html = client.get(url).content.decode()
        assert "data-decision-form" not in page_html, url
        assert "You asked for this review" in page_html, url


def test_a_decision_posted_by_the_requester_anyway_is_refused_with_a_message(
    client_for, images, carol
):
    image = images[0]
    review.review_request(image=image, user=carol)
    url = reverse("image_detail", args=[image.pk])
    response = client_for(carol).post(
        reverse("image_review_decide", args=[image.pk]),
        {"decision": "approve", "next": url, "back": url},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url
    assert "You asked for this review" in response.content.decode()
    assert Image.objects.get(pk=image.pk).review_state == State.IN_REVIEW


def test_only_owners_change_the_rule(client_for, spring_launch, alice, dave):
    url = reverse("campaign_edit", args=[spring_launch.slug])
    client_for(alice).post(url, {"name": "Spring launch"})  # the box unticked
    spring_launch.refresh_from_db()
    assert spring_launch.requesters_cannot_approve is False

    client = client_for(dave)
    page = client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="requesters_cannot_approve"[^>]*disabled', page)
    assert "Only the campaign's owners change this." in page
    client.post(url, {"name": "Spring launch", "requesters_cannot_approve": "on"})
    spring_launch.refresh_from_db()
    assert spring_launch.requesters_cannot_approve is False


# --- A comment for changes requested and rejected -------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "message"),
    [("changes", "asking for changes needs a comment"), ("reject", "rejecting an image needs")],
)
@pytest.mark.parametrize("comment", ["", "   \n "])
def test_sending_an_image_back_needs_a_comment_and_saves_nothing_without_one(
    images, alice, carol, decision, message, comment
):
    image = images[0]
    review.review_request(image=image, user=alice)
    notified = Notification.objects.count()
    with pytest.raises(ValidationError, match=message):
        review.review_decide(image=image, user=carol, decision=decision, comment=comment)
    image.refresh_from_db()
    assert image.review_state == State.IN_REVIEW
    assert image.reviewed_by is None
    assert not Comment.objects.exists()
    assert Notification.objects.count() == notified
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["review.requested"]


def test_approving_needs_no_comment(images, alice, carol):
    review.review_request(image=images[0], user=alice)
    review.review_decide(image=images[0], user=carol, decision="approve", comment="")
    assert images[0].review_state == State.APPROVED


@pytest.mark.parametrize("page", ["image", "queue", "compare"])
def test_changes_without_a_comment_are_refused_where_they_were_asked_for(
    client_for, images, spring_launch, alice, carol, page
):
    for image in images:
        review.review_request(image=image, user=alice)
    first = images[0]
    url = {
        "image": reverse("image_detail", args=[first.pk]),
        "queue": reverse("review_queue", args=[spring_launch.slug]) + f"?image={first.pk}",
        "compare": reverse("compare", args=[spring_launch.slug])
        + f"?ids={first.pk}&ids={images[1].pk}",
    }[page]
    client = client_for(carol)
    page_html = client.get(url).content.decode()
    assert "needed to ask for changes or reject" in page_html
    fields = _decide_fields(page_html, first)

    response = client.post(
        reverse("image_review_decide", args=[first.pk]),
        {"decision": "changes", "comment": "", **fields},
        follow=True,
    )
    # Back on the same page and the same image (the queue does not move on), told why.
    assert response.redirect_chain[-1][0] == url
    assert "asking for changes needs a comment" in response.content.decode()
    first.refresh_from_db()
    assert first.review_state == State.IN_REVIEW

    response = client.post(
        reverse("image_review_decide", args=[first.pk]),
        {"decision": "changes", "comment": "Warmer light, please", **fields},
        follow=True,
    )
    first.refresh_from_db()
    assert first.review_state == State.CHANGES_REQUESTED
    assert first.comments.get().body == "Warmer light, please"
