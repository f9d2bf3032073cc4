"""Settings, read from the environment and an optional `.env` file.

Every limit the API enforces lives here so that an operator can tune it
without touching code; the defaults are the product's documented limits.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

PREFIX = "PLUGINHUB_"


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse `KEY=value` lines; the process environment still wins over them."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


CHOICES = {
    "log_format": ("json", "text"),
    "log_level": ("debug", "info", "warning", "error"),
    "tracing": ("off", "otlp", "console"),
    "persisted_queries": ("apq", "allowlist", "off"),
}


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://./data/pluginhub.sqlite3"
    storage_dir: str = "./data/packages"
    storage_url: str = ""  # empty: the directory storage_dir; else file://PATH, s3://bucket/prefix or database
    storage_grace: int = 3600  # seconds: younger unreferenced objects and partial uploads are left alone
    spool_dir: str = ""  # where uploads are received and checked; empty: the system's temporary directory
    download_redirect: bool = False  # answer a download with 302 to the store's own presigned URL (s3://)
    download_redirect_ttl: int = 300  # seconds a presigned URL lasts (never past the signed link's expiry)
    secret_key: str = ""
    public_url: str = ""
    trusted_hosts: str = "localhost,127.0.0.1,::1"  # Host names links may be built from when public_url is unset
    max_package_bytes: int = 10 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    default_page_size: int = 20
    max_page_size: int = 100
    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_aliases: int = 30
    download_url_ttl: int = 3600
    # Browsers, operators and IDEs (see cors.py, telemetry/, persisted.py).
    cors_origins: str = ""
    gzip_min_bytes: int = 1024
    log_format: str = "json"
    log_level: str = "info"
    metrics_token: str = ""
    metrics_max_operations: int = 200
    tracing: str = "off"
    persisted_queries: str = "apq"
    persisted_queries_file: str = "./data/persisted-queries.json"
    apq_cache_size: int = 1000
    # Webhooks (see webhooks/ and docs/behaviour.md).
    webhook_allow_private: bool = False  # tests and private deployments: allow loopback and private addresses
    webhook_worker: bool = True  # send webhook deliveries from this process
    webhook_timeout: float = 10.0  # seconds a receiver has to answer 2xx
    webhook_retry_base: float = 10.0  # first retry delay in seconds; doubles after each failure
    webhook_retry_max: float = 86400.0  # the longest delay between two attempts
    webhook_lease: float = 60.0  # seconds a process holds a webhook while sending; must exceed the timeout
    webhook_poll: float = 0.0  # seconds between looks at the log when nothing wakes the worker (0: the default)

    body_read_timeout: int = 30  # seconds a request body may stall between two chunks
    body_timeout: int = 600  # seconds a whole request body (an upload) may take

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{PREFIX}{name.upper()} must be one of {', '.join(allowed)}, not {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        env: dict[str, str] = read_dotenv(dotenv) if dotenv else {}
        env.update(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            if f.type in ("int", int):
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{PREFIX}{f.name.upper()} must be a whole number, not {raw!r}") from None
            elif f.type in ("float", float):
                try:
                    values[f.name] = float(raw)
                except ValueError:
                    raise ValueError(f"{PREFIX}{f.name.upper()} must be a number, not {raw!r}") from None
            elif f.type in ("bool", bool):
                values[f.name] = raw.lower() in ("1", "true", "yes", "on")
            elif f.name in CHOICES:
                values[f.name] = raw.strip().lower()
            else:
                values[f.name] = raw
        return cls(**values)  # type: ignore[arg-type]

    @property
    def trusted_host_names(self) -> frozenset[str]:
        return frozenset(name.strip().strip("[]").lower() for name in self.trusted_hosts.split(",") if name.strip())

    @property
    def spool_path(self) -> Path:
        return Path(self.spool_dir) if self.spool_dir else Path(tempfile.gettempdir()) / "pluginhub-spool"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_secret_key(self) -> Settings:
        """Fill in a secret key, generating one under ./data/ on first run.

        The key signs package download links; keeping it in a file means
        links survive a restart without the operator having to set anything.
        """
        if self.secret_key:
            return self
        key_file = Path("./data/secret_key")
        if key_file.is_file():
            key = key_file.read_text(encoding="utf-8").strip()
        else:
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            tmp = key_file.with_suffix(".tmp")
            tmp.write_text(key, encoding="utf-8")
            tmp.chmod(0o600)
            os.replace(tmp, key_file)
        return replace(self, secret_key=key)
