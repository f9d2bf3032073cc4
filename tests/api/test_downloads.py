"""Package downloads through the signed, expiring `downloadUrl`."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import pytest_asyncio

from pluginhub import signing
from tests.helpers import stored_path, unique_package

PACKAGE_LINK = """
query($id: ID!) { node(id: $id) { ... on PluginVersion { package { sha256 size fileName downloadUrl } } } }"""


def split_link(url: str) -> tuple[str, str, dict[str, str]]:
    """(path without query, sha256, query parameters) of a download link."""
    parts = urlsplit(url)
    params = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    return parts.path, parts.path.rsplit("/", 1)[-1], params


def link(sha256: str, params: dict[str, str]) -> str:
    return f"/packages/{sha256}?{urlencode(params)}"


@pytest_asyncio.fixture
async def uploaded(console, alice, plugin) -> dict[str, Any]:
    """A development version with its package bytes."""
    package = unique_package()
    version = await console.upload(alice, plugin, "1.0.0", package=package)
    return {"version": version, "bytes": package, "url": version["package"]["downloadUrl"]}


# ---------------------------------------------------------------- the allowed path


async def test_download_url_serves_the_uploaded_bytes_without_a_token(client, uploaded):
    response = await client.get(uploaded["url"])  # no Authorization header

    assert response.status_code == 200, response.text
    assert response.content == uploaded["bytes"]
    assert hashlib.sha256(response.content).hexdigest() == uploaded["version"]["package"]["sha256"]
    assert response.headers["content-type"].startswith("application/zip")
    assert "plugin.zip" in response.headers.get("content-disposition", "")


async def test_download_url_is_an_absolute_link_to_this_server_that_expires(settings, uploaded):
    before = time.time()
    url = uploaded["url"]

    parts = urlsplit(url)
    path, sha, params = split_link(url)
    assert parts.scheme == "http" and parts.netloc == "testserver"
    assert path == f"/packages/{uploaded['version']['package']['sha256']}"
    assert sha == uploaded["version"]["package"]["sha256"]
    assert params["name"] == uploaded["version"]["package"]["fileName"]
    assert params["sig"]
    expires = int(params["expires"])
    # Valid for at least the TTL, at most twice it (the same link for a whole TTL window).
    assert before - 5 + settings.download_url_ttl <= expires <= before + 2 * settings.download_url_ttl + 5


async def test_every_query_of_the_version_gives_a_working_link(console, client, alice, uploaded):
    again = (await console.query(PACKAGE_LINK, {"id": uploaded["version"]["id"]}, alice))["node"]["package"]

    response = await client.get(again["downloadUrl"])

    assert response.status_code == 200
    assert response.content == uploaded["bytes"]


async def test_two_versions_with_the_same_bytes_download_the_same_package(console, client, alice, plugin, uploaded):
    second = await console.upload(alice, plugin, "1.0.1", package=uploaded["bytes"])

    response = await client.get(second["package"]["downloadUrl"])

    assert response.status_code == 200
    assert response.content == uploaded["bytes"]


async def test_a_correctly_signed_link_that_has_not_expired_is_served(client, settings, uploaded):
    """Control for the forged links below: signing by the server's key is what counts."""
    sha = uploaded["version"]["package"]["sha256"]

    response = await client.get(signing.download_path(settings.secret_key, sha, "renamed.zip", ttl=60))

    assert response.status_code == 200
    assert response.content == uploaded["bytes"]
    assert "renamed.zip" in response.headers.get("content-disposition", "")


async def test_a_file_name_with_spaces_and_non_ascii_letters_survives_the_link(console, client, alice, plugin):
    package = unique_package()
    response = await console.upload_raw(
        alice,
        {"pluginId": plugin["pluginId"], "version": "1.0.0", "description": "", "features": []},
        package,
        file_name="pay button ü+1.zip",
    )
    version = response.json()["data"]["uploadVersion"]["version"]
    assert version["package"]["fileName"] == "pay button ü+1.zip"

    download = await client.get(version["package"]["downloadUrl"])

    assert download.status_code == 200, download.text
    assert download.content == package


