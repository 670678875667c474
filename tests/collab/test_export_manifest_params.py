"""The export manifest lists every parameter of a generation, locale included."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage

from generation.collab import exports
from generation.models import Image
from generation.params import MANIFEST_COLUMNS
from tests.factories import make_generation, make_image

pytestmark = pytest.mark.django_db


def build_manifests(campaign, user) -> tuple[dict, list[dict]]:
    export = exports.export_create(campaign=campaign, user=user, images=Image.objects.all())
    assert exports.export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    with default_storage.open(export.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    manifest = json.loads(archive.read("manifest.json"))
    table = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    return manifest["images"][0], table


def test_the_manifest_includes_the_prompt_locale(spring_launch, alice):
    generation = make_generation(spring_launch, alice, locale="de-DE")
    make_image(generation, 0)

    row, table = build_manifests(spring_launch, alice)

    assert row["locale"] == "de-DE"
    assert table[0]["locale"] == "de-DE"


def test_the_csv_has_a_column_for_every_parameter(spring_launch, alice):
    make_image(make_generation(spring_launch, alice), 0)

    row, table = build_manifests(spring_launch, alice)

    assert set(MANIFEST_COLUMNS) <= set(row)
    assert set(MANIFEST_COLUMNS) <= set(table[0])
