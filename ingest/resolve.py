"""Resolve outside membership lists (which carry names, not officer ids) to officers.

This version matches exactly on cleaned surname, cleaned forenames and date of birth
(see :func:`ingest.clean.clean_name`). A list entry that matches exactly one officer is
linked with score 1.0 and the fields that matched; one that matches several officers is
*ambiguous* and is reported for a human, never linked; one with no date of birth or no
match stays unresolved (the entry itself is still in the graph as a ``Membership``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ingest.clean import clean_name, clean_series

METHOD = "exact-normalised-name-dob"
MATCHED_ON = ["surname", "forenames", "date_of_birth"]


@dataclass
class Resolution:
    links: pd.DataFrame
    """membership_id, officer_id, org_id, since, until, score, matched_on, method"""
    report: pd.DataFrame
    """membership_id, status (resolved|ambiguous|unresolved), candidates, reason"""


def _sorted_list(s: pd.Series) -> list[str]:
    return sorted(s)


def resolve_exact(memberships: pd.DataFrame, officers: pd.DataFrame) -> Resolution:
    """Match membership-list entries to officers.

    >>> m = pd.DataFrame({"membership_id": ["M1", "M2"], "org_id": ["L", "L"],
    ...     "member_surname": ["O'BRIEN", "Smith"], "member_forenames": ["Anne-Marie", "J"],
    ...     "member_date_of_birth": ["1980-02-01", None], "since": [None, None],
    ...     "until": [None, None]})
    >>> o = pd.DataFrame({"officer_id": ["7"], "surname": ["OBrien"],
    ...     "forenames": ["anne marie"], "date_of_birth": ["1980-02-01"]})
    >>> r = resolve_exact(m, o)
    >>> r.links[["membership_id", "officer_id"]].values.tolist()
    [['M1', '7']]
    >>> r.report["status"].tolist()
    ['resolved', 'unresolved']
    """
    m = memberships.assign(
        _s=clean_series(memberships["member_surname"], clean_name),
        _f=clean_series(memberships["member_forenames"], clean_name),
        _d=memberships["member_date_of_birth"].astype("string"),
    )
    o = officers.assign(
        _s=clean_series(officers["surname"], clean_name),
        _f=clean_series(officers["forenames"], clean_name),
        _d=officers["date_of_birth"].astype("string"),
    )[["officer_id", "_s", "_f", "_d"]]
    o = o.dropna(subset=["_s", "_f", "_d"])
    pairs = m.dropna(subset=["_s", "_f", "_d"]).merge(o, on=["_s", "_f", "_d"], how="inner")
    n = pairs.groupby("membership_id")["officer_id"].agg(["count", _sorted_list])
    n.columns = ["count", "candidates"]
    report = m[["membership_id"]].merge(n, left_on="membership_id", right_index=True, how="left")
    report["count"] = report["count"].fillna(0).astype(int)
    report["status"] = "unresolved"
    report.loc[report["count"] == 1, "status"] = "resolved"
    report.loc[report["count"] > 1, "status"] = "ambiguous"
    no_dob = m["_d"].isna().to_numpy()
    report["reason"] = ""
    report.loc[no_dob, "reason"] = "no date of birth on the list entry"
    report.loc[(report["count"] == 0) & ~no_dob, "reason"] = "no officer with this name and date of birth"
    report.loc[report["count"] > 1, "reason"] = "several officers share this name and date of birth"
    report["candidates"] = report["candidates"].map(lambda c: ";".join(c) if isinstance(c, list) else "")
    good = pairs[pairs["membership_id"].isin(report.loc[report["status"] == "resolved", "membership_id"])]
    links = pd.DataFrame(
        {
            "membership_id": good["membership_id"].to_numpy(),
            "officer_id": good["officer_id"].to_numpy(),
            "org_id": good["org_id"].to_numpy(),
            "since": good["since"].to_numpy(),
            "until": good["until"].to_numpy(),
            "score": 1.0,
            "matched_on": [list(MATCHED_ON)] * len(good),
            "method": METHOD,
        }
    )
    report = report[["membership_id", "status", "candidates", "reason"]].reset_index(drop=True)
    return Resolution(links.sort_values("membership_id").reset_index(drop=True), report)
