"""Packages as files: `ROOT/ab/abcd…`, the default store.

A put streams into `ROOT/tmp/<random>.part`, fsyncs it, checks its hash and
renames it to its key; the rename is atomic on one file system, and the
directory is fsynced after it, so a crash leaves at most a stray `.part`
file (swept once it is older than the grace period), never half an object
under a key. Several processes and machines may share the directory (NFS,
a mounted volume) as long as rename stays atomic there.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from .base import CHUNK, KEY, Measured, Opened, Store, StoredObject, check_key

PART = ".part"


class DirectoryStore(Store):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.url = f"file://{self.root}"

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    async def put(self, key: str, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        final = self.path(key)
        self.tmp.mkdir(parents=True, exist_ok=True)
        part = self.tmp / f"{uuid.uuid4().hex}{PART}"
        measured = Measured(max_bytes)
        try:
            with part.open("wb") as out:
                async for chunk in chunks:
                    out.write(measured.add(chunk))
                out.flush()
                await asyncio.to_thread(os.fsync, out.fileno())
            measured.verify(key)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, final)
            await asyncio.to_thread(_fsync_dir, final.parent)
        finally:
            part.unlink(missing_ok=True)
        return measured.size

    async def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    async def open(self, key: str) -> Opened | None:
        path = self.path(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        return Opened(size=size, chunks=_read(path), path=path)

    async def delete(self, key: str) -> bool:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    async def list_objects(self) -> AsyncIterator[StoredObject]:
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if len(shard.name) != 2 or not shard.is_dir():
                continue
            for path in sorted(shard.iterdir()):
                if not KEY.fullmatch(path.name) or path.name[:2] != shard.name:
                    continue
                with contextlib.suppress(FileNotFoundError):  # deleted while we looked
                    stat = path.stat()
                    yield StoredObject(path.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    async def sweep(self, older_than: datetime) -> list[str]:
        removed: list[str] = []
        if not self.tmp.is_dir():
            return removed
        cutoff = older_than.timestamp()
        for part in sorted(self.tmp.glob(f"*{PART}")):
            with contextlib.suppress(FileNotFoundError):
                if part.stat().st_mtime < cutoff:
                    part.unlink()
                    removed.append(f"removed the partial upload {part}")
        return removed


async def _read(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _fsync_dir(path: Path) -> None:
    """Make a rename into `path` survive a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
