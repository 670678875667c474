"""Share links, ZIP exports and the audit trail at the service level."""

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from generation.audit import audit_csv_rows, audit_record
from generation.collab import exports, review, sharing
from generation.models import AuditEvent, Export, Image, ShareLink


def _soon(days=7):
    return timezone.now() + dt.timedelta(days=days)


# --- share links ------------------------------------------------------------------------------


def test_links_store_only_a_hash_and_a_hashed_password(spring_launch, alice, images):
    created = sharing.share_link_create(
        campaign=spring_launch, user=alice, expires_at=_soon(), password="open sesame"
    )
    link = created.link
    assert len(created.token) >= 43
    assert link.token_hash != created.token
    assert created.token not in link.token_hash
    assert link.password.startswith(("md5$", "pbkdf2", "argon2"))
    assert sharing.share_link_lookup(created.token) == link
    assert sharing.share_link_lookup(created.token + "x") is None
    session = {}
    assert not sharing.share_link_unlocked(session, link)
    assert not sharing.share_link_unlock(session, link, "wrong")
    assert sharing.share_link_unlock(session, link, "open sesame")
    assert sharing.share_link_unlocked(session, link)


def test_scope_and_selection(spring_launch, alice, carol, images):
    review.review_request(image=images[0], user=alice)
    review.review_decide(image=images[0], user=carol, decision="approve")
    whole = sharing.share_link_create(campaign=spring_launch, user=alice, expires_at=_soon())
    assert list(sharing.share_link_images(whole.link)) == [images[0]]
    everything = sharing.share_link_create(
        campaign=spring_launch, user=alice, expires_at=_soon(), scope=ShareLink.Scope.ALL
    )
    assert sharing.share_link_images(everything.link).count() == 3
    picked = sharing.share_link_create(
        campaign=spring_launch,
        user=alice,
        expires_at=_soon(),
        scope=ShareLink.Scope.ALL,
        image_ids=[images[1].pk, images[2].pk],
    )
    assert set(sharing.share_link_images(picked.link)) == {images[1], images[2]}


def test_only_owners_share_and_bad_input_is_refused(
    spring_launch, alice, dave, images, autumn_sale
):
    with pytest.raises(PermissionDenied):
        sharing.share_link_create(campaign=spring_launch, user=dave, expires_at=_soon())
    with pytest.raises(ValidationError):
        sharing.share_link_create(
            campaign=spring_launch, user=alice, expires_at=timezone.now() - dt.timedelta(hours=1)
        )
    with pytest.raises(ValidationError):
        sharing.share_link_create(campaign=spring_launch, user=alice, expires_at=_soon(400))
    from tests.factories import make_generation, make_image

    foreign = make_image(make_generation(autumn_sale, None), 0, files=False)
    with pytest.raises(ValidationError):
        sharing.share_link_create(
            campaign=spring_launch, user=alice, expires_at=_soon(), image_ids=[foreign.pk]
        )


def test_revoke_views_and_audit(spring_launch, alice, images):
    link = sharing.share_link_create(campaign=spring_launch, user=alice, expires_at=_soon()).link
    session = {}
    sharing.share_link_record_view(session, link)
    sharing.share_link_record_view(session, link)
    link.refresh_from_db()
    assert link.view_count == 2
    sharing.share_link_revoke(link=link, user=alice)
    sharing.share_link_revoke(link=link, user=alice)  # twice is harmless
    assert link.is_revoked
    assert not link.is_active
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["share.created", "share.viewed", "share.revoked"]


# --- exports ----------------------------------------------------------------------------------


def test_export_builds_a_zip_with_originals_and_manifests(spring_launch, alice, carol, images):
    review.review_request(image=images[0], user=alice)
    review.review_decide(image=images[0], user=carol, decision="approve")
    export = exports.export_create(
        campaign=spring_launch, user=alice, images=Image.objects.all(), filters={"q": ""}
    )
    assert export.total == 3
    assert exports.export_build(export_id=export.pk) == "ready"
    assert exports.export_build(export_id=export.pk) == "not_queued"  # redelivery: no-op
    export.refresh_from_db()
    assert export.status == Export.Status.READY
    assert export.expires_at > timezone.now()
    with default_storage.open(export.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = archive.namelist()
    assert "manifest.json" in names
    assert "manifest.csv" in names
    manifest = json.loads(archive.read("manifest.json"))
    rows = {row["image_id"]: row for row in manifest["images"]}
    assert set(rows) == {i.pk for i in images}
    first = rows[images[0].pk]
    generation = images[0].generation
    assert first["prompt"] == generation.prompt
    assert first["model"] == "Brand Lifestyle"
    assert first["model_asset_id"] == generation.custom_model.asset_id
    assert first["style_presets"] == ["golden_hour"]
    assert first["style_strength"] == 60
    assert first["seed"] == 100
    assert first["firefly_job_id"] == "job-123"
    assert first["requested_by"] == "alice"
    assert first["review_state"] == "approved"
    assert first["approved_by"] == "carol"
    assert rows[images[1].pk]["approved_by"] == ""
    original = images[0].original.open("rb").read()
    assert archive.read(first["file"]) == original
    table = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert len(table) == 3
    assert {r["review_state"] for r in table} == {"approved", "draft"}


def test_export_download_tokens_expire(spring_launch, alice, images, settings):
    export = exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    token = exports.export_download_token(export)
    assert exports.export_check_token(export, token)
    other = Export.objects.create(campaign=spring_launch, requested_by=alice)
    assert not exports.export_check_token(other, token)
    assert not exports.export_check_token(export, token + "x")
    settings.EXPORT_LINK_MAX_AGE_SECONDS = -1
    assert not exports.export_check_token(export, token)


def test_cleanup_removes_old_export_files(spring_launch, alice, images):
    export = exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    exports.export_build(export_id=export.pk)
    export.refresh_from_db()
    name = export.file.name
    assert exports.exports_cleanup() == 0
    assert exports.exports_cleanup(now=export.expires_at + dt.timedelta(seconds=1)) == 1
    export.refresh_from_db()
    assert export.status == Export.Status.EXPIRED
    assert not default_storage.exists(name)


def test_export_of_a_missing_file_fails_cleanly(spring_launch, alice, images):
    default_storage.delete(images[1].original.name)
    export = exports.export_create(campaign=spring_launch, user=alice, images=Image.objects.all())
    assert exports.export_build(export_id=export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert "missing" in export.error_message


# --- audit ------------------------------------------------------------------------------------


def test_audit_events_are_append_only(spring_launch, alice):
    event = audit_record(AuditEvent.Action.EXPORT_CREATED, actor=alice, campaign=spring_launch)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(summary="x")
    assert AuditEvent.objects.count() == 1


def test_audit_csv_neutralises_formulas(spring_launch, alice):
    audit_record(AuditEvent.Action.EXPORT_CREATED, actor=alice, summary="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO("".join(audit_csv_rows(AuditEvent.objects.all())))))
    assert rows[0][0] == "time"
    assert rows[1][6] == "'=HYPERLINK(1)"


def test_generation_services_are_audited(spring_launch, alice):
    from generation.pipeline.generations import (
        generation_cancel,
        generation_create,
        generation_retry,
    )

    generation = generation_create(
        campaign=spring_launch, user=alice, prompt="a kite", width=2048, height=2048
    )
    generation_cancel(generation=generation, user=alice)
    generation.refresh_from_db()
    generation_retry(generation=generation, user=alice)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["generation.requested", "generation.cancelled", "generation.retried"]
    assert AuditEvent.objects.filter(campaign=spring_launch, actor=alice).count() == 3
