"""Content-addressed package storage.

A package is streamed to a temporary file in the store while it is hashed
and measured, so an oversized upload is refused as soon as it crosses the
limit and never sits in memory. Only a complete, checked file is flushed,
synced and renamed to its SHA-256 name: a crash leaves at most a stray
temporary file, never a half package behind a version.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

CHUNK = 64 * 1024
MANIFEST = "plugin.json"
MAX_MANIFEST_BYTES = 1024 * 1024


class PackageTooLarge(Exception):
    pass


class PackageInvalid(Exception):
    pass


class PackageSource(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


class PackageStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    @contextlib.asynccontextmanager
    async def stage(self, source: PackageSource, max_bytes: int) -> AsyncIterator[StagedPackage]:
        """Receive and check a package in a temporary file; it is stored only if `keep()` is called.

        The caller decides after hashing whether the package is wanted (an
        upload refused for its version number leaves nothing behind).
        """
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with tmp.open("wb") as out:
                while chunk := await source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise PackageTooLarge(f"package is larger than the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            await asyncio.to_thread(check_package, tmp)
            yield StagedPackage(self, tmp, digest.hexdigest(), size)
        finally:
            tmp.unlink(missing_ok=True)


class StagedPackage:
    def __init__(self, store: PackageStore, tmp: Path, sha256: str, size: int) -> None:
        self.store = store
        self.tmp = tmp
        self.sha256 = sha256
        self.size = size

    def keep(self) -> None:
        """Rename the checked file to its content address (atomic on one file system)."""
        final = self.store.path(self.sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.tmp, final)


def check_package(path: Path) -> None:
    """A zip archive with a `plugin.json` at its root that is a JSON object."""
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(MANIFEST)
            except KeyError:
                raise PackageInvalid("the package has no plugin.json at its root") from None
            if info.file_size > MAX_MANIFEST_BYTES:
                raise PackageInvalid("plugin.json is larger than 1 MiB")
            with archive.open(info) as manifest:
                data = manifest.read(MAX_MANIFEST_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise PackageInvalid(f"the package is not a readable zip archive ({exc.__class__.__name__})") from None
    try:
        manifest_value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageInvalid("plugin.json is not valid JSON") from None
    if not isinstance(manifest_value, dict):
        raise PackageInvalid("plugin.json must be a JSON object")
