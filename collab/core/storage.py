"""File storage behind one small interface: a local folder under instance/ by default,
or an S3-compatible object store (STORAGE_URL=s3://bucket/prefix) shared by many hosts.

Writes are atomic (temp file, fsync, rename). Files are removed only after the row that
pointed at them is gone: ``delete_after_commit`` waits for the transaction to commit,
and ``discard_on_rollback`` removes a freshly written file if its row never lands.
"""

import os
import re
import tempfile
import uuid
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import event

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9/_-]{0,200}\.[a-z0-9]{1,8}$")


class LocalStorage:
    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _path(self, key: str) -> str:
        if not KEY_RE.match(key) or ".." in key:
            raise ValueError(f"bad storage key {key!r}")
        return os.path.join(self.root, key)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def read(self, key: str) -> bytes:
        with open(self._path(key), "rb") as f:
            return f.read()

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass

    def keys(self, prefix: str = ""):
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith(".tmp-"):
                    continue
                key = os.path.relpath(os.path.join(folder, name), self.root)
                key = key.replace(os.sep, "/")
                if key.startswith(prefix):
                    yield key


class S3Storage:
    """Objects in a bucket under a prefix. A PUT is atomic, so no temp-file dance."""

    def __init__(
        self, url: str, endpoint: str | None = None, region: str | None = None
    ):
        import boto3

        parsed = urlsplit(url)
        self.bucket = parsed.netloc
        self.prefix = parsed.path.strip("/")
        self.client = boto3.client(
            "s3", endpoint_url=endpoint or None, region_name=region or "us-east-1"
        )

    def _name(self, key: str) -> str:
        if not KEY_RE.match(key) or ".." in key:
            raise ValueError(f"bad storage key {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    def read(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise FileNotFoundError(key) from error
            raise
        return answer["Body"].read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in (
                "404",
                "NoSuchKey",
                "NotFound",
            ):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self, prefix: str = ""):
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start + prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(start) :]


def new_key(prefix: str, extension: str) -> str:
    """A generated name: user-supplied file names never reach the file system."""
    return f"{prefix}/{uuid.uuid4().hex}.{extension}"


def storage() -> LocalStorage:
    return current_app.extensions["collab_storage"]


def delete_after_commit(session, key: str) -> None:
    """Remove ``key`` once the transaction that dropped its row commits."""
    store = storage()
    _on_outcome(session, committed=lambda: store.delete(key))


def discard_on_rollback(session, key: str) -> None:
    """Remove a file just written if the transaction that would record it rolls back."""
    store = storage()
    _on_outcome(session, rolled_back=lambda: store.delete(key))


def _on_outcome(session, committed=None, rolled_back=None) -> None:
    """Run one callback when the current transaction ends, depending on how it ends."""
    info = session.info
    if "file_callbacks" not in info:
        info["file_callbacks"] = {"commit": [], "rollback": []}
        event.listen(session, "after_commit", _after_commit)
        # Any end of the outermost transaction that was not a commit (rollback, close
        # after an exception, a dying worker's session) counts as a rollback.
        event.listen(session, "after_transaction_end", _after_end)
    if committed:
        info["file_callbacks"]["commit"].append(committed)
    if rolled_back:
        info["file_callbacks"]["rollback"].append(rolled_back)


def _run(session, outcome: str) -> None:
    callbacks = session.info["file_callbacks"]
    todo = callbacks[outcome]
    callbacks["commit"], callbacks["rollback"] = [], []
    for callback in todo:
        callback()


def _after_commit(session) -> None:
    _run(session, "commit")


def _after_end(session, transaction) -> None:
    if transaction.parent is None:
        _run(session, "rollback")


def from_config(config, instance_path: str):
    url = config.get("STORAGE_URL") or ""
    if url.startswith("s3://"):
        return S3Storage(
            url, config.get("STORAGE_S3_ENDPOINT"), config.get("STORAGE_S3_REGION")
        )
    return LocalStorage(
        config.get("STORAGE_PATH") or os.path.join(instance_path, "files")
    )


def init_app(app: Flask) -> None:
    app.extensions["collab_storage"] = from_config(app.config, app.instance_path)
