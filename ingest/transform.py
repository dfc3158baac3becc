"""Pure transforms: validated source frames in, node and relationship frames out.

No I/O here. Each function takes the valid rows of one table (see
:mod:`ingest.reader`) and returns frames ready for
:meth:`graph.store.GraphStore.load_nodes` / ``load_relationships``. Provenance columns
(``source_file``, ``source_line``, ``extra``) are carried through.
"""

from __future__ import annotations

import pandas as pd

from graph.model import MODEL
from ingest.orgnames import match_org

PROV = ["source_file", "source_line"]


def uids(label: str, keys: pd.Series) -> pd.Series:
    """The uids of a label's nodes from their keys (:meth:`graph.model.NodeSchema.uids`)."""
    return MODEL.node(label).uids(keys)


def nodes_for(label: str, df: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``df`` that the label declares, plus provenance."""
    node = MODEL.node(label)
    cols = [p.name for p in node.props if p.name in df.columns]
    return df[cols + [c for c in [*PROV, "extra"] if c in df.columns]].copy()


def link(
    df: pd.DataFrame,
    src_label: str,
    src_col: str,
    dst_label: str,
    dst_col: str,
    props: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A relationship frame from two key columns of one table (rows with both ends)."""
    have = df[src_col].notna() & df[dst_col].notna()
    part = df[have]
    out = pd.DataFrame({"src": uids(src_label, part[src_col]), "dst": uids(dst_label, part[dst_col])})
    for target, source in (props or {}).items():
        out[target] = part[source].to_numpy()
    for c in PROV:
        if c in part:
            out[c] = part[c].to_numpy()
    return out.reset_index(drop=True)


def transform(table: str, df: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Nodes by label and relationships by type that one table yields."""
    if table == "officers":
        return (
            {"Officer": nodes_for("Officer", df)},
            {
                "IN_UNIT": link(df, "Officer", "officer_id", "Unit", "unit_id"),
                "REPORTS_TO": link(df, "Officer", "officer_id", "Officer", "line_manager_id"),
            },
        )
    if table == "units":
        return (
            {"Unit": nodes_for("Unit", df)},
            {
                "PART_OF": link(df, "Unit", "unit_id", "Unit", "parent_unit_id"),
                "BASED_AT": link(df, "Unit", "unit_id", "Site", "site_id"),
            },
        )
    if table == "sites":
        return {"Site": nodes_for("Site", df)}, {}
    if table == "organisations":
        return {"Organisation": nodes_for("Organisation", df)}, {}
    if table == "memberships":
        return (
            {"Membership": nodes_for("Membership", df)},
            {
                "LISTED_IN": link(
                    df,
                    "Membership",
                    "membership_id",
                    "Organisation",
                    "org_id",
                    {"since": "since", "until": "until"},
                )
            },
        )
    if table == "declarations":
        return (
            {"Declaration": nodes_for("Declaration", df)},
            {"DECLARED": link(df, "Officer", "officer_id", "Declaration", "declaration_id")},
        )
    if table == "assignments":
        return {}, {
            "ASSIGNED_TO": link(
                df,
                "Officer",
                "officer_id",
                "Unit",
                "unit_id",
                {
                    "start_date": "start_date",
                    "end_date": "end_date",
                    "rank": "rank",
                    "role": "role",
                    "discriminator": "start_date",
                },
            )
        }
    if table == "persons":
        return {"Person": nodes_for("Person", df)}, {}
    if table == "cases":
        return {"CaseFile": nodes_for("CaseFile", df)}, {}
    if table == "records":
        return (
            {"Record": nodes_for("Record", df)},
            {
                "CONCERNS": link(df, "Record", "record_id", "Person", "person_id"),
                "IN_CASE": link(df, "Record", "record_id", "CaseFile", "case_ref"),
            },
        )
    if table == "case_assignments":
        return {}, {
            "ON_CASE": link(
                df,
                "Officer",
                "officer_id",
                "CaseFile",
                "case_ref",
                {
                    "role": "role",
                    "start_date": "start_date",
                    "end_date": "end_date",
                    "discriminator": "start_date",
                },
            )
        }
    if table == "complaints":
        return {"Complaint": nodes_for("Complaint", df)}, {}
    if table == "complaint_subjects":
        return {}, {
            "NAMED_IN": link(
                df,
                "Officer",
                "officer_id",
                "Complaint",
                "complaint_id",
                {"allegation": "allegation", "finding": "finding"},
            )
        }
    raise KeyError(f"no graph transform for table {table!r}")


GRAPH_TABLES = (
    "sites",
    "units",
    "officers",
    "assignments",
    "organisations",
    "memberships",
    "declarations",
    "persons",
    "cases",
    "records",
    "case_assignments",
    "complaints",
    "complaint_subjects",
)
"""Tables this version loads into the graph, in load order."""


def declaration_targets(declarations: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """``ABOUT`` links: by ``org_id``, else by the organisation's name
    (:func:`ingest.orgnames.match_org`: the exact cleaned name, then the normalised name,
    the same words in another order, or one word a letter off), with the step that found it
    as ``method``.

    A free-text ``org_name`` that matches no organisation, or two or more at the step that
    first finds any, gets no link (the declaration node still carries the text).

    >>> d = pd.DataFrame({"declaration_id": ["D1", "D2", "D3"], "org_id": [None, "O2", None],
    ...                   "org_name": ["The Rose Lodge", None, "Acme Limited"]})
    >>> o = pd.DataFrame({"org_id": ["O1", "O2"], "name": ["Rose lodge", "Acme Ltd"]})
    >>> declaration_targets(d, o)[["src", "dst", "matched_by", "method"]].values.tolist()
    [['Declaration:D1', 'Organisation:O1', 'org_name', 'exact_name'], ['Declaration:D2', 'Organisation:O2', 'org_id', 'org_id'], ['Declaration:D3', 'Organisation:O2', 'org_name', 'normalised_name']]
    """
    by_id = declarations[declarations["org_id"].notna()]
    out = [
        pd.DataFrame(
            {
                "src": uids("Declaration", by_id["declaration_id"]),
                "dst": uids("Organisation", by_id["org_id"]),
                "matched_by": "org_id",
                "method": "org_id",
            }
        )
    ]
    by_name = declarations[declarations["org_id"].isna() & declarations["org_name"].notna()]
    if len(by_name) and len(organisations):
        orgs = sorted(
            (str(i), str(n)) for i, n in zip(organisations["org_id"], organisations["name"], strict=True)
        )
        found = {v: match_org(v, orgs) for v in sorted(set(by_name["org_name"].astype(str)))}
        hits = [
            (d, *found[str(v)]) for d, v in zip(by_name["declaration_id"], by_name["org_name"], strict=True)
        ]
        hits = [(d, o, m) for d, o, m in hits if o is not None]
        out.append(
            pd.DataFrame(
                {
                    "src": uids("Declaration", pd.Series([d for d, _, _ in hits], dtype=object)),
                    "dst": uids("Organisation", pd.Series([o for _, o, _ in hits], dtype=object)),
                    "matched_by": "org_name",
                    "method": [m for _, _, m in hits],
                }
            )
        )
    return pd.concat(out, ignore_index=True).sort_values(["src", "dst"]).reset_index(drop=True)
