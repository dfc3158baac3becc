"""Planted cases and look-alikes of the roster detectors (``queries.detectors.roster``):
``roster.self_approval``, ``roster.retro_claim``, ``roster.overtime_overlap``.

========================== ============================================= ==========================================
detector                   planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
roster.self_approval       3–5 rest-day working rows with ``approved_by``  4–6 rest-day working rows requested by the
                           = the officer (and the audit row by them)     officer, approved by the line manager
roster.retro_claim         3–6 own finished shifts edited afterwards by  the line manager adds 1–2 h to finished
                           the officer: pay code to overtime, or hours   shifts with a reason; bank holidays put
                           +2–4; or one pay code to bank holiday on a    right by the clerk
                           normal day
roster.overtime_overlap    2–3 paid overtime rows inside their own leave recalled from leave (leave row cancelled,
                           or sickness, or inside their own shift, or    then worked with swipes and lookups);
                           rest-day working with no swipe and no lookup  overtime on a leave day cancelled before
========================== ============================================= ==========================================

(The first version's cases and look-alikes; the rest are described in the planting functions.
Some are planned after every other plan, on random streams of their own, so that the rest of a
seed's force is as it was: ``roster.retro_claim``'s ``cancelled_then_worked`` and
``reinstated_with_reason``, and ``roster.overtime_overlap`` ``during_leave``'s variants of paid
extra on a day of leave outside its hours and on call from a day of leave, :func:`late_roster`.)

``roster.self_approval``'s approvals by the claimant's own reports are planned after every
other plan, on random streams of their own (:func:`late_report_approval`,
:func:`plant_report_approval`):

========================== ============================================= ==========================================
form                       planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
approved_by_report         1–3 paid-extra claims (rest-day working, bank a report confirms 2–4 of their line
                           holiday, overtime after a shift) of a line    manager's basic rostered duties in the
                           manager, each approved by another officer     duty system (``report_confirms_basic_duty``)
                           they line-manage (one claim each)
========================== ============================================= ==========================================

``roster.overtime_overlap``'s ``short_attendance`` and its look-alikes are planned after every
other plan, on random streams of their own (:func:`late_short_attendance`,
:func:`plant_short_attendance`):

========================== ============================================= ==========================================
form                       planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
short_attendance           2–3 rest-day working duties (frontline, 10 h) a frontline officer whose basic duties are
                           swiped into, a few lookups, then swiped out   mostly swiped out 1–3 h in too
                           1.5–5.5 h in, nothing of them after; their    (``out_on_patrol``); swiped out early,
                           basic duties swiped to the end                then mobile lookups until the last half
                                                                         hour (``works_on_after_leaving``)
========================== ============================================= ==========================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synthetic.catalogue import FORMS, Planting, Stage
from synthetic.common import (
    BANKHOL,
    BASIC,
    CANCELLED,
    DAY,
    DUTY,
    EARLY,
    F_APPROVED,
    F_DUTY,
    F_HOURS,
    F_PAY,
    F_STATUS,
    FRONTLINE,
    LATE,
    NIGHT,
    NULL,
    ONCALL,
    OVERTIME,
    P_ADM,
    P_INC,
    P_INV,
    PLANNED,
    R_AMENDED,
    R_BANKHOL,
    R_COURSE,
    R_COURSE_POSTPONED,
    R_OT_APPROVED,
    R_OT_CANCELLED,
    R_PRISONER,
    R_RECALL,
    RDW,
    SEARCH,
    VIEW,
    WORKED,
    _num,
    own_stream,
    world_stream,
)

if TYPE_CHECKING:
    from synthetic.events import Block
    from synthetic.world import World


# --------------------------------------------------------------------------- the plan, with the world


def case_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a planted case, by (detector, form) (anyone where none is given)."""
    office_like = w.pattern != FRONTLINE
    return {("roster.retro_claim", "created_after_worked"): office_like | (w.rng.random(w.n) < 0.5)}


def lookalike_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a look-alike of stage ``plan``, by (detector, look-alike): no one
    for ``real_bank_holiday`` in a period without a bank holiday."""
    has_holiday = bool(w.cal.holiday.any())
    return {("roster.retro_claim", "real_bank_holiday"): (w.pattern == FRONTLINE) & has_holiday}


def duty_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a look-alike of stage ``duty``, by (detector, look-alike)."""
    return {
        ("roster.self_approval", "shared_team_mailbox"): w.pattern == FRONTLINE,
        ("roster.retro_claim", "call_out_keyed_next_day"): w.pattern == FRONTLINE,
        ("roster.retro_claim", "one_late_claim"): w.pattern == FRONTLINE,
    }


MIDDLE_NAMES = ("Paul", "Anne", "James", "Marie", "John", "Louise", "Ann", "Michael")
"""Middle names one of two records of a person carries and the other leaves out."""


def _renamed_emails(off: pd.DataFrame, changed: list[int]) -> None:
    """The HR email of officer rows whose name changed follows the new name."""
    if not changed:
        return
    name = (off.loc[changed, "forenames"] + "." + off.loc[changed, "surname"]).str.normalize("NFKD")
    name = name.str.encode("ascii", "ignore").str.decode("ascii").str.lower()
    off.loc[changed, "email"] = (
        name.str.replace(r"[^a-z.]", "", regex=True)
        + "."
        + off.loc[changed, "officer_id"]
        + "@police.example"
    )


def accounts(w: World) -> None:
    """Second officer rows of one person (``second_account``: the same name and date of
    birth, or half the time the same surname, first forename and date of birth, the second
    row with a middle name the first leaves out) and approvers who share an officer's name
    but not the date of birth (``namesake_approver``; every second one shares the surname and
    first forename only, the officer having a middle name: ``first_forename_namesake``). The
    middle names of second accounts are drawn on a random stream of their own."""
    off = w.tables["officers"].copy()
    cols = ["surname", "forenames", "date_of_birth"]
    changed: list[int] = []
    middle = np.random.default_rng([w.seed, 311])
    for gi, p in sorted(w.plants["roster.self_approval"].items()):
        if p["form"] == "second_account":
            alt = p.get("alt") or []
            if not alt:
                p["form"] = "own_account"
                continue
            off.loc[alt[0], cols] = off.loc[gi, cols].to_numpy()
            if middle.random() < 0.5:
                names = str(off.loc[gi, "forenames"])
                off.loc[alt[0], "forenames"] = f"{names} {middle.choice(MIDDLE_NAMES)}"
                p["short_name"] = True
            p["alt"] = alt[0]
            changed.append(alt[0])
    namesakes = 0
    for gi, p in sorted(w.looks["roster.self_approval"].items()):
        if p["form"] == "namesake_approver":
            a = int(w.approver[gi])
            if str(off.loc[a, "date_of_birth"]) == str(off.loc[gi, "date_of_birth"]):
                p["form"] = "manager_approved"
                continue
            off.loc[gi, ["surname", "forenames"]] = off.loc[a, ["surname", "forenames"]].to_numpy()
            if namesakes % 2:  # every second one: the approver's first forename, and a middle name
                first = str(off.loc[a, "forenames"]).split(" ")[0]
                off.loc[gi, "forenames"] = f"{first} {MIDDLE_NAMES[(gi + a) % len(MIDDLE_NAMES)]}"
                p["form"] = "first_forename_namesake"
            namesakes += 1
            changed.append(gi)
    _renamed_emails(off, changed)
    w.tables["officers"] = off


