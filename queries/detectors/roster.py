"""Roster (duty management) detectors, in SQL on the event store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, MethodCard, Param
from queries.detectors.common import PAID_EXTRA, day, officer_flags, rows_evidence

PAID = ", ".join(f"'{p}'" for p in PAID_EXTRA)

# ---------------------------------------------------------------------------- self-approval

SELF_APPROVAL_SQL = f"""
WITH own AS (
    SELECT officer_id, shift_id, start, "end", pay_code
    FROM shifts
    WHERE approved_by = officer_id AND status <> 'cancelled'),
per AS (
    SELECT officer_id, count(*) AS n, count(*) FILTER (WHERE pay_code IN ({PAID})) AS paid_extra,
           min(start) AS window_start, max("end") AS window_end, list(shift_id ORDER BY start) AS shift_ids
    FROM own GROUP BY officer_id),
unit_counts AS (
    SELECT o.unit_id, o.officer_id, coalesce(p.n, 0) AS n
    FROM g_officers o LEFT JOIN per p USING (officer_id)),
unit_median AS (
    SELECT unit_id, median(n) AS unit_median FROM unit_counts GROUP BY unit_id)
SELECT p.*, coalesce(m.unit_median, 0) AS unit_median, o.unit_id
FROM per p LEFT JOIN g_officers o USING (officer_id) LEFT JOIN unit_median m USING (unit_id)
WHERE p.n >= $min_count
ORDER BY p.officer_id"""


def _self_approval(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        "roster.self_approval",
        rows,
        score=lambda r: 0.5 + 0.1 * r["paid_extra"] + 0.05 * (r["n"] - r["paid_extra"]),
        explain=lambda r: (
            f"Approved {r['n']} of their own shifts ({r['paid_extra']} paid as overtime, rest-day "
            f"working or bank holiday) between {day(r['window_start'])} and {day(r['window_end'])}; "
            f"the median for their unit is {r['unit_median']:g}."
        ),
        evidence=lambda r: rows_evidence("shifts", r["shift_ids"]),
    )


SELF_APPROVAL = Detector(
    name="roster.self_approval",
    card=MethodCard(
        purpose="Find officers who approved their own duties: shifts, overtime or rest-day working.",
        reads=("shifts (officer_id, approved_by, pay_code, status)", "officers (unit, for the unit median)"),
        logic=(
            "Count, per officer, the shifts that are not cancelled and whose approved_by is the "
            "officer themself. Flag when there are at least min_count. The explanation gives the "
            "median count for the officer's unit, so a reader can see whether self-approval is "
            "a local practice."
        ),
        false_positives=(
            "A duty system that records the person who keyed the approval rather than the approver.",
            "Delegated approval when no supervisor was on duty, agreed afterwards.",
        ),
        scoring=(
            "score = 0.5 + 0.1 per self-approved paid-extra shift + 0.05 per other one, at most 1; "
            "severity high at >= 0.8, medium >= 0.5."
        ),
    ),
    params=(Param("min_count", int, 1, "self-approved shifts that make a flag"),),
    to_flags=_self_approval,
    sql=SELF_APPROVAL_SQL,
)

# ---------------------------------------------------------------------------- retro claims

RETRO_CLAIM_SQL = f"""
WITH edits AS (
    SELECT c.change_id, c.shift_id, c.changed_by, c.changed_at, c.field, c.old_value, c.new_value,
           c.reason, s.officer_id, s.start, s."end", s.duty_type,
           c.changed_by = s.officer_id AS by_self,
           CASE WHEN c.field = 'hours_claimed'
                THEN TRY_CAST(c.new_value AS DOUBLE) - coalesce(TRY_CAST(c.old_value AS DOUBLE), 0) END AS hours_up
    FROM roster_changes c JOIN shifts s USING (shift_id)
    WHERE c.changed_at > s."end" + to_minutes(CAST($grace_minutes AS BIGINT))
      AND ((c.field = 'pay_code' AND c.new_value IN ({PAID}) AND coalesce(c.old_value, '') <> c.new_value)
           OR (c.field = 'hours_claimed'
               AND TRY_CAST(c.new_value AS DOUBLE) > coalesce(TRY_CAST(c.old_value AS DOUBLE), 0)))
      AND (c.changed_by = s.officer_id OR c.reason IS NULL)),
bank AS (  -- days on which most worked shifts are paid as bank holiday
    SELECT CAST(start AS DATE) AS d
    FROM shifts WHERE status = 'worked'
    GROUP BY ALL HAVING avg(CASE WHEN pay_code = 'bank_holiday' THEN 1 ELSE 0 END) >= 0.5)
