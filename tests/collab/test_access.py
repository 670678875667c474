"""The access object: every rule of who may do what in a campaign, asked of one
`CampaignAccess` built once per request (one query, or none from memberships already loaded)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from generation import access
from generation.collab import comments, review
from generation.models import Campaign, CampaignMembership

# who → (view/generate/edit/comment/export/delete, review, manage)
EXPECTED = {
    "alice": (True, False, True),  # owner
    "carol": (True, True, False),  # approver
    "dave": (True, False, False),  # member
    "sam": (True, True, True),  # staff, not a member
    "bob": (False, False, False),  # outsider
    None: (False, False, False),  # anonymous
}


@pytest.fixture
def people(alice, carol, dave, staff_user, bob):
    return {"alice": alice, "carol": carol, "dave": dave, "sam": staff_user, "bob": bob}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_role_may_do_what_the_rules_say(people, spring_launch, who):
    user = people.get(who) or AnonymousUser()
    rights = access.for_campaign(user, spring_launch)
    member, reviews, manages = EXPECTED[who]
    every_member_may = [
        rights.can_view,
        rights.can_generate,
        rights.can_edit,
        rights.can_request_review,
        rights.can_comment,
        rights.can_export,
        rights.can_delete_images,
    ]
    assert every_member_may == [member] * len(every_member_may)
    assert rights.can_review is reviews
    assert rights.can_manage is manages
    # The query form of the same rule: the campaigns a person sees at all.
    visible = Campaign.objects.visible_to(user).filter(pk=spring_launch.pk).exists()
    assert visible is rights.can_view


def test_built_with_one_query_or_none_from_loaded_memberships(
    spring_launch, carol, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rights = access.for_campaign(carol, spring_launch)
        assert (rights.can_review, rights.can_comment, rights.can_manage) == (True, True, False)
    memberships = list(CampaignMembership.objects.filter(campaign=spring_launch))
    with django_assert_num_queries(0):
        assert access.for_campaign(carol, spring_launch, memberships=memberships).can_review


def test_a_service_asks_the_access_it_is_given_and_never_another_persons(
    spring_launch, images, alice, carol, dave, django_assert_num_queries
):
    review.review_request(image=images[0], user=alice)
    carols = access.for_campaign(carol, spring_launch)
    # The approver's access passed along for a plain member is not used: the member's is built.
    with pytest.raises(PermissionDenied):
        review.review_decide(image=images[0], user=dave, decision="approve", access=carols)
    assert access.for_campaign(dave, spring_launch, known=carols).role == "member"
    with django_assert_num_queries(0):
        assert access.for_campaign(carol, spring_launch, known=carols) is carols
    review.review_decide(image=images[0], user=carol, decision="approve", access=carols)


def test_pages_put_the_access_in_the_context_and_leave_the_campaign_alone(
    client, spring_launch, images, alice, carol
):
    review.review_request(image=images[0], user=alice)
    comments.comment_add(image=images[0], user=carol, body="Warmer light")
    client.force_login(carol)
    for url in (
        reverse("campaign_gallery", args=[spring_launch.slug]),
        reverse("image_detail", args=[images[0].pk]),
        reverse("review_queue", args=[spring_launch.slug]),
        reverse("campaign_edit", args=[spring_launch.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        rights = response.context["access"]
        assert (rights.role, rights.can_review) == ("approver", True)
        # No private cache of roles written into the campaign object any more.
        assert "_roles" not in response.context["campaign"].__dict__
