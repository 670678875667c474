"""One vocabulary across the studio, as people read it: an image has one name on every page, in
every notification, email and audit entry; counts agree with their nouns; statuses and review
states read as words, never codes; "just now" rather than "0 minutes ago"; a cancelled
generation says so once; and emails link to wherever the studio is actually served."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from generation.audit import audit_csv_rows
from generation.collab import exports, members, review
from generation.models import CampaignMembership, Generation, Image
from generation.pipeline.generations import generation_cancel
from tests.factories import make_generation, make_image


class _Text(HTMLParser):
    """The words a person sees: text outside tags, scripts and templates, plus alt texts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        alt = dict(attrs).get("alt")
        if alt:
            self.parts.append(alt)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(response) -> str:
    assert response.status_code == 200, response.status_code
    parser = _Text()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def test_an_image_has_one_name_on_every_page_and_in_every_message(
    emails_delivered, client_for, spring_launch, alice, carol, django_capture_on_commit_callbacks
):
    earlier = make_generation(spring_launch, alice, num_variations=3)
    for index in range(3):
        make_image(earlier, index, files=False)
    generation = make_generation(spring_launch, alice, num_variations=2, prompt="a red kite")
    first, second = make_image(generation, 0), make_image(generation, 1)
    name = f"Image {second.pk}"
    assert second.pk != second.index + 1  # so the old names ("Image 2 of …") can't pass

    with django_capture_on_commit_callbacks(execute=True):
        review.review_request(image=second, user=alice, note="for the banner @carol")
        review.review_request(image=first, user=alice)
    client = client_for(carol)
    pages = {
        "image page": second.get_absolute_url(),
        "gallery": spring_launch.get_absolute_url(),
        "generation page": generation.get_absolute_url(),
        "review queue": reverse("review_queue", args=[spring_launch.slug]) + f"?image={second.pk}",
        "compare": reverse("compare", args=[spring_launch.slug]) + f"?ids={first.pk},{second.pk}",
        "notifications": reverse("notification_list"),
    }
    for page, url in pages.items():
        text = visible_text(client.get(url))
        assert name in text, page
        assert not re.search(r"Image \d+ of (generation )?\d+", text), page
    title = re.search(r"<title>(.*?)</title>", client.get(second.get_absolute_url()).text)[1]
    assert title.startswith(f"{name} ·")
    # The image page says which variation it is, in words of its own.
    assert "Variation 2 of 2 from generation" in visible_text(client.get(pages["image page"]))

    assert any(name in message.body for message in mail.outbox)
    response = client.post(
        reverse("image_review_decide", args=[second.pk]),
        {"decision": "changes", "comment": "Warmer light, please."},
        follow=True,
    )
    assert f"You asked for changes to {name}." in visible_text(response)
    assert str(Image.objects.get(pk=second.pk)) == name  # the admin's name for it too
    audit = client_for(alice).get(reverse("campaign_audit", args=[spring_launch.slug]))
    assert f"Review requested for {name}" in visible_text(audit)


def test_the_audit_trail_speaks_in_words_not_codes(
    client_for, spring_launch, alice, carol, dave, images
):
    review.review_request(image=images[0], user=alice)
    review.review_decide(
        image=images[0], user=carol, decision="changes", comment="Warmer light, please."
    )
    members.membership_set_role(
        campaign=spring_launch, user=alice, member=dave, role=CampaignMembership.Role.APPROVER
    )
    exports.export_create(
        campaign=spring_launch, user=alice, images=Image.objects.filter(pk=images[0].pk)
    )

    text = visible_text(client_for(alice).get(reverse("campaign_audit", args=[spring_launch.slug])))
    assert f"Image {images[0].pk}: Changes requested" in text
    assert "dave: Member → Approver" in text
    assert re.search(r"Export \d+ of 1 image\b", text)
    for code in ("changes_requested", "in_review", "review.", "approver →", "1 images"):
        assert code not in text, code

    rows = list(csv.DictReader(io.StringIO("".join(audit_csv_rows(spring_launch.audit_events)))))
    assert {row["what"] for row in rows} >= {"Changes requested", "Member role changed"}
    assert {row["action"] for row in rows} >= {"review.changes_requested"}  # codes for scripts


