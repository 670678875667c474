"""Media against a real S3-compatible server (CI's services mode starts one: see .ci/run).

Every test here is skipped when no S3 endpoint is configured (`AWS_STORAGE_BUCKET_NAME` and
`AWS_S3_ENDPOINT_URL`), as in the embedded mode. Each test writes under a prefix of its own in
the bucket (tests/conftest.py); `bucket` reads the bucket with a client of its own, so what a
test sees is what the server holds, not what the storage class believes.
"""

import os

import pytest
from django.conf import settings


def s3_endpoint() -> str:
    return os.environ.get("AWS_S3_ENDPOINT_URL", "").strip()


def pytest_collection_modifyitems(config, items):
    if os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip() and s3_endpoint():
        return
    skip = pytest.mark.skip(reason="no S3 endpoint configured (AWS_S3_ENDPOINT_URL)")
    for item in items:
        if "tests/storage/" in item.nodeid:
            item.add_marker(skip)


class Bucket:
    """The test's prefix in the bucket, read with plain boto3."""

    def __init__(self, location: str) -> None:
        import boto3

        self.name = settings.AWS_STORAGE_BUCKET_NAME
        self.location = location
        self.client = boto3.client(
            "s3", endpoint_url=s3_endpoint(), region_name=settings.AWS_S3_REGION_NAME or None
        )

    def key(self, name: str) -> str:
        return f"{self.location}/{name}"

    def has(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.name, Key=self.key(name))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=self.key(name))["Body"].read()

    def keys(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=f"{self.location}/"
        )
        prefix = len(self.location) + 1
        return {item["Key"][prefix:] for page in pages for item in page.get("Contents", [])}


@pytest.fixture
def bucket(settings):
    return Bucket(settings.STORAGES["default"]["OPTIONS"]["location"])


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