SELECT e.officer_id,
       count(*) AS n_edits, count(DISTINCT e.shift_id) AS n_shifts,
       count(*) FILTER (WHERE by_self) AS n_self,
       count(*) FILTER (WHERE field = 'pay_code') AS n_pay_code,
       count(*) FILTER (WHERE field = 'pay_code' AND new_value = 'bank_holiday' AND b.d IS NULL) AS n_false_bank_holiday,
       round(coalesce(sum(hours_up), 0), 2) AS hours_added,
       min(e.start) AS window_start, max(e."end") AS window_end,
       list(change_id ORDER BY changed_at) AS change_ids, list(DISTINCT e.shift_id) AS shift_ids
FROM edits e LEFT JOIN bank b ON b.d = CAST(e.start AS DATE)
GROUP BY e.officer_id
HAVING count(*) >= $min_edits
ORDER BY e.officer_id"""


def _retro(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        parts = []
        if r["n_pay_code"]:
            parts.append(f"{r['n_pay_code']} pay-code change(s) to a higher rate")
        if r["hours_added"]:
            parts.append(f"{r['hours_added']:g} hours added")
        who = (
            "by the officer themself"
            if r["n_self"] == r["n_edits"]
            else f"{r['n_self']} by the officer themself, the others by someone else with no reason recorded"
        )
        bh = (
            f"; {r['n_false_bank_holiday']} change(s) to bank-holiday pay on a day most shifts were not paid as one"
            if r["n_false_bank_holiday"]
            else ""
        )
        return (
            f"{r['n_shifts']} of their own shifts between {day(r['window_start'])} and {day(r['window_end'])} "
            f"were edited after they ended to raise pay ({', '.join(parts)}), {who}{bh}."
        )

    return officer_flags(
        "roster.retro_claim",
        rows,
        score=lambda r: (
            0.45
            + 0.1 * r["n_self"]
            + 0.05 * (r["n_edits"] - r["n_self"])
            + 0.2 * (r["n_false_bank_holiday"] > 0)
        ),
        explain=explain,
        evidence=lambda r: (
            rows_evidence("roster_changes", r["change_ids"]) + rows_evidence("shifts", r["shift_ids"])
        ),
    )


RETRO_CLAIM = Detector(
    name="roster.retro_claim",
    card=MethodCard(
        purpose=(
            "Find retrospective edits that raise pay for shifts already worked: a pay code changed "
            "to overtime, rest-day working or bank holiday, or hours claimed increased."
        ),
        reads=("roster_changes (the duty system's audit trail)", "shifts (owner, start, end, pay code)"),
        logic=(
            "Take each audit row made more than grace_minutes after its shift ended that raises "
            "pay: a pay_code change to a paid-extra code, or hours_claimed increased. Keep those "
            "made by the shift's own officer, and those made by anyone else with no reason "
            "recorded (a supervisor's correction with a reason is normal practice). Flag an "
            "officer with at least min_edits such edits. A change to bank-holiday pay on a day "
            "when most worked shifts were not paid as a bank holiday is called out."
        ),
        false_positives=(
            "An officer correcting a genuine mistake in their own claim, where local practice "
            "is for officers to key their own claims.",
            "A bank holiday observed locally that the rest of the force did not work.",
        ),
        scoring=(
            "score = 0.45 + 0.1 per self-made edit + 0.05 per other edit, + 0.2 when a "
            "bank-holiday code is set on a normal day; at most 1."
        ),
    ),
    params=(
        Param("min_edits", int, 1, "pay-raising retrospective edits that make a flag"),
        Param(
            "grace_minutes", int, 0, "minutes after the shift's end before an edit counts as retrospective"
        ),
    ),
    to_flags=_retro,
    sql=RETRO_CLAIM_SQL,
)

# ---------------------------------------------------------------------------- overtime overlaps

OVERLAP_SQL = """
WITH paid AS (
    SELECT shift_id, officer_id, start, "end", pay_code
    FROM shifts
    WHERE status = 'worked' AND pay_code IN ('overtime', 'rest_day_worked')),
absent AS (  -- paid extra inside the officer's own leave or sickness
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'during ' || replace(a.duty_type, '_', ' ') AS why,
           a.shift_id AS other_id
    FROM paid p JOIN shifts a ON a.officer_id = p.officer_id
    WHERE a.duty_type IN ('annual_leave', 'sick') AND a.status <> 'cancelled'
      AND a.start < p."end" AND a."end" > p.start),
double AS (  -- paid extra overlapping another worked duty of the same officer
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'overlapping their shift ' || w.shift_id AS why,
           w.shift_id AS other_id
    FROM paid p JOIN shifts w ON w.officer_id = p.officer_id AND w.shift_id <> p.shift_id
    WHERE w.status = 'worked' AND w.duty_type NOT IN ('annual_leave', 'sick', 'rest_day')
      AND least(w."end", p."end") - greatest(w.start, p.start) > to_minutes(CAST($min_overlap_minutes AS BIGINT))),
