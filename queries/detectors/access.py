"""System-access detectors, in SQL on the event store (every lookup is there; the graph
holds only notable officer-record pairs).

An officer's *own case* lookup is one whose case (the lookup's ``case_ref``, else the
record's) the officer is assigned to on that day, give or take ``grace_days``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, MethodCard, Param
from queries.detectors.common import day, officer_flags, rows_evidence

LOOKUPS = """
lookups AS (
    SELECT s.access_id, s.officer_id, s.ts, s.record_id, s.purpose_code, s."system",
           coalesce(s.case_ref, r.case_ref) AS case_ref, r.person_id, r.sensitivity,
           r.offence_category, r.record_type,
           EXISTS (SELECT 1 FROM g_case_assignments ca
                   WHERE ca.officer_id = s.officer_id AND ca.case_ref = coalesce(s.case_ref, r.case_ref)
                     AND CAST(s.ts AS DATE) >= ca.start_date - CAST($grace_days AS INTEGER)
                     AND (ca.end_date IS NULL OR CAST(s.ts AS DATE) <= ca.end_date + CAST($grace_days AS INTEGER))
           ) AS own_case
    FROM system_access s LEFT JOIN g_records r USING (record_id)
    {where})"""

GRACE = Param(
    "grace_days", int, 7, "days before or after a case assignment that still count as the officer's case"
)


def _densest(hits: str, window_days: str) -> str:
    """SQL: per officer, the trailing window (``window_days``) holding most of ``hits``
    (rows with officer_id, ts, access_id), with the access ids in it."""
    return f"""
dense AS (
    SELECT officer_id, ts, count(*) OVER w AS n, min(ts) OVER w AS first_ts
    FROM {hits}
    WINDOW w AS (PARTITION BY officer_id ORDER BY ts
                 RANGE BETWEEN to_days(CAST({window_days} AS INTEGER)) PRECEDING AND CURRENT ROW)),
best AS (
    SELECT officer_id, arg_max(struct_pack(ts, n, first_ts), n) AS b FROM dense GROUP BY officer_id),
win AS (
    SELECT h.*, b.b.n AS n_window, b.b.first_ts AS window_start, b.b.ts AS window_end
    FROM {hits} h JOIN best b USING (officer_id)
    WHERE h.ts BETWEEN b.b.first_ts AND b.b.ts)"""


# ---------------------------------------------------------------------------- no purpose

NO_PURPOSE_SQL = (
    "WITH "
    + LOOKUPS.format(where="WHERE s.purpose_code IS NULL")
    + """,
hits AS (SELECT * FROM lookups WHERE NOT own_case),"""
    + _densest("hits", "$window_days")
    + """
SELECT officer_id, any_value(n_window) AS n, any_value(window_start) AS window_start,
       any_value(window_end) AS window_end, count(DISTINCT record_id) AS records,
       count(*) FILTER (WHERE case_ref IS NULL) AS no_case, list(access_id ORDER BY ts) AS access_ids
FROM win GROUP BY officer_id
HAVING any_value(n_window) >= $min_lookups
ORDER BY officer_id"""
)


def _no_purpose(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "access.no_purpose",
        rows,
        score=lambda r: 0.4 + 0.03 * r["n"],
        explain=lambda r: (
            f"Made {r['n']} lookups of {r['records']} records with no purpose code between "
            f"{day(r['window_start'])} and {day(r['window_end'])}, none of them of a case they were "
            f"assigned to ({r['no_case']} of records with no case at all)."
        ),
        evidence=lambda r: rows_evidence("system_access", r["access_ids"]),
        id_parts=lambda r: (r["officer_id"],),
    )


NO_PURPOSE = Detector(
    name="access.no_purpose",
    card=MethodCard(
        purpose="Find lookups with no recorded purpose, of records outside the officer's own cases.",
        reads=("system_access", "records (their case)", "case_assignments (the officer's cases and dates)"),
        logic=(
            "Take lookups with no purpose code whose case (the lookup's, else the record's) is not "
            "one the officer was assigned to at the time (give or take grace_days), including "
            "records of no case. Find, per officer, the window_days window holding most of them; "
            "flag when it holds at least min_lookups."
        ),
        false_positives=(
            "A system that does not ask for a purpose code on some screens.",
            "Work on a case before the assignment was recorded.",
            "Supervisors reviewing their team's cases without being assigned.",
        ),
        scoring="score = 0.4 + 0.03 per lookup in the window, at most 1.",
    ),
    params=(
        Param("min_lookups", int, 5, "lookups in the window that make a flag"),
        Param("window_days", int, 30, "length of the window (days)"),
        GRACE,
    ),
    to_flags=_no_purpose,
    sql=NO_PURPOSE_SQL,
)

# ---------------------------------------------------------------------------- personal link

PERSONAL_SQL = (
    "WITH "
    + LOOKUPS.format(where="WHERE r.person_id IS NOT NULL")
    + """,
