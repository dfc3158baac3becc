"""A plain-rules baseline: one simple rule per detector, written as a newcomer would write
it from the detector's purpose, with round thresholds and no tuning.

    python benchmarks/baseline.py SRC [DATA] [--out flags.csv]

``SRC`` is a source folder in the contract's format (CSV or Parquet); ``DATA`` an
ingested data folder, whose event store (``events.duckdb``) is then read read-only for
the event tables (else they are read from ``SRC`` too). The rows have the flags export's
columns, so :func:`queries.evaluate.evaluate` scores them as it scores ours. The rules
stay simple on purpose: the detectors must match or beat them, not the other way round.

The rules (one each; thresholds are the detectors' documented defaults or round numbers):

* ``access.off_duty``: lookups on 2 or more days with no worked or on-call duty covering the day.
* ``access.no_purpose``: 5 or more lookups with no purpose code, outside the officer's cases.
* ``access.sensitive_victims``: 5 or more distinct victim or witness records of sexual or
  domestic offences viewed outside the officer's cases.
* ``access.volume_outlier``: total lookups over 3 times the median of the officer's unit.
* ``access.personal_link``: a lookup of a person sharing the officer's address line and
  postcode, phone, or surname and postcode.
* ``roster.self_approval``: a shift (not cancelled) whose approver is its officer.
* ``roster.retro_claim``: an edit by the officer of their own shift after it ended that
  sets a paid-extra pay code or raises hours claimed.
* ``roster.overtime_overlap``: a paid-extra duty overlapping the officer's leave,
  sickness or another duty.
* ``attendance.below_threshold``: an office or hybrid worker with a swipe on under 80% of
  20 or more rostered office days (a worked duty with a site).
* ``attendance.badge_only``: 2 or more days whose only swipes are two within 15 minutes,
  with no lookup that day.
* ``association.undeclared_membership``: a membership (same name, and date of birth or
  postcode) of a freemasonry, business or political organisation, with no approved
  declaration of it.
* ``association.undeclared_link``: a person with nominal flags sharing the officer's
  address line and postcode or phone, with no approved declaration naming them.
* ``network.crew``: connected groups of 3 or more officers, tied pairwise by 3 or more
  complaints naming both (NetworkX).
* ``network.hidden_link``: a flagged person within 4 hops of the officer through
  addresses, phones and organisations (memberships by name and date of birth, declared
  memberships), other than one shared address or phone (NetworkX).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import pandas as pd

from graph.contract import TABLES

COLUMNS = ["flag_id", "detector", "officer_id", "group_id", "score", "severity"]
COLUMNS += ["window_start", "window_end", "explanation", "evidence"]
SQL_TYPE = {"date": "DATE", "ts": "TIMESTAMPTZ", "number": "DOUBLE", "list": "VARCHAR"}
WORKED = "status <> 'cancelled' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick')"
ABSENT = "status <> 'cancelled' AND duty_type IN ('annual_leave', 'sick')"
EXTRA = "status = 'worked' AND pay_code IN ('overtime', 'rest_day_worked', 'bank_holiday')"
OWN = "EXISTS (SELECT 1 FROM case_assignments c WHERE c.officer_id = a.officer_id AND c.case_ref = {ref})"

# Each rule: detector -> SQL giving officer_id, window_start, window_end, n, what (one row per flag).
RULES = {
    "access.off_duty": f"""
        WITH a AS (SELECT officer_id, ts, ts::DATE AS d FROM system_access
                   WHERE officer_id IN (SELECT officer_id FROM shifts)),
        duty AS (SELECT officer_id, start::DATE AS d0, "end"::DATE AS d1 FROM shifts
                 WHERE ({WORKED}) OR (status <> 'cancelled' AND pay_code = 'on_call'))
        SELECT officer_id, min(ts), max(ts), count(DISTINCT d) AS n, 'days with lookups and no duty' AS what
        FROM a WHERE NOT EXISTS (SELECT 1 FROM duty s WHERE s.officer_id = a.officer_id
                                 AND a.d BETWEEN s.d0 AND s.d1)
        GROUP BY 1 HAVING n >= 2""",
    "access.no_purpose": f"""
        SELECT a.officer_id, min(a.ts), max(a.ts), count(*) AS n, 'lookups without a purpose code' AS what
        FROM system_access a LEFT JOIN records r USING (record_id)
        WHERE coalesce(trim(a.purpose_code), '') = ''
          AND NOT {OWN.format(ref="coalesce(a.case_ref, r.case_ref)")}
        GROUP BY 1 HAVING n >= 5""",
    "access.sensitive_victims": f"""
        WITH a AS (SELECT a.officer_id, a.ts, r.record_id, coalesce(a.case_ref, r.case_ref) AS ref
                   FROM system_access a JOIN records r USING (record_id)
                   WHERE r.sensitivity IN ('victim', 'witness') AND r.offence_category IN ('sexual', 'domestic'))
        SELECT officer_id, min(ts), max(ts), count(DISTINCT record_id) AS n,
               'victim or witness records of sexual or domestic offences outside own cases' AS what
        FROM a WHERE NOT {OWN.format(ref="a.ref")} GROUP BY 1 HAVING n >= 5""",
    "access.volume_outlier": """
        WITH t AS (SELECT o.officer_id, o.unit_id, count(a.ts) AS n, min(a.ts) AS t0, max(a.ts) AS t1
                   FROM officers o JOIN system_access a USING (officer_id) GROUP BY ALL),
        m AS (SELECT unit_id, median(n) AS med FROM t GROUP BY 1)
        SELECT officer_id, t0, t1, n, 'lookups, over 3 times the unit median of ' || med AS what
        FROM t JOIN m USING (unit_id) WHERE n > 3 * med""",
    "access.personal_link": """
        WITH o AS (SELECT officer_id, surname, home_address AS address, home_postcode AS postcode, phone FROM officers),
        p AS (SELECT r.record_id, x.* FROM records r JOIN persons x USING (person_id)),
        l AS (SELECT a.officer_id, a.ts FROM system_access a JOIN p USING (record_id) JOIN o USING (officer_id)
              WHERE addr(o.address, o.postcode) = addr(p.address, p.postcode) OR tel(o.phone) = tel(p.phone)
                 OR (lower(o.surname) = lower(p.surname) AND pc(o.postcode) = pc(p.postcode)))
        SELECT officer_id, min(ts), max(ts), count(*) AS n,
               'lookups of a person sharing their address, phone or surname and postcode' AS what
        FROM l GROUP BY 1""",
    "roster.self_approval": """
        SELECT officer_id, min(start), max("end"), count(*) AS n, 'shifts approved by themself' AS what
        FROM shifts WHERE approved_by = officer_id AND status <> 'cancelled' GROUP BY 1""",
    "roster.retro_claim": """
        SELECT s.officer_id, min(s.start), max(c.changed_at), count(*) AS n,
               'edits of their own finished shifts raising pay' AS what
        FROM roster_changes c JOIN shifts s USING (shift_id)
        WHERE c.changed_by = s.officer_id AND c.changed_at > s."end"
          AND ((c.field = 'pay_code' AND c.new_value IN ('overtime', 'rest_day_worked', 'bank_holiday'))
               OR (c.field = 'hours_claimed' AND TRY_CAST(c.new_value AS DOUBLE) > TRY_CAST(c.old_value AS DOUBLE)))
        GROUP BY 1""",
    "roster.overtime_overlap": f"""
        SELECT x.officer_id, min(x.start), max(x."end"), count(DISTINCT x.shift_id) AS n,
               'paid-extra duties overlapping their own leave, sickness or another duty' AS what
        FROM (SELECT * FROM shifts WHERE {EXTRA}) x JOIN (SELECT * FROM shifts WHERE ({ABSENT}) OR ({WORKED})) l
          ON l.officer_id = x.officer_id AND l.shift_id <> x.shift_id AND l.start < x."end" AND x.start < l."end"
        GROUP BY 1""",
    "attendance.below_threshold": f"""
        WITH d AS (SELECT s.officer_id, s.start::DATE AS d, s.start FROM shifts s JOIN officers o USING (officer_id)
                   WHERE o.work_pattern IN ('office', 'hybrid') AND s.site_id IS NOT NULL AND {WORKED}),
        b AS (SELECT DISTINCT officer_id, ts::DATE AS d FROM badge_events WHERE direction = 'in')
        SELECT officer_id, min(start), max(start), count(b.d) / count(*) AS n,
               'share of rostered office days with a swipe' AS what
        FROM d LEFT JOIN b USING (officer_id, d) GROUP BY 1 HAVING count(*) >= 20 AND n < 0.8""",
    "attendance.badge_only": """
        WITH d AS (SELECT officer_id, ts::DATE AS d, min(ts) AS t0, max(ts) AS t1, count(*) AS swipes
                   FROM badge_events GROUP BY 1, 2)
        SELECT officer_id, min(t0), max(t1), count(*) AS n, 'days in and out within 15 minutes, nothing else' AS what
        FROM d WHERE swipes = 2 AND t1 - t0 <= INTERVAL 15 MINUTE
          AND NOT EXISTS (SELECT 1 FROM system_access a WHERE a.officer_id = d.officer_id AND a.ts::DATE = d.d)
        GROUP BY 1 HAVING n >= 2""",
    "association.undeclared_membership": """
        SELECT o.officer_id, min(m.since), NULL, count(*) AS n, 'memberships of ' || string_agg(m.org_id, ', ') AS what
        FROM memberships m JOIN organisations g USING (org_id) JOIN officers o
          ON lower(o.surname) = lower(m.member_surname) AND lower(o.forenames) = lower(m.member_forenames)
         AND (o.date_of_birth = m.member_date_of_birth OR o.home_postcode = m.member_postcode)
        WHERE g.kind IN ('freemasonry', 'business', 'political') AND NOT EXISTS (SELECT 1 FROM declarations x
              WHERE x.officer_id = o.officer_id AND x.org_id = m.org_id AND x.status = 'approved')
        GROUP BY 1""",
    "association.undeclared_link": """
        SELECT o.officer_id, NULL, NULL, count(DISTINCT p.person_id) AS n, 'flagged persons sharing their address or phone' AS what
        FROM officers o JOIN persons p ON coalesce(p.nominal_flags, '') <> ''
         AND (addr(o.home_address, o.home_postcode) = addr(p.address, p.postcode) OR tel(o.phone) = tel(p.phone))
        WHERE NOT EXISTS (SELECT 1 FROM declarations x WHERE x.officer_id = o.officer_id
                          AND x.person_id = p.person_id AND x.status = 'approved')
        GROUP BY 1""",
}


def _tables(con: duckdb.DuckDBPyConnection, src: Path, data: Path | None) -> None:
    """A table per contract table: a view of the event store's, else the source file's rows,
    else empty; the contract's column types, a missing column null."""
    if data is not None and (Path(data) / "events.duckdb").exists():
        con.execute(f"ATTACH '{Path(data) / 'events.duckdb'}' AS ev (READ_ONLY)")
    for t in TABLES.values():
        in_ev = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ev' AND table_name = ?", [t.name]
        ).fetchone()
        files = [p for e in (".parquet", ".csv", ".csv.gz") if (p := Path(src) / f"{t.name}{e}").exists()]
        if in_ev and in_ev[0]:
            frm, have = f"ev.{t.name}", {c.name for c in t.columns}
        elif files:
            path = str(files[0]).replace("'", "''")
            frm = (
                f"read_parquet('{path}')"
                if path.endswith(".parquet")
                else f"read_csv('{path}', all_varchar=true)"
            )
            have = set(con.execute(f"SELECT * FROM {frm} LIMIT 0").df().columns)
        else:
            frm, have = "(SELECT 1) WHERE false", set()
        cols = []
        for c in t.columns:
            value = f'"{c.name}"' if c.name in have else "NULL"
            cols.append(f'TRY_CAST({value} AS {SQL_TYPE.get(c.type, "VARCHAR")}) AS "{c.name}"')
        kind = "VIEW" if frm.startswith("ev.") else "TABLE"  # a file is read once
        con.execute(f"CREATE {kind} {t.name} AS SELECT {', '.join(cols)} FROM {frm}")


