"""``roster.self_approval``: officers who approved their own duties (shifts, overtime or
rest-day working), under their own name, under a second officer record of the same
person, or by setting the approver themself in the audit trail.

Query beside this module: ``self_approval.sql`` (``{{paid_extra}}``:
:data:`~queries.detectors.roster.common.PAID`).

Worked examples: ``tests/examples/roster.self_approval/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import day, officer_flags, rows_evidence
from queries.detectors.roster.common import PAID, plural

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

SELF_APPROVAL_SQL = query_file(__file__, "self_approval.sql", paid_extra=PAID)


def _and(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(w for w in [", ".join(words[:-1]), words[-1]] if w) if words else ""


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
        if r["n_report"]:
            who = ", ".join(r["report_ids"] or [])
            ways.append(
                f"{r['n_report']} paid as extra and approved by an officer they line-manage ({who}): "
                "no independent approval"
            )
        unit = (
            f"the median in their unit is {r['unit_median']:g} such shifts"
            if r["unit_id"]
            else "they have no unit"
        )
        return (
            f"{'Approved' if not r['n_report'] else 'Had'} {plural(r['n'], 'shift')} of their own "
            f"{'' if not r['n_report'] else 'approved '}"
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
            + rows_evidence("officers", [*(r["other_ids"] or []), *(r["report_ids"] or [])])
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
            "officers (unit, for the unit median; line manager, for approvals by their reports; surname, forenames, date of birth, home postcode, "
            "email and phone, to tell a second record of the same person)",
        ),
        logic=(
            "Take every shift that is not cancelled. It is self-approved when (a) approved_by is "
            "the officer themself, (b) approved_by is another officer record of the same person: "
            "the same cleaned surname, first forename and date of birth (case, accents and "
            "punctuation aside; a second record often carries the first forename only, 'Jonathan' "
            "beside 'Jonathan Paul'); or the same email or phone "
            "together with the same first forename and one more detail of the person (surname, "
            "date of birth or home postcode), as a duplicate account made under a changed name "
            "shows. An email or phone alone does not make two records one person: a team "
            "mailbox on a supervisor's and their team's records, or a couple's home phone, joins "
            "different people; and one held by more than max_accounts records, such as a "
            "switchboard number, identifies nobody. Or (c) the latest approved_by edit of the "
            "shift in roster_changes was made by the officer themself (under either record); or a "
            "paid-extra shift (overtime, rest-day working, bank holiday) was approved by an officer "
            "whose line manager is the claimant: approval by one's own report is no independent "
            "approval (a basic duty confirmed by a report is not pay the officer claims). "
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
                "first forename and date of birth (the other forenames may be missing on one of "
                "them); or a personal email or phone shared, with the same "
                "first forename and the same surname, date of birth or home postcode (a second "
                "account under another surname).",
                ("namesake_approver", "manager_approved", "shared_team_mailbox", "first_forename_namesake"),
                ("shifts.approved_by", "officer identity"),
            ),
            Form(
                "approved_by_report",
                "a paid-extra shift (overtime, rest-day working, bank holiday) approved by an officer "
                "the claimant line-manages.",
                ("manager_approved", "report_confirms_basic_duty"),
                ("shifts.approved_by", "line managers"),
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
                "report_confirms_basic_duty",
                "a constable confirms their sergeant's basic rostered duty in the duty system (someone "
                "on shift records attendance): no pay the sergeant claims",
            ),
            LookAlike(
                "shared_team_mailbox",
                "the supervisor who approves the team's duties has the team mailbox as email on "
                "their record, as the team members do: one email, different people",
            ),
            LookAlike(
                "first_forename_namesake",
                "the line manager who approves has the officer's surname and first forename (the "
                "officer has a middle name, the manager none) but another date of birth, email and "
                "phone: a different person",
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
        Input.column(
            "g_officers", "line_manager_id", name="line managers", description="officers with a line manager"
        ),
        Input.rows(
            "roster_changes",
            "lower(trim(field)) = 'approved_by'",
            name="roster_changes approvals",
            description="approved_by edits in the duty system's audit trail",
        ),
    ),
)
