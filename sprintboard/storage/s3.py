"""Attached files in S3-compatible storage (AWS S3, MinIO, Ceph, Garage …), used when S3_BUCKET
is set: every app host behind the proxy then reads and writes the same files.

Configuration: S3_BUCKET, S3_ENDPOINT_URL (for anything but AWS), S3_REGION, S3_PREFIX (default
"sprintboard/"); credentials come the boto3 way (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
profile, or the host's role), never from our settings. Install with `pip install
sprintboard[s3]`. The bucket stays private: files are always served through the app, which
checks who may see them.
"""

from __future__ import annotations

from typing import BinaryIO

from .base import StorageError, check_key


class S3Storage:
    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_config(cls, config) -> S3Storage:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region_name=config.get("S3_REGION"),
            config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
        )
        return cls(client, config["S3_BUCKET"], config.get("S3_PREFIX") or "")

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _errors(self):
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError)

    def put(self, key: str, source: BinaryIO) -> None:
        if self.exists(key):
            return  # content addressed: the same key holds the same bytes
        try:
            self.client.upload_fileobj(source, self.bucket, self._name(key))
        except self._errors() as error:
            raise StorageError(str(error)) from error

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except self._errors() as error:
            raise StorageError(str(error)) from error

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError(str(error)) from error
        except self._errors() as error:
            raise StorageError(str(error)) from error
        return True

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except self._errors() as error:
            raise StorageError(str(error)) from error

    def keys(self) -> list[str]:
        found = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            ):
                found += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        except self._errors() as error:
            raise StorageError(str(error)) from error
        return sorted(found)
