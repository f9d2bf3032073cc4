"""Uploads and downloads through the API, on each store; redirects to S3's own URLs."""

from __future__ import annotations

import hashlib
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pluginhub import signing
from tests.helpers import make_package, top_level_codes, unique_package
from tests.storage.conftest import store_app
from tests.storage.test_stores import keys


def spool_files(settings) -> list[str]:
    return sorted(p.name for p in settings.spool_path.iterdir()) if settings.spool_path.is_dir() else []


async def upload_raw(on_store, who, plugin, version: str, package: bytes):
    input = {"pluginId": plugin["pluginId"], "version": version, "description": "", "features": []}
    return await on_store.console.upload_raw(who, input, package)


# ---------------------------------------------------------------- the allowed path


async def test_an_upload_lands_in_the_store_and_its_link_serves_it(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Stored")
    package = unique_package()

    version = await on_store.console.upload(alice, plugin, "1.0.0", package=package)

    sha = hashlib.sha256(package).hexdigest()
    assert version["package"]["sha256"] == sha
    assert await keys(on_store.store) == {sha}
    assert await on_store.store.read(sha) == package
    response = await on_store.http.get(version["package"]["downloadUrl"])  # no token
    assert response.status_code == 200, response.text
    assert response.content == package
    assert response.headers["content-type"].startswith("application/zip")
    assert response.headers["content-length"] == str(len(package))
    assert 'filename="plugin.zip"' in response.headers["content-disposition"]
    assert spool_files(on_store.settings) == []


async def test_a_non_ascii_file_name_survives_the_streamed_download(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Named")
    package = unique_package()
    input = {"pluginId": plugin["pluginId"], "version": "1.0.0", "description": "", "features": []}
    body = (await on_store.console.upload_raw(alice, input, package, file_name="pay ü.zip")).json()
    url = body["data"]["uploadVersion"]["version"]["package"]["downloadUrl"]

    response = await on_store.http.get(url)

    assert response.status_code == 200
    assert response.content == package
    assert "pay%20%C3%BC.zip" in response.headers["content-disposition"]


async def test_two_versions_with_the_same_bytes_share_one_object(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Shared")
    package = unique_package()

    first = await on_store.console.upload(alice, plugin, "1.0.0", package=package)
    second = await on_store.console.upload(alice, plugin, "1.0.1", package=package)

    assert await keys(on_store.store) == {first["package"]["sha256"]}
    for version in (first, second):
        assert (await on_store.http.get(version["package"]["downloadUrl"])).content == package


# ---------------------------------------------------------------- refusals store nothing


async def test_an_oversized_package_is_refused_and_nothing_is_stored(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Big")
    package = make_package({"main": "index.js"}, extra={"blob.bin": b"\0" * 10})
    package = package + b"\0" * (on_store.settings.max_package_bytes + 1 - len(package))

    body = (await upload_raw(on_store, alice, plugin, "1.0.0", package)).json()

    assert [e["code"] for e in body["data"]["uploadVersion"]["userErrors"]] == ["PACKAGE_TOO_LARGE"]
    assert await keys(on_store.store) == set()
    assert spool_files(on_store.settings) == []


async def test_an_invalid_package_is_refused_and_nothing_is_stored(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Broken")

    body = (await upload_raw(on_store, alice, plugin, "1.0.0", b"not a zip")).json()

    assert [e["code"] for e in body["data"]["uploadVersion"]["userErrors"]] == ["PACKAGE_INVALID"]
    assert await keys(on_store.store) == set()


async def test_an_upload_refused_for_its_version_stores_nothing(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Numbered")
    await on_store.console.upload(alice, plugin, "1.0.0")
    before = await keys(on_store.store)
    package = unique_package()

    body = (await upload_raw(on_store, alice, plugin, "1.0.0", package)).json()

    assert [e["code"] for e in body["data"]["uploadVersion"]["userErrors"]] == ["VERSION_EXISTS"]
    assert await keys(on_store.store) == before


async def test_a_signed_link_to_an_object_not_in_the_store_is_not_found(on_store):
    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()

    response = await on_store.http.get(signing.download_path(on_store.settings.secret_key, sha, "p.zip", ttl=60))

    assert response.status_code == 404


async def test_a_tampered_link_is_forbidden_whatever_the_store(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Tampered")
    version = await on_store.console.upload(alice, plugin, "1.0.0")
    url = version["package"]["downloadUrl"]

    response = await on_store.http.get(url.replace("name=plugin.zip", "name=other.zip"))

    assert response.status_code == 403
    assert (await on_store.http.get(url)).status_code == 200


# ---------------------------------------------------------------- redirects to the store


def presigned(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def s3_url(s3_server) -> str:
    return s3_server.url()


async def test_with_redirects_a_download_is_a_302_to_a_short_lived_presigned_url(app, settings, s3_url, alice):
    async with store_app(settings, s3_url, download_redirect=True, download_redirect_ttl=120) as served:
        plugin = await served.console.create_plugin(alice, "Redirected")
        package = unique_package()
        version = await served.console.upload(alice, plugin, "1.0.0", package=package)

        response = await served.http.get(version["package"]["downloadUrl"])

        assert response.status_code == 302, response.text
        assert response.headers["cache-control"] == "no-store"
        location = response.headers["location"]
        assert location.startswith(served.store.options["endpoint"])
        params = presigned(location)
        assert params["X-Amz-Signature"] and params["X-Amz-Credential"].startswith("pluginhub-test/")
        assert int(params["X-Amz-Expires"]) == 120
        assert params["response-content-disposition"] == 'attachment; filename="plugin.zip"'
        assert params["response-content-type"] == "application/zip"
        async with httpx.AsyncClient() as outside:  # what the client does: follow it to the store
            fetched = await outside.get(location)
        assert fetched.status_code == 200
        assert fetched.content == package


async def test_a_presigned_url_never_outlives_the_signed_link(app, settings, s3_url, alice):
    async with store_app(settings, s3_url, download_redirect=True, download_redirect_ttl=3600) as served:
        plugin = await served.console.create_plugin(alice, "Short")
        version = await served.console.upload(alice, plugin, "1.0.0")
        sha = version["package"]["sha256"]

        response = await served.http.get(signing.download_path(served.settings.secret_key, sha, "plugin.zip", ttl=30))

        assert response.status_code == 302
        assert 25 <= int(presigned(response.headers["location"])["X-Amz-Expires"]) <= 30


@pytest.mark.parametrize("tamper", ["name", "expires", "sig", "expired"])
async def test_with_redirects_a_tampered_or_expired_link_is_forbidden_and_not_redirected(
    app, settings, s3_url, alice, tamper
):
    async with store_app(settings, s3_url, download_redirect=True) as served:
        plugin = await served.console.create_plugin(alice, "Guarded")
        version = await served.console.upload(alice, plugin, "1.0.0")
        sha = version["package"]["sha256"]
        key = served.settings.secret_key
        good = signing.download_path(key, sha, "plugin.zip", ttl=600)
        bad = {
            "name": good.replace("name=plugin.zip", "name=evil.zip"),
            "expires": good.replace("expires=", "expires=9"),
            "sig": good[:-1] + ("0" if good[-1] != "0" else "1"),
            "expired": signing.download_path(key, sha, "plugin.zip", ttl=3600, now=time.time() - 7200),
        }[tamper]

        response = await served.http.get(bad)

        assert response.status_code == 403
        assert "location" not in response.headers
        assert (await served.http.get(good)).status_code == 302  # the untouched link still redirects


async def test_with_redirects_a_missing_object_is_not_found_rather_than_redirected(app, settings, s3_url):
    async with store_app(settings, s3_url, download_redirect=True) as served:
        sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()

        response = await served.http.get(signing.download_path(served.settings.secret_key, sha, "p.zip", ttl=60))

        assert response.status_code == 404


async def test_redirects_with_a_store_that_cannot_presign_stream_instead(app, settings, tmp_path, alice):
    async with store_app(settings, f"file://{tmp_path / 'files'}", download_redirect=True) as served:
        plugin = await served.console.create_plugin(alice, "Local")
        package = unique_package()
        version = await served.console.upload(alice, plugin, "1.0.0", package=package)

        response = await served.http.get(version["package"]["downloadUrl"])

        assert response.status_code == 200
        assert response.content == package


async def test_a_request_over_the_body_limit_is_413_on_every_store(on_store, alice):
    plugin = await on_store.console.create_plugin(alice, "Huge")
    settings = on_store.settings
    package = b"\0" * (settings.max_package_bytes + settings.max_body_bytes + 1)

    response = await upload_raw(on_store, alice, plugin, "1.0.0", package)

    assert response.status_code == 413
    assert top_level_codes(response.json()) == ["PACKAGE_TOO_LARGE"]
    assert await keys(on_store.store) == set()
