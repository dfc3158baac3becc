"""Roster (duty management) detectors, in SQL on the event store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param
from queries.detectors.common import BANK_HOLIDAYS, PAID_EXTRA, day, officer_flags, rows_evidence

PAID = ", ".join(f"'{p}'" for p in PAID_EXTRA)
EXTRA_DUTY = "'overtime', 'rest_day_worked'"
"""Pay codes of extra duty rows (a rostered duty on a bank holiday is paid extra but is rostered)."""
LEAVE = "('annual_leave', 'sick')"
NOT_A_DUTY = "('annual_leave', 'sick', 'rest_day')"


def _no_reason(col: str) -> str:
    """SQL: the audit row gives no reason (null or blank)."""
    return f"NULLIF(trim(coalesce({col}, '')), '') IS NULL"


def _pay_rank(col: str) -> str:
    """SQL: how much a pay code pays (basic and on call 0, overtime and rest-day working 1,
    bank holiday 2), so a raise is a change to a higher rank."""
    return (
        f"CASE lower(trim(coalesce({col}, ''))) WHEN 'bank_holiday' THEN 2 "
        "WHEN 'overtime' THEN 1 WHEN 'rest_day_worked' THEN 1 ELSE 0 END"
    )


def _clean_name(col: str) -> str:
    """SQL twin of :func:`ingest.clean.clean_name`: case and accents folded, apostrophes
    dropped, other punctuation as spaces, whitespace collapsed; null for empty."""
    return (
        "NULLIF(trim(regexp_replace(regexp_replace(strip_accents(lower(coalesce("
        f"{col}, ''))), '[''`’]', '', 'g'), '[^a-z0-9]+', ' ', 'g')), '')"
    )


def _and(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(w for w in [", ".join(words[:-1]), words[-1]] if w) if words else ""


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# ---------------------------------------------------------------------------- self-approval

SAME_PERSON_DETAILS = (
    "name and date of birth",
    "email",
    "phone",
    "first forename",
    "surname",
    "date of birth",
    "home postcode",
)
"""The details in which two officer records of one person agree, in the order an explanation names them."""

SAME_PERSON_SQL = f"""
ob AS (
    SELECT officer_id, unit_id, {_clean_name("surname")} AS sn, {_clean_name("forenames")} AS fn,
           NULLIF(trim(CAST(date_of_birth AS VARCHAR)), '') AS dob,
           NULLIF(upper(regexp_replace(coalesce(home_postcode, ''), '[^A-Za-z0-9]', '', 'g')), '') AS pc,
           NULLIF(lower(trim(email)), '') AS em,
           trim(coalesce(phone, '')) AS ph_raw, regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') AS ph_d
    FROM g_officers),
idents AS (
    SELECT officer_id, sn, fn, split_part(fn, ' ', 1) AS fn1, dob, pc, em,
           CASE WHEN starts_with(ph_raw, '+44') THEN '0' || regexp_replace(substr(ph_d, 3), '^0', '')
                WHEN starts_with(ph_d, '0044') THEN '0' || regexp_replace(substr(ph_d, 5), '^0', '')
                ELSE ph_d END AS ph
    FROM ob),
contacts AS (  -- ways to reach a person: email, phone
    SELECT officer_id, 'email' AS kind, em AS k FROM idents WHERE em IS NOT NULL
    UNION ALL SELECT officer_id, 'phone', ph FROM idents WHERE length(ph) >= 7),
personal AS (  -- a switchboard number or a mailbox on many records reaches nobody in particular
    SELECT kind, k FROM contacts GROUP BY kind, k
    HAVING count(DISTINCT officer_id) BETWEEN 2 AND $max_accounts),
by_name AS (  -- the same cleaned surname, forenames and date of birth: one person
    SELECT a.officer_id, b.officer_id AS other_id, 'name and date of birth' AS detail
    FROM idents a JOIN idents b ON a.sn = b.sn AND a.fn = b.fn AND a.dob = b.dob AND a.officer_id <> b.officer_id),
