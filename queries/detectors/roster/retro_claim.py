"""``roster.retro_claim``: pay claimed or raised for shifts already worked (a pay code
raised or hours added afterwards, or a paid-extra duty keyed in by the officer only after
it was over).

Query beside this module: ``retro_claim.sql`` (``{{paid_extra}}``, ``{{not_a_duty}}`` and
``{{no_reason}}`` from :mod:`queries.detectors.roster.common`; ``{{bank_holidays}}``: the
England and Wales bank holidays, :data:`~queries.detectors.common.BANK_HOLIDAYS`).

Worked examples: ``tests/examples/roster.retro_claim/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import BANK_HOLIDAYS, day, officer_flags, rows_evidence
from queries.detectors.roster.common import NO_REASON, NOT_A_DUTY, PAID, plural

RETRO_CLAIM_SQL = query_file(
    __file__,
    "retro_claim.sql",
    paid_extra=PAID,
    not_a_duty=NOT_A_DUTY,
    no_reason=NO_REASON,
    bank_holidays=", ".join(f"'{d}'" for d in BANK_HOLIDAYS),
)


def _retro(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    def explain(r: dict[str, Any]) -> str:
        parts = []
        if r["n_pay_code"]:
            parts.append(
                f"{plural(r['n_pay_code'], 'pay-code change')} to a higher rate after the shift ended"
                + (
                    f" ({r['n_false_bank_holiday']} to bank-holiday pay on a day that was no bank holiday)"
                    if r["n_false_bank_holiday"]
                    else ""
                )
            )
        if r["n_hours"]:
            parts.append(f"{r['hours_added']:g} hours claimed added after the shift ended")
        if r["n_reinstated"]:
            parts.append(
                f"{plural(r['n_reinstated'], 'cancelled duty', 'cancelled duties')} (never paid) marked worked "
                "after it was over"
            )
        if r["n_created"]:
            why = [
                f"{r['n_unapproved']} approved by nobody" if r["n_unapproved"] else "",
                f"{r['n_long_after']} keyed in more than {p['late_claim_hours']} hours after"
                if r["n_long_after"]
                else "",
                f"{r['n_untraced']} keyed in more than {p['late_claim_hours']} hours after for hours with no "
                "swipe, lookup or remote log-on of theirs"
                if r["n_untraced"]
                else "",
            ]
            parts.append(
                f"{plural(r['n_created'], 'paid-extra duty', 'paid-extra duties')} keyed in by the "
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
            f"Pay was claimed or raised after the event on {plural(r['n_shifts'], 'shift')} of their own "
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
            "rest-day working or bank holiday afterwards, hours claimed increased afterwards, a "
            "cancelled duty marked worked afterwards, or a paid-extra duty keyed in by the officer "
            "only after it was over."
        ),
        reads=(
            "roster_changes (the duty system's audit trail)",
            "shifts (owner, start, end, pay code, created_by, created_at)",
            "badge_events, system_access, remote_sessions (a trace of the officer at work during a late claim)",
        ),
        logic=(
            "Take each audit row made more than grace_minutes after its shift ended that raises "
            "pay: a pay_code change to a higher rate (basic or on call < overtime or rest-day "
            "working < bank holiday), hours_claimed increased (over the old value, or over the "
            "shift's length when there was none), or the status of a cancelled duty (never paid) "
            "changed to worked. Keep those made by the shift's own officer, and "
            "those made by anyone else with no reason recorded (a supervisor's correction with a "
            "reason is normal practice). A change to bank-holiday pay is ignored on a real bank "
            "holiday (England and Wales, or a day when most other worked duties were paid as "
            "one) and called out on any other day. "
            "Also take each paid-extra duty (not cancelled) that the officer created themself "
            "more than grace_minutes after it ended, when nobody at all approved it (no approver "
            "recorded), or when it was keyed in more than late_claim_hours after it ended and the "
            "officer keyed in at least min_late_claims paid-extra duties that late (a habit of "
            "claiming days after the event; one late claim is a backlog), or when it was keyed in "
            "that late for hours with no trace of the officer at work (no swipe from half an hour "
            "into it to an hour after it, no lookup and no remote session during it; checked only "
            "where the force has all three kinds of data: a backlog claim for hours nobody can see "
            "worked is what a late claim is looked at for). Overtime is claimed "
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
                "cancelled_then_worked",
                "a duty cancelled before it began (never paid) marked worked after it was over, by the "
                "officer or with no reason.",
                ("reinstated_with_reason", "edit_before_end"),
                ("roster_changes",),
            ),
            Form(
                "created_after_worked",
                "paid-extra duty rows created by the officer themself after they ended (created_at "
                "later than the end) that nobody approved, or that they keyed in days later as a "
                "habit (at least min_late_claims keyed in more than late_claim_hours after), or once "
                "days later for hours with no trace of them at work.",
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
                "approved by the line manager, with their swipe out at the end of the hours claimed; "
                "every other claim keyed in the same day",
            ),
            LookAlike(
                "reinstated_with_reason",
                "the line manager marks a cancelled duty worked after the day, with a reason (the "
                "cancellation was keyed in error and the officer worked it)",
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