links AS (
    SELECT officer_id, person_id, list(DISTINCT kind ORDER BY kind) AS kinds
    FROM g_linked WHERE list_contains($link_kinds, kind) GROUP BY ALL),
hits AS (
    SELECT l.*, k.kinds FROM lookups l JOIN links k USING (officer_id, person_id))
SELECT officer_id, count(*) AS n, count(DISTINCT person_id) AS persons,
       list(DISTINCT person_id ORDER BY person_id) AS person_ids,
       list_distinct(flatten(list(kinds))) AS kinds,
       count(*) FILTER (WHERE own_case) AS in_own_case,
       min(ts) AS window_start, max(ts) AS window_end, list(access_id ORDER BY ts) AS access_ids
FROM hits GROUP BY officer_id
HAVING count(*) >= $min_lookups
ORDER BY officer_id"""
)

KIND_WORDS = {
    "address": "their address",
    "phone": "their phone number",
    "postcode_surname": "their surname and postcode",
}


def _personal(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        shares = " or ".join(KIND_WORDS.get(k, k) for k in sorted(r["kinds"]))
        own = f"; {r['in_own_case']} were within a case they were assigned to" if r["in_own_case"] else ""
        return (
            f"Made {r['n']} lookups between {day(r['window_start'])} and {day(r['window_end'])} of "
            f"records about {r['persons']} person(s) ({', '.join(r['person_ids'])}) who share {shares}{own}."
        )

    def score(r: dict[str, Any]) -> float:
        strong = bool({"address", "phone"} & set(r["kinds"]))
        return (0.6 if strong else 0.4) + 0.05 * r["n"] - 0.2 * (r["in_own_case"] == r["n"])

    return officer_flags(
        "access.personal_link",
        rows,
        score=score,
        explain=explain,
        evidence=lambda r: (
            rows_evidence("system_access", r["access_ids"])
            + [{"table": "persons", "key": pid} for pid in r["person_ids"]]
            + [
                {
                    "path": [
                        f"Officer:{r['officer_id']}",
                        "HAS_IDENTIFIER",
                        "Identifier",
                        "HAS_IDENTIFIER",
                        f"Person:{pid}",
                    ]
                }
                for pid in r["person_ids"]
            ]
        ),
        id_parts=lambda r: (r["officer_id"], *r["person_ids"]),
    )


PERSONAL_LINK = Detector(
    name="access.personal_link",
    card=MethodCard(
        purpose="Find lookups of people linked to the officer: same address, same phone, or same surname and postcode.",
        reads=(
            "system_access",
            "records (the person a record is about)",
            "shared identifiers (officers and persons)",
        ),
        logic=(
            "Join each lookup of a record about a person with the officer-person pairs that share "
            "an identifier of a kind in link_kinds (address, phone, surname + postcode, cleaned "
            "at ingest). Flag an officer with at least min_lookups such lookups."
        ),
        false_positives=(
            "A namesake at a large block of flats sharing a postcode.",
            "A genuine case involving a neighbour or relative, handled with the right declaration.",
        ),
        scoring=(
            "score = 0.6 (address or phone) or 0.4 (surname + postcode only), + 0.05 per lookup, "
            "- 0.2 when every lookup was within the officer's assigned case; between 0 and 1."
        ),
    ),
    params=(
        Param("min_lookups", int, 1, "lookups of linked persons that make a flag"),
        Param("link_kinds", list, ["address", "phone", "postcode_surname"], "identifier kinds that link"),
        GRACE,
    ),
    to_flags=_personal,
    sql=PERSONAL_SQL,
)

# ---------------------------------------------------------------------------- sensitive victims

SENSITIVE_SQL = (
    "WITH "
    + LOOKUPS.format(where="WHERE list_contains($sensitivities, r.sensitivity)")
    + """,
hits AS (
    SELECT * FROM lookups
    WHERE NOT own_case AND (len($categories) = 0 OR list_contains($categories, offence_category))),"""
    + _densest("hits", "$window_days")
    + """,
per AS (SELECT officer_id, record_id, count(*) AS views FROM win GROUP BY ALL)
SELECT h.officer_id, count(*) AS views, count(DISTINCT h.record_id) AS records,
       count(DISTINCT h.record_id) FILTER (WHERE per.views >= 2) AS repeated_records,
       min(h.ts) AS window_start, max(h.ts) AS window_end, list(h.access_id ORDER BY h.ts) AS access_ids,
       list(DISTINCT h.record_id ORDER BY h.record_id) AS record_ids