# ---------------------------------------------------------------- tampered and expired links


async def _other_sha(console, alice, plugin) -> str:
    """The sha256 of another stored package, so a swapped link points at a real file."""
    other = await console.upload(alice, plugin, "2.0.0", package=unique_package())
    return other["package"]["sha256"]


def _flip(text: str, index: int = 0) -> str:
    return text[:index] + ("0" if text[index] != "0" else "1") + text[index + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        "sig-changed",
        "sig-truncated",
        "sig-empty",
        "sig-missing",
        "sha-swapped",
        "name-changed",
        "name-missing",
        "expires-later",
        "expires-earlier-but-future",
        "expires-missing",
        "expires-not-a-number",
    ],
)
async def test_a_tampered_link_is_forbidden(console, client, alice, plugin, uploaded, tamper):
    _, sha, params = split_link(uploaded["url"])
    if tamper == "sha-swapped":
        sha = await _other_sha(console, alice, plugin)
    elif tamper == "sig-changed":
        params["sig"] = _flip(params["sig"], len(params["sig"]) // 2)
    elif tamper == "sig-truncated":
        params["sig"] = params["sig"][:-1]
    elif tamper == "sig-empty":
        params["sig"] = ""
    elif tamper == "sig-missing":
        del params["sig"]
    elif tamper == "name-changed":
        params["name"] = "other.zip"
    elif tamper == "name-missing":
        del params["name"]
    elif tamper == "expires-later":
        params["expires"] = str(int(params["expires"]) + 86400)
    elif tamper == "expires-earlier-but-future":
        params["expires"] = str(int(params["expires"]) - 1)
    elif tamper == "expires-missing":
        del params["expires"]
    elif tamper == "expires-not-a-number":
        params["expires"] = params["expires"] + "x"

    response = await client.get(link(sha, params))

    assert response.status_code == 403, response.text
    assert response.content != uploaded["bytes"]
    # The untouched link still works: the refusal came from the edit.
    assert (await client.get(uploaded["url"])).status_code == 200


async def test_an_expired_link_is_forbidden(client, settings, uploaded):
    sha = uploaded["version"]["package"]["sha256"]
    expired = signing.download_path(settings.secret_key, sha, "plugin.zip", ttl=-5)

    response = await client.get(expired)

    assert response.status_code == 403
    assert response.content != uploaded["bytes"]


async def test_a_link_that_expired_long_ago_is_forbidden(client, settings, uploaded):
    sha = uploaded["version"]["package"]["sha256"]
    expired = signing.download_path(settings.secret_key, sha, "plugin.zip", ttl=3600, now=time.time() - 7 * 86400)

    response = await client.get(expired)

    assert response.status_code == 403


async def test_a_link_signed_with_another_key_is_forbidden(client, uploaded):
    sha = uploaded["version"]["package"]["sha256"]

    response = await client.get(signing.download_path("not-the-server-key", sha, "plugin.zip", ttl=600))

    assert response.status_code == 403


# ---------------------------------------------------------------- missing packages


async def test_a_validly_signed_link_to_a_missing_file_is_not_found(client, settings, uploaded):
    path = stored_path(settings, uploaded["version"]["package"]["sha256"])
    assert path.is_file()
    path.unlink()

    response = await client.get(uploaded["url"])

    assert response.status_code == 404


async def test_a_signed_link_to_a_package_never_stored_is_not_found(client, settings):
    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    assert not stored_path(settings, sha).exists()

    response = await client.get(signing.download_path(settings.secret_key, sha, "plugin.zip", ttl=600))

    assert response.status_code == 404


async def test_the_link_is_the_same_on_every_read_within_its_window(console, alice, uploaded):
    first = await console.version(alice, uploaded["version"]["id"])
    second = await console.version(alice, uploaded["version"]["id"])
    assert first["package"]["downloadUrl"] == second["package"]["downloadUrl"] == uploaded["url"]
