"""Helpers for tests that run pluginhub in processes of its own."""

from __future__ import annotations

import os
import socket

from pluginhub.config import Settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a pluginhub process on `settings`: this one's, with no other PLUGINHUB_ setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUGINHUB_")}
    env.update(
        PLUGINHUB_DATABASE_URL=settings.database_url,
        PLUGINHUB_STORAGE_DIR=settings.storage_dir,
        PLUGINHUB_SECRET_KEY=settings.secret_key,
        PYTHONUNBUFFERED="1",
        **extra,
    )
    if settings.storage_url:
        env["PLUGINHUB_STORAGE_URL"] = settings.storage_url
    if settings.spool_dir:
        env["PLUGINHUB_SPOOL_DIR"] = settings.spool_dir
    return env