def _crew(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Connected components (3 or more officers) of pairs named together on 3 or more complaints."""
    pairs = con.execute("""SELECT a.officer_id AS x, b.officer_id AS y FROM complaint_subjects a
        JOIN complaint_subjects b ON a.complaint_id = b.complaint_id AND a.officer_id < b.officer_id
        GROUP BY 1, 2 HAVING count(DISTINCT a.complaint_id) >= 3""").df()
    rows = []
    for comp in nx.connected_components(nx.from_pandas_edgelist(pairs, "x", "y")):
        if len(comp) >= 3:
            gid = "crew:" + hashlib.sha256("|".join(sorted(comp)).encode()).hexdigest()[:12]
            rows += [
                (o, gid, None, None, len(comp), "officers tied by 3 or more shared complaints") for o in comp
            ]
    return pd.DataFrame(rows, columns=["officer_id", "group_id", "t0", "t1", "n", "what"])


def _hidden_link(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Officers within 4 hops of a flagged person through addresses, phones and organisations
    (not a direct shared address or phone: association.undeclared_link reports that)."""
    people = con.execute("""
        SELECT 'O:' || officer_id AS node, home_address AS a, home_postcode AS pc, phone, surname, forenames,
               date_of_birth AS dob, false AS flagged FROM officers
        UNION ALL SELECT 'P:' || person_id, address, postcode, phone, surname, forenames, date_of_birth,
               coalesce(nominal_flags, '') <> '' FROM persons""").df()
    edges = con.execute("""
        WITH p AS (SELECT 'O:' || officer_id AS node, home_address AS a, home_postcode AS pc, phone,
                          surname, forenames, date_of_birth AS dob FROM officers
                   UNION ALL SELECT 'P:' || person_id, address, postcode, phone, surname, forenames,
                          date_of_birth FROM persons)
        SELECT node, 'A:' || addr(a, pc) AS other FROM p WHERE addr(a, pc) IS NOT NULL
        UNION ALL SELECT node, 'T:' || tel(phone) FROM p WHERE tel(phone) IS NOT NULL
        UNION ALL SELECT p.node, 'G:' || m.org_id FROM memberships m JOIN p ON lower(p.surname) = lower(m.member_surname)
              AND lower(p.forenames) = lower(m.member_forenames) AND p.dob = m.member_date_of_birth
        UNION ALL SELECT 'O:' || officer_id, 'G:' || org_id FROM declarations WHERE org_id IS NOT NULL""").df()
    declared = set(
        con.execute("SELECT officer_id, person_id FROM declarations WHERE status = 'approved'").fetchall()
    )
    g = nx.from_pandas_edgelist(edges, "node", "other")
    rows = []
    for p in people.loc[people["flagged"] & people["node"].isin(list(g.nodes)), "node"]:
        for node, path in nx.single_source_shortest_path(g, p, cutoff=4).items():
            direct = len(path) == 3 and path[1][0] in "AT"
            if node.startswith("O:") and not direct and (node[2:], p[2:]) not in declared:
                rows.append((node[2:], None, None, None, len(path) - 1, f"hops to flagged person {p[2:]}"))
    return pd.DataFrame(rows, columns=["officer_id", "group_id", "t0", "t1", "n", "what"])


def _iso(v: Any) -> str:
    """ISO 8601 in UTC with ``Z`` (a date is its midnight UTC); empty for none."""
    if v is None or pd.isna(v):
        return ""
    t = pd.Timestamp(v)
    return (t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_baseline(src: Path, data: Path | None = None, timezone: str = "Europe/London") -> pd.DataFrame:
    """The baseline's flags (the flags export's columns) for a source folder."""
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{timezone}'")
    _tables(con, Path(src), data)
    # an address is its lower-cased line and its postcode without spaces; a phone its digits
    con.execute("CREATE MACRO pc(x) AS nullif(upper(replace(x, ' ', '')), '')")
    con.execute("CREATE MACRO addr(a, x) AS nullif(lower(trim(a)), '') || '|' || pc(x)")
    con.execute("CREATE MACRO tel(p) AS nullif(regexp_replace(p, '\\D', '', 'g'), '')")
    frames = {}
    for det, sql in RULES.items():
        df = con.execute(sql).df()
        df.columns = ["officer_id", "t0", "t1", "n", "what"]
        frames[det] = df.assign(group_id=None)
    frames["network.crew"], frames["network.hidden_link"] = _crew(con), _hidden_link(con)
    con.close()
    out = []
    for det, df in frames.items():
        for r in df.to_dict("records"):
            n = round(r["n"], 2) if isinstance(r["n"], float) else r["n"]
            key = f"{r['officer_id']}|{r['group_id']}|{r['what']}"
            out.append(
                {
                    "flag_id": f"baseline.{det}:" + hashlib.sha256(key.encode()).hexdigest()[:16],
                    "detector": det,
                    "officer_id": str(r["officer_id"]),
                    "group_id": r["group_id"] or "",
                    "score": 0.5,
                    "severity": "medium",
                    "window_start": _iso(r["t0"]),
                    "window_end": _iso(r["t1"]),
                    "explanation": f"Baseline rule: {n} {r['what']}.",
                    "evidence": json.dumps([{"rule": det, "n": str(n)}]),
                }
            )
    return pd.DataFrame(out, columns=COLUMNS).drop_duplicates("flag_id").reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("data", type=Path, nargs="?")
    ap.add_argument("--out", type=Path, help="write the flags here (CSV); default: counts per detector")
    args = ap.parse_args()
    flags = run_baseline(args.src, args.data)
    if args.out:
        flags.to_csv(args.out, index=False)
    print(flags["detector"].value_counts().sort_index().to_string())


if __name__ == "__main__":
    main()
