"""The storage interface, its error, and what a key looks like."""

from __future__ import annotations

import re
from typing import BinaryIO, Protocol

KEY = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,12})?$")


class Storage(Protocol):
    def put(self, key: str, source: BinaryIO) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def keys(self) -> list[str]: ...


class StorageError(Exception):
    """The storage could not keep or give back a file (disk full, bucket unreachable …)."""


def check_key(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key
