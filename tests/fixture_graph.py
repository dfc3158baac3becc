"""A small fixed graph for the conformance suite (synthetic names)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from graph.store import GraphStore, RunInfo

D = dt.date

OFFICERS = pd.DataFrame(
    {
        "officer_id": ["A", "B", "C", "D", "E"],
        "surname": ["Ash", "Birch", "Cedar", "Damson", "Elm"],
        "forenames": ["Ann", "Bob", "Cy", "Di", "Ed"],
        "rank": ["INSP", "PC", "PS", "PC", "PC"],
        "date_of_birth": [D(1970, 1, 2), D(1980, 3, 4), None, D(1990, 5, 6), D(1985, 7, 8)],
        "source_file": "officers.csv",
        "source_line": [2, 3, 4, 5, 6],
    }
)
UNITS = pd.DataFrame({"unit_id": ["U1", "U2"], "name": ["Response", "CID"]})
ORGS = pd.DataFrame(
    {"org_id": ["L1", "B1"], "name": ["Oak Lodge", "Acme Ltd"], "kind": ["freemasonry", "business"]}
)
IN_UNIT = pd.DataFrame(
    {
        "src": ["Officer:A", "Officer:B", "Officer:C", "Officer:D"],
        "dst": ["Unit:U1", "Unit:U1", "Unit:U2", "Unit:U2"],
    }
)
REPORTS_TO = pd.DataFrame({"src": ["Officer:B", "Officer:D"], "dst": ["Officer:A", "Officer:C"]})
PART_OF = pd.DataFrame({"src": ["Unit:U2"], "dst": ["Unit:U1"]})
MEMBER_OF = pd.DataFrame(
    {
        "src": ["Officer:A", "Officer:C", "Officer:D"],
        "dst": ["Organisation:L1", "Organisation:L1", "Organisation:B1"],
        "discriminator": ["M1", "M2", "M3"],
        "membership_id": ["M1", "M2", "M3"],
        "score": [1.0, 0.97, 1.0],
        "matched_on": [["surname", "date_of_birth"], ["surname"], ["surname", "forenames"]],
        "since": [D(2020, 1, 1), D(2022, 1, 1), None],
        "until": [None, D(2023, 1, 1), None],
    }
)


def load_fixture(store: GraphStore, run: RunInfo | None = None) -> list:
    run = run or RunInfo.new("fixture")
    return [
        store.load_nodes("Officer", OFFICERS, run),
        store.load_nodes("Unit", UNITS, run),
        store.load_nodes("Organisation", ORGS, run),
        store.load_relationships("IN_UNIT", IN_UNIT, run),
        store.load_relationships("REPORTS_TO", REPORTS_TO, run),
        store.load_relationships("PART_OF", PART_OF, run),
        store.load_relationships("MEMBER_OF", MEMBER_OF, run),
    ]


def load_awkward(store: GraphStore) -> None:
    """The fixture, with a self-loop (A approves A), parallel relationships of two types
    that share a key (C -> A, approved and edited), and retired ones (D -> C and E -> A
    edited, gone from the second load)."""
    load_fixture(store)
    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for rel_type, src, dst in (
        (
            "APPROVED_SHIFTS_OF",
            ["Officer:A", "Officer:C", "Officer:D"],
            ["Officer:A", "Officer:A", "Officer:C"],
        ),
        (
            "EDITED_ROSTER_OF",
            ["Officer:C", "Officer:D", "Officer:E"],
            ["Officer:A", "Officer:C", "Officer:A"],
        ),
    ):
        rows = pd.DataFrame({"src": src, "dst": dst, "count": 1, "first_at": at, "last_at": at})
        store.load_relationships(rel_type, rows, RunInfo.new("p"))
    again = pd.DataFrame(
        {"src": ["Officer:C"], "dst": ["Officer:A"], "count": 1, "first_at": at, "last_at": at}
    )
    store.load_relationships("EDITED_ROSTER_OF", again, RunInfo.new("again"))  # retires D -> C, E -> A
