"""Webhook secrets at rest.

A webhook's secret must be readable to sign each delivery, so unlike API
tokens it cannot be kept as a hash. It is encrypted with AES-256-GCM under a
key derived (HKDF-SHA256) from PLUGINHUB_SECRET_KEY, bound to its plugin: a
copy of the database alone reveals no secret, and a sealed secret moved to
another plugin's webhook does not open.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
NONCE_BYTES = 12


class Unsealable(Exception):
    """The secret key changed, or the sealed value was tampered with."""


def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pluginhub webhook secrets").derive(
        secret_key.encode()
    )
    return AESGCM(key)


def seal(secret_key: str, secret: str, plugin_id: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(secret_key).encrypt(nonce, secret.encode(), plugin_id.encode())
    return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(secret_key: str, sealed: str, plugin_id: str) -> str:
    version, _, body = sealed.partition(":")
    if version != VERSION:
        raise Unsealable(f"unknown sealing {version!r}")
    try:
        raw = base64.b64decode(body, validate=True)
        return _cipher(secret_key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], plugin_id.encode()).decode()
    except (InvalidTag, ValueError) as exc:
        raise Unsealable("the webhook secret cannot be decrypted: was PLUGINHUB_SECRET_KEY changed?") from exc
