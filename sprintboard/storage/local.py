"""Attached files in a local directory (UPLOAD_DIR, default instance/uploads)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from .base import KEY, StorageError, check_key


class LocalStorage:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, source: BinaryIO) -> None:
        target = self.path(key)
        if target.exists():
            return  # content addressed: the same key holds the same bytes
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Written to a temporary name and renamed: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except OSError as error:
            raise StorageError(str(error)) from error

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except OSError as error:
            raise StorageError(str(error)) from error

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.glob("??/??/*") if KEY.match(p.name))
