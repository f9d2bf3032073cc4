"""Where stored content lives: one interface (`Store`), three backends.

`PLUGINHUB_STORAGE_URL` picks one: unset, the directory
`PLUGINHUB_STORAGE_DIR` (./data/packages); `file://PATH`, another directory;
`s3://bucket/prefix`, an S3-compatible bucket; `database`, the PostgreSQL
database of `PLUGINHUB_DATABASE_URL`. Callers see only `Store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import DigestMismatch, Opened, Store, StoredObject, StoreUnavailable, TooLarge, check_key

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "DigestMismatch",
    "Opened",
    "Store",
    "StoreUnavailable",
    "StoredObject",
    "TooLarge",
    "check_key",
    "open_store",
    "store_from_url",
]


def store_from_url(url: str, *, default_dir: str = "./data/packages", database_url: str = "") -> Store:
    """The store a URL names; raises `StoreUnavailable` with what to fix."""
    url = url.strip()
    if not url:
        from .directory import DirectoryStore

        return DirectoryStore(default_dir)
    if url.startswith("file://"):
        from .directory import DirectoryStore

        path = url.removeprefix("file://")
        if not path:
            raise StoreUnavailable("file:// needs a path, as in file:///var/lib/pluginhub/packages")
        return DirectoryStore(path)
    if url.startswith("s3://"):
        from .s3 import S3Store

        return S3Store(url)
    if url in ("database", "database:", "database://"):
        if not database_url.startswith("postgres"):
            raise StoreUnavailable(
                "PLUGINHUB_STORAGE_URL=database keeps packages in the PostgreSQL database: "
                "set PLUGINHUB_DATABASE_URL=postgres://..., or use a directory or s3:// store"
            )
        from .postgres import DatabaseStore

        return DatabaseStore()
    raise StoreUnavailable(
        f"unknown storage URL {url.split('?')[0]!r}: use file://PATH, s3://bucket/prefix or database"
    )


def open_store(settings: Settings) -> Store:
    return store_from_url(settings.storage_url, default_dir=settings.storage_dir, database_url=settings.database_url)
