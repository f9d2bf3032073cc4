"""A real S3 protocol endpoint on loopback for the tests: moto's standalone server.

It runs as its own process (`python -m moto.server`) on a free port of
127.0.0.1, so the s3:// store talks HTTP to it exactly as to AWS S3 or MinIO.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

BUCKET = "pluginhub-test"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "pluginhub-test",
    "AWS_SECRET_ACCESS_KEY": "pluginhub-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
START_WITHIN = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / "moto.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and create the bucket; raises RuntimeError with the log if it does not come up."""
        env = {**os.environ, **CREDENTIALS}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_WITHIN
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.put(f"{self.endpoint}/{BUCKET}", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto did not answer within {START_WITHIN}s:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def url(self, prefix: str | None = None) -> str:
        """A store URL under a prefix of its own, so tests never see each other's objects."""
        return f"s3://{BUCKET}/{prefix or uuid.uuid4().hex}?endpoint={self.endpoint}&region=us-east-1"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
