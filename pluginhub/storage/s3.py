"""Packages in any S3-compatible bucket (AWS S3, MinIO, Ceph RGW, OSS's S3 mode).

Keys are `PREFIX/ab/abcd…`. A body up to one part is sent in one PutObject;
a larger one as a multipart upload to its final key, which S3 shows only
once CompleteMultipartUpload succeeds, and which is aborted when the body
is too large or hashes to another key. So a reader sees a whole object or
none; an upload interrupted by a crash stays an invisible incomplete
multipart upload until the start-up sweep (or a bucket lifecycle rule)
aborts it.

Credentials come from botocore's usual chain (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, a profile, an instance role); the endpoint from
`?endpoint=` in the URL or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .base import CHUNK, KEY, Measured, Opened, Store, StoredObject, StoreUnavailable, check_key, content_disposition

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

PART_SIZE = 8 * 1024 * 1024  # S3 wants parts of at least 5 MiB, but the last
OPTIONS = {"endpoint", "region", "addressing", "profile"}


class S3Store(Store):
    def __init__(self, url: str, part_size: int = PART_SIZE) -> None:
        parts = urlsplit(url)
        if not parts.netloc:
            raise StoreUnavailable(f"{url!r}: name a bucket, as in s3://bucket/prefix")
        options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        unknown = set(options) - OPTIONS
        if unknown:
            raise StoreUnavailable(f"{url!r}: unknown option(s) {', '.join(sorted(unknown))}; known: {sorted(OPTIONS)}")
        if options.get("addressing", "path") not in ("path", "virtual", "auto"):
            raise StoreUnavailable(f"{url!r}: addressing is path, virtual or auto")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.options = options
        self.part_size = part_size
        self.url = f"s3://{self.bucket}/{self.prefix}"
        self._client: S3Client | None = None
        self._context: Any = None
        self._lock = asyncio.Lock()

    def object_key(self, key: str) -> str:
        check_key(key)
        return "/".join(p for p in (self.prefix, key[:2], key) if p)

    @property
    def _list_prefix(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    async def client(self) -> S3Client:
        """One client per store, made on first use inside the running loop."""
        async with self._lock:
            if self._client is None:
                from aiobotocore.config import AioConfig
                from aiobotocore.session import AioSession

                session = AioSession(profile=self.options.get("profile"))
                config = AioConfig(
                    signature_version="s3v4",
                    s3={"addressing_style": self.options.get("addressing", "path")},
                    # S3-compatible services (Ceph, OSS, older MinIO) refuse the newer default checksums
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                    retries={"max_attempts": 3, "mode": "standard"},
                )
                self._context = session.create_client(
                    "s3",
                    endpoint_url=self.options.get("endpoint"),
                    region_name=self.options.get("region") or session.get_config_variable("region") or "us-east-1",
                    config=config,
                )
                self._client = await self._context.__aenter__()
        assert self._client is not None
        return self._client

    async def close(self) -> None:
        async with self._lock:
            if self._context is not None:
                await self._context.__aexit__(None, None, None)
            self._client = self._context = None

    async def put(self, key: str, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        client = await self.client()
        name = self.object_key(key)
        measured = Measured(max_bytes)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []

        async def send_part(data: bytes) -> None:
            nonlocal upload_id
            if upload_id is None:
                upload_id = (await client.create_multipart_upload(Bucket=self.bucket, Key=name))["UploadId"]
            number = len(parts) + 1
            answer = await client.upload_part(
                Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=data
            )
            parts.append({"ETag": answer["ETag"], "PartNumber": number})

        try:
            async for chunk in chunks:
                buffer += measured.add(chunk)
                while len(buffer) >= self.part_size:
                    with memoryview(buffer) as view:
                        part = bytes(view[: self.part_size])  # one copy, not two
                    del buffer[: self.part_size]
                    await send_part(part)
            measured.verify(key)
            if upload_id is None:
                await client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
            else:
                if buffer:
                    await send_part(bytes(buffer))
                await client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
                )
                upload_id = None
        finally:
            if upload_id is not None:
                await asyncio.shield(client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id))
        return measured.size

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        client = await self.client()
        try:
            await client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _status(exc) == 404:
                return False
            raise
        return True

    async def open(self, key: str) -> Opened | None:
        from botocore.exceptions import ClientError

        client = await self.client()
        try:
            answer = await client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if _status(exc) == 404:
                return None
            raise
        return Opened(size=answer["ContentLength"], chunks=_stream(answer["Body"]))

    async def delete(self, key: str) -> bool:
        if not await self.exists(key):
            return False
        client = await self.client()
        await client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        return True

    async def list_objects(self) -> AsyncIterator[StoredObject]:
        client = await self.client()
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._list_prefix)
        async for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self._list_prefix) :]
                shard, _, key = name.partition("/")
                if KEY.fullmatch(key) and shard == key[:2]:
                    yield StoredObject(key, item["Size"], item["LastModified"])

    async def sweep(self, older_than: datetime) -> list[str]:
        client = await self.client()
        removed: list[str] = []
        pages = client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=self._list_prefix)
        async for page in pages:
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < older_than:
                    await client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    removed.append(f"aborted the incomplete upload of s3://{self.bucket}/{upload['Key']}")
        return removed

    async def presign(self, key: str, file_name: str, expires_in: int) -> str | None:
        client = await self.client()
        return await client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self.object_key(key),
                "ResponseContentDisposition": content_disposition(file_name),
                "ResponseContentType": "application/zip",
            },
            ExpiresIn=max(1, expires_in),
        )


async def _stream(body: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in body.iter_chunks(CHUNK):
            yield chunk
    finally:
        body.close()


def _status(exc: Exception) -> int:
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