def test_statuses_read_the_same_in_the_filter_as_on_the_pills(client_for, spring_launch, alice):
    alice_client = client_for(alice)
    done = make_generation(spring_launch, alice)
    make_image(done, 0)
    running = make_generation(spring_launch, alice, status=Generation.Status.RUNNING)

    gallery = alice_client.get(spring_launch.get_absolute_url()).content.decode()
    options = re.search(r'<select name="status".*?</select>', gallery, re.S)[0]
    assert re.findall(r">([^<]+)</option>", options) == [
        "Any status",
        "Queued",
        "Starting",
        "Generating",
        "Done",
        "Failed",
        "Cancelled",
    ]
    assert "Done" in visible_text(alice_client.get(done.get_absolute_url()))
    status = alice_client.get(reverse("generation_status", args=[running.pk])).json()
    assert status["status_label"] == "Generating"


def test_a_cancelled_generation_says_so_once(client_for, spring_launch, alice):
    alice_client = client_for(alice)
    queued = make_generation(spring_launch, alice, status=Generation.Status.QUEUED)
    generation_cancel(generation=queued, user=alice)
    legacy = make_generation(
        spring_launch, alice, status=Generation.Status.CANCELLED, error_message="Cancelled."
    )

    for generation, detail in [
        (queued, "Stopped on request before it was sent to Adobe Firefly."),
        (legacy, ""),
    ]:
        page = alice_client.get(generation.get_absolute_url()).content.decode()
        alert = re.search(r'role="alert" data-error-panel>(.*?)</div>', page, re.S)[1]
        words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", alert)).strip()
        assert words == f"This generation was cancelled. {detail}".strip()
        data = alice_client.get(reverse("generation_status", args=[generation.pk])).json()
        assert (data["status_label"], data["error"]) == ("Cancelled", detail)
        assert data["error_title"] == "This generation was cancelled."
        assert "cancel" not in data["error"].lower()


@pytest.mark.parametrize(
    ("count", "words"), [(1, "Done: 1 image ready."), (3, "Done: 3 images ready.")]
)
def test_a_finished_generation_is_announced_in_the_right_number(
    client_for, spring_launch, alice, count, words
):
    alice_client = client_for(alice)
    generation = make_generation(spring_launch, alice, num_variations=count)
    for index in range(count):
        make_image(generation, index, files=False)
    data = alice_client.get(reverse("generation_status", args=[generation.pk])).json()
    assert data["announcement"] == words


def test_a_moment_ago_reads_just_now(client_for, spring_launch, alice, carol, images):
    export = exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    review.review_request(image=images[0], user=alice)

    export_page = visible_text(client_for(alice).get(reverse("export_detail", args=[export.pk])))
    assert "requested by alice just now" in export_page
    for page in (
        reverse("notification_list"),
        reverse("review_queue", args=[spring_launch.slug]),
        reverse("campaign_list"),
    ):
        text = visible_text(client_for(carol).get(page))
        assert "just now" in text, page
        assert not re.search(r"\b0 minutes|\bnow ago|seconds? ago", text), page


def test_notification_emails_link_to_the_address_the_studio_is_served_at(
    emails_delivered, client_for, settings, images, alice, carol, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["studio.example.com"]
    settings.STUDIO_BASE_URL = ""
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("image_review_request", args=[images[0].pk]),
            HTTP_HOST="studio.example.com:8443",
        )
    link = f"http://studio.example.com:8443/images/{images[0].pk}/"
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert link in mail.outbox[0].body
    assert ":8000" not in mail.outbox[0].body

    # A configured address wins (e.g. the public name in front of a proxy).
    settings.STUDIO_BASE_URL = "https://studio.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(carol).post(
            reverse("image_review_decide", args=[images[0].pk]),
            {"decision": "approve"},
            HTTP_HOST="studio.example.com:8443",
        )
    assert f"https://studio.example.com/images/{images[0].pk}/" in mail.outbox[1].body
