"""What every package store offers, and the checks all of them share.

A store keeps immutable objects under the SHA-256 of their bytes. `put`
streams them in with the size limit enforced as the bytes arrive and the
hash checked before anything is visible under the key; a reader then sees
either the whole object or none.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

KEY = re.compile(r"[0-9a-f]{64}")
CHUNK = 64 * 1024


class TooLarge(Exception):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"package is larger than the limit of {max_bytes} bytes")
        self.max_bytes = max_bytes


class DigestMismatch(Exception):
    """The bytes given for a key do not hash to it: nothing was stored."""


class StoreUnavailable(Exception):
    """The store cannot be used as configured (a setting is wrong or missing)."""


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise ValueError(f"not a SHA-256 key: {key[:80]!r}")
    return key


def content_disposition(file_name: str) -> str:
    """`attachment; filename=…`, RFC 5987-encoded for names that are not plain ASCII."""
    quoted = quote(file_name)
    if quoted != file_name:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{file_name}"'


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime  # when it was last put: gc spares what is younger than its grace period


@dataclass
class Opened:
    """A stored object ready to be read: its size, its bytes in order, and a local
    file when the store has one (so the server can hand it to the OS)."""

    size: int
    chunks: AsyncIterator[bytes]
    path: Path | None = None

    async def close(self) -> None:
        await self.chunks.aclose()  # type: ignore[attr-defined]


class Measured:
    """Counts and hashes a stream as it passes; raises `TooLarge` the moment it crosses the limit."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.digest = hashlib.sha256()

    def add(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge(self.max_bytes)
        self.digest.update(chunk)
        return chunk

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def verify(self, key: str) -> None:
        if self.sha256 != key:
            raise DigestMismatch(f"the bytes hash to {self.sha256}, not {key}")


class Store(ABC):
    """Content-addressed object storage: a directory, an S3 bucket, or the database."""

    #: what `pluginhub packages` prints for it (never a secret)
    url: str

    @abstractmethod
    async def put(self, key: str, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        """Store the streamed bytes under `key`, their SHA-256; return their size.

        Raises `TooLarge` as soon as more than `max_bytes` arrived, and
        `DigestMismatch` if the bytes hash to another key; either way nothing
        is stored. Putting a key that exists stores the same bytes again and
        refreshes its `modified` time.
        """

    @abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abstractmethod
    async def open(self, key: str) -> Opened | None:
        """The object's bytes as a stream in constant memory; None if absent."""

    @abstractmethod
    async def delete(self, key: str) -> bool:
        """Remove the object; False if there was none."""

    @abstractmethod
    def list_objects(self) -> AsyncIterator[StoredObject]:
        """Every complete object, in no particular order."""

    @abstractmethod
    async def sweep(self, older_than: datetime) -> list[str]:
        """Remove what interrupted puts left behind before `older_than`; describe each removal.

        Younger leftovers may belong to a put in flight in another process."""

    async def presign(self, key: str, file_name: str, expires_in: int) -> str | None:
        """A URL that serves the object directly for `expires_in` seconds, if the store has such URLs."""
        return None

    async def close(self) -> None:
        return None

    async def read(self, key: str) -> bytes | None:
        """The whole object in memory: for tests and small objects only."""
        opened = await self.open(key)
        if opened is None:
            return None
        try:
            return b"".join([chunk async for chunk in opened.chunks])
        finally:
            await opened.close()
