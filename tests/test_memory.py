"""Freed memory goes back to the system before the steps that need much of their own."""

from __future__ import annotations

import platform
from pathlib import Path

import pandas as pd
import pytest

from graph import memory
from graph.settings import Settings
from graph.store import RunInfo
from graph.workspace import open_store

MiB = 1 << 20

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's allocator only"
)


@glibc
def test_freed_heap_memory_is_held_until_handed_back() -> None:
    """Blocks freed under a live block stay resident (the allocator keeps them for later):
    only :func:`hand_back` returns them. This is the memory that sat under Ladybug's copy
    at 45k officers."""
    before = memory.resident_bytes()
    assert before is not None
    blocks = [bytearray(16_384) for _ in range(16_000)]  # 250 MiB of the C heap, touched
    pin = bytearray(16_384)  # a live block above them: the heap's top cannot shrink
    grown = memory.resident_bytes()
    assert grown is not None and grown - before > 200 * MiB
    del blocks
    held = memory.resident_bytes()
    assert held is not None and held - before > 200 * MiB, "the allocator kept the freed blocks"
    memory.hand_back()
    after = memory.resident_bytes()
    assert after is not None and held - after > 200 * MiB
    assert len(pin) == 16_384


def test_hand_back_leaves_live_data_alone() -> None:
    frame = pd.DataFrame({"a": range(100_000), "b": [f"v{i}" for i in range(100_000)]})
    total = int(frame["a"].sum())
    memory.hand_back()
    assert int(frame["a"].sum()) == total and frame["b"].iloc[-1] == "v99999"


def test_a_store_that_releases_its_pages_hands_back_freed_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    import graph.embedded as embedded

    monkeypatch.setattr(embedded, "hand_back", lambda: calls.append(1))
    store = open_store(Settings(data_dir=tmp_path, buffer_pool_mb=256))
    try:
        store.load_nodes("Unit", pd.DataFrame({"unit_id": ["U1", "U2"]}), RunInfo.new("t"))
        store.release_memory()
        assert calls == [1]
        assert sorted(r["uid"] for r in store.query("MATCH (u:Unit) RETURN u.uid AS uid")) == [
            "Unit:U1",
            "Unit:U2",
        ]
    finally:
        store.close()