FROM win h JOIN per USING (officer_id, record_id)
GROUP BY h.officer_id
HAVING count(DISTINCT h.record_id) FILTER (WHERE per.views >= 2) >= $min_repeated_records
   AND count(*) >= $min_views
ORDER BY h.officer_id"""
)


def _sensitive(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "access.sensitive_victims",
        rows,
        score=lambda r: 0.4 + 0.1 * r["repeated_records"],
        explain=lambda r: (
            f"Viewed {r['records']} victim or witness records of "
            f"{' or '.join(p['categories']) or 'any'} offences {r['views']} times between "
            f"{day(r['window_start'])} and {day(r['window_end'])}, {r['repeated_records']} of them "
            f"more than once, none in a case they were assigned to."
        ),
        evidence=lambda r: (
            rows_evidence("system_access", r["access_ids"]) + rows_evidence("records", r["record_ids"])
        ),
        id_parts=lambda r: (r["officer_id"],),
    )


SENSITIVE_VICTIMS = Detector(
    name="access.sensitive_victims",
    card=MethodCard(
        purpose=(
            "Find repeated views of victim or witness records outside the officer's own cases, "
            "sexual and domestic offences especially (a known route to abuse of position)."
        ),
        reads=("system_access", "records (sensitivity, offence category, case)", "case_assignments"),
        logic=(
            "Take lookups of records whose sensitivity is in sensitivities and whose offence "
            "category is in categories (all categories when it is empty), outside the officer's "
            "own cases. In each officer's window_days window holding most of them, flag when at "
            "least min_repeated_records records were viewed more than once each, with at "
            "least min_views views in all (chance repeats of a few records a couple of times "
            "each, spread over months, are common in busy roles)."
        ),
        false_positives=(
            "Safeguarding, public protection or intelligence roles that review victims across cases.",
            "Assignments not recorded in the case system.",
        ),
        scoring="score = 0.4 + 0.1 per repeatedly viewed record, at most 1.",
    ),
    params=(
        Param("min_repeated_records", int, 3, "records viewed more than once that make a flag"),
        Param("min_views", int, 7, "views of such records in the window, in all, that make a flag"),
        Param("window_days", int, 60, "length of the window (days)"),
        Param("sensitivities", list, ["victim", "witness"], "record sensitivities that count"),
        Param("categories", list, ["sexual", "domestic"], "offence categories that count (empty: all)"),
        GRACE,
    ),
    to_flags=_sensitive,
    sql=SENSITIVE_SQL,
)

# ---------------------------------------------------------------------------- off duty

OFF_DUTY_SQL = """
WITH cover AS (  -- the times an officer is on duty or on call, by the local days they touch
    SELECT officer_id, start, "end", unnest(generate_series(CAST(start AS DATE), CAST("end" AS DATE), INTERVAL 1 DAY))::DATE AS d
    FROM shifts
    WHERE status <> 'cancelled' AND (duty_type NOT IN ('rest_day', 'annual_leave', 'sick') OR pay_code = 'on_call')),
off AS (  -- days the officer is on a rest day, leave or sick
    SELECT DISTINCT officer_id, unnest(generate_series(CAST(start AS DATE), CAST("end" - INTERVAL 1 SECOND AS DATE), INTERVAL 1 DAY))::DATE AS d,
           duty_type
    FROM shifts WHERE status <> 'cancelled' AND duty_type IN ('rest_day', 'annual_leave', 'sick') AND pay_code <> 'on_call'),
hits AS (
    SELECT s.access_id, s.officer_id, s.ts, CAST(s.ts AS DATE) AS d, o.duty_type
    FROM system_access s JOIN off o ON o.officer_id = s.officer_id AND o.d = CAST(s.ts AS DATE)
    WHERE NOT EXISTS (
        SELECT 1 FROM cover c WHERE c.officer_id = s.officer_id AND c.d = CAST(s.ts AS DATE)
          AND s.ts BETWEEN c.start - to_minutes(CAST($grace_minutes AS BIGINT))
                       AND c."end" + to_minutes(CAST($grace_minutes AS BIGINT))))
SELECT officer_id, count(*) AS n, count(DISTINCT d) AS n_days, list(DISTINCT duty_type ORDER BY duty_type) AS kinds,
       min(ts) AS window_start, max(ts) AS window_end, list(access_id ORDER BY ts) AS access_ids
