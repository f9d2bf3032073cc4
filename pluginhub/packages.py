"""Packages: received and checked in a local spool, then kept in the store by SHA-256.

An upload streams to a spool file on this machine while it is hashed and
measured, so an oversized package is refused as soon as it crosses the limit
and never sits in memory; the zip check needs a whole, seekable file. Only a
checked package is put in the store (`storage.Store`), in the transaction
that writes the row referencing it. A crash leaves at most a spool file,
which the sweep at start removes once it is older than the grace period.

Other content stored "like packages" (review attachments, say) uses the same
`PackageStore.stage` with its own `check`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
import zipfile
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .storage import Store, TooLarge, open_store
from .storage.base import CHUNK, Measured
from .storage.references import hold_for_new_reference

if TYPE_CHECKING:
    from .config import Settings

MANIFEST = "plugin.json"
MAX_MANIFEST_BYTES = 1024 * 1024
PART = ".part"

PackageTooLarge = TooLarge


class PackageInvalid(Exception):
    pass


class PackageSource(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


class PackageStore:
    def __init__(self, store: Store, spool_dir: str | Path) -> None:
        self.store = store
        self.spool_dir = Path(spool_dir)

    @contextlib.asynccontextmanager
    async def stage(
        self, source: PackageSource, max_bytes: int, check: Callable[[Path], None] | None = None
    ) -> AsyncIterator[StagedPackage]:
        """Receive and check a package in a spool file; it is stored only if `keep()` is awaited.

        The caller decides after hashing whether the package is wanted (an
        upload refused for its version number leaves nothing behind).
        """
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        spool = self.spool_dir / f"{uuid.uuid4().hex}{PART}"
        measured = Measured(max_bytes)
        try:
            with spool.open("wb") as out:
                while chunk := await source.read(CHUNK):
                    out.write(measured.add(chunk))
            await asyncio.to_thread(check or check_package, spool)
            yield StagedPackage(self.store, spool, measured.sha256, measured.size)
        finally:
            spool.unlink(missing_ok=True)

    async def sweep(self, older_than: datetime) -> list[str]:
        """What killed uploads left: spool files here, partial puts in the store."""
        removed = await self.store.sweep(older_than)
        if self.spool_dir.is_dir():
            for spool in sorted(self.spool_dir.glob(f"*{PART}")):
                with contextlib.suppress(FileNotFoundError):
                    if spool.stat().st_mtime < older_than.timestamp():
                        spool.unlink()
                        removed.append(f"removed the interrupted upload {spool}")
        return removed


class StagedPackage:
    def __init__(self, store: Store, spool: Path, sha256: str, size: int) -> None:
        self.store = store
        self.spool = spool
        self.sha256 = sha256
        self.size = size

    async def keep(self) -> None:
        """Put the checked package in the store under its SHA-256.

        Call it inside the transaction that writes the row referencing the
        package, after writing that row: gc then either sees the row or runs
        before the put (see `storage.references`)."""
        await hold_for_new_reference()
        await self.store.put(self.sha256, self.chunks(), self.size)

    async def chunks(self) -> AsyncIterator[bytes]:
        with self.spool.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk


def from_settings(settings: Settings) -> PackageStore:
    return PackageStore(open_store(settings), settings.spool_path)


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


__all__ = ["PackageInvalid", "PackageSource", "PackageStore", "PackageTooLarge", "StagedPackage"]
