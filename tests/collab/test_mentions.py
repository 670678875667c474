"""@mentions in comments: a name that isn't a campaign member is refused with a specific
message (and the closest member's name) before anything is saved, the comment form keeps what
was written and offers to post it anyway, and a mention followed by punctuation still counts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from generation.collab import comments, review
from generation.models import Comment, Image, Notification


def test_a_comment_naming_someone_outside_the_campaign_is_refused_and_nothing_is_saved(
    images, alice, carol, bob
):
    with pytest.raises(ValidationError) as refused:
        comments.comment_add(
            image=images[0], user=carol, body="@alice love it. cc @alcie and @bob, and @Alcie"
        )
    assert refused.value.code == "unknown_mention"
    assert refused.value.messages == [
        "@alcie (did you mean @alice?) and @bob aren't members of this campaign, "
        "so they wouldn't be notified."
    ]
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_someone_who_has_no_account_reads_the_same_as_someone_outside_the_campaign(
    images, alice, bob
):
    messages = []
    for name in ("bob", "nobody"):
        with pytest.raises(ValidationError) as refused:
            comments.comment_add(image=images[0], user=alice, body=f"ping @{name}")
        messages.append(refused.value.messages[0].replace(name, "NAME"))
    assert (
        messages[0]
        == messages[1]
        == ("@NAME isn't a member of this campaign, so they wouldn't be notified.")
    )


def test_posting_anyway_keeps_the_unknown_name_as_plain_text_and_tells_the_members(
    images, alice, carol
):
    comment = comments.comment_add(
        image=images[0],
        user=carol,
        body="@alice the @2x export is ready",
        allow_unknown_mentions=True,
    )
    assert list(comment.mentions.all()) == [alice]
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["alice"]


def test_a_mention_followed_by_punctuation_notifies_the_member(images, alice, carol):
    comment = comments.comment_add(image=images[0], user=carol, body="Lovely, thanks @alice.")
    assert list(comment.mentions.all()) == [alice]
    assert Notification.objects.get().recipient == alice


def test_an_email_address_is_not_a_mention(images, alice, carol):
    comment = comments.comment_add(image=images[0], user=carol, body="Send it to jo@example.com")
    assert not comment.mentions.exists()


def test_a_decision_whose_comment_names_a_stranger_is_not_taken(images, alice, carol):
    review.review_request(image=images[0], user=alice)
    with pytest.raises(ValidationError, match="@alcie"):
        review.review_decide(
            image=images[0], user=carol, decision="approve", comment="@alcie ship it"
        )
    images[0].refresh_from_db()
    assert images[0].review_state == Image.ReviewState.IN_REVIEW
    assert not Comment.objects.exists()


def test_the_comment_form_gives_back_the_draft_with_the_reason_and_a_post_anyway_button(
    client, images, alice, carol
):
    client.force_login(carol)
    page = reverse("image_detail", args=[images[0].pk])
    url = reverse("image_comment", args=[images[0].pk])
    draft = "@alcie can you warm this up?"

    response = client.post(url, {"body": draft, "next": page + "#comments"})
    assert response["Location"] == page + "#comments"
    assert not Comment.objects.exists()
    html = client.get(page).content.decode()
    assert f">{draft}</textarea>" in html
    assert "@alcie (did you mean @alice?) isn&#x27;t a member of this campaign" in html
    assert 'name="unknown_mentions" value="post"' in html
    # shown once: a reload gives an empty box again
    assert "data-comment-error" not in client.get(page).content.decode()

    client.post(url, {"body": draft, "unknown_mentions": "post"})
    assert Comment.objects.get().body == draft


def test_the_comment_form_lists_the_members_for_autocomplete(client, images, alice, carol):
    client.force_login(alice)
    response = client.get(reverse("image_detail", args=[images[0].pk]))
    people = response.context["mention_people"]
    assert {"username": "carol", "name": "Carol Reyes", "initials": "CR"} in people
    assert 'id="mention-people"' in response.content.decode()
