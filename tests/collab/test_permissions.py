"""Every new URL against every kind of visitor: members, approvers, owners, staff, outsiders,
anonymous visitors, share-link viewers (with expired and revoked links)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from generation.collab import exports, review, sharing
from generation.models import AuditEvent, Export, Image, ShareLink

OWNER, APPROVER, MEMBER, STAFF, OUTSIDER, ANON = (
    "alice",
    "carol",
    "dave",
    "sam",
    "bob",
    None,
)


@pytest.fixture
def people(alice, carol, dave, staff_user, bob):
    return {"alice": alice, "carol": carol, "dave": dave, "sam": staff_user, "bob": bob, None: None}


def _status(client_for, people, who, method, url, data=None):
    client = client_for(people[who])
    response = getattr(client, method)(url, data or {})
    return response


def _is_login_redirect(response):
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- review, comments, delete, queue, compare, members -----------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 302), (APPROVER, 302), (MEMBER, 302), (STAFF, 302), (OUTSIDER, 404), (ANON, "login")],
)
def test_request_review(client_for, people, images, who, expected):
    url = reverse("image_review_request", args=[images[0].pk])
    response = _status(client_for, people, who, "post", url)
    if expected == "login":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    images[0].refresh_from_db()
    assert (images[0].review_state == "in_review") == (expected == 302)


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 403), (APPROVER, 302), (MEMBER, 403), (STAFF, 302), (OUTSIDER, 404), (ANON, "login")],
)
def test_decide(client_for, people, images, alice, who, expected):
    review.review_request(image=images[0], user=alice)
    url = reverse("image_review_decide", args=[images[0].pk])
    response = _status(client_for, people, who, "post", url, {"decision": "approve"})
    if expected == "login":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    images[0].refresh_from_db()
    assert (images[0].review_state == "approved") == (expected == 302)


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 302), (APPROVER, 302), (MEMBER, 302), (STAFF, 302), (OUTSIDER, 404), (ANON, "login")],
)
def test_comment(client_for, people, images, who, expected):
    url = reverse("image_comment", args=[images[0].pk])
    response = _status(client_for, people, who, "post", url, {"body": "Nice @alice"})
    if expected == "login":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    assert images[0].comments.exists() == (expected == 302)


@pytest.mark.parametrize(("who", "expected"), [(MEMBER, 302), (OUTSIDER, 404), (ANON, "login")])
def test_delete(client_for, people, images, who, expected):
    url = reverse("image_delete", args=[images[2].pk])
    response = _status(client_for, people, who, "post", url)
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected
    assert Image.objects.filter(pk=images[2].pk).exists() == (expected != 302)


def test_approved_images_are_not_deleted_and_the_page_says_why(
    client_for, people, images, alice, carol
):
    review.review_request(image=images[0], user=alice)
    review.review_decide(image=images[0], user=carol, decision="approve")
    client = client_for(alice)
    response = client.post(reverse("image_delete", args=[images[0].pk]), follow=True)
    assert Image.objects.filter(pk=images[0].pk).exists()
    assert "locked" in response.content.decode()
    assert client.get(reverse("image_delete", args=[images[0].pk])).status_code == 405


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 200), (APPROVER, 200), (MEMBER, 200), (STAFF, 200), (OUTSIDER, 404), (ANON, "login")],
)
def test_queue_and_compare(client_for, people, images, alice, spring_launch, who, expected):
    for image in images:
        review.review_request(image=image, user=alice)
    for url in (
        reverse("review_queue", args=[spring_launch.slug]),
        reverse("compare", args=[spring_launch.slug]) + f"?ids={images[0].pk}&ids={images[1].pk}",
    ):
        response = _status(client_for, people, who, "get", url)
        if expected == "login":
            assert _is_login_redirect(response)
        else:
            assert response.status_code == expected


def test_queue_shows_decision_buttons_to_approvers_only(client_for, people, images, alice):
    review.review_request(image=images[0], user=alice)
    url = reverse("review_queue", args=[images[0].campaign.slug])
    assert b"data-decision-form" in client_for(people[APPROVER]).get(url).content
    assert b"data-decision-form" not in client_for(people[MEMBER]).get(url).content


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 200), (APPROVER, 403), (MEMBER, 403), (STAFF, 200), (OUTSIDER, 404), (ANON, "login")],
)
def test_members_page(client_for, people, spring_launch, who, expected):
    url = reverse("campaign_members", args=[spring_launch.slug])
    response = _status(client_for, people, who, "get", url)
    if expected == "login":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    response = _status(
        client_for, people, who, "post", url, {"username": "dave", "role": "approver"}
    )
    assert response.status_code == (302 if expected == 200 else expected)
    role = people[MEMBER].campaign_memberships.get().role
    assert (role == "approver") == (expected == 200)


# --- notifications -------------------------------------------------------------------------------


def test_notifications_belong_to_their_recipient(client_for, people, images, alice, carol):
    review.review_request(image=images[0], user=alice)
    note = carol.notifications.get()
    client = client_for(carol)
    page = client.get(reverse("notification_list"))
    assert page.status_code == 200
    assert note.text.encode() in page.content
    assert client.get(reverse("notification_count")).json() == {
        "unread": 1,
        "label": "Notifications, 1 unread",
    }
    # someone else can't mark it read
    client_for(people[MEMBER]).post(reverse("notification_read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None
    client = client_for(carol)
    response = client.post(reverse("notification_read"), {"id": note.pk})
    assert response["Location"] == f"/images/{images[0].pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert _is_login_redirect(client_for(None).get(reverse("notification_list")))


def test_the_header_shows_the_unread_count(client_for, images, alice, carol):
    client = client_for(carol)
    assert client.get(reverse("notification_list")).context["unread_notifications"] == 0
    review.review_request(image=images[0], user=alice)  # the cached count is cleared
    response = client.get(reverse("notification_list"))
    assert response.context["unread_notifications"] == 1
    assert b"data-bell-count" in response.content
    client.post(reverse("notification_read"))
    assert client.get(reverse("notification_list")).context["unread_notifications"] == 0


# --- audit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 200), (APPROVER, 403), (MEMBER, 403), (STAFF, 200), (OUTSIDER, 404), (ANON, "login")],
)
def test_campaign_audit(client_for, people, images, alice, spring_launch, who, expected):
    review.review_request(image=images[0], user=alice)
    for name in ("campaign_audit", "campaign_audit_csv"):
        response = _status(client_for, people, who, "get", reverse(name, args=[spring_launch.slug]))
        if expected == "login":
            assert _is_login_redirect(response)
        else:
            assert response.status_code == expected


@pytest.mark.parametrize(("who", "expected"), [(OWNER, 403), (STAFF, 200), (ANON, "login")])
def test_studio_audit_is_for_staff(client_for, people, who, expected):
    for name in ("audit_log", "audit_csv"):
        response = _status(client_for, people, who, "get", reverse(name))
        if expected == "login":
            assert _is_login_redirect(response)
        else:
            assert response.status_code == expected


def test_audit_filters_and_streamed_csv(client_for, images, alice, carol, spring_launch):
    review.review_request(image=images[0], user=alice)
    review.review_request(image=images[1], user=carol)
    review.review_decide(image=images[0], user=carol, decision="reject", comment="Off brand")
    client = client_for(alice)
    url = reverse("campaign_audit", args=[spring_launch.slug])
    page = client.get(url, {"action": "review.requested", "actor": "carol"})
    assert [e.action for e in page.context["events"]] == ["review.requested"]
    today = timezone.localdate()
    assert len(client.get(url, {"date_from": today.isoformat()}).context["events"]) == 3
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert client.get(url, {"date_from": tomorrow}).context["events"] == []
    response = client.get(reverse("campaign_audit_csv", args=[spring_launch.slug]))
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("time,actor,action")
    assert body.count("\n") == 4


# --- share links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 200), (APPROVER, 403), (MEMBER, 403), (STAFF, 200), (OUTSIDER, 404), (ANON, "login")],
)
def test_share_manage(client_for, people, spring_launch, who, expected):
    url = reverse("share_manage", args=[spring_launch.slug])
    response = _status(client_for, people, who, "get", url)
    if expected == "login":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    expires = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = _status(client_for, people, who, "post", url, {"expires_on": expires})
    assert response.status_code == (302 if expected == 200 else expected)
    assert ShareLink.objects.exists() == (expected == 200)


def test_new_link_is_shown_once(client_for, alice, spring_launch):
    client = client_for(alice)
    url = reverse("share_manage", args=[spring_launch.slug])
    expires = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    page = client.post(url, {"expires_on": expires, "label": "Agency"}, follow=True)
    link_url = page.context["new_url"]
    assert "/s/" in link_url
    assert client.get(url).context["new_url"] == ""
    assert client_for(None).get(link_url.split("testserver")[1]).status_code == 200


@pytest.fixture
def shared(spring_launch, alice, carol, images):
    review.review_request(image=images[0], user=alice)
    review.review_decide(image=images[0], user=carol, decision="approve")
    created = sharing.share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=timezone.now() + dt.timedelta(days=2),
        scope=ShareLink.Scope.ALL,
        image_ids=[images[0].pk, images[1].pk],
    )
    return created


def test_share_viewer_sees_only_the_selection_with_draft_marks(client_for, shared, images):
    client = client_for(None)
    response = client.get(reverse("share_view", args=[shared.token]))
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
    )
    html = response.content.decode()
    assert html.count("data-draft-mark") == 1  # images[1] is a draft; images[0] approved
    assert f'data-image-id="{images[2].pk}"' not in html
    assert "Download" not in html  # downloads are off
    grid = reverse("share_rendition", args=[shared.token, images[0].pk, "grid"])
    assert client.get(grid).status_code == 200
    outside = reverse("share_rendition", args=[shared.token, images[2].pk, "grid"])
    assert client.get(outside).status_code == 404
    assert (
        client.get(reverse("share_download", args=[shared.token, images[0].pk])).status_code == 403
    )
    # a signed-in outsider gets nothing more through the member URLs
    shared.link.refresh_from_db()
    assert shared.link.view_count == 1


def test_share_downloads_when_allowed(client_for, shared, images):
    ShareLink.objects.filter(pk=shared.link.pk).update(allow_download=True)
    client = client_for(None)
    response = client.get(reverse("share_download", args=[shared.token, images[0].pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_dead_links_answer_410_with_a_friendly_page(client_for, shared, images, alice, how):
    if how == "revoked":
        sharing.share_link_revoke(link=shared.link, user=alice)
    else:
        ShareLink.objects.filter(pk=shared.link.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    client = client_for(None)
    response = client.get(reverse("share_view", args=[shared.token]))
    assert response.status_code == 410
    assert f'data-share-gone="{how}"' in response.content.decode()
    grid = reverse("share_rendition", args=[shared.token, images[0].pk, "grid"])
    assert client.get(grid).status_code == 404


def test_unknown_tokens_are_404(client_for, db):
    assert client_for(None).get(reverse("share_view", args=["nope"])).status_code == 404


def test_password_links_remember_the_unlock_in_the_session(
    client_for, spring_launch, alice, images
):
    created = sharing.share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=timezone.now() + dt.timedelta(days=1),
        scope=ShareLink.Scope.ALL,
        password="tulips in april",
    )
    client = client_for(None)
    url = reverse("share_view", args=[created.token])
    grid = reverse("share_rendition", args=[created.token, images[0].pk, "grid"])
    assert b"This link is protected" in client.get(url).content
    assert client.get(grid).status_code == 404
    assert client.post(url, {"password": "roses"}).status_code == 403
    assert client.post(url, {"password": "tulips in april"}).status_code == 302
    assert client.get(url).status_code == 200
    assert client.get(grid).status_code == 200


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 302), (APPROVER, 403), (MEMBER, 403), (STAFF, 302), (OUTSIDER, 404), (ANON, "login")],
)
def test_share_revoke(client_for, people, shared, spring_launch, who, expected):
    url = reverse("share_revoke", args=[spring_launch.slug, shared.link.pk])
    response = _status(client_for, people, who, "post", url)
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected
    shared.link.refresh_from_db()
    assert shared.link.is_revoked == (expected == 302)


# --- exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 302), (APPROVER, 302), (MEMBER, 302), (STAFF, 302), (OUTSIDER, 404), (ANON, "login")],
)
def test_export_create(client_for, people, spring_launch, images, who, expected):
    url = reverse("export_create", args=[spring_launch.slug])
    response = _status(client_for, people, who, "post", url, {"review": "draft"})
    if expected == "login":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    if expected == 302:
        export = Export.objects.get()
        assert export.total == 3
        assert response["Location"] == reverse("export_detail", args=[export.pk])


def test_export_of_a_filtered_selection(client_for, spring_launch, images, alice, carol):
    review.review_request(image=images[1], user=alice)
    review.review_decide(image=images[1], user=carol, decision="approve")
    client = client_for(alice)
    client.post(reverse("export_create", args=[spring_launch.slug]), {"review": "approved"})
    assert Export.objects.get().image_ids == [images[1].pk]
    client.post(
        reverse("export_create", args=[spring_launch.slug]), {"ids": [images[0].pk, images[2].pk]}
    )
    assert Export.objects.order_by("-id").first().image_ids == [images[0].pk, images[2].pk]


@pytest.fixture
def built(spring_launch, alice, images):
    export = exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    exports.export_build(export_id=export.pk)
    export.refresh_from_db()
    return export


@pytest.mark.parametrize(
    ("who", "expected"),
    [(OWNER, 200), (MEMBER, 200), (STAFF, 200), (OUTSIDER, 404), (ANON, "login")],
)
def test_export_pages_and_download(client_for, people, built, who, expected):
    token = exports.export_download_token(built)
    urls = [
        reverse("export_detail", args=[built.pk]),
        reverse("export_status", args=[built.pk]),
        reverse("export_download", args=[built.pk, token]),
    ]
    for url in urls:
        response = _status(client_for, people, who, "get", url)
        if expected == "login":
            assert _is_login_redirect(response)
        else:
            assert response.status_code == expected
    if expected == 200:
        assert AuditEvent.objects.filter(action="export.downloaded").exists()


def test_expired_download_links_send_you_back_for_a_fresh_one(client_for, built, alice, settings):
    token = exports.export_download_token(built)
    settings.EXPORT_LINK_MAX_AGE_SECONDS = -1
    response = client_for(alice).get(reverse("export_download", args=[built.pk, token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("export_detail", args=[built.pk])
    status = client_for(alice).get(reverse("export_status", args=[built.pk])).json()
    assert status["status"] == "ready"
    assert status["progress"] == 100


def test_every_collab_url_is_in_these_tables():
    """A new URL in generation.collab.urls needs a permission test here."""
    from generation.collab import urls as urls_collab

    tested = {
        "image_review_request",
        "image_review_decide",
        "image_comment",
        "image_delete",
        "review_queue",
        "compare",
        "campaign_members",
        "notification_list",
        "notification_read",
        "notification_count",
        "campaign_audit",
        "campaign_audit_csv",
        "audit_log",
        "audit_csv",
        "share_manage",
        "share_revoke",
        "share_view",
        "share_rendition",
        "share_download",
        "export_create",
        "export_detail",
        "export_status",
        "export_download",
    }
    assert {p.name for p in urls_collab.urlpatterns} == tested
