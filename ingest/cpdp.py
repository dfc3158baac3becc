"""Adapter: the Citizens Police Data Project release (Chicago, 2000–2016) → contract tables.

Real public records published by the Invisible Institute (see
``../shared/data/cpdp/README.md``). The adapter only renames and reshapes; every source
column that has no contract column is kept as an extra column (so it ends up in the
node's ``extra`` property), and rows the contract rejects are quarantined by the normal
ingest, never dropped here.

- officers ← officer-profiles (UID; race → ethnicity and gender are protected
  characteristics, kept for the fairness report only; the 11 resignation dates that come
  before the appointment date are kept as ``cpdp_resignation_date_before_appointment``)
- units ← every unit number seen (names from the profiles' current unit description)
- assignments ← unit-history
- complaints ← complaints-complaints, one row per ``cr_id`` (the release repeats a
  complaint once per location; the extra locations are counted in ``location_rows``),
  ``source`` = internal when the complaint is in officer-filed-complaints
- complaint_subjects ← complaints-accused (allegation = complaint category, finding =
  final finding)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from graph.errors import LinkwatchError

FILES = {
    "accused": "complaints-accused_2000-2016_2016-11.csv.gz",
    "complaints": "complaints-complaints_2000-2016_2016-11.csv.gz",
    "profiles": "officer-profiles_2016-11.csv.gz",
    "units": "unit-history_2016-12.csv.gz",
    "officer_filed": "officer-filed-complaints_2017-09.csv.gz",
}


def _id(s: pd.Series) -> pd.Series:
    """``'112683.0'`` → ``'112683'`` (the release writes some integer ids as floats)."""
    return s.str.replace(r"\.0$", "", regex=True)


def _read(src: Path, key: str) -> pd.DataFrame:
    path = src / FILES[key]
    if not path.exists():
        raise LinkwatchError(f"{src}: not a CPDP release folder ({FILES[key]} is missing)")
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def to_contract(src: Path, out: Path) -> Path:
    """Write the contract tables for a CPDP release folder into ``out``."""
    src, out = Path(src), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    prof = _read(src, "profiles")
    hist = _read(src, "units")
    comp = _read(src, "complaints")
    acc = _read(src, "accused")
    filed = set(_read(src, "officer_filed")["cr_id"])

    officers = prof.rename(columns={"start_date": "cpdp_start_date"}).rename(
        columns={
            "UID": "officer_id",
            "current_rank": "rank",
            "appointed_date": "start_date",
            "resignation_date": "end_date",
            "race": "ethnicity",
        }
    )
    officers["officer_id"] = _id(officers["officer_id"])
    officers["unit_id"] = _id(officers.pop("current_unit"))
    officers["rank"] = officers["rank"].where(officers["rank"] != "UNKNOWN")
    # A few profiles resign before they were appointed. Quarantining those officers would
    # also drop every complaint naming them, so the date is kept as an extra column and
    # end_date left empty (the release is inconsistent, not the officer's existence).
    bad_end = pd.to_datetime(officers["end_date"]) < pd.to_datetime(officers["start_date"])
    officers["cpdp_resignation_date_before_appointment"] = officers["end_date"].where(bad_end)
    officers["end_date"] = officers["end_date"].where(~bad_end)
    officers["staff_type"] = "officer"

    assignments = hist.rename(
        columns={
            "UID": "officer_id",
            "unit": "unit_id",
            "unit_start_date": "start_date",
            "unit_end_date": "end_date",
            "row_id": "cpdp_row_id",
        }
    )
    assignments["officer_id"] = _id(assignments["officer_id"])
    assignments["unit_id"] = _id(assignments["unit_id"])

    names = (
        officers.dropna(subset=["unit_id", "current_unit_description"])
        .drop_duplicates("unit_id")
        .set_index("unit_id")["current_unit_description"]
    )
    unit_ids = sorted(set(officers["unit_id"].dropna()) | set(assignments["unit_id"].dropna()), key=_num)
    units = pd.DataFrame({"unit_id": unit_ids})
    units["name"] = [names.get(u, f"Unit {u}") for u in unit_ids]

    comp["location_rows"] = comp.groupby("cr_id")["cr_id"].transform("size").astype(str)
    complaints = comp.drop_duplicates("cr_id", keep="first").rename(
        columns={"cr_id": "complaint_id", "complaint_date": "received_date", "row_id": "cpdp_row_id"}
    )
    counts = acc.dropna(subset=["complaint_category"]).value_counts(["cr_id", "complaint_category"])
    top = counts.reset_index().sort_values(
        ["cr_id", "count", "complaint_category"], ascending=[True, False, True]
    )
    category = top.drop_duplicates("cr_id").set_index("cr_id")["complaint_category"]
    complaints["category"] = complaints["complaint_id"].map(category)
    complaints["source"] = complaints["complaint_id"].isin(filed).map({True: "internal", False: "public"})

    subjects = acc.rename(
        columns={
            "cr_id": "complaint_id",
            "UID": "officer_id",
            "complaint_category": "allegation",
            "final_finding": "finding",
            "row_id": "cpdp_row_id",
        }
    )
    subjects["officer_id"] = _id(subjects["officer_id"])

    for name, df in (
        ("officers", officers),
        ("units", units),
        ("assignments", assignments),
        ("complaints", complaints),
        ("complaint_subjects", subjects),
    ):
        df.to_csv(out / f"{name}.csv.gz", index=False, compression={"method": "gzip", "compresslevel": 1})
    return out


def _num(v: str) -> tuple[int, str]:
    return (int(v), v) if v.isdigit() else (10**9, v)