def team_mailbox(w: World) -> None:
    """``shared_team_mailbox``: the officer's and their approver's email on HR is the
    team mailbox (one first forename on both would be a second account: left out)."""
    off = w.tables["officers"].copy()
    looks = w.side_looks["roster.self_approval"]
    for gi in sorted(looks):
        a = int(w.approver[gi])
        first = [str(off.loc[x, "forenames"]).split(" ")[0].lower() for x in (gi, a)]
        if first[0] == first[1]:
            del looks[gi]
            continue
        off.loc[[gi, a], "email"] = f"team.{str(off.loc[a, 'unit_id']).lower()}@police.example"
    w.tables["officers"] = off


# --------------------------------------------------------------------------- in the events, block by block


def plant_self_approval(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng = "roster.self_approval", b.rng
    form = p["form"]
    rest = b.free_rest & ~b.rdw
    days = b.pick(b.within(i, p["ws"], p["we"], rest), int(rng.integers(2, 6)) + look)
    if len(days) < 2:
        return
    ii = np.full(len(days), i)
    gi = int(b.gi[i])
    w = b.w
    if form == "cancelled_self_approved":
        keys = b.rest_day_working(ii, days, cby_self=True, aby=gi, quick=True, status=CANCELLED)
        at = b.w.cal.ts(days, 0) - rng.integers(1, 5, len(days)) * 86400
        b.chg_add(keys, w.clerk[gi], at, F_STATUS, "planned", "cancelled", R_OT_CANCELLED)
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"approved their own rest-day working {len(days)} times, every one cancelled before the day",
            look,
            form,
        )
        return
    if look:
        b.rest_day_working(ii, days, cby_self=form != "manager_approved")
        note = {
            "manager_approved": f"rest-day working {len(days)} times, booked by the roster clerk and approved by the line manager",
            "created_own_shift": f"requested rest-day working {len(days)} times; each approved by the line manager",
            "namesake_approver": f"rest-day working {len(days)} times approved by a line manager who shares the officer's name (another date of birth)",
            "shared_team_mailbox": f"requested rest-day working {len(days)} times; each approved by the line manager, whose email on HR is the team mailbox the officer's record has too",
            "first_forename_namesake": f"rest-day working {len(days)} times approved by a line manager with the officer's surname and first forename (the officer has a middle name; another date of birth)",
        }[form]
    elif form == "second_account":
        alt = int(p["alt"])
        b.rest_day_working(ii, days, cby_self=True, aby=alt, quick=bool(rng.random() < 0.5))
        same = (
            "same surname, first forename and date of birth; one row has a middle name"
            if p.get("short_name")
            else "same name and date of birth"
        )
        note = (
            f"rest-day working {len(days)} times approved by officer {w.ids[alt]}, a second officer row of the "
            f"same person ({same})"
        )
    elif form == "approved_by_edit":
        b.rest_day_working(ii, days, cby_self=True, quick=True, appr_by=gi)
        note = f"entered the line manager's approval on their own rest-day working {len(days)} times (the audit trail shows the officer set approved_by)"
    else:
        b.rest_day_working(ii, days, cby_self=True, aby=gi, quick=True)
        note = f"approved their own rest-day working {len(days)} times (approved_by is the officer)"
    for d in days:
        s, e = b.rdw_s[(i, int(d))]
        b.set_work(i, int(d), s, e, int(w.site[gi]))
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


def plant_retro_claim(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng, cal, w = "roster.retro_claim", b.rng, b.w.cal, b.w
    gi = int(b.gi[i])
    form = p["form"]
    cand = b.working & (b.pay == BASIC) & np.isin(b.duty, (EARLY, LATE, NIGHT, DAY))
    cand &= ~b.touched & ~cal.holiday[None, :] & ~b.ext
    if form == "real_bank_holiday":
        hol = b.working & cal.holiday[None, :] & np.isin(b.duty, (EARLY, LATE, NIGHT)) & ~b.touched
        days = b.pick(b.within(i, 0, b.D - 1, hol), 2)
        if not len(days):
            return
        b.pay[i, days] = BANKHOL
        at = cal.ts(days, b.e[i, days]) + rng.integers(3600, 4 * 86400, len(days))
        b.chg_add(i * b.D + days, gi, at, F_PAY, "basic", "bank_holiday", R_BANKHOL)
        b.touched[i, days] = True
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"set the bank-holiday pay code on {len(days)} of their own shifts after they ended; each was a bank holiday",
            look,
            form,
        )
        return
    if form in ("cancelled_then_worked", "reinstated_with_reason"):
        plant_cancelled_duty(b, i, p, look)
        return
    if form in ("call_out_keyed_next_day", "one_late_claim"):
        retro_ordinary(b, i, p, form)
        if form == "call_out_keyed_next_day":  # the same officer also claims staying on, that evening
            own_stream(b, 411, i, lambda: retro_ordinary(b, i, p, "claimed_extension"))
        return
    single = form == "pay_code_raised" and not look and rng.random() < 0.25
    n_days = (
        1 if single else int(rng.integers(2, 7) if form != "created_after_worked" else rng.integers(2, 5))
    )
    days = b.pick(b.within(i, p["ws"], p["we"], cand), n_days)
    if not len(days):
        return
    keys = i * b.D + days
    at = cal.ts(days, b.e[i, days]) + rng.integers(3600, 6 * 86400, len(days))
    if form == "supervisor_correction":
        old = b.hours[i, days]
        new = old + rng.choice(np.array([1.0, 1.5, 2.0]), len(days))
        b.hours[i, days] = new
        b.chg_add(keys, w.approver[gi], at, F_HOURS, _num(old), _num(new), R_PRISONER)
        note = f"line manager added hours to {len(days)} finished shifts, each with a reason (late finish)"
    elif form == "edit_before_end":
        old = b.hours[i, days]
        new = old + rng.choice(np.array([1.0, 2.0]), len(days))
        b.hours[i, days] = new
        before = cal.ts(days, b.s[i, days]) + rng.integers(1800, 5 * 3600, len(days))
        b.chg_add(keys, gi, before, F_HOURS, _num(old), _num(new), R_OT_APPROVED)
        note = f"raised the hours of {len(days)} of their own shifts while the shifts were still running"
    elif form == "pay_lowered":
        old = b.hours[i, days]
        new = old - rng.choice(np.array([1.0, 2.0]), len(days))
        b.hours[i, days] = new
        b.chg_add(keys, gi, at, F_HOURS, _num(old), _num(new), -1)
        note = f"lowered the hours of {len(days)} of their own finished shifts"
    elif form == "created_after_worked":
        length = 60 * rng.integers(2, 5, len(days))
        s = b.e[i, days]
        # keyed in days after the hours they claim, again and again (a habit, not a backlog),
        # and before the export is taken
        cat = cal.ts(days, s + length) + rng.integers(4 * 86400, 21 * 86400, len(days))
        cat = np.minimum(cat, cal.ts(b.D - 1, 1439))
        approved = rng.random(len(days)) < 0.5
        aby = np.where(approved, w.approver[gi], -1)
        aat = np.where(approved, cat + rng.integers(3600, 3 * 86400, len(days)), NULL)
        b.ot_add(
            i,
            days,
            s,
            s + length,
            b.duty[i, days],
            OVERTIME,
            b.site[i, days],
            WORKED,
            gi,
            cat,
            aby,
            aat,
        )
        b.ext[i, days] = True
        note = f"created {len(days)} overtime rows for themselves after the hours they claim had ended"
    elif single:
        b.pay[i, days] = BANKHOL
        b.chg_add(keys, gi, at, F_PAY, "basic", "bank_holiday", -1)
        note = "changed the pay code of their own finished shift to bank holiday on a day that was not one"
    elif form == "pay_code_raised":
        b.pay[i, days] = OVERTIME
        reason = np.where(rng.random(len(days)) < 0.3, R_AMENDED, -1)
        b.chg_add(keys, gi, at, F_PAY, "basic", "overtime", reason)
        note = f"changed the pay code of {len(days)} of their own shifts to overtime after they ended"
    else:  # hours_added
        old = b.hours[i, days]
        new = old + rng.choice(np.array([2.0, 2.5, 3.0, 4.0]), len(days))
        b.hours[i, days] = new
        reason = np.where(rng.random(len(days)) < 0.3, R_AMENDED, -1)
        b.chg_add(keys, gi, at, F_HOURS, _num(old), _num(new), reason)
        note = f"added hours to {len(days)} of their own shifts after they ended"
    b.touched[i, days] = True
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


