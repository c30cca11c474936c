"""The process: every mode runs on uvloop where it is installed; what start-up built is
kept out of the garbage collector's way."""

from __future__ import annotations

import asyncio
import gc
import sys

import pytest

from bot.app import settle_memory
from bot.runtime import event_loop


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not built for Windows")
def test_the_bot_runs_on_uvloop() -> None:
    assert event_loop.run(_loop_module()).startswith("uvloop")


def test_without_uvloop_asyncio_s_own_loop_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop raises ImportError
    assert event_loop.run(_loop_module()).startswith("asyncio")


def test_after_start_up_the_collector_no_longer_walks_the_start_up_objects() -> None:
    try:
        settle_memory()
        frozen = gc.get_freeze_count()
        tracked = len(gc.get_objects())
    finally:
        gc.unfreeze()
    assert frozen > 100_000  # aiogram's, pydantic's and phonenumbers' objects
    assert tracked < frozen / 10
