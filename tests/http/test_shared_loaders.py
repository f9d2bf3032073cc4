"""Reproducer 3 at its root: one waiter cancelled must not cancel a shared DataLoader answer.

graphql-core cancels the pending siblings of a failing field; several fields
waiting for the same key share one future. Deterministic: the cancellation
happens at a chosen moment, not by the luck of the scheduler.
"""

from __future__ import annotations

import asyncio

import pytest
from strawberry.dataloader import DataLoader

from pluginhub.schema.context import SharedLoader


async def doubled(keys: list[int]) -> list[int]:
    await asyncio.sleep(0.01)
    return [key * 2 for key in keys]


async def test_cancelling_one_waiter_leaves_the_answer_to_the_others():
    loader = SharedLoader(load_fn=doubled)
    cancelled = asyncio.ensure_future(loader.load(1))
    waiting = asyncio.ensure_future(loader.load(1))
    await asyncio.sleep(0)  # both wait on the batch now
    cancelled.cancel()
    assert await waiting == 2
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert await loader.load(1) == 2  # and the cached answer stays good


async def test_a_plain_dataloader_loses_the_shared_answer():
    """Why SharedLoader exists: strawberry's DataLoader hands every waiter the same future."""
    loader: DataLoader[int, int] = DataLoader(load_fn=doubled)
    cancelled = asyncio.ensure_future(loader.load(1))
    waiting = asyncio.ensure_future(loader.load(1))
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
