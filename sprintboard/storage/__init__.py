"""Where attached files are kept: one small interface, a local directory by default.

Keys are content addressed (the SHA-256 of the bytes, plus a suffix for derived files such as
thumbnails): the user's file name never reaches the disk, equal files are stored once, and a
key's bytes never change, so a file may be cached for as long as its key lives.

`LocalStorage` keeps files under UPLOAD_DIR (instance/uploads) in two levels of folders
(ab/cd/abcd…). `S3Storage` (sprintboard.storage.s3) is used when S3_BUCKET is set: every app
host then sees the same files.
"""

from __future__ import annotations

from flask import current_app

from .base import KEY, Storage, StorageError, check_key
from .local import LocalStorage

__all__ = ["KEY", "LocalStorage", "Storage", "StorageError", "check_key", "current"]


def current() -> Storage:
    """The app's storage (made once per app)."""
    app = current_app._get_current_object()
    storage = app.extensions.get("sprintboard.storage")
    if storage is None:
        if app.config.get("S3_BUCKET"):
            from .s3 import S3Storage

            storage = S3Storage.from_config(app.config)
        else:
            storage = LocalStorage(app.config["UPLOAD_DIR"])
        app.extensions["sprintboard.storage"] = storage
    return storage