by_contact AS (  -- a personal email or phone shared, and the person's own details agree: the
                 -- first forename, and the surname, date of birth or home postcode (a team
                 -- mailbox or a couple's home phone joins different people)
    SELECT a.officer_id, b.officer_id AS other_id,
           list_distinct(list_concat(list(DISTINCT a.kind), ['first forename'],
               CASE WHEN ia.sn = ib.sn THEN ['surname'] ELSE [] END,
               CASE WHEN ia.dob = ib.dob THEN ['date of birth'] ELSE [] END,
               CASE WHEN ia.pc = ib.pc THEN ['home postcode'] ELSE [] END)) AS details
    FROM contacts a
    JOIN personal p ON p.kind = a.kind AND p.k = a.k
    JOIN contacts b ON b.kind = a.kind AND b.k = a.k AND b.officer_id <> a.officer_id
    JOIN idents ia ON ia.officer_id = a.officer_id
    JOIN idents ib ON ib.officer_id = b.officer_id
    WHERE ia.fn1 = ib.fn1 AND (ia.sn = ib.sn OR ia.dob = ib.dob OR ia.pc = ib.pc)
    GROUP BY a.officer_id, b.officer_id, ia.sn, ib.sn, ia.dob, ib.dob, ia.pc, ib.pc),
same AS (  -- pairs of officer rows that are one person, with the details that agree
    SELECT officer_id, other_id, list_sort(list_distinct(flatten(list(details)))) AS matched
    FROM (SELECT officer_id, other_id, [detail] AS details FROM by_name
          UNION ALL SELECT officer_id, other_id, details FROM by_contact)
    GROUP BY officer_id, other_id)"""

SELF_APPROVAL_SQL = f"""
WITH {SAME_PERSON_SQL},
approved AS (  -- the approver as it stands: the officer, or another officer row of the same person
    SELECT s.officer_id, s.shift_id, s.start, s."end", s.pay_code,
           s.approved_by = s.officer_id AS own,
           CASE WHEN s.approved_by <> s.officer_id THEN s.approved_by END AS other_id,
           m.matched
    FROM shifts s LEFT JOIN same m ON m.officer_id = s.officer_id AND m.other_id = s.approved_by
    WHERE s.status <> 'cancelled' AND s.approved_by IS NOT NULL
      AND (s.approved_by = s.officer_id OR m.other_id IS NOT NULL)),
last_approval AS (  -- the latest approved_by edit of each shift in the audit trail
    SELECT shift_id,  -- the latest edit (same-time edits: the highest change id), one row for all three
           arg_max(change_id, struct_pack(changed_at, change_id)) AS change_id,
           arg_max(changed_by, struct_pack(changed_at, change_id)) AS changed_by,
           arg_max(new_value, struct_pack(changed_at, change_id)) AS new_value
    FROM roster_changes WHERE lower(trim(field)) = 'approved_by' GROUP BY shift_id),
edited AS (  -- the officer (under any of their accounts) set the approver of their own shift
    SELECT s.officer_id, s.shift_id, s.start, s."end", s.pay_code, l.change_id
    FROM last_approval l JOIN shifts s USING (shift_id)
    LEFT JOIN same m ON m.officer_id = s.officer_id AND m.other_id = l.changed_by
    WHERE s.status <> 'cancelled' AND NULLIF(trim(coalesce(l.new_value, '')), '') IS NOT NULL
      AND (l.changed_by = s.officer_id OR m.other_id IS NOT NULL)),
hits AS (
    SELECT officer_id, shift_id, start, "end", pay_code,
           CASE WHEN own THEN 'own_account' ELSE 'second_account' END AS form,
           other_id, matched, NULL AS change_id
    FROM approved
    UNION ALL
    SELECT officer_id, shift_id, start, "end", pay_code, 'approved_by_edit', NULL, NULL, change_id FROM edited),
per AS (
    SELECT officer_id, count(DISTINCT shift_id) AS n,
           count(DISTINCT shift_id) FILTER (WHERE pay_code IN ({PAID})) AS paid_extra,
           count(DISTINCT shift_id) FILTER (WHERE form = 'own_account') AS n_own,
           count(DISTINCT shift_id) FILTER (WHERE form = 'second_account') AS n_second,
           count(DISTINCT shift_id) FILTER (WHERE form = 'approved_by_edit') AS n_edit,
           list(DISTINCT form ORDER BY form) AS forms,
           list(DISTINCT other_id ORDER BY other_id) FILTER (WHERE other_id IS NOT NULL) AS other_ids,
           flatten(list(matched) FILTER (WHERE matched IS NOT NULL)) AS matched,
           min(start) AS window_start, max("end") AS window_end,
           list(DISTINCT shift_id ORDER BY shift_id) AS shift_ids,
           list(DISTINCT change_id ORDER BY change_id) FILTER (WHERE change_id IS NOT NULL) AS change_ids
    FROM hits GROUP BY officer_id),
unit_counts AS (
    SELECT o.unit_id, o.officer_id, coalesce(p.n, 0) AS n
    FROM g_officers o LEFT JOIN per p USING (officer_id) WHERE o.unit_id IS NOT NULL),
unit_median AS (
    SELECT unit_id, median(n) AS unit_median FROM unit_counts GROUP BY unit_id)
SELECT p.*, coalesce(m.unit_median, 0) AS unit_median, o.unit_id
FROM per p LEFT JOIN g_officers o USING (officer_id) LEFT JOIN unit_median m USING (unit_id)
WHERE p.n >= $min_count
ORDER BY p.officer_id"""


def _self_approval(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        ways = []
        if r["n_own"]:
            ways.append(f"{r['n_own']} under their own name as approver")
        if r["n_second"]:
            got = set(r["matched"] or [])
            how = _and([d for d in SAME_PERSON_DETAILS if d in got])
            who = ", ".join(r["other_ids"] or [])
            ways.append(
                f"{r['n_second']} approved by a second officer record of the same person ({who}: same {how})"
            )
        if r["n_edit"]:
            ways.append(
                f"{r['n_edit']} where they set the approver themself in the duty system's audit trail"
            )
        unit = (
            f"the median in their unit is {r['unit_median']:g} such shifts"
            if r["unit_id"]
            else "they have no unit"
        )
        return (
            f"Approved {_plural(r['n'], 'shift')} of their own "
            f"({r['paid_extra']} paid as overtime, rest-day working or bank holiday) between "
            f"{day(r['window_start'])} and {day(r['window_end'])}: {'; '.join(ways)}; {unit}."
        )

    return officer_flags(
        "roster.self_approval",
        rows,
        score=lambda r: (
            0.5
            + 0.1 * r["paid_extra"]
            + 0.05 * (r["n"] - r["paid_extra"])
            + 0.1 * bool(r["n_second"] or (r["n_edit"] and not r["n_own"]))
        ),
        explain=explain,
        evidence=lambda r: (
            rows_evidence("shifts", r["shift_ids"])
            + rows_evidence("roster_changes", r["change_ids"])
            + rows_evidence("officers", r["other_ids"])
        ),
        forms=lambda r: r["forms"],
    )


SELF_APPROVAL = Detector(
    name="roster.self_approval",
    card=MethodCard(
        purpose="Find officers who approved their own duties: shifts, overtime or rest-day working.",
        reads=(
            "shifts (officer_id, approved_by, pay_code, status)",
            "roster_changes (approved_by edits: who set the approver)",
            "officers (unit, for the unit median; surname, forenames, date of birth, home postcode, "
            "email and phone, to tell a second record of the same person)",
        ),
        logic=(
            "Take every shift that is not cancelled. It is self-approved when (a) approved_by is "
            "the officer themself, (b) approved_by is another officer record of the same person: "
            "the same cleaned surname, forenames and date of birth; or the same email or phone "
            "together with the same first forename and one more detail of the person (surname, "
            "date of birth or home postcode), as a duplicate account made under a changed name "
            "shows. An email or phone alone does not make two records one person: a team "
            "mailbox on a supervisor's and their team's records, or a couple's home phone, joins "
            "different people; and one held by more than max_accounts records, such as a "
            "switchboard number, identifies nobody. Or (c) the latest approved_by edit of the "
            "shift in roster_changes was made by the officer themself (under either record). "
            "Flag an officer with at least min_count such shifts. The explanation gives the "
            "median count for the officer's unit, so a reader can see whether self-approval is "
            "a local practice."
        ),
        false_positives=(
            "A duty system that records the person who keyed the approval rather than the approver.",
            "Delegated approval when no supervisor was on duty, agreed afterwards.",
            "Two records of one person kept for a real reason (a re-joiner whose old record was "
            "not closed), the old one still holding approver rights.",
        ),
        scoring=(
            "score = 0.5 + 0.1 per self-approved paid-extra shift + 0.05 per other one, + 0.1 "
            "when the approval is hidden (a second record, or the approver set by the officer), "
            "at most 1; severity high at >= 0.8, medium >= 0.5."
        ),
        forms=(
            Form(
                "own_account",
                "approved_by on the officer's own shift is the officer.",
                ("manager_approved", "created_own_shift", "cancelled_self_approved"),
                ("shifts.approved_by",),
            ),
            Form(
                "second_account",
                "approved_by is another officer record of the same person: same surname, "
                "forenames and date of birth; or a personal email or phone shared, with the same "
                "first forename and the same surname, date of birth or home postcode (a second "
                "account under another surname).",
                ("namesake_approver", "manager_approved", "shared_team_mailbox"),
                ("shifts.approved_by", "officer identity"),
            ),
            Form(
                "approved_by_edit",
                "in roster_changes the officer themself set approved_by on their own shift, and "
                "nobody else approved it afterwards.",
                ("created_own_shift", "manager_approved"),
                ("roster_changes approvals",),
            ),
        ),
        lookalikes=(
            LookAlike(
                "manager_approved", "rest-day working requested by the officer, approved by the line manager"
            ),
            LookAlike(
                "created_own_shift",
                "the officer created their own overtime row; the line manager set approved_by",
            ),
            LookAlike(
                "namesake_approver",
                "the approver has the officer's surname and forenames but another date of birth, "
                "email and phone: a different person",
            ),
            LookAlike("cancelled_self_approved", "a self-approved duty that was cancelled and never paid"),
            LookAlike(
                "shared_team_mailbox",
                "the supervisor who approves the team's duties has the team mailbox as email on "
                "their record, as the team members do: one email, different people",
            ),
        ),
    ),
    params=(
        Param("min_count", int, 1, "self-approved shifts that make a flag"),
        Param(
            "max_accounts",
            int,
            3,
            "officer records that may share an email or phone and still be one person",
        ),
    ),
    to_flags=_self_approval,
    sql=SELF_APPROVAL_SQL,
    inputs=(
        Input.rows("shifts", description="duty rows (shifts)"),
        Input.column("shifts", "approved_by", description="approvers recorded on shifts"),
        Input.rows(
            "g_officers",
            "date_of_birth IS NOT NULL OR NULLIF(trim(email), '') IS NOT NULL "
            "OR NULLIF(trim(phone), '') IS NOT NULL OR NULLIF(trim(home_postcode), '') IS NOT NULL",
            name="officer identity",
            description="officers with a date of birth, home postcode, email or phone",
        ),
        Input.rows(
            "roster_changes",
            "lower(trim(field)) = 'approved_by'",
            name="roster_changes approvals",
            description="approved_by edits in the duty system's audit trail",
        ),
    ),
)

# ---------------------------------------------------------------------------- retro claims

RETRO_CLAIM_SQL = f"""
WITH edits AS (  -- audit rows made after the shift ended that raise its pay
    SELECT c.change_id, c.shift_id, c.changed_by, c.changed_at, lower(trim(c.field)) AS field,
           lower(trim(c.new_value)) AS new_value, s.officer_id, s.start, s."end",
           c.changed_by = s.officer_id AS by_self,
           CASE WHEN lower(trim(c.field)) = 'pay_code' THEN 'pay_code_raised' ELSE 'hours_added' END AS form,
           CASE WHEN lower(trim(c.field)) = 'hours_claimed'
                THEN TRY_CAST(c.new_value AS DOUBLE) - coalesce(TRY_CAST(c.old_value AS DOUBLE),
                     epoch(s."end" - s.start) / 3600.0) END AS hours_up
    FROM roster_changes c JOIN shifts s USING (shift_id)
    WHERE s.status <> 'cancelled'
      AND c.changed_at > s."end" + to_minutes(CAST($grace_minutes AS BIGINT))
      AND (c.changed_by = s.officer_id OR {_no_reason("c.reason")})
      AND ((lower(trim(c.field)) = 'pay_code' AND {_pay_rank("c.new_value")} > {_pay_rank("c.old_value")})
           OR (lower(trim(c.field)) = 'hours_claimed'
               AND TRY_CAST(c.new_value AS DOUBLE) > coalesce(TRY_CAST(c.old_value AS DOUBLE),
                   epoch(s."end" - s.start) / 3600.0) + 0.01))),
bank AS (  -- England and Wales bank holidays, and days on which most worked duties (other than
           -- those edited to it) are paid as bank holiday (a local or another nation's holiday)
    SELECT CAST(start AS DATE) AS d
    FROM shifts
    WHERE status = 'worked' AND duty_type NOT IN {NOT_A_DUTY}
      AND shift_id NOT IN (SELECT shift_id FROM edits WHERE new_value = 'bank_holiday')
    GROUP BY ALL HAVING avg(CASE WHEN pay_code = 'bank_holiday' THEN 1 ELSE 0 END) >= 0.5
    UNION
    SELECT CAST(unnest([{", ".join(f"'{d}'" for d in BANK_HOLIDAYS)}]) AS DATE)),
raised AS (  -- a change to bank-holiday pay on a real bank holiday puts the pay right
    SELECT e.*, e.new_value = 'bank_holiday' AS to_bank_holiday
    FROM edits e LEFT JOIN bank b ON b.d = CAST(e.start AS DATE)
    WHERE NOT (e.field = 'pay_code' AND e.new_value = 'bank_holiday' AND b.d IS NOT NULL)),
keyed_late AS (  -- paid-extra duties keyed in by the officer themself after they ended
    SELECT s.shift_id, s.officer_id, s.start, s."end",
           NULLIF(trim(coalesce(s.approved_by, '')), '') IS NULL AS unapproved,
           s.created_at > s."end" + to_hours(CAST($late_claim_hours AS BIGINT)) AS long_after
    FROM shifts s
    WHERE s.pay_code IN ({PAID}) AND s.status <> 'cancelled' AND s.created_by = s.officer_id
      AND s.created_at > s."end" + to_minutes(CAST($grace_minutes AS BIGINT))),
habit AS (  -- officers who keyed in at least min_late_claims of them days after (one is a backlog)
    SELECT officer_id FROM keyed_late WHERE long_after
    GROUP BY officer_id HAVING count(*) >= $min_late_claims),
created AS (  -- ... approved by nobody at all, or keyed in days after by an officer who does so as a habit
    SELECT k.*, k.long_after AND h.officer_id IS NOT NULL AS late_habit
    FROM keyed_late k LEFT JOIN habit h USING (officer_id)
    WHERE k.unapproved OR (k.long_after AND h.officer_id IS NOT NULL)),
hits AS (
    SELECT officer_id, shift_id, start, "end", form, change_id, by_self, hours_up, to_bank_holiday,
           false AS unapproved, false AS late_habit FROM raised
    UNION ALL
    SELECT officer_id, shift_id, start, "end", 'created_after_worked', NULL, true, NULL, false,
           unapproved, late_habit FROM created)
SELECT officer_id,
       count(*) AS n_items, count(DISTINCT shift_id) AS n_shifts,
       count(change_id) AS n_edits,
       count(change_id) FILTER (WHERE by_self) AS n_self,
       count(*) FILTER (WHERE form = 'pay_code_raised') AS n_pay_code,
       count(*) FILTER (WHERE form = 'hours_added') AS n_hours,
       count(*) FILTER (WHERE form = 'created_after_worked') AS n_created,
       count(*) FILTER (WHERE unapproved) AS n_unapproved,
       count(*) FILTER (WHERE late_habit) AS n_long_after,
       count(*) FILTER (WHERE to_bank_holiday) AS n_false_bank_holiday,
       round(coalesce(sum(hours_up), 0), 2) AS hours_added,
       list(DISTINCT form ORDER BY form) AS forms,
       min(start) AS window_start, max("end") AS window_end,
       list(DISTINCT change_id ORDER BY change_id) FILTER (WHERE change_id IS NOT NULL) AS change_ids,
       list(DISTINCT shift_id ORDER BY shift_id) AS shift_ids
FROM hits
GROUP BY officer_id
HAVING count(*) >= $min_edits
ORDER BY officer_id"""


def _retro(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        parts = []
        if r["n_pay_code"]:
            parts.append(
                f"{_plural(r['n_pay_code'], 'pay-code change')} to a higher rate after the shift ended"
                + (
                    f" ({r['n_false_bank_holiday']} to bank-holiday pay on a day that was no bank holiday)"
                    if r["n_false_bank_holiday"]
                    else ""
                )
            )
        if r["n_hours"]:
            parts.append(f"{r['hours_added']:g} hours claimed added after the shift ended")
        if r["n_created"]:
            why = [
                f"{r['n_unapproved']} approved by nobody" if r["n_unapproved"] else "",
                f"{r['n_long_after']} keyed in more than {p['late_claim_hours']} hours after"
                if r["n_long_after"]
                else "",
            ]
            parts.append(
                f"{_plural(r['n_created'], 'paid-extra duty', 'paid-extra duties')} keyed in by the "
                f"officer themself only after it was over ({', '.join(w for w in why if w)})"
            )
        who = ""
        if r["n_edits"]:
            who = (
                "; every edit by the officer themself"
                if r["n_self"] == r["n_edits"]
                else f"; {r['n_self']} of {r['n_edits']} edits by the officer themself, the others by "
                "someone else with no reason recorded"
            )
        return (
            f"Pay was claimed or raised after the event on {_plural(r['n_shifts'], 'shift')} of their own "
            f"between {day(r['window_start'])} and {day(r['window_end'])}: {'; '.join(parts)}{who}."
        )

    return officer_flags(
        "roster.retro_claim",
        rows,
        score=lambda r: (
            0.45
            + 0.1 * (r["n_self"] + r["n_created"])
            + 0.05 * (r["n_edits"] - r["n_self"])
            + 0.2 * (r["n_false_bank_holiday"] > 0)
        ),
        explain=explain,
        evidence=lambda r: (
            rows_evidence("roster_changes", r["change_ids"]) + rows_evidence("shifts", r["shift_ids"])
        ),
        forms=lambda r: r["forms"],
    )


RETRO_CLAIM = Detector(
    name="roster.retro_claim",
    card=MethodCard(
        purpose=(
            "Find pay claimed or raised for shifts already worked: a pay code changed to overtime, "
            "rest-day working or bank holiday afterwards, hours claimed increased afterwards, or a "
            "paid-extra duty keyed in by the officer only after it was over."
        ),
        reads=(
            "roster_changes (the duty system's audit trail)",
            "shifts (owner, start, end, pay code, created_by, created_at)",
        ),
        logic=(
            "Take each audit row made more than grace_minutes after its shift ended that raises "
            "pay: a pay_code change to a higher rate (basic or on call < overtime or rest-day "
            "working < bank holiday), or hours_claimed increased (over the old value, or over the "
            "shift's length when there was none). Keep those made by the shift's own officer, and "
            "those made by anyone else with no reason recorded (a supervisor's correction with a "
            "reason is normal practice). A change to bank-holiday pay is ignored on a real bank "
            "holiday (England and Wales, or a day when most other worked duties were paid as "
            "one) and called out on any other day. "
            "Also take each paid-extra duty (not cancelled) that the officer created themself "
            "more than grace_minutes after it ended, when nobody at all approved it (no approver "
            "recorded), or when it was keyed in more than late_claim_hours after it ended and the "
            "officer keyed in at least min_late_claims paid-extra duties that late (a habit of "
            "claiming days after the event; one late claim is a backlog). Overtime is claimed "
            "after it is worked as a rule: overtime for staying on, or a call-out or a day's "
            "overtime keyed in that day or the next and approved by a supervisor, is ordinary "
            "recording and is not counted, however it stands in the roster. A duty the officer "
            "approved themself is roster.self_approval's to judge, not a late claim. Flag an "
            "officer with at least min_edits such edits or rows. Cancelled shifts are never paid "
            "and are ignored."
        ),
        false_positives=(
            "An officer correcting a genuine mistake in their own claim, where local practice "
            "is for officers to key their own claims.",
            "A bank holiday observed locally that the rest of the force did not work.",
            "Claims keyed in late more than once for a reason (a long absence straight after the "
            "duties, a duty system that was down).",
            "A claim keyed in just before the export was taken, not yet approved.",
        ),
        scoring=(
            "score = 0.45 + 0.1 per self-made edit or self-keyed duty + 0.05 per other edit, + 0.2 "
            "when a bank-holiday code is set on a normal day; at most 1."
        ),
        forms=(
            Form(
                "pay_code_raised",
                "the pay code of a finished shift was changed to a higher rate by the officer or "
                "with no reason; a bank-holiday code on a normal day is called out.",
                ("supervisor_correction", "edit_before_end", "pay_lowered", "real_bank_holiday"),
                ("roster_changes",),
            ),
            Form(
                "hours_added",
                "hours_claimed on a finished shift was increased by the officer or with no reason.",
                ("supervisor_correction", "edit_before_end", "pay_lowered"),
                ("roster_changes",),
            ),
            Form(
                "created_after_worked",
                "paid-extra duty rows created by the officer themself after they ended (created_at "
                "later than the end) that nobody approved, or that they keyed in days later as a "
                "habit (at least min_late_claims keyed in more than late_claim_hours after).",
                ("claimed_extension", "edit_before_end", "call_out_keyed_next_day", "one_late_claim"),
                ("shifts.created_at", "shifts.created_by"),
            ),
        ),
        lookalikes=(
            LookAlike(
                "supervisor_correction",
                "the line manager adds hours to a finished shift, with a reason (late finish)",
            ),
            LookAlike(
                "edit_before_end",
                "the officer changes the pay code or adds their overtime before the shift ends",
            ),
            LookAlike("pay_lowered", "the officer takes hours off, or lowers the pay code, after the shift"),
            LookAlike(
                "real_bank_holiday",
                "a shift on a real bank holiday first keyed as basic, put right afterwards",
            ),
            LookAlike(
                "claimed_extension",
                "overtime for staying on after a shift, keyed in by the officer that evening and "
                "approved by the line manager",
            ),
            LookAlike(
                "call_out_keyed_next_day",
                "a stand-alone overtime duty (a call-out on a rest day) keyed in by the officer the "
                "next morning and approved by the line manager: the ordinary way to claim it",
            ),
            LookAlike(
                "one_late_claim",
                "one overtime claim keyed in by the officer a week after the duty (a backlog) and "
                "approved by the line manager; every other claim keyed in the same day",
            ),
        ),
    ),
    params=(
        Param("min_edits", int, 1, "pay-raising retrospective edits or self-keyed duties that make a flag"),
        Param(
            "grace_minutes", int, 0, "minutes after the shift's end before an edit counts as retrospective"
        ),
        Param(
            "late_claim_hours",
            int,
            72,
            "hours after its end after which a self-keyed paid-extra duty is a late claim",
        ),
        Param(
            "min_late_claims",
            int,
            2,
            "late claims approved by someone that make a habit (one is a backlog)",
        ),
    ),
    to_flags=_retro,
    sql=RETRO_CLAIM_SQL,
    inputs=(
        Input.rows("shifts", description="duty rows (shifts)"),
        Input.rows("roster_changes", description="the duty system's audit trail (roster_changes rows)"),
        Input.column("shifts", "created_at", description="when each duty row was created"),
        Input.column("shifts", "created_by", description="who created each duty row"),
    ),
)

# ---------------------------------------------------------------------------- overtime overlaps

OVERLAP_SQL = f"""
WITH paid AS (
    SELECT shift_id, officer_id, start, "end", pay_code, site_id, duty_type
    FROM shifts
    WHERE status = 'worked' AND pay_code IN ({PAID})),
adjoining AS (  -- paid extra within an hour of another worked duty of the officer (it extends it)
    SELECT p.shift_id, min(w.start) AS duty_start
    FROM paid p JOIN shifts w ON w.officer_id = p.officer_id AND w.shift_id <> p.shift_id
    WHERE w.status = 'worked' AND w.duty_type NOT IN {NOT_A_DUTY}
      AND w.start <= p."end" + INTERVAL 1 HOUR AND w."end" >= p.start - INTERVAL 1 HOUR
    GROUP BY p.shift_id),
absent AS (  -- paid extra inside the officer's own leave or sickness (booked or taken, not cancelled)
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'during_leave' AS form, a.shift_id AS other_id,
           NULL AS change_id
    FROM paid p JOIN shifts a ON a.officer_id = p.officer_id AND a.shift_id <> p.shift_id
    LEFT JOIN adjoining x ON x.shift_id = p.shift_id
    WHERE a.duty_type IN {LEAVE} AND a.status <> 'cancelled'
      AND p.start >= a.start AND p.start < a."end"  -- it starts inside the leave
      -- staying on after a duty that began before the leave (a night shift running into it) is not it
      AND NOT coalesce(x.duty_start < a.start, false)),
double AS (  -- paid extra overlapping another worked duty of the same officer, one of their rostered
             -- duties (two extra-duty rows over the same hours are one stretch keyed twice)
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'overlapping_duty' AS form, w.shift_id AS other_id,
           NULL AS change_id
    FROM paid p JOIN shifts w ON w.officer_id = p.officer_id AND w.shift_id <> p.shift_id
    WHERE w.status = 'worked' AND w.duty_type NOT IN {NOT_A_DUTY}
      AND w.pay_code NOT IN ({EXTRA_DUTY})
      AND least(w."end", p."end") - greatest(w.start, p.start) > to_minutes(CAST($min_overlap_minutes AS BIGINT))),
readers AS (SELECT DISTINCT site_id FROM badge_events),  -- a site where nobody ever swipes has none
unseen AS (  -- a stand-alone overtime or rest-day duty with no swipe, lookup or remote session around it
    SELECT p.officer_id, p.shift_id, p.start, p."end", 'no_attendance' AS form, NULL AS other_id,
           NULL AS change_id
    FROM paid p
    WHERE p.pay_code IN ('overtime', 'rest_day_worked')
      AND EXISTS (SELECT 1 FROM badge_events) AND EXISTS (SELECT 1 FROM system_access)
      AND EXISTS (SELECT 1 FROM remote_sessions)  -- without all three, absence cannot be told
      AND p.shift_id NOT IN (SELECT shift_id FROM adjoining)  -- an extension is judged with its duty
      -- a swipe is expected only at a site with readers; court leaves no trace anywhere
      AND (p.site_id IN (SELECT site_id FROM readers) OR (p.site_id IS NULL AND p.duty_type <> 'court'))
      AND NOT EXISTS (SELECT 1 FROM badge_events b WHERE b.officer_id = p.officer_id
                        AND b.ts BETWEEN p.start - INTERVAL 1 HOUR AND p."end" + INTERVAL 1 HOUR)
      AND NOT EXISTS (SELECT 1 FROM system_access s WHERE s.officer_id = p.officer_id
                        AND s.ts BETWEEN p.start AND p."end")
      AND NOT EXISTS (SELECT 1 FROM remote_sessions r WHERE r.officer_id = p.officer_id
                        AND r.start < p."end" AND coalesce(r."end", r.start) > p.start)),
was_leave AS (  -- rows that were leave or sickness and no longer are, by the officer or with no reason
    SELECT c.change_id, c.shift_id, s.officer_id, s.start, s."end"
    FROM roster_changes c JOIN shifts s USING (shift_id)
    WHERE (c.changed_by = s.officer_id OR {_no_reason("c.reason")})
      AND ((lower(trim(c.field)) = 'duty_type' AND lower(trim(c.old_value)) IN {LEAVE}
            AND lower(trim(coalesce(c.new_value, ''))) NOT IN {LEAVE} AND s.duty_type NOT IN {LEAVE})
        OR (lower(trim(c.field)) = 'status' AND lower(trim(c.new_value)) = 'cancelled'
            AND s.duty_type IN {LEAVE} AND s.status = 'cancelled'))),
audit AS (  -- paid extra on a day the audit trail shows was leave: during it, the same day, or staying
           -- on after it (starting within an hour of its end, which may be the next day)
    SELECT DISTINCT p.officer_id, p.shift_id, p.start, p."end", 'leave_in_audit_trail' AS form,
           CASE WHEN l.shift_id <> p.shift_id THEN l.shift_id END AS other_id, l.change_id
    FROM paid p JOIN was_leave l ON l.officer_id = p.officer_id
     AND (l.shift_id = p.shift_id OR (l.start < p."end" AND l."end" + INTERVAL 1 HOUR >= p.start)
          OR CAST(l.start AS DATE) = CAST(p.start AS DATE))),
hits AS (
    SELECT * FROM absent UNION ALL SELECT * FROM double UNION ALL SELECT * FROM unseen
    UNION ALL SELECT * FROM audit),
per AS (
    SELECT officer_id,
           count(DISTINCT shift_id) FILTER (WHERE form = 'during_leave') AS n_absent,
           count(DISTINCT shift_id) FILTER (WHERE form = 'overlapping_duty') AS n_double,
           count(DISTINCT shift_id) FILTER (WHERE form = 'no_attendance') AS n_unseen,
           count(DISTINCT shift_id) FILTER (WHERE form = 'leave_in_audit_trail') AS n_audit,
           count(DISTINCT shift_id) FILTER (WHERE form <> 'no_attendance') AS n_conflict,
           list(DISTINCT form ORDER BY form) AS all_forms,
           min(start) FILTER (WHERE form <> 'no_attendance') AS c_start,
           max("end") FILTER (WHERE form <> 'no_attendance') AS c_end,
           min(start) FILTER (WHERE form = 'no_attendance') AS u_start,
           max("end") FILTER (WHERE form = 'no_attendance') AS u_end,
           list(DISTINCT shift_id) FILTER (WHERE form <> 'no_attendance') AS c_ids,
           list(DISTINCT shift_id) FILTER (WHERE form = 'no_attendance') AS u_ids,
           list(DISTINCT other_id ORDER BY other_id) FILTER (WHERE other_id IS NOT NULL) AS other_ids,
           list(DISTINCT change_id ORDER BY change_id) FILTER (WHERE change_id IS NOT NULL) AS change_ids
    FROM hits GROUP BY officer_id),
judged AS (  -- unrecorded duties count only when there are at least min_unseen of them
    SELECT *, n_unseen >= $min_unseen AS unseen_counts FROM per
    WHERE n_conflict >= $min_count OR n_unseen >= $min_unseen)
SELECT officer_id, n_absent, n_double, n_audit, other_ids, change_ids,
       CASE WHEN unseen_counts THEN n_unseen ELSE 0 END AS n_unseen,
       list_filter(all_forms, lambda f: f <> 'no_attendance' OR unseen_counts) AS forms,
       CASE WHEN unseen_counts THEN least(c_start, u_start) ELSE c_start END AS window_start,
       CASE WHEN unseen_counts THEN greatest(c_end, u_end) ELSE c_end END AS window_end,
       list_sort(list_distinct(CASE WHEN unseen_counts THEN list_concat(coalesce(c_ids, []), u_ids)
                                    ELSE c_ids END)) AS shift_ids
FROM judged
ORDER BY officer_id"""


def _overlap(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        parts = []
        if r["n_absent"]:
            parts.append(f"{r['n_absent']} inside their own annual leave or sickness")
        if r["n_audit"]:
            parts.append(
                f"{r['n_audit']} on a day the duty system's audit trail shows was their leave or "
                "sickness until it was changed by them or with no reason given"
            )
        if r["n_double"]:
            parts.append(f"{r['n_double']} overlapping another of their worked shifts")
        if r["n_unseen"]:
            parts.append(
                f"{r['n_unseen']} stand-alone with no badge swipe, system lookup or remote log-on at all"
            )
        return (
            f"{_plural(len(r['shift_ids']), 'paid overtime, rest-day or bank-holiday duty', 'paid overtime, rest-day or bank-holiday duties')} "
            f"between {day(r['window_start'])} and {day(r['window_end'])} cannot have been worked as "
            f"claimed: {'; '.join(parts)}."
        )

    return officer_flags(
        "roster.overtime_overlap",
        rows,
        score=lambda r: 0.5 + 0.15 * len(r["shift_ids"]),
        explain=explain,
        evidence=lambda r: (
            rows_evidence("shifts", list(r["shift_ids"]) + list(r["other_ids"] or []))
            + rows_evidence("roster_changes", r["change_ids"])
        ),
        forms=lambda r: r["forms"],
    )


OVERTIME_OVERLAP = Detector(
    name="roster.overtime_overlap",
    card=MethodCard(
        purpose=(
            "Find paid overtime or rest-day working that cannot have been worked as claimed: "
            "during the officer's own leave or sickness (as the duty rows show it, or as the "
            "audit trail shows it before an edit), overlapping another of their duties, or "
            "with no sign of attendance at all."
        ),
        reads=("shifts", "roster_changes", "badge_events", "system_access", "remote_sessions"),
        logic=(
            "For every worked shift paid as overtime, rest-day working or bank holiday, look for "
            "(a) a leave or sickness row of the same officer, not cancelled, inside which it starts "
            "(booked leave counts whether its status is planned or worked; a duty that began "
            "before the leave, or overtime staying on after one, such as a night shift running "
            "into the first leave day, does not), "
            "(b) a rostered duty of the same officer (worked, not itself an overtime or rest-day "
            "working row) overlapping it by more than min_overlap_minutes (two extra-duty rows over "
            "the same hours, such as a stay-on claim keyed inside a booked overtime night, are one "
            "stretch of overtime keyed twice, a payroll duplicate, not a duty that cannot have "
            "been worked), (c) for a stand-alone overtime or rest-day duty (not within an "
            "hour of another worked duty, which it would extend), no badge swipe within an hour "
            "of it, no system lookup during it and no remote session overlapping it (checked only "
            "when the force has all three kinds of attendance data, and only for a duty at a site "
            "with badge readers or with no site and not at court), (d) a day that was leave or "
            "sickness until an edit in roster_changes (duty_type changed away from annual_leave "
            "or sick, or the leave row cancelled) made by the officer themself or with no reason "
            "recorded: paid extra during that row, on the same day, or staying on after it "
            "(starting within an hour of its end, which after a late is the next day). Flag an "
            "officer with at least min_count duties of kind (a), (b) or (d), "
            "or at least min_unseen of kind (c) (one unrecorded duty is common: work away from "
            "readers and systems). Leave cancelled by a supervisor with a reason (a recall to "
            "duty) is not leave."
        ),
        false_positives=(
            "Leave not cancelled in the system after a recall to duty.",
            "Work away from any badge reader or system (an off-site operation, a court day "
            "keyed as overtime).",
            "An officer who cancelled their own leave in good time and then worked overtime that day.",
            "The same overtime keyed twice as two extra-duty rows (not counted) hides a real second "
            "claim for the same hours: that is payroll's to reconcile.",
        ),
        scoring="score = 0.5 + 0.15 per duty, at most 1.",
        forms=(
            Form(
                "during_leave",
                "a leave or sickness row of the officer, not cancelled, overlaps the paid-extra duty.",
                ("recall_from_leave",),
                ("leave and sickness rows",),
            ),
            Form(
                "overlapping_duty",
                "one of the officer's rostered duties (worked) overlaps the paid-extra duty.",
                ("extends_shift",),
                ("shifts",),
            ),
            Form(
                "no_attendance",
                "at least two stand-alone overtime or rest-day duties with no swipe, lookup or "
                "remote session.",
                ("overtime_with_swipes", "single_unrecorded_duty", "extends_shift"),
                ("badge_events", "system_access", "remote_sessions"),
            ),
            Form(
                "leave_in_audit_trail",
                "no leave row now, but roster_changes show the day was leave and the change away "
                "from leave was made by the officer themself or with no reason; overtime is "
                "claimed that day or for staying on after that duty.",
                ("recall_from_leave",),
                ("roster_changes",),
            ),
        ),
        lookalikes=(
            LookAlike(
                "recall_from_leave",
                "leave cancelled or changed by a supervisor with a reason before the day, then worked",
            ),
            LookAlike("extends_shift", "overtime adjoining the end of a normal shift"),
            LookAlike("overtime_with_swipes", "stand-alone rest-day working with badge swipes"),
            LookAlike("single_unrecorded_duty", "one stand-alone duty with no attendance evidence"),
        ),
    ),
    params=(
        Param("min_count", int, 1, "paid-extra duties during absence or another duty that make a flag"),
        Param("min_unseen", int, 2, "paid-extra duties with no attendance evidence that make a flag"),
        Param("min_overlap_minutes", int, 30, "overlap with another duty that counts"),
    ),
    to_flags=_overlap,
    sql=OVERLAP_SQL,
    inputs=(
        Input.rows("shifts", description="duty rows (shifts)"),
        Input.rows(
            "shifts",
            f"duty_type IN {LEAVE}",
            name="leave and sickness rows",
            description="annual leave and sickness rows in shifts",
        ),
        Input.rows("roster_changes", description="the duty system's audit trail (roster_changes rows)"),
        Input.rows("badge_events", description="badge swipes"),
        Input.rows("system_access", description="system lookups"),
        Input.rows("remote_sessions", description="remote log-ons"),
    ),
)