FROM hits GROUP BY officer_id
HAVING count(DISTINCT d) >= $min_days
ORDER BY officer_id"""


def _off_duty(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "access.off_duty",
        rows,
        score=lambda r: (
            0.4 + 0.1 * r["n_days"] + 0.2 * ("sick" in r["kinds"] or "annual_leave" in r["kinds"])
        ),
        explain=lambda r: (
            f"Made {r['n']} system lookups on {r['n_days']} days between {day(r['window_start'])} and "
            f"{day(r['window_end'])} when they were not rostered "
            f"({', '.join(k.replace('_', ' ') for k in r['kinds'])}) and not on call."
        ),
        evidence=lambda r: rows_evidence("system_access", r["access_ids"]),
        id_parts=lambda r: (r["officer_id"],),
    )


OFF_DUTY = Detector(
    name="access.off_duty",
    card=MethodCard(
        purpose="Find lookups made while the officer was not on duty: rest days, leave or sickness.",
        reads=("system_access", "shifts (duties, on-call, rest days, leave and sickness)"),
        logic=(
            "Take lookups made on a local day the officer has a rest day, leave or sickness row "
            "(not cancelled, not on call), that fall outside every duty or on-call period of the "
            "officer by more than grace_minutes. Flag an officer with such lookups on at least "
            "min_days days."
        ),
        false_positives=(
            "Overtime or a recall to duty not entered in the roster.",
            "A shared terminal left logged in under the officer's account.",
        ),
        scoring="score = 0.4 + 0.1 per day, + 0.2 when any is during leave or sickness; at most 1.",
    ),
    params=(
        Param("min_days", int, 2, "days with off-duty lookups that make a flag"),
        Param(
            "grace_minutes",
            int,
            60,
            "minutes before a duty starts or after it ends that still count as on duty",
        ),
    ),
    to_flags=_off_duty,
    sql=OFF_DUTY_SQL,
)

# ---------------------------------------------------------------------------- volume outlier

VOLUME_SQL = """
WITH daily AS (SELECT officer_id, CAST(ts AS DATE) AS d, count(*) AS n FROM system_access GROUP BY ALL),
duty AS (
    SELECT DISTINCT officer_id, CAST(start AS DATE) AS d FROM shifts
    WHERE status = 'worked' AND duty_type NOT IN ('rest_day', 'annual_leave', 'sick')),
span AS (SELECT min(d) AS lo, max(d) AS hi FROM daily),
cal AS (
    SELECT o.officer_id, unnest(generate_series(s.lo, s.hi, INTERVAL 1 DAY))::DATE AS d
    FROM (SELECT DISTINCT officer_id FROM daily) o, span s),
roll AS (
    SELECT c.officer_id, c.d,
           sum(coalesce(daily.n, 0)) OVER w AS n_win,
           sum(CASE WHEN duty.d IS NULL THEN 0 ELSE 1 END) OVER w AS duty_days,
           count(*) OVER w AS days
    FROM cal c LEFT JOIN daily USING (officer_id, d) LEFT JOIN duty USING (officer_id, d)
    WINDOW w AS (PARTITION BY c.officer_id ORDER BY c.d ROWS BETWEEN CAST($window_days AS INTEGER) - 1 PRECEDING AND CURRENT ROW)),
full_win AS (
    SELECT *, n_win / duty_days AS rate FROM roll
    WHERE days = $window_days AND duty_days >= $min_duty_days),
totals AS (
    SELECT o.officer_id, o.n AS tot_n, coalesce(dd.n, 0) AS tot_dd
    FROM (SELECT officer_id, sum(n) AS n FROM daily GROUP BY officer_id) o
    LEFT JOIN (SELECT officer_id, count(*) AS n FROM duty GROUP BY officer_id) dd USING (officer_id)),
grp AS (
    SELECT o.officer_id, o.unit_id, o.rank,
           count(*) OVER (PARTITION BY o.unit_id, o.rank) >= $min_peers AS by_rank
    FROM g_officers o),
peer AS (
    SELECT f.d, g.unit_id, CASE WHEN g.by_rank THEN g.rank END AS rank,
           median(f.rate) AS peer_rate, count(*) AS peers
    FROM full_win f JOIN grp g USING (officer_id) GROUP BY ALL),