unseen AS (  -- a stand-alone paid-extra duty with no swipe, lookup or remote session around it
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'with no swipe, lookup or remote log-on' AS why,
           NULL AS other_id
    FROM paid p
    WHERE NOT EXISTS (  -- an extension of another duty is judged with that duty
            SELECT 1 FROM shifts w WHERE w.officer_id = p.officer_id AND w.shift_id <> p.shift_id
              AND w.status = 'worked' AND w.duty_type NOT IN ('annual_leave', 'sick', 'rest_day')
              AND w.start <= p."end" + INTERVAL 1 HOUR AND w."end" >= p.start - INTERVAL 1 HOUR)
      AND NOT EXISTS (SELECT 1 FROM badge_events b WHERE b.officer_id = p.officer_id
                        AND b.ts BETWEEN p.start - INTERVAL 1 HOUR AND p."end" + INTERVAL 1 HOUR)
      AND NOT EXISTS (SELECT 1 FROM system_access s WHERE s.officer_id = p.officer_id
                        AND s.ts BETWEEN p.start AND p."end")
      AND NOT EXISTS (SELECT 1 FROM remote_sessions r WHERE r.officer_id = p.officer_id
                        AND r.start < p."end" AND coalesce(r."end", r.start) > p.start)),
hits AS (SELECT * FROM absent UNION ALL SELECT * FROM double UNION ALL SELECT * FROM unseen)
SELECT officer_id, count(DISTINCT shift_id) AS n, list(DISTINCT why ORDER BY why) AS whys,
       count(DISTINCT shift_id) FILTER (WHERE why LIKE 'during%') AS n_absent,
       count(DISTINCT shift_id) FILTER (WHERE why LIKE 'overlapping%') AS n_double,
       count(DISTINCT shift_id) FILTER (WHERE why LIKE 'with no%') AS n_unseen,
       min(start) AS window_start, max("end") AS window_end,
       list(DISTINCT shift_id) AS shift_ids, list(DISTINCT other_id) FILTER (WHERE other_id IS NOT NULL) AS other_ids
FROM hits GROUP BY officer_id
HAVING count(DISTINCT shift_id) FILTER (WHERE why NOT LIKE 'with no%') >= $min_count
    OR count(DISTINCT shift_id) FILTER (WHERE why LIKE 'with no%') >= $min_unseen
ORDER BY officer_id"""


def _overlap(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        parts = []
        if r["n_absent"]:
            parts.append(f"{r['n_absent']} inside their own leave or sickness")
        if r["n_double"]:
            parts.append(f"{r['n_double']} overlapping another of their worked shifts")
        if r["n_unseen"]:
            parts.append(f"{r['n_unseen']} with no swipe, system lookup or remote log-on at all")
        return (
            f"{r['n']} paid overtime or rest-day working duties between {day(r['window_start'])} and "
            f"{day(r['window_end'])} have no attendance to match: {'; '.join(parts)}."
        )

    return officer_flags(
        "roster.overtime_overlap",
        rows,
        score=lambda r: 0.5 + 0.15 * r["n"],
        explain=explain,
        evidence=lambda r: rows_evidence("shifts", list(r["shift_ids"]) + list(r["other_ids"] or [])),
    )


OVERTIME_OVERLAP = Detector(
    name="roster.overtime_overlap",
    card=MethodCard(
        purpose=(
            "Find paid overtime or rest-day working that cannot have been worked as claimed: "
            "during the officer's own leave or sickness, overlapping another of their duties, or "
            "with no sign of attendance at all."
        ),
        reads=("shifts", "badge_events", "system_access", "remote_sessions"),
        logic=(
            "For every worked shift paid as overtime or rest-day working, look for (a) a leave or "
            "sickness row of the same officer overlapping it that was not cancelled, (b) another "
            "worked duty of the same officer overlapping it by more than min_overlap_minutes, "
            "(c) for a stand-alone duty (not within an hour of another worked duty, which it "
            "would extend), no badge swipe within an hour of it, no system lookup during it and "
            "no remote session overlapping it. Flag an officer with at least min_count duties of kind (a) "
            "or (b), or at least min_unseen of kind (c) (one unrecorded duty is common: work "
            "away from readers and systems). "
            "Cancelled rows are ignored, so an officer recalled from leave (leave cancelled) is "
            "not flagged."
        ),
        false_positives=(
            "Leave not cancelled in the system after a recall to duty.",
            "Work away from any badge reader or system (an off-site operation, a court day "
            "keyed as overtime).",
        ),
        scoring="score = 0.5 + 0.15 per duty, at most 1.",
    ),
    params=(
        Param("min_count", int, 1, "paid-extra duties during absence or another duty that make a flag"),
        Param("min_unseen", int, 2, "paid-extra duties with no attendance evidence that make a flag"),
        Param("min_overlap_minutes", int, 30, "overlap with another duty that counts"),
    ),
    to_flags=_overlap,
    sql=OVERLAP_SQL,
)
