"""A small storage interface for uploads: save bytes under a key, delete them, give their public URL.

``MEDIA_STORAGE=local`` (the default) keeps files in ``UPLOAD_FOLDER`` and serves them from ``/uploads/``;
``MEDIA_STORAGE=s3`` puts them in ``S3_BUCKET`` on any S3-compatible service (``S3_ENDPOINT_URL``) and links
them at ``MEDIA_BASE_URL``. Keys are random and never reused, so both cache them for a year.
"""
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from ..i18n import shared_url

CACHE_CONTROL = "public, max-age=31536000, immutable"
_KEY = "shop.media"


class MediaStorage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def delete(self, key: str) -> None: ...

    def url(self, key: str) -> str: ...


class LocalStorage:
    """Files in a folder on this machine, served by the shop itself (or nginx) under ``/uploads/``."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self.folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def delete(self, key: str) -> None:
        (self.folder / key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return shared_url("catalog.upload", filename=key)


class S3Storage:
    """Objects in an S3-compatible bucket, linked at a public base URL (the bucket's or a CDN's)."""

    def __init__(self, *, bucket: str, base_url: str, endpoint_url: str | None, access_key: str | None,
                 secret_key: str | None, region: str | None) -> None:
        import boto3  # only a shop that keeps media in a bucket loads the AWS SDK

        self.bucket = bucket
        self.base_url = base_url.rstrip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url, aws_access_key_id=access_key,
                                   aws_secret_access_key=secret_key, region_name=region or "us-east-1")

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                               CacheControl=CACHE_CONTROL)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{key}"


def _make(app: Flask) -> MediaStorage:
    config = app.config
    if config["MEDIA_STORAGE"] == "s3":
        return S3Storage(bucket=config["S3_BUCKET"], base_url=config["MEDIA_BASE_URL"],
                         endpoint_url=config["S3_ENDPOINT_URL"], access_key=config["S3_ACCESS_KEY_ID"],
                         secret_key=config["S3_SECRET_ACCESS_KEY"], region=config["S3_REGION"])
    return LocalStorage(config["UPLOAD_FOLDER"])


def media_storage() -> MediaStorage:
    """Return the app's media storage, made once from its settings."""
    app = current_app._get_current_object()
    storage = app.extensions.get(_KEY)
    if storage is None:
        storage = app.extensions[_KEY] = _make(app)
    return storage


def upload_url(key: str) -> str:
    """Return the public URL of an uploaded file (a template helper)."""
    return media_storage().url(key)
