"""The file storage contract, for the local directory and for S3-compatible storage (moto's
S3 server on loopback, spoken to by boto3 over HTTP as a real bucket would be)."""

from __future__ import annotations

import hashlib
import io

import pytest

from sprintboard.storage import LocalStorage, StorageError
from tests.conftest import free_port, new_bucket, s3_client


@pytest.fixture(params=["local", "s3"])
def files(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "uploads")
    from sprintboard.storage.s3 import S3Storage

    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Storage(s3_client(endpoint), new_bucket(endpoint), "sprintboard/")


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_file_put_comes_back_and_goes(files):
    data = b"%PDF-1.4 flip chart\n" * 1000
    key = key_of(data)
    assert not files.exists(key)
    files.put(key, io.BytesIO(data))
    assert files.exists(key)
    with files.open(key) as fh:
        assert fh.read() == data
    files.put(key, io.BytesIO(data))  # again: nothing changes
    thumb = key + ".thumb480"
    files.put(thumb, io.BytesIO(b"small"))
    assert files.keys() == sorted([key, thumb])
    files.delete(key)
    assert not files.exists(key) and files.keys() == [thumb]
    files.delete(key)  # deleting what is gone is no error


def test_keys_are_checked_before_anything_is_touched(files):
    for bad in ("../secret", "a" * 63, "A" * 64, key_of(b"x") + "/../x"):
        with pytest.raises(ValueError):
            files.put(bad, io.BytesIO(b"x"))


def test_a_missing_file_is_a_storage_error(files):
    with pytest.raises(StorageError):
        files.open(key_of(b"never stored"))


def test_local_files_are_private_and_never_named_by_users(tmp_path):
    files = LocalStorage(tmp_path)
    data = b"photo"
    files.put(key_of(data), io.BytesIO(data))
    path = files.path(key_of(data))
    assert path.relative_to(tmp_path).parts == (key_of(data)[:2], key_of(data)[2:4], key_of(data))
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_unreachable_bucket_is_a_storage_error():
    from sprintboard.storage.s3 import S3Storage

    files = S3Storage(s3_client(f"http://127.0.0.1:{free_port()}"), "nowhere")
    with pytest.raises(StorageError):
        files.put(key_of(b"x"), io.BytesIO(b"x"))
