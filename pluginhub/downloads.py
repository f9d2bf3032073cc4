"""Serving a package once its signed link checked out, and the start-up sweep.

The signed `downloadUrl` is the API's contract whatever the store. Behind
it, a package is streamed from the store through this process, sent as a
file when the store is a local directory, or, with
`PLUGINHUB_DOWNLOAD_REDIRECT` and a store that presigns (S3), answered with
302 to the store's own URL, valid for `PLUGINHUB_DOWNLOAD_REDIRECT_TTL`
seconds and never past the signed link's own expiry.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse

from . import clock, db
from .config import Settings
from .packages import PackageStore
from .storage import Store
from .storage.base import content_disposition

log = logging.getLogger("pluginhub")


async def serve_package(settings: Settings, objects: Store, sha256: str, name: str, expires: int) -> Response:
    if settings.download_redirect:
        lifetime = min(settings.download_redirect_ttl, expires - int(clock.now().timestamp()))
        if await objects.exists(sha256):
            url = await objects.presign(sha256, name, lifetime)
            if url is not None:
                return RedirectResponse(url, status_code=302, headers={"cache-control": "no-store"})
    opened = await objects.open(sha256)
    if opened is None:
        return PlainTextResponse("package not found", status_code=404)
    if opened.path is not None:  # a local file: the OS sends it, and ranges work
        await opened.close()
        return FileResponse(opened.path, filename=name, media_type="application/zip")
    headers = {
        "content-length": str(opened.size),
        "content-disposition": content_disposition(name),
        "etag": f'"{sha256}"',
    }
    return StreamingResponse(opened.chunks, media_type="application/zip", headers=headers)


async def sweep_at_start(settings: Settings, packages: PackageStore, orm: Any) -> None:
    """Remove what uploads killed more than the grace period ago left behind: never anything
    younger, which another server process may be receiving right now."""
    cutoff = clock.now() - timedelta(seconds=settings.storage_grace)
    try:
        with db.activate(orm):
            removed = await packages.sweep(cutoff)
    except Exception:
        log.exception("sweeping interrupted uploads from %s failed; serving anyway", packages.store.url)
        return
    for line in removed:
        log.warning("start-up sweep: %s", line)
