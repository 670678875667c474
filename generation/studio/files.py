"""Originals and renditions, served only to people who may see the campaign.

Nothing under MEDIA_ROOT is ever public: every file goes through a view that checks
``Campaign.objects.visible_to(user)`` first and answers 404 otherwise, then hands the file over
in one of three ways, chosen by settings:

* default: Django streams it (``FileResponse`` from ``default_storage``). Fine for a team-sized
  deployment; each download holds a worker thread while it streams.
* ``MEDIA_ACCEL_REDIRECT_PREFIX = "/_protected/"`` (nginx): Django answers with an empty body and
  ``X-Accel-Redirect: /_protected/<storage name>``; nginx serves the file from an ``internal``
  location, so authorisation stays here and the bytes never pass through Python::

      location /_protected/ { internal; alias /srv/media/; }

* S3 storage (``AWS_STORAGE_BUCKET_NAME`` set): a 302 to a short-lived pre-signed URL
  (``AWS_QUERYSTRING_EXPIRE`` seconds), never cached, with the download name in
  ``ResponseContentDisposition``.

File names are content-addressed (they carry the checksum), so rendition URLs are immutable and
cached for a year, privately (never by shared caches).
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from generation.models import Image, Rendition

RENDITION_CACHE = {"private": True, "max_age": 31536000, "immutable": True}
ORIGINAL_CACHE = {"private": True, "max_age": 3600}
SIGNED_REDIRECT_CACHE = {"private": True, "no_store": True}


def file_token(name: str) -> str:
    """The last path segment of a stored name: what the URL carries to make it immutable."""
    return name.rsplit("/", 1)[-1]


def stored_name(file: FieldFile) -> str:
    """The storage name of a row's file. `FieldFile.name` is empty only for a file never saved:
    for a row that has none, the file is as good as missing from storage."""
    if not file.name:
        raise Http404("The file is missing from storage.")
    return file.name


def _uses_s3() -> bool:
    return bool(getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""))


def serve_stored_file(
    name: str,
    *,
    content_type: str,
    cache: dict[str, bool | int],
    download_name: str | None = None,
) -> HttpResponseBase:
    """A response for the stored file ``name`` (already authorised by the caller)."""
    disposition = content_disposition_header(
        as_attachment=download_name is not None, filename=download_name or file_token(name)
    )
    if _uses_s3():
        params = {"ResponseContentDisposition": disposition, "ResponseContentType": content_type}
        # With S3 the default storage is django-storages' S3Storage, whose `url` takes the
        # response headers the pre-signed URL sets; django-stubs types it as the base `Storage`.
        signed_url = default_storage.url(name, parameters=params)  # type: ignore[call-arg]
        redirect = HttpResponseRedirect(signed_url)
        patch_cache_control(redirect, **SIGNED_REDIRECT_CACHE)
        return redirect
    response: HttpResponseBase
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        try:
            handle = default_storage.open(name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404("The file is missing from storage.") from None
        response = FileResponse(handle, content_type=content_type)
    if disposition is not None:  # None only for a name without a last segment ("a/")
        response["Content-Disposition"] = disposition
    patch_cache_control(response, **cache)
    return response


def serve_rendition(rendition: Rendition) -> HttpResponseBase:
    name = stored_name(rendition.file)
    content_type = mimetypes.guess_type(name)[0] or "image/jpeg"
    return serve_stored_file(name, content_type=content_type, cache=RENDITION_CACHE)


def serve_original(image: Image, *, download: bool) -> HttpResponseBase:
    return serve_stored_file(
        stored_name(image.original),
        content_type=image.content_type,
        cache=ORIGINAL_CACHE,
        download_name=image.download_name() if download else None,
    )
