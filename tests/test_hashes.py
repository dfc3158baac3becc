"""Row hashes are stored in the graph (``row_hash``, relationship ``key``s): a change in how
they are computed would make the next ingest of every existing store see every row as
changed. These are the values of the first implementation, pinned."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from graph.store import relationship_keys, row_hashes


class _Text(str):
    pass


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": ["Ash", None, "", "Birch", np.nan, "Ash"],
            "mixed": [dt.date(2024, 1, 2), "x", None, pd.NaT, 5, _Text("sub")],
            "lists": [["a", "b"], [], None, ("a", "b"), np.array(["a", "b"]), ["c"]],
            "n": [1, 2, 3, 4, 5, 6],
            "ts": pd.to_datetime(
                pd.Series(
                    [
                        "2024-01-01T00:00:00Z",
                        None,
                        "2024-06-01T12:30:00Z",
                        "2024-01-01T00:00:00Z",
                        None,
                        "2025-01-01T00:00:00Z",
                    ]
                ),
                utc=True,
            ),
            "na": pd.Series(["a", pd.NA, None, "b", "a", pd.NA], dtype=object),
        }
    )


def test_row_hashes_are_the_stored_ones() -> None:
    df = _frame()
    assert row_hashes(df, list(df.columns)).tolist() == [
        "2a7f80d25d3e0ca6",
        "a30b2599b778b313",
        "2e89af3806cf460c",
        "5fb5c3e14dec7e5a",
        "061316636e081518",
        "a592501bfda068e1",
    ]
    # a missing value (None, NaN) hashes alike, and unlike the empty text
    assert row_hashes(df, ["text"]).tolist() == [
        "dc053f098bcf28fe",
        "fffffce162eca950",
        "67912d279e5dcd35",
        "18e898152acc88fb",
        "fffffce162eca950",
        "dc053f098bcf28fe",
    ]
    assert row_hashes(df, ["na"]).tolist() == [
        "4f0800944d3cf3f3",
        "474f1e6a211c2d36",
        "36b8ebafe910b40e",
        "26d1d249bc878eb0",
        "4f0800944d3cf3f3",
        "474f1e6a211c2d36",
    ]


def test_row_hashes_keep_the_frames_index() -> None:
    df = _frame().set_axis([10, 3, 7, 1, 0, 2])
    h = row_hashes(df, ["text", "n"])
    assert list(h.index) == [10, 3, 7, 1, 0, 2]
    assert h.loc[10] == row_hashes(_frame(), ["text", "n"])[0]


def test_relationship_keys_are_the_stored_ones() -> None:
    src, dst = pd.Series(["Officer:A", "Officer:A"]), pd.Series(["Record:R1", "Record:R2"])
    assert relationship_keys(src, dst).tolist() == ["a93f18349d1b5ad7", "898b4499a0675465"]
    assert relationship_keys(src[:1], dst[:1], pd.Series(["2024-01-01"])).tolist() == ["11f8217eaba61c06"]