scored AS (
    SELECT f.officer_id, f.d, f.n_win, f.duty_days, f.rate, p.peer_rate, p.peers,
           -- the officer's usual rate: lookups per duty day outside this window
           (t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1) AS own_rate,
           f.rate / greatest((t.tot_n - f.n_win) / greatest(t.tot_dd - f.duty_days, 1), 0.5) AS own_ratio,
           f.rate / greatest(p.peer_rate, 0.1) AS peer_ratio, t.tot_dd - f.duty_days AS baseline_days
    FROM full_win f JOIN totals t USING (officer_id) JOIN grp g USING (officer_id)
    JOIN peer p ON p.d = f.d AND p.unit_id = g.unit_id AND p.rank IS NOT DISTINCT FROM (CASE WHEN g.by_rank THEN g.rank END)),
best AS (
    SELECT officer_id, arg_max(struct_pack(d, n_win, duty_days, rate, own_rate, peer_rate, peers, own_ratio, peer_ratio),
                               least(own_ratio, peer_ratio)) AS b
    FROM scored WHERE own_ratio >= $min_own_ratio AND peer_ratio >= $min_peer_ratio
      AND baseline_days >= $min_baseline_days GROUP BY officer_id)
SELECT b.officer_id, any_value(b.b.n_win) AS n, any_value(b.b.duty_days) AS duty_days, any_value(b.b.rate) AS rate,
       any_value(b.b.own_rate) AS own_rate, any_value(b.b.peer_rate) AS peer_rate, any_value(b.b.peers) AS peers,
       any_value(b.b.own_ratio) AS own_ratio, any_value(b.b.peer_ratio) AS peer_ratio,
       any_value(b.b.d) - (CAST($window_days AS INTEGER) - 1) AS window_start, any_value(b.b.d) AS window_end,
       count(DISTINCT s.record_id) AS records
FROM best b JOIN system_access s ON s.officer_id = b.officer_id
 AND CAST(s.ts AS DATE) BETWEEN b.b.d - (CAST($window_days AS INTEGER) - 1) AND b.b.d
GROUP BY b.officer_id
ORDER BY b.officer_id"""


def _volume(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "access.volume_outlier",
        rows,
        score=lambda r: 0.3 + 0.08 * min(r["own_ratio"], r["peer_ratio"]),
        explain=lambda r: (
            f"Made {r['n']} lookups of {r['records']} distinct records on {r['duty_days']} duty days "
            f"from {day(r['window_start'])} to {day(r['window_end'])} ({r['rate']:.1f} a duty day): "
            f"{r['own_ratio']:.1f} times their own usual rate ({r['own_rate']:.1f}) and "
            f"{r['peer_ratio']:.1f} times the median of {r['peers']} peers of the same unit and rank "
            f"({r['peer_rate']:.1f})."
        ),
        evidence=lambda r: [
            {
                "table": "system_access",
                "officer_id": r["officer_id"],
                "from": day(r["window_start"]),
                "to": day(r["window_end"]),
            }
        ],
        id_parts=lambda r: (r["officer_id"],),
    )


VOLUME_OUTLIER = Detector(
    name="access.volume_outlier",
    card=MethodCard(
        purpose=(
            "Find access volume far beyond both the officer's own usual rate and their peer "
            "group's (same unit and rank), using medians rather than fixed counts."
        ),
        reads=("system_access", "officers (unit, rank)"),
        logic=(
            "Count lookups per duty day (days with a worked duty) in every window_days window "
            "(sliding by a day, with at least min_duty_days duty days). The officer's usual rate "
            "is their lookups per duty day outside the window (so a spike does not raise its "
            "own baseline; an officer with fewer than min_baseline_days duty days outside the window, "
            "such as a new starter, has no usual rate and is not flagged); the peer rate is the median for the same window "
            "over officers of the same unit and rank (the unit alone when fewer than min_peers "
            "share the rank). Leave and rest days do not dilute a rate. Flag the window where the "
            "rate is at least min_own_ratio times the officer's usual rate and min_peer_ratio "
            "times the peer rate, and the smaller ratio is largest. A busy unit raises the peer median "
            "for everyone, so it is not flagged."
        ),
        false_positives=(
            "A new role or a major investigation that legitimately needs bulk lookups.",
            "Batch jobs run under a personal account.",
        ),
        scoring="score = 0.3 + 0.08 x the smaller ratio, at most 1.",
    ),
    params=(
        Param("min_own_ratio", float, 3.0, "times the officer's own usual rate that makes a flag"),
        Param("min_peer_ratio", float, 1.2, "times the peer median rate that makes a flag"),
        Param("min_baseline_days", int, 20, "duty days outside the window an officer needs for a usual rate"),
        Param("window_days", int, 30, "window length (days)"),
        Param("min_peers", int, 5, "officers of a unit and rank needed for a rank peer group"),
        Param("min_duty_days", int, 5, "duty days a window needs to count"),
    ),
    to_flags=_volume,
    sql=VOLUME_SQL,
)