def plant_cancelled_duty(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    """``cancelled_then_worked`` and its look-alike ``reinstated_with_reason`` (planned last,
    :func:`late_roster`): one rostered duty at the station (basic pay, no bank holiday, nothing
    else on the day, swipes in and out) cancelled one to four days before it by the line manager or the roster
    clerk, for a training course (status planned to cancelled, with the reason). For the case
    the officer marks it worked two to seven days after it, with no reason recorded, and there
    is no swipe of theirs that day (they were not there: the swipes are left out,
    :attr:`~synthetic.events.Block.away`); for the look-alike the line manager marks it worked
    one to three days after it, in office hours, with the reason (the course was postponed and
    the officer worked the duty as rostered, with their swipes). The duty row's status stays
    worked."""
    det, rng, cal, w = "roster.retro_claim", b.rng, b.w.cal, b.w
    gi = int(b.gi[i])
    cand = b.working & (b.pay == BASIC) & np.isin(b.duty, (EARLY, LATE, NIGHT, DAY))
    cand &= ~b.touched & ~b.ext & ~b.rdw & ~b.remote & (b.W_site >= 0) & ~cal.holiday[None, :]
    cand &= b.badge_day & ~b.only_in  # a day they swipe in and out (taken away for the case)
    first, last = 4, b.D - 8  # cancelled, and marked worked, inside the simulated days
    days = b.pick(b.within(i, max(p["ws"], first), min(p["we"], last), cand), 1)
    if not len(days):
        days = b.pick(b.within(i, first, last, cand), 1)
    if not len(days):
        return
    d = int(days[0])
    key = i * b.D + d
    clerk = int(w.clerk[gi])
    by = int(w.approver[gi]) if rng.random() < 0.5 or clerk == gi else clerk
    # in office hours, one to four days before the duty (and so before it began)
    at = int(cal.ts(d - int(rng.integers(1, 5)), int(rng.integers(480, 1080))))
    b.chg_add(key, by, at, F_STATUS, "planned", "cancelled", R_COURSE)
    who = "the line manager" if by == int(w.approver[gi]) else "the roster clerk"
    if look:  # in office hours, one to three days after the day (a night's end included)
        at = int(cal.ts(d + int(rng.integers(1, 4)), int(rng.integers(480, 1080))))
        b.chg_add(key, w.approver[gi], at, F_STATUS, "cancelled", "worked", R_COURSE_POSTPONED)
        note = (
            f"a duty cancelled beforehand by {who} for a training course; the course was postponed, the "
            "officer worked the duty (with swipes) and the line manager marked it worked after the day, "
            "with the reason"
        )
    else:
        at = int(cal.ts(d + int(rng.integers(2, 8)), int(rng.integers(480, 1380))))  # two to seven days after
        b.chg_add(key, gi, at, F_STATUS, "cancelled", "worked", -1)
        b.away[i, d] = True
        note = (
            f"a duty cancelled beforehand by {who} for a training course, marked worked by the officer "
            "themself days after it, with no reason recorded; no swipe of theirs that day"
        )
    b.touched[i, d] = True
    b.row(det, i, d, d, note, look, p["form"])


def retro_ordinary(b: Block, i: int, p: dict[str, Any], form: str) -> None:
    """Look-alikes of ``created_after_worked``: a call-out on a rest day keyed in by the
    officer the next morning, one overtime claim keyed in a week late (for staying on after a
    shift at the station, their swipe out at the end of the hours claimed), or overtime for
    staying on after one or two shifts keyed in that evening (``claimed_extension``, the
    badge out at the end of it, planted on the officers of ``call_out_keyed_next_day``); each
    approved by the line manager."""
    det, rng, cal, w = "roster.retro_claim", b.rng, b.w.cal, b.w
    gi = int(b.gi[i])
    if form == "call_out_keyed_next_day":
        cand = b.free_rest & ~b.rdw & ~b.touched
        days = b.pick(b.within(i, p["ws"], p["we"], cand), 1)
        if not len(days):
            return
        s = rng.integers(1080, 1170, 1)  # called out between 18:00 and 19:30 for 2 to 3 hours
        e = s + 60 * rng.integers(2, 4, 1)
        cat = cal.ts(days, e) + rng.integers(9 * 3600, 14 * 3600, 1)  # the next morning
        duty, site = np.full(1, DAY), np.full(1, int(w.site[gi]))
        b.rdw[i, days] = True
        note = "called out on a rest day; keyed the overtime in themself the next morning, approved by the line manager"
    elif form == "claimed_extension":
        cand = b.work & (b.pay == BASIC) & np.isin(b.duty, (EARLY, LATE, DAY)) & ~b.remote & (b.W_site >= 0)
        cand &= ~b.touched & ~b.ext
        days = b.pick(b.within(i, p["ws"], p["we"], cand), int(rng.integers(1, 3)))
        if not len(days):
            return
        s = b.e[i, days]
        e = s + rng.choice(np.array([60, 90, 120]), len(days))
        cat = cal.ts(days, e) + rng.integers(1800, 4 * 3600, len(days))  # that evening
        duty, site = b.duty[i, days], b.site[i, days]
        b.ext[i, days] = True
        b.W_e[i, days] = e
        b.b_out[i, days] = e + rng.integers(0, 15, len(days))
        note = (
            f"stayed on after {len(days)} shift(s); keyed the overtime in themself that evening, approved by "
            "the line manager the next day"
        )
        aat = cat + rng.integers(10 * 3600, 20 * 3600, len(days))
        b.ot_add(i, days, s, e, duty, OVERTIME, site, WORKED, gi, cat, w.approver[gi], aat)
        b.touched[i, days] = True
        b.row(det, i, int(days[0]), int(days[-1]), note, True, form)
        return
    else:
        # a day at the station with its swipes (the swipe out moves to the end of the overtime)
        cand = b.working & (b.pay == BASIC) & np.isin(b.duty, (EARLY, LATE, DAY))
        cand &= ~b.touched & ~b.ext & ~b.remote & (b.W_site >= 0) & b.badge_day & ~b.only_in
        days = b.pick(b.within(i, p["ws"], p["we"], cand), 1)
        if not len(days):
            return
        s = b.e[i, days]
        e = s + 60 * rng.integers(1, 3, 1)
        cat = cal.ts(days, e) + rng.integers(4 * 86400, 10 * 86400, 1)  # a backlog: days later
        duty, site = b.duty[i, days], b.site[i, days]
        b.ext[i, days] = True
        # they swipe out at the end of the hours claimed, as late as they swiped out after the
        # shift (no draw: the block's stream is as it was)
        b.b_out[i, days] = e + (b.b_out[i, days] - b.W_e[i, days])
        note = (
            "stayed on after a shift, swiping out at the end of the overtime; keyed the overtime in "
            "themself days later (once), approved by the line manager"
        )
    aat = cat + rng.integers(3600, 2 * 86400, 1)
    b.ot_add(i, days, s, e, duty, OVERTIME, site, WORKED, gi, cat, w.approver[gi], aat)
    b.touched[i, days] = True
    b.row(det, i, int(days[0]), int(days[-1]), note, True, form)


def plant_overtime_overlap(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng, cal, w = "roster.overtime_overlap", b.rng, b.w.cal, b.w
    gi = int(b.gi[i])
    ws, we = p["ws"], p["we"]
    appr = w.approver[gi]
    form = p["form"]
    if form == "during_leave" and "variant" in p:  # planned last (late_roster)
        plant_leave_day_extra(b, i, p)
        return
    if form == "leave_cancelled_in_advance":
        overlap_ordinary(b, i, p, form)
        # the same officer is also called out while on call, on rest days
        own_stream(b, 412, i, lambda: overlap_ordinary(b, i, p, "call_out_while_on_call"))
        return
    if form == "recall_from_leave":
        days = b.absent_days(i, ws, we, 2, leave_only=True)
        if not len(days):
            return
        d = int(days[0])
        b.status[i, d] = CANCELLED
        b.chg_add(
            i * b.D + d,
            appr,
            cal.ts(d, 600) - 86400 * int(rng.integers(1, 4)),
            F_STATUS,
            "planned",
            "cancelled",
            R_RECALL,
        )
        b.rdw[i, d] = False
        b.rest_day_working(np.array([i]), np.array([d]), cby_self=False)
        s, e = b.rdw_s[(i, d)]
        b.set_work(i, d, s, e, int(w.site[gi]))
        note = "recalled from annual leave (leave cancelled) and worked that day, with swipes and lookups"
        if len(days) > 1:
            d2 = int(days[1])
            k2 = b.ot_add(
                i,
                d2,
                480,
                960,
                DAY,
                OVERTIME,
                int(w.site[gi]),
                CANCELLED,
                gi,
                cal.ts(d2, 0) - 20 * 86400,
                appr,
                cal.ts(d2, 0) - 19 * 86400,
            )
            b.chg_add(
                k2,
                w.clerk[gi],
                cal.ts(d2, 0) - 10 * 86400,
                F_STATUS,
                "planned",
                "cancelled",
                R_OT_CANCELLED,
            )
            note += "; an overtime duty on another leave day was cancelled beforehand"
        b.row(det, i, d, int(days[-1]), note, look, form)
        return
    if form in ("overtime_with_swipes", "single_unrecorded_duty"):
        k = 1 if form == "single_unrecorded_duty" else int(rng.integers(2, 4))
        days = b.pick(b.within(i, ws, we, b.free_rest & ~b.rdw), k)
        if not len(days):
            return
        if form == "overtime_with_swipes":
            b.rest_day_working(np.full(len(days), i), days, cby_self=True)
            for d in days:
                s, e = b.rdw_s[(i, int(d))]
                b.set_work(i, int(d), s, e, int(w.site[gi]))
            note = f"rest-day working on {len(days)} days, with swipes and lookups each day"
        else:
            cat = cal.ts(days, 0) - rng.integers(2, 10, len(days)) * 86400
            front = w.pattern[gi] == FRONTLINE
            b.ot_add(
                i,
                days,
                420 if front else 480,
                1020 if front else 990,
                EARLY if front else DAY,
                RDW,
                int(w.site[gi]),
                WORKED,
                w.clerk[gi],
                cat,
                appr,
                cat + 7200,
            )
            note = "one rest-day working duty with no swipe or lookup that day"
        b.row(det, i, int(days[0]), int(days[-1]), note, look, form)
        return
    if form == "extends_shift":
        cand = b.work & np.isin(b.duty, (EARLY, LATE, DAY)) & ~b.ext & ~b.remote & (b.W_site >= 0)
        days = b.pick(b.within(i, ws, we, cand), int(rng.integers(2, 4)))
        if not len(days):
            return
        length = rng.choice(np.array([60, 90, 120, 180]), len(days))
        s = b.e[i, days]
        cat = cal.ts(days, s) + 60 * rng.integers(0, 45, len(days))
        b.ot_add(
            i,
            days,
            s,
            s + length,
            b.duty[i, days],
            OVERTIME,
            b.site[i, days],
            WORKED,
            gi,
            cat,
            appr,
            cat + 7200,
        )
        b.ext[i, days] = True
        b.W_e[i, days] = s + length
        b.b_out[i, days] = s + length + rng.integers(0, 20, len(days))
        note = f"overtime straight after their own shift on {len(days)} days, badged out at the end of it"
        b.row(det, i, int(days[0]), int(days[-1]), note, look, form)
        return
    k = int(rng.integers(2, 4))
    if form == "leave_in_audit_trail":
        ldays = b.absent_days(i, ws, we, int(rng.integers(1, 3)), leave_only=True)
        if len(ldays):
            dn = np.array(DUTY, dtype=object)
            for d in ldays:
                d = int(d)
                orig = int(b.orig[i, d])
                b.duty[i, d], b.leave[i, d], b.status[i, d] = orig, False, WORKED
                b.site[i, d] = -1 if b.remote[i, d] else int(w.site[gi])
                at = cal.ts(d, b.e[i, d]) + int(rng.integers(1, 10)) * 86400
                reason = R_AMENDED if rng.random() < 0.2 else -1
                b.chg_add(i * b.D + d, gi, at, F_DUTY, "annual_leave", dn[orig], reason)
                ot_len = 60 * int(rng.integers(2, 5))
                s = int(b.e[i, d])
                cat = cal.ts(d, s) + 60 * int(rng.integers(0, 40))
                b.ot_add(
                    i,
                    d,
                    s,
                    s + ot_len,
                    orig,
                    OVERTIME,
                    int(w.site[gi]),
                    WORKED,
                    gi,
                    cat,
                    appr,
                    cat + 7200,
                )
                b.touched[i, d] = True
            b.row(
                det,
                i,
                int(ldays[0]),
                int(ldays[-1]),
                f"overtime claimed on {len(ldays)} days of booked annual leave; the officer later changed each day from annual leave back to a duty, with no reason",
                look,
                form,
            )
            return
        form = "during_leave"
    if form == "during_leave":
        days = b.absent_days(i, ws, we, k)
        if not len(days):
            form = "no_attendance"
    if form == "overlapping_duty":
        days = b.pick(b.within(i, ws, we, b.working & np.isin(b.duty, (EARLY, LATE, DAY)) & ~b.ext), k)
        if not len(days):
            form = "no_attendance"
    if form == "no_attendance":
        days = b.pick(b.within(i, ws, we, b.free_rest & ~b.rdw), k)
    if not len(days):
        return
    cat = cal.ts(days, 0) - rng.integers(2, 10, len(days)) * 86400
    aat = cat + rng.integers(3600, 30 * 3600, len(days))
    if form == "during_leave":
        s = b.s[i, days] + 60 * rng.integers(0, 3, len(days))
        b.ot_add(
            i,
            days,
            s,
            s + 60 * rng.integers(4, 8, len(days)),
            DAY,
            OVERTIME,
            int(w.site[gi]),
            WORKED,
            gi,
            cat,
            appr,
            aat,
        )
        note = f"paid overtime on {len(days)} days of their own annual leave or sickness"
    elif form == "overlapping_duty":
        s = b.s[i, days] + 60 * rng.integers(1, 4, len(days))
        other = (int(w.site[gi]) + 1) % len(w.tables["sites"])
        b.ot_add(
            i,
            days,
            s,
            s + 60 * rng.integers(3, 6, len(days)),
            DAY,
            OVERTIME,
            other,
            WORKED,
            gi,
            cat,
            appr,
            aat,
        )
        note = f"paid overtime overlapping their own rostered shift on {len(days)} days"
    else:
        front = w.pattern[gi] == FRONTLINE
        b.ot_add(
            i,
            days,
            420 if front else 480,
            1020 if front else 990,
            EARLY if front else DAY,
            RDW,
            int(w.site[gi]),
            WORKED,
            np.where(rng.random(len(days)) < 0.5, gi, w.clerk[gi]),
            cat,
            appr,
            aat,
        )
        note = f"paid rest-day working on {len(days)} days with no swipe or lookup at all that day"
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


def plant_leave_day_extra(b: Block, i: int, p: dict[str, Any]) -> None:
    """``during_leave``'s variants planned last (:func:`late_roster`), on one or two days of the
    officer's own leave or sickness already booked (in the case's window, else anywhere in the
    period; none straight after a night duty), nothing of theirs at work those days:

    - ``same_day``: paid overtime that day outside the leave row's hours (created by the
      officer days ahead, approved by the line manager): three or four hours starting one or
      two hours after a leave row shaped like an early or a day duty ends (evening overtime on
      a day of annual leave), or ending one or two hours before one shaped like a late or a
      night begins;
    - ``on_call``: a worked on-call row from 17:00 that day to 07:00 the next (booked by the
      roster clerk weeks ahead, as on-call rows are).

    Officers are planned three to a case: the first ones with such a day take the cases
    (``w.roster_late_quota``), the rest stay ordinary."""
    det, rng, cal, w = "roster.overtime_overlap", b.rng, b.w.cal, b.w
    gi = int(b.gi[i])
    variant = str(p["variant"])
    quota: dict[str, int] = w.roster_late_quota
    if quota.get(variant, 0) <= 0:
        return
    absent = (b.leave | b.sick) & (b.status == PLANNED) & ~b.after_night
    k = int(rng.integers(1, 3))
    days = b.pick(b.within(i, p["ws"], p["we"], absent), k)
    if not len(days):
        days = b.pick(b.within(i, 0, b.D - 1, absent), k)
    if not len(days):
        return
    quota[variant] -= 1
    if variant == "on_call":
        for d in days:
            d = int(d)
            cat = cal.ts(d, 0) - 86400 * int(rng.integers(14, 40)) + int(rng.integers(8 * 3600, 18 * 3600))
            duty = int(rng.choice(np.array([NIGHT, DAY])))
            b.ot_add(i, d, 1020, 1860, duty, ONCALL, -1, WORKED, w.clerk[gi], cat, -1, NULL)
        note = f"paid on call (17:00 to 07:00) from {len(days)} day(s) of their own annual leave or sickness"
    else:
        s0, e0 = b.s[i, days], b.e[i, days]
        length = 60 * rng.integers(3, 5, len(days))
        gap = 60 * rng.integers(1, 3, len(days))
        evening = e0 <= 1080  # the hours of an early or a day duty: overtime that evening, else before it
        s = np.where(evening, e0 + gap, s0 - gap - length)
        # keyed in by the officer two to nine days ahead, in office hours
        cat = (
            cal.ts(days, 0)
            - rng.integers(2, 10, len(days)) * 86400
            + rng.integers(8 * 3600, 18 * 3600, len(days))
        )
        aat = cat + rng.integers(3600, 30 * 3600, len(days))
        b.ot_add(i, days, s, s + length, DAY, OVERTIME, int(w.site[gi]), WORKED, gi, cat, w.approver[gi], aat)
        note = (
            f"paid overtime on {len(days)} day(s) of their own annual leave or sickness, outside the hours "
            "of the leave row (that evening, or before a leave row shaped like a late or a night)"
        )
    b.row(det, i, int(days[0]), int(days[-1]), note, False, "during_leave")


def overlap_ordinary(b: Block, i: int, p: dict[str, Any], form: str) -> None:
    """Look-alikes of ``overlapping_duty`` and ``leave_in_audit_trail``: a day of the officer's
    own leave cancelled by them days ahead (no reason recorded), then rest-day working that
    day, with swipes and lookups; and, for the same officers, one or two call-outs, each
    claimed as overtime inside the officer's own on-call row (17:00 to 07:00, keyed as a
    night or a day duty, no site) on a rest day, keyed in by the officer when called out, with
    swipes at the station."""
    det, rng, cal, w = "roster.overtime_overlap", b.rng, b.w.cal, b.w
    gi = int(b.gi[i])
    appr = w.approver[gi]
    if form == "leave_cancelled_in_advance":
        days = b.absent_days(i, p["ws"], p["we"], 1, leave_only=True)
        if not len(days):
            return
        d = int(days[0])
        b.status[i, d] = CANCELLED
        # cancelled 3 to 6 days ahead (booked at least a week ahead), then booked for rest-day
        # working by the roster clerk
        at = cal.ts(d, 0) - 86400 * int(rng.integers(3, 7)) + int(rng.integers(28800, 61200))
        b.chg_add(i * b.D + d, gi, at, F_STATUS, "planned", "cancelled", -1)
        front = w.pattern[gi] == FRONTLINE
        s, e = (420, 1020) if front else (480, 990)
        site = int(w.site[gi])
        cat = at + int(rng.integers(3600, 86400))
        duty = EARLY if front else DAY
        b.ot_add(i, d, s, e, duty, RDW, site, WORKED, w.clerk[gi], cat, appr, cat + 7200)
        b.set_work(i, d, s, e, site)
        b.rdw[i, d] = b.touched[i, d] = True
        b.row(
            det,
            i,
            d,
            d,
            "cancelled a day of their own leave days ahead (no reason recorded), then worked rest-day "
            "working that day, with swipes and lookups",
            True,
            form,
        )
        return
    days = b.pick(b.within(i, p["ws"], p["we"], b.free_rest & ~b.rdw & ~b.touched), int(rng.integers(1, 3)))
    if not len(days):
        return
    for d in days:
        d = int(d)
        b.ot_add(
            i,
            d,
            1020,
            1860,
            int(rng.choice(np.array([NIGHT, DAY]))),
            ONCALL,
            -1,
            WORKED,
            w.clerk[gi],
            cal.ts(d, 0) - 86400 * int(rng.integers(14, 40)),
            -1,
            NULL,
        )
        s = int(rng.integers(1140, 1380))
        e = s + 60 * int(rng.integers(2, 4))
        site = int(w.site[gi])
        cat = cal.ts(d, s) + 60 * int(rng.integers(5, 30))
        b.ot_add(i, d, s, e, DAY, OVERTIME, site, WORKED, gi, cat, appr, cal.ts(d, e) + 36000)
        b.set_work(i, d, s, e, site)
        b.rdw[i, d] = b.touched[i, d] = True
    b.row(
        det,
        i,
        int(days[0]),
        int(days[-1]),
        f"on call on {len(days)} rest day(s) (on-call rows 17:00 to 07:00); called out each time and "
        "claimed the call-out as overtime inside the on-call row, with swipes at the station",
        True,
        form,
    )


# --------------------------------------------------------------------------- planned last

ROSTER_LATE = 913
"""The random stream of :func:`late_roster` (``[seed, 913]``); its plans are planted on
``[seed, 914, block]`` (:func:`plant_late`)."""
ROSTER_LATE_PLANT = 914
LEAVE_DAY_VARIANTS = ("same_day", "on_call")
"""``roster.overtime_overlap`` ``during_leave``'s variants planned by :func:`late_roster`
(:func:`plant_leave_day_extra`); the first version's, overtime inside the leave row's hours,
is planned with the other forms."""


def late_roster(w: World) -> None:
    """Roster cases and look-alikes planned after every other plan (after
    :func:`synthetic.access.late_no_purpose`), on a random stream of their own, so that every
    other row of a seed's force is as it was (but for the ids of the shift rows after the ones
    they add): ``roster.retro_claim``'s ``cancelled_then_worked`` (as many officers as each
    of the card's forms would have, at least one) and its look-alike ``reinstated_with_reason``
    (``kl``), and ``roster.overtime_overlap`` ``during_leave``'s variants of
    :data:`LEAVE_DAY_VARIANTS` (half as many cases each as a form would have, at least one;
    three officers planned a case, :func:`plant_leave_day_extra`; ``on_call`` among officers
    who may be on call). Only officers on the duty system; the plans are in ``w.roster_late``
    (officer to plan: detector, window, form, ``look`` and the variant)."""
    retro, overlap = "roster.retro_claim", "roster.overtime_overlap"
    w.roster_late = {}
    w.roster_late_quota = {}
    if not w.events:
        return
    with world_stream(w, ROSTER_LATE):
        plans = w.roster_late
        ok = ~w.no_shifts
        if not w.clean:
            for gi in w.take(max(1, round(w.k / len(FORMS[retro]))), ok):
                ws, we = w.window(retro)
                plans[gi] = {"det": retro, "ws": ws, "we": we, "form": "cancelled_then_worked", "look": False}
            m = max(1, round(w.k / len(FORMS[overlap]) / 2))
            for variant in LEAVE_DAY_VARIANTS:
                w.roster_late_quota[variant] = m
                mask = ok & w.oncall_ok if variant == "on_call" else ok
                for gi in w.take(3 * m, mask):
                    ws, we = w.window(overlap)
                    plans[gi] = {
                        "det": overlap,
                        "ws": ws,
                        "we": we,
                        "form": "during_leave",
                        "variant": variant,
                        "look": False,
                    }
        for gi in w.take(w.kl, ok):
            ws, we = w.window(retro)
            plans[gi] = {"det": retro, "ws": ws, "we": we, "form": "reinstated_with_reason", "look": True}


def plant_late(b: Block) -> None:
    """The plans of :func:`late_roster` (on the block's stream of its own)."""
    for i, _gi, p in b.mine(getattr(b.w, "roster_late", {})):
        plant = PLANTING[p["det"]].plant
        assert plant is not None
        plant(b, i, p, bool(p["look"]))


# --------------------------------------------------------------------------- approvals by the claimant's own reports

REPORT_APPROVAL = 919
"""The random stream of :func:`late_report_approval` (``[seed, 919]``); its plans are planted on
``[seed, 920, block]`` (:func:`plant_report_approval`)."""
REPORT_APPROVAL_PLANT = 920


def late_report_approval(w: World) -> None:
    """``roster.self_approval``'s ``approved_by_report`` and its look-alike
    ``report_confirms_basic_duty``, planned after every other plan (after
    :func:`synthetic.access.late_volume_outlier`) on a random stream of their own, so that every
    other row of a seed's force is as it was (but for the ids of the rows after the ones they add).

    ``approved_by_report`` (``max(2, k / 4)`` officers): a line manager of at least two officers
    whose paid extra, one to three claims in the case's window, is each approved by another of
    the officers they line-manage (one claim each: no two officers approve two of each other's
    claims, which would be ``network.crew``'s reciprocal approval). ``report_confirms_basic_duty``
    (``kl``): a line manager two to four of whose basic rostered duties one or two of the officers
    they line-manage confirmed in the duty system. Taken: officers on the duty system, there all
    the period, in no other plan (as :meth:`~synthetic.world.World.take` sees to); the approvers are
    their reports, the officers whose line manager they are. The plans are in ``w.report_late``
    (officer to plan: window, form, ``look`` and the reports)."""
    det = "roster.self_approval"
    w.report_late = {}
    if not w.events:
        return
    with world_stream(w, REPORT_APPROVAL):
        reports = np.bincount(w.manager[w.manager >= 0], minlength=w.n)
        ok = ~w.no_shifts & (w.start_day <= 0) & ~np.isin(np.arange(w.n), sorted(_claims_planned(w)))

        def take(k: int, mask: np.ndarray) -> list[int]:
            """``k`` of ``mask``: officers in no plan first, then (a small force has few line
            managers left) officers planned only for what added claims leave as it was."""
            out = w.take(k, mask)
            more = np.flatnonzero(mask & w.used & ~np.isin(np.arange(w.n), out))
            more = w.rng.permutation(more)[: k - len(out)]
            w.used[more] = True
            return sorted(out + [int(x) for x in more])

        picks = (
            []
            if w.clean
            else [(gi, False) for gi in take(max(2, round(w.k / len(FORMS[det]))), ok & (reports >= 2))]
        )
        picks += [
            (gi, True)
            for gi in take(w.kl, ok & (reports >= 1) & ~np.isin(np.arange(w.n), [g for g, _ in picks]))
        ]
        for gi, look in picks:
            ws, we = w.window(det)
            team = np.flatnonzero(w.manager == gi)
            w.report_late[gi] = {
                "ws": ws,
                "we": we,
                "form": "report_confirms_basic_duty" if look else "approved_by_report",
                "look": look,
                "reports": [int(x) for x in w.rng.permutation(team)],
            }


def _claims_planned(w: World) -> set[int]:
    """Officers whose duties or claims another plan reads: every case and look-alike of the
    roster and attendance detectors, of ``network.crew`` and of ``access.off_duty`` (lookups on a
    day that an added duty would put on duty), and the officers of their later plans (crews and
    teams, claims approved in groups, the roster's and attendance's later plans)."""
    fams = ("roster.", "attendance.", "network.crew", "access.off_duty")
    out = {
        int(gi)
        for plans in (w.plants, w.looks, w.side_looks)
        for det, p in plans.items()
        if det.startswith(fams)
        for gi in p
    }
    index = {str(o): gi for gi, o in enumerate(w.ids)}
    out |= {
        index[str(r["officer_id"])]
        for r in [*w.truth_rows, *w.look_rows]
        if str(r["detector"]).startswith(fams)
    }
    for plans in w.plants.values():
        out |= {int(p["alt"]) for p in plans.values() if isinstance(p.get("alt"), int | np.integer)}
    out |= set(w.roster_late) | set(getattr(w, "rank_plan", {})) | set(getattr(w, "late_crew", []))
    for gi, claims in getattr(w, "claim_plan", {}).items():
        out |= {int(gi)} | {int(c["by"]) for c in claims}
    out |= {int(x) for grp, _ in w.crews + w.team_looks for x in grp}
    out |= {int(x) for grp in w.crew_looks for x in grp}
    return out


def plant_report_approval(b: Block) -> None:
    """The plans of :func:`late_report_approval` (on the block's stream of its own).

    ``approved_by_report``: one to three paid-extra claims in the window (rest-day working
    booked ahead by the officer or the roster clerk, bank holiday pay on a bank holiday; or
    overtime for staying on one to three hours after a shift at the station, keyed in as it is
    agreed, the swipe out at its end), each approved within hours by a different officer the
    claimant line-manages, with the audit row by that officer; the worked evidence is there
    (swipes, lookups on the rest days worked). ``report_confirms_basic_duty``: two to four
    basic rostered duties (not a bank holiday) approved during or just after the duty by one or
    two of the officers they line-manage (the person on shift records attendance), with the
    audit row by them."""
    det, rng, cal, w = "roster.self_approval", b.rng, b.w.cal, b.w
    for i, gi, p in b.mine(getattr(w, "report_late", {})):
        ws, we = int(p["ws"]), int(p["we"])
        reports = np.array(p["reports"], dtype=np.int64)
        if not len(reports):
            continue
        if p["look"]:
            cand = b.working & (b.pay == BASIC) & np.isin(b.duty, (EARLY, LATE, NIGHT, DAY))
            cand &= ~b.touched & ~cal.holiday[None, :] & (b.status == WORKED)
            days = b.pick(b.within(i, ws, we, cand), int(rng.integers(2, 5)))
            if len(days) < 2:
                continue
            who = reports[: int(rng.integers(1, 3))]
            by = rng.choice(who, len(days))
            at = cal.ts(days, b.s[i, days] + rng.integers(30, 60 * 9, len(days)))
            b.aby[i, days], b.aat[i, days] = by, at
            b.chg_add(i * b.D + days, by, at, F_APPROVED, None, w.ids[by], -1)
            b.touched[i, days] = True
            names = ", ".join(sorted({str(w.ids[x]) for x in by.tolist()}))
            note = (
                f"{len(days)} of their basic rostered duties confirmed in the duty system by {names}, whom they "
                "line-manage (the person on shift records attendance): no pay claimed"
            )
            b.row(det, i, int(days[0]), int(days[-1]), note, True, p["form"])
            continue
        k = int(rng.integers(1, min(3, len(reports)) + 1))
        rest = b.free_rest & ~b.rdw & ~b.touched
        stay = b.work & (b.pay == BASIC) & np.isin(b.duty, (EARLY, LATE, DAY)) & ~b.remote & (b.W_site >= 0)
        stay &= ~b.touched & ~b.ext & b.badge_day & ~b.only_in
        n_rest = int(rng.binomial(k, 0.6))
        rdays = b.pick(b.within(i, ws, we, rest), n_rest)
        odays = b.pick(b.within(i, ws, we, stay), k - len(rdays))
        if not len(rdays) + len(odays):
            continue
        approvers = reports[: len(rdays) + len(odays)]
        said = []
        if len(rdays):
            ii = np.full(len(rdays), i)
            by = approvers[: len(rdays)]
            b.rest_day_working(
                ii, rdays, cby_self=rng.random(len(rdays)) < 0.6, aby=by, quick=bool(rng.random() < 0.5)
            )
            for d in rdays:
                s, e = b.rdw_s[(i, int(d))]
                b.set_work(i, int(d), s, e, int(w.site[gi]))
            b.touched[i, rdays] = True
            holiday = int(cal.holiday[rdays].sum())
            said.append(
                f"rest-day working on {len(rdays)} day(s)"
                + (f" ({holiday} a bank holiday)" if holiday else "")
            )
        if len(odays):
            by = approvers[len(rdays) :]
            s = b.e[i, odays]
            e = s + rng.choice(np.array([60, 90, 120, 180]), len(odays))
            cat = cal.ts(odays, s) + 60 * rng.integers(0, 45, len(odays))  # keyed in as it is agreed
            aat = cat + rng.integers(2 * 3600, 36 * 3600, len(odays))
            b.ot_add(i, odays, s, e, b.duty[i, odays], OVERTIME, b.site[i, odays], WORKED, gi, cat, by, aat)
            b.ext[i, odays] = True
            b.W_e[i, odays] = e
            b.b_out[i, odays] = e + rng.integers(0, 15, len(odays))
            b.touched[i, odays] = True
            said.append(f"overtime after {len(odays)} shift(s)")
        days = np.sort(np.r_[rdays, odays])
        names = ", ".join(str(w.ids[x]) for x in approvers.tolist())
        note = (
            f"{' and '.join(said)} approved by {names}, whom they line-manage (one claim each): no "
            "independent approval"
        )
        b.row(det, i, int(days[0]), int(days[-1]), note, False, p["form"])


# --------------------------------------------------------------------------- rest-day working left early

SHORT_LATE = 921
"""The random stream of :func:`late_short_attendance` (``[seed, 921]``); its plans are planted on
``[seed, 922, block]`` (:func:`plant_short_attendance`)."""
SHORT_LATE_PLANT = 922
SHORT_FORMS = ("short_attendance", "out_on_patrol", "works_on_after_leaving")
"""``roster.overtime_overlap``'s ``short_attendance`` and its look-alikes, planned by
:func:`late_short_attendance`."""


def take_spare(w: World, k: int, mask: np.ndarray) -> list[int]:
    """``k`` officers of ``mask`` for a plan made after every other: officers in no plan first,
    then (a small force runs out of them) officers planned only for the association detectors,
    which read no duties, swipes or lookups (none taken twice)."""
    out = w.take(k, mask)
    if len(out) >= k:
        return out
    spare: set[int] = getattr(w, "spare_taken", set())
    w.spare_taken = spare
    mine: set[int] = set()
    busy: set[int] = set(spare) | _claims_planned(w)
    for plans in (w.plants, w.looks, w.side_looks):
        for det, p in plans.items():
            (mine if det.startswith("association.") else busy).update(int(gi) for gi in p)
    index = {str(o): gi for gi, o in enumerate(w.ids)}
    for r in [*w.truth_rows, *w.look_rows]:
        gi = index[str(r["officer_id"])]
        (mine if str(r["detector"]).startswith("association.") else busy).add(gi)
    for name in (
        "no_purpose_late",
        "personal_late",
        "volume_late",
        "report_late",
        "short_late",
        "closed_late",
    ):
        busy |= {int(gi) for gi in getattr(w, name, {})}
    busy |= {int(x) for x in (*getattr(w, "ppu_members", []), *getattr(w, "uncoded_team", []))}
    cand = np.flatnonzero(mask & w.used & np.isin(np.arange(w.n), sorted(mine - busy)))
    more = [int(x) for x in w.rng.permutation(cand)[: k - len(out)]]
    spare.update(more)
    return sorted(out + more)


def late_short_attendance(w: World) -> None:
    """``roster.overtime_overlap``'s ``short_attendance`` (as many officers as each of the card's
    forms would have, at least one) and its look-alikes ``out_on_patrol`` and
    ``works_on_after_leaving`` (``kl`` each), planned after every other plan (after
    :func:`late_report_approval`) on a random stream of their own, so that every other plan of
    a seed's force is as it was. Taken: frontline officers on the duty system, there all the
    period, at a site with badge readers, in no other plan. The plans are in ``w.short_late``
    (officer to plan: window, form, ``look``)."""
    det = "roster.overtime_overlap"
    w.short_late = {}
    if not w.events:
        return
    with world_stream(w, SHORT_LATE):
        ok = ~w.no_shifts & (w.start_day <= 0) & (w.pattern == FRONTLINE) & (w.site != w.readerless)
        todo = [] if w.clean else [("short_attendance", False)] * max(1, round(w.k / len(FORMS[det])))
        todo += [(form, True) for form in SHORT_FORMS[1:] for _ in range(w.kl)]
        for form, look in todo:
            for gi in take_spare(w, 1, ok):
                ws, we = w.window(det)
                w.short_late[gi] = {"ws": ws, "we": we, "form": form, "look": look}


def plant_short_attendance(b: Block) -> None:
    """The plans of :func:`late_short_attendance` (on the block's stream of its own): two or
    three rest-day working duties (07:00 to 17:00, booked ahead, not on a bank holiday, no duty
    within hours of them) in the case's window (else anywhere in the period), each swiped into
    at the station, a few lookups there, then swiped out one and a half to five and a half
    hours in, at least four and a half hours before the claimed end:

    - ``short_attendance``: nothing of the officer after the out swipe that day (no swipe,
      lookup or remote log-on); their basic duties are as anyone's, swiped out at the end;
    - ``out_on_patrol``: the same, by an officer who leaves the station early on most of their
      basic duties too (70–95% of those swiped, out one to three hours in, their lookups before
      it): out on patrol, not back to swipe;
    - ``works_on_after_leaving``: after the out swipe, lookups on a mobile device (no site)
      every so often until the last half hour of the duty."""
    det, rng, cal, w = "roster.overtime_overlap", b.rng, b.w.cal, b.w
    for i, gi, p in b.mine(getattr(w, "short_late", {})):
        form, look = str(p["form"]), bool(p["look"])
        rest = b.free_rest & ~b.rdw & ~b.touched & ~b.work & ~cal.holiday[None, :]
        k = int(rng.integers(2, 4))
        days = b.pick(b.within(i, int(p["ws"]), int(p["we"]), rest), k)
        if len(days) < 2:
            days = b.pick(b.within(i, 0, b.D - 1, rest), k)
        if len(days) < 2:
            continue
        n = len(days)
        site = int(w.site[gi])
        b.rest_day_working(np.full(n, i), days, cby_self=rng.random(n) < 0.5)
        s = np.array([b.rdw_s[(i, int(d))][0] for d in days], dtype=np.int64)
        e = np.array([b.rdw_s[(i, int(d))][1] for d in days], dtype=np.int64)
        out = s + rng.integers(90, 331, n)
        # the day's lookups are the ones below (quiet: no others drawn); its swipes are drawn here
        b.work[i, days] = b.quiet[i, days] = b.touched[i, days] = True
        b.W_s[i, days], b.W_e[i, days], b.W_site[i, days] = s, out, site
        b.late_badge.append(
            {
                "i": np.full(2 * n, i),
                "site": np.full(2 * n, site),
                "ts": cal.ts(np.r_[days, days], np.r_[s - rng.integers(3, 21, n), out])
                + rng.integers(0, 60, 2 * n),
                "dir": np.r_[np.zeros(n, np.int64), np.ones(n, np.int64)],
                "reader": rng.integers(0, 3, 2 * n),
            }
        )
        m = rng.integers(1, 5, n)
        rep = np.repeat(np.arange(n), m)
        b.acc_add(
            i,
            days[rep],
            s[rep] + 5 + rng.random(len(rep)) * (out[rep] - s[rep] - 10),
            rng.choice(w.ops_pool, len(rep)),
            rng.choice(np.array([SEARCH, VIEW]), len(rep)),
            rng.choice(np.array([P_INC, P_INV, P_ADM]), len(rep)),
            site,
            -1,
        )
        hours = ", ".join(f"{(o - a) / 60:.1f}" for a, o in zip(s.tolist(), out.tolist(), strict=True))
        if form == "works_on_after_leaving":
            m = rng.integers(3, 8, n)
            rep = np.repeat(np.arange(n), m)
            at = out[rep] + 15 + rng.random(len(rep)) * (e[rep] - out[rep] - 20)
            last = e - rng.integers(5, 30, n)  # one in the last half hour of the duty
            b.acc_add(
                i,
                np.r_[days[rep], days],
                np.r_[at, last],
                rng.choice(w.ops_pool, len(rep) + n),
                rng.choice(np.array([SEARCH, VIEW]), len(rep) + n),
                rng.choice(np.array([P_INC, P_INV]), len(rep) + n),
                -1,
                -1,
            )
            note = (
                f"rest-day working on {n} days, swiped out of the station after {hours} hours, then lookups "
                "on a mobile device until the end of each duty"
            )
        elif form == "out_on_patrol":
            basic = b.work[i] & (b.pay[i] == BASIC) & np.isin(b.duty[i], (EARLY, LATE, NIGHT, DAY))
            basic &= b.badge_day[i] & ~b.only_in[i] & ~b.ext[i] & ~b.touched[i] & ~b.remote[i] & ~b.quiet[i]
            cand = np.flatnonzero(basic)
            pd_ = b.pick(cand, int(len(cand) * rng.uniform(0.7, 0.95) + 0.5))
            left = b.W_s[i, pd_] + rng.integers(60, 181, len(pd_))
            b.b_out[i, pd_] = left
            # their lookups before it: on patrol, nothing after (drawn as before, not written)
            t0, t1 = cal.ts(pd_, left + 1), cal.ts(pd_, b.W_e[i, pd_] + 61)
            b.cut += [(i, int(x), int(y)) for x, y in zip(t0.tolist(), t1.tolist(), strict=True)]
            b.touched[i, pd_] = True
            note = (
                f"rest-day working on {n} days, swiped out of the station after {hours} hours; they swipe "
                f"out one to three hours into {len(pd_)} of their {len(cand)} basic duties too (out on "
                "patrol, not back to swipe)"
            )
        else:
            note = (
                f"paid rest-day working on {n} days, swiped out of the station after {hours} hours of a "
                "ten-hour duty, with no swipe, lookup or remote log-on after it; their basic duties are "
                "swiped to the end"
            )
        b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


# --------------------------------------------------------------------------- how each form and look-alike is planted

PLANTING: dict[str, Planting] = {
    "roster.self_approval": Planting(
        forms={
            "own_account": Stage.PLAN,
            "second_account": Stage.PLAN,
            "approved_by_report": Stage.LATE,  # planned last (late_report_approval)
            "approved_by_edit": Stage.PLAN,
        },
        lookalikes={
            "manager_approved": Stage.PLAN,
            "created_own_shift": Stage.PLAN,
            "namesake_approver": Stage.PLAN,
            "cancelled_self_approved": Stage.PLAN,
            "report_confirms_basic_duty": Stage.LATE,  # planned last (late_report_approval)
            "shared_team_mailbox": Stage.DUTY,
            "first_forename_namesake": Stage.OWN,
        },
        window=60,
        plant=plant_self_approval,
    ),
    "roster.retro_claim": Planting(
        forms={
            "pay_code_raised": Stage.PLAN,
            "hours_added": Stage.PLAN,
            "cancelled_then_worked": Stage.LATE,  # planned last (late_roster)
            "created_after_worked": Stage.PLAN,
        },
        lookalikes={
            "supervisor_correction": Stage.PLAN,
            "edit_before_end": Stage.PLAN,
            "pay_lowered": Stage.PLAN,
            "real_bank_holiday": Stage.PLAN,
            "claimed_extension": Stage.OWN,
            "call_out_keyed_next_day": Stage.DUTY,
            "one_late_claim": Stage.DUTY,
            "reinstated_with_reason": Stage.LATE,  # planned last (late_roster)
        },
        window=45,
        plant=plant_retro_claim,
    ),
    "roster.overtime_overlap": Planting(
        forms={
            "during_leave": Stage.PLAN,  # and its variants of LEAVE_DAY_VARIANTS, planned last (late_roster)
            "overlapping_duty": Stage.PLAN,
            "no_attendance": Stage.PLAN,
            "leave_in_audit_trail": Stage.PLAN,
            "short_attendance": Stage.LATE,  # planned last (late_short_attendance)
        },
        lookalikes={
            "recall_from_leave": Stage.PLAN,
            "extends_shift": Stage.PLAN,
            "overtime_with_swipes": Stage.PLAN,
            "single_unrecorded_duty": Stage.PLAN,
            "call_out_while_on_call": Stage.OWN,
            "leave_cancelled_in_advance": Stage.DUTY,
            "out_on_patrol": Stage.LATE,  # planned last (late_short_attendance)
            "works_on_after_leaving": Stage.LATE,  # planned last (late_short_attendance)
        },
        window=60,
        plant=plant_overtime_overlap,
    ),
}
"""How the roster detectors' forms and look-alikes are planted (stages: :mod:`synthetic.catalogue`)."""
