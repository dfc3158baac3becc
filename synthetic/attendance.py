"""Planted cases and look-alikes of the attendance detectors (``queries.detectors.attendance``):
``attendance.below_threshold``, ``attendance.badge_only``.

========================== ============================================= ==========================================
detector                   planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
attendance.below_threshold office/hybrid: swipes on 35–65% of rostered   weeks of sickness (no office days);
                           office days over ~90 days, VPN from home on   hybrid agreed remote days (no site)
                           most missed days
attendance.badge_only      in and out within 2–9 min with nothing else   VDI from the office network (10.x) while
                           that day; VPN from home while badged in;      badged in; quick station visit then a
                           swipes during own leave or sickness           shift of mobile lookups
========================== ============================================= ==========================================

(The first version's cases and look-alikes; the rest are described in the planting functions.)
One site has no badge readers (:func:`readerless_site`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from synthetic.catalogue import FORMS, Planting, Stage
from synthetic.common import (
    ANALYST,
    BASIC,
    CANCELLED,
    DAY,
    F_STATUS,
    FRONTLINE,
    HYBRID,
    NIGHT,
    OFFICE,
    P_INC,
    P_INT,
    R_AMENDED,
    SUPPORT,
    WORKED,
    _postcodes,
    own_stream,
    world_stream,
)

if TYPE_CHECKING:
    from synthetic.events import Block
    from synthetic.world import World


# --------------------------------------------------------------------------- the plan, with the world


def readerless_site(w: World) -> None:
    """A site with no badge readers (its unit's officers never swipe): ``attendance.below_threshold``
    ``site_without_readers``."""
    rng = w.rng
    sites, units = w.tables["sites"].copy(), w.tables["units"].copy()
    size = np.bincount(w.unit, minlength=len(units))
    office_like = w.pattern != FRONTLINE
    free = ~w.used
    cand = [
        u
        for u in rng.permutation(len(units)).tolist()
        if 6 <= size[u] <= 45 and int((office_like & free & (w.unit == u)).sum()) >= 3
    ]
    if cand:
        u = int(cand[0])
        s = len(sites)
        sites.loc[s] = {
            "site_id": f"S{s:03d}",
            "name": f"Site {s} (annexe)",
            "kind": "office",
            "postcode": str(_postcodes(rng, 1)[0]),
        }
        units.loc[u, "site_id"] = f"S{s:03d}"
        members = np.flatnonzero(w.unit == u)
        w.site[members] = s
        w.readerless = s
        w.used[members] = True
        la = [int(x) for x in members if office_like[x] and w.start_day[x] <= 0][: w.kl + 1]
        for gi in la:
            w.looks["attendance.below_threshold"][gi] = {
                "ws": 0,
                "we": w.days - 1,
                "form": "site_without_readers",
            }
    w.tables["sites"], w.tables["units"] = sites, units
    w.site_ids_pa = pa.array(sites["site_id"].to_numpy(object), type=pa.string())


def case_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a planted case, by (detector, form) (anyone where none is given)."""
    office_like = w.pattern != FRONTLINE
    masks = {
        ("attendance.below_threshold", "absent_no_activity"): office_like,
        ("attendance.below_threshold", "working_remotely_instead"): office_like,
        ("attendance.below_threshold", "unrostered_office_worker"): w.pattern == OFFICE,
        ("attendance.below_threshold", "off_system_absent"): w.pattern == OFFICE,
        ("attendance.below_threshold", "sustained_stretch"): w.pattern == OFFICE,
    }
    for form in FORMS["attendance.badge_only"]:
        masks[("attendance.badge_only", form)] = office_like
    return masks


def lookalike_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a look-alike of stage ``plan``, by (detector, look-alike)."""
    office_like = w.pattern != FRONTLINE
    office = w.pattern == OFFICE
    return {
        ("attendance.below_threshold", "long_sickness"): office,
        ("attendance.below_threshold", "agreed_remote_days"): w.pattern == HYBRID,
        ("attendance.below_threshold", "frontline_pattern"): w.pattern == FRONTLINE,
        ("attendance.below_threshold", "at_threshold"): office,
        ("attendance.badge_only", "quick_visit_then_work"): w.pattern == FRONTLINE,
        ("attendance.badge_only", "agreed_remote_day"): w.pattern == HYBRID,
        ("attendance.badge_only", "session_left_running"): office_like,
        ("attendance.badge_only", "cancelled_leave_swipe"): office_like,
        ("attendance.badge_only", "office_vdi_session"): office_like,
    }


def duty_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a look-alike of stage ``duty``, by (detector, look-alike)."""
    return {
        ("attendance.below_threshold", "small_shortfall"): w.pattern == HYBRID,
        ("attendance.below_threshold", "unrecorded_leave"): w.pattern == OFFICE,
        ("attendance.below_threshold", "compressed_hours"): w.pattern == OFFICE,
    }


OFF_DUTY_SYSTEM = frozenset(
    ("attendance.below_threshold", form)
    for form in ("unrostered_office_worker", "off_system_absent", "unrecorded_leave", "compressed_hours")
)
"""(detector, form or look-alike) whose officers have no duty rows at all (not on the duty
system, so no leave or sickness rows either)."""


def new_starters(w: World) -> None:
    """``attendance.below_threshold`` ``new_starter``: office and hybrid staff who joined during
    the period, at least six weeks before its end (an office worker among them is taken off the
    duty system: expected Monday to Friday from their start date). Chosen on a random stream of
    their own among those who joined (taken for nothing else), so no other plan changes."""
    rng = np.random.default_rng([w.seed, 505])
    cand = np.flatnonzero((w.start_day > 0) & (w.start_day < w.days - 45) & (w.pattern != FRONTLINE))
    for gi in sorted(int(x) for x in rng.permutation(cand)[: w.kl]):
        w.looks["attendance.below_threshold"][gi] = {
            "ws": int(w.start_day[gi]),
            "we": w.days - 1,
            "form": "new_starter",
        }
        if w.pattern[gi] == OFFICE:
            w.no_shifts[gi] = True


RANK_GROUPS = 911
"""The random stream of :func:`rank_groups` (``[seed, 911]``); their swipes are dropped on
``[seed, 912, block]`` (:func:`plant_rank_groups`)."""
RANK_GROUP_SWIPES = 912
RANK_GROUP_OFFICERS = 2000
"""One group of :func:`rank_groups` per this many officers (at least one)."""


def rank_groups(w: World) -> None:
    """``attendance.below_threshold`` ``rank_not_held_to_rule``: after every other plan and on a
    random stream of its own, one group per :data:`RANK_GROUP_OFFICERS` officers (at least one,
    at most 20) of 6 to 8 office and hybrid workers (5 where no more are free) in the force for the whole period, written
    as members of staff of a grade that no other officer holds (``Band C``, ``Band D``, ...), each
    of whom will badge in on 40-60% of their rostered office days (:func:`plant_rank_groups`).

    They are taken for nothing else (no planted case or look-alike of any detector, not the
    roster clerk of a site, not at the site with no readers, on the duty system): members of
    staff first, then constables and PCSOs (a small force has few officers left), those who
    line-manage no one first; no group where fewer than six are left. Their rank (and staff
    type) is written in ``officers`` and ``assignments``; nothing else of theirs changes. The
    plans are in ``w.rank_plan`` (officer to plan)."""
    w.rank_plan = {}
    if not w.events:
        return
    with world_stream(w, RANK_GROUPS):
        rng = w.rng
        taken = {str(r["officer_id"]) for r in [*w.truth_rows, *w.look_rows]}
        planned = {int(gi) for plans in (w.plants, w.looks, w.side_looks) for p in plans.values() for gi in p}
        planned |= set(w.no_purpose_late) | set(getattr(w, "claim_plan", {}))
        planned |= set(getattr(w, "triage_plan", {})) | set(getattr(w, "crew_plan", {}))
        planned |= set(getattr(w, "crew_look_plan", {})) | set(getattr(w, "ppu_plan", {}))
        planned |= set(w.uncoded_team) | set(w.ppu_members) | set(getattr(w, "late_crew", []))
        planned |= {int(x) for grp, _ in w.crews + w.team_looks for x in grp}
        planned |= {int(x) for grp in w.crew_looks for x in grp}
        planned |= {int(x) for x in w.clerk}
        ok = (
            (w.pattern != FRONTLINE)
            & (w.start_day <= 0)
            & ~w.used
            & ~w.no_shifts
            & (w.site >= 0)
            & (w.site != w.readerless)
            & ~pd.Series(w.ids).isin(taken).to_numpy()
            & ~np.isin(np.arange(w.n), sorted(planned))
        )
        # members of staff first, then constables and PCSOs, then the rest; those who manage no one
        # before those who do (the grade is written as a staff grade)
        manages = np.isin(np.arange(w.n), w.manager[w.manager >= 0])
        tier = np.where(np.isin(w.role, (ANALYST, SUPPORT)), 0, np.where(w.level == 0, 1, 2)) + 3 * manages
        g = min(20, max(1, round(w.n / RANK_GROUP_OFFICERS)))
        off, asg = w.tables["officers"].copy(), w.tables["assignments"].copy()
        for j in range(g):
            cand = rng.permutation(np.flatnonzero(ok))
            cand = cand[np.argsort(tier[cand], kind="stable")]
            k = min(int(rng.integers(6, 9)), len(cand))
            if k < 5:  # min_rank_officers: a smaller rank is always held to the rule
                break
            members = sorted(int(x) for x in cand[:k])
            grade = f"Band {chr(ord('C') + j)}"
            w.used[members] = True
            ok[members] = False
            ids = w.ids[members]
            off.loc[off["officer_id"].isin(ids), ["rank", "staff_type"]] = [grade, "staff"]
            asg.loc[asg["officer_id"].isin(ids), "rank"] = grade
            for gi in members:
                w.rank_plan[gi] = {
                    "group": f"look-rank-{j + 1:04d}",
                    "grade": grade,
                    "size": k,
                    "share": float(rng.uniform(0.4, 0.6)),
                }
        w.tables["officers"], w.tables["assignments"] = off, asg


# --------------------------------------------------------------------------- in the events, block by block


def long_sickness(b: Block, sick: np.ndarray, leave: np.ndarray) -> None:
    """``attendance.below_threshold`` ``long_sickness``: an office worker off sick for weeks
    (made with the roster, in its grids of sickness and leave)."""
    w, rng = b.w, b.rng
    b.long_sick = []
    for i, _gi, p in b.mine(w.looks["attendance.below_threshold"]):
        if p["form"] != "long_sickness":
            continue
        length = min(int(rng.integers(30, 46)), p["we"] - p["ws"] + 1)
        d0 = p["ws"] + int(rng.integers(0, p["we"] - p["ws"] - length + 2))
        sick[i, d0 : d0 + length] = True
        leave[i, d0 : d0 + length] = False
        b.long_sick.append((i, d0, d0 + length - 1))


def long_sickness_rows(b: Block) -> None:
    for i, d0, d1 in b.long_sick:
        b.row(
            "attendance.below_threshold",
            i,
            d0,
            d1,
            f"off sick for {d1 - d0 + 1} days: no rostered office days, no swipes (not below policy)",
            look=True,
            form="long_sickness",
        )


def drop_swipes(b: Block, i: int, days: np.ndarray, share: float, remote: float) -> tuple[int, int]:
    """Badge in on about ``share`` of ``days``; a home log-on on ``remote`` of the others."""
    rng = b.rng
    present = days[b.badge_day[i, days]]
    target = round(len(days) * share)
    drop = b.pick(present, max(0, len(present) - target))
    b.badge_day[i, drop] = False
    b.lunch[i, drop] = False
    home = drop[rng.random(len(drop)) < remote]
    b.remote_sess[i, home] = True
    b.W_site[i, drop] = -1
    b.quiet[i, np.setdiff1d(drop, home)] = True
    return int(b.badge_day[i, days].sum()), len(home)


def untraced(b: Block, i: int, days: np.ndarray) -> None:
    """No trace of the officer at all on ``days``: no swipe, remote session or lookup."""
    b.badge_day[i, days] = b.lunch[i, days] = b.remote_sess[i, days] = False
    b.W_site[i, days] = -1
    b.quiet[i, days] = b.no_evening[i, days] = True


def plant_below_threshold(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng = "attendance.below_threshold", b.rng
    form = p["form"]
    if form in ("long_sickness", "agreed_remote_days", "site_without_readers", "new_starter"):
        if form == "long_sickness":
            return  # the long sickness is made with the roster
        note = {
            "agreed_remote_days": "hybrid worker: agreed remote days are duties with no site; badged in on the office days",
            "site_without_readers": "works at a site with no badge readers: nobody there ever swipes",
            "new_starter": "joined during the period: no trace before the start date, in the office since"
            + (" (no duty rows)" if b.w.no_shifts[int(b.gi[i])] else ""),
        }[form]
        b.row(det, i, p["ws"], p["we"], note, look, form)
        return
    if form == "frontline_pattern":
        # rostered shifts only: rest-day working with no trace would be unattended overtime
        days = b.within(i, p["ws"], p["we"], b.work & (b.W_site >= 0) & ~b.rdw)
        if len(days) < 10:
            return
        x, _ = drop_swipes(b, i, days, float(rng.uniform(0.35, 0.6)), 0.0)
        b.quiet[i, days] = False
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"frontline officer on patrol: badged in on {x} of {len(days)} shifts",
            look,
            form,
        )
        return
    office = b.work & (b.duty == DAY) & (b.W_site >= 0)
    if form == "compressed_hours":  # the whole period: the same weekday off every week
        days = b.within(i, 0, b.D - 1, office)
        off = int(rng.choice(np.array([0, 4])))  # Monday or Friday
        gone = days[b.w.cal.weekday[days] == off]
        untraced(b, i, gone)
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"no duty rows; agreed compressed hours: no trace on any {('Monday', 'Friday')[off // 4]} "
            f"({len(gone)} of {len(days)} weekdays), in the office on the others",
            look,
            form,
        )
        return
    days = b.within(i, p["ws"], p["we"], office)
    if len(days) < 10:
        return
    if form == "sustained_stretch":
        # eight weeks at about 64% (the 8-week window at least 10 points under the policy and 5 days
        # beyond its allowance) inside a 90-day window otherwise in: over the policy window the
        # missed days stay within a few of the allowance
        starts = np.arange(p["ws"], max(p["ws"], p["we"] - 55) + 1)
        n_in = np.array([len(b.within(i, int(s0), int(s0) + 55, office)) for s0 in starts])
        s0 = int(starts[int(np.argmax(n_in))])
        stretch = b.within(i, s0, s0 + 55, office)
        if len(stretch) < 30:  # the short window judges six working weeks or more: the whole window
            stretch = days
        n = len(stretch)
        share = 1 - max(round(0.36 * n), n // 5 + 5) / n
        remote = float(rng.choice(np.array([0.0, 0.85])))
        x, home = drop_swipes(b, i, stretch, share, remote)
        b.row(
            det,
            i,
            int(stretch[0]),
            int(stretch[-1]),
            f"badged in on {x} of {len(stretch)} rostered office days over "
            f"{(int(stretch[-1]) - int(stretch[0])) // 7 + 1} weeks "
            f"({100 * x // len(stretch)}%), logged on from home on {home} of the others; in on the "
            "other weeks, so over 90 days the shortfall is within a few days of the policy",
            form=form,
        )
        return
    if form == "off_system_absent":
        # no trace at all on half or more of the expected weekdays (beyond the quarter allowed)
        target = round(len(days) * float(rng.uniform(0.3, 0.5)))
        gone = b.pick(days[b.badge_day[i, days]], max(0, int(b.badge_day[i, days].sum()) - target))
        untraced(b, i, gone)
        x = int(b.badge_day[i, days].sum())
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"no duty rows; badged in on {x} of {len(days)} expected office days (Mon-Fri); no trace "
            f"at all on {len(gone)} of the others (no swipe, remote log-on or lookup)",
            form=form,
        )
        return
    if form in ("at_threshold", "small_shortfall", "unrecorded_leave"):
        # just over the policy; a day or two under it; away on untraced days (leave recorded nowhere)
        lo, hi = {"at_threshold": (0.84, 0.88), "unrecorded_leave": (0.76, 0.9)}.get(form, (0.65, 0.8))
        share = float(rng.uniform(lo, hi))
        if form == "small_shortfall":  # one or two days more than the 20% the policy allows
            n = len(days)
            share = (n - n // 5 - int(rng.integers(1, 3))) / n
        remote = 0.0 if form == "unrecorded_leave" else 0.5
        x, _ = drop_swipes(b, i, days, share, remote)
        note = {
            "at_threshold": f"badged in on {x} of {len(days)} rostered office days, just above the policy",
            "small_shortfall": f"badged in on {x} of {len(days)} rostered office days, a day or two under the policy",
            "unrecorded_leave": f"no duty rows; badged in on {x} of {len(days)} weekdays, the others leave no trace at all (leave recorded nowhere)",
        }[form]
        b.row(det, i, int(days[0]), int(days[-1]), note, look, form)
        return
    # staff with no duty rows work from home on most days they are not in (a day with no trace
    # of them at all could be leave their duty system does not record)
    remote = {"absent_no_activity": 0.0, "working_remotely_instead": float(rng.uniform(0.75, 1.0))}.get(
        form, float(rng.uniform(0.75, 1.0))
    )
    x, home = drop_swipes(b, i, days, float(rng.uniform(0.3, 0.65)), remote)
    what = (
        "expected office days (Mon-Fri, no shift rows at all)"
        if form == "unrostered_office_worker"
        else "rostered office days"
    )
    b.row(
        det,
        i,
        int(days[0]),
        int(days[-1]),
        f"badged in on {x} of {len(days)} {what} ({100 * x // len(days)}%); "
        f"logged on from home on {home} of the others without an agreed remote day",
        form=form,
    )


def plant_rank_groups(b: Block) -> None:
    """The officers of :func:`rank_groups` badge in on about their share of their rostered
    office days over the whole period (on the block's stream of its own, after everything
    else): the days they miss are ordinary day duties (no overtime, rest-day working or
    edited row on them), with no swipe and no remote session, their lookups (drawn as
    before) made at no site. The day's swipes are drawn as before and left out when the
    block is emitted (``b.away``), so every other row of the block is as it was. Each officer
    is named in the look-alikes, with the group."""
    det, w = "attendance.below_threshold", b.w
    free = b.work & (b.duty == DAY) & (b.W_site >= 0) & b.badge_day & ~b.ext & ~b.rdw & ~b.touched
    for i, gi, p in b.mine(getattr(w, "rank_plan", {})):
        days = b.within(i, 0, b.D - 1, b.work & (b.W_site >= 0))
        if not len(days):
            continue
        present = int(b.badge_day[i, days].sum())
        drop = b.pick(b.within(i, 0, b.D - 1, free), max(0, present - round(len(days) * p["share"])))
        b.away[i, drop] = True
        b.W_site[i, drop] = -1
        x = present - len(drop)
        w.row(
            det,
            gi,
            int(days[0]),
            int(days[-1]),
            f"staff grade {p['grade']}, held by {p['size']} office and hybrid workers and no one else, all "
            f"of them below the policy: badged in on {x} of {len(days)} rostered office days "
            f"({100 * x // len(days)}%); on the others no remote log-on during the duty, their lookups "
            "made away from any office; the force does not hold the grade to the rule",
            group=p["group"],
            look=True,
            form="rank_not_held_to_rule",
        )


def vpn(
    b: Block, i: int, days: np.ndarray, st: np.ndarray, en: np.ndarray, ip: Any = None, client: int = 0
) -> None:
    w, gi = b.w, int(b.gi[i])
    b.rs.append(
        {
            "i": np.full(len(days), i),
            "start": w.cal.ts(days, st),
            "end": w.cal.ts(days, en),
            "client": np.full(len(days), client),
            "ip": np.full(len(days), w.home_ip[gi], dtype=object) if ip is None else ip,
        }
    )


def plant_badge_only(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng, w, cal = "attendance.badge_only", b.rng, b.w, b.w.cal
    gi = int(b.gi[i])
    form = p["form"]
    office = b.badge_day & ~b.only_in & b.work & (b.W_site >= 0) & ~b.rdw
    if look or form in ("tap_and_go_home", "tap_in_then_remote"):
        office &= b.duty != NIGHT
    if form in ("tap_and_go_home", "tap_in_then_remote", "evening_login_at_home"):
        office &= b.duty == DAY
    n_days = int(rng.integers(3, 7))
    days = b.pick(b.within(i, p["ws"], p["we"], office), n_days)
    if form == "agreed_remote_day":
        rd = b.pick(b.within(i, p["ws"], p["we"], b.work & b.remote & (b.W_site < 0)), n_days)
        if not len(rd):
            return
        t_in = b.W_s[i, rd] + rng.integers(-20, 20, len(rd))
        t_out = t_in + rng.integers(2, 10, len(rd))
        site = np.full(len(rd), int(w.site[gi]))
        for t, dirn in ((t_in, 0), (t_out, 1)):
            b.badge.append(
                {
                    "i": np.full(len(rd), i),
                    "site": site,
                    "ts": cal.ts(rd, t),
                    "dir": np.full(len(rd), dirn),
                }
            )
        b.W_s[i, rd] = t_out + rng.integers(25, 60, len(rd))
        b.row(
            det,
            i,
            int(rd[0]),
            int(rd[-1]),
            f"on {len(rd)} agreed remote days (duties with no site): called in at the office for minutes, then worked from home",
            look,
            form,
        )
        return
    if form == "cancelled_leave_swipe":
        ld = b.absent_days(i, p["ws"], p["we"], int(rng.integers(1, 3)), leave_only=True)
        if not len(ld):
            return
        for d in ld:
            d = int(d)
            b.status[i, d] = CANCELLED
            b.chg_add(
                i * b.D + d,
                gi,
                cal.ts(d, 0) - 86400 * int(rng.integers(1, 6)),
                F_STATUS,
                "planned",
                "cancelled",
                R_AMENDED,
            )
            s0 = int(b.s0[i, d])
            b.ot_add(
                i,
                d,
                s0,
                s0 + 510,
                DAY,
                BASIC,
                int(w.site[gi]),
                WORKED,
                w.clerk[gi],
                cal.ts(d, 0) - 86400,
                w.approver[gi],
                cal.ts(d, 0) - 80000,
            )
            b.set_work(i, d, s0, s0 + 510, int(w.site[gi]))
        b.row(
            det,
            i,
            int(ld[0]),
            int(ld[-1]),
            f"cancelled {len(ld)} days of leave before the day and came in to work (swipes and lookups)",
            look,
            form,
        )
        return
    if form == "swipe_during_absence":
        ldays = b.absent_days(i, p["ws"], p["we"], int(rng.integers(2, 4)))
        if len(ldays):
            t_in = b.s[i, ldays] + rng.integers(0, 60, len(ldays))
            t_out = t_in + rng.integers(120, 480, len(ldays))
            site = np.full(len(ldays), int(w.site[gi]))
            for t, dirn in ((t_in, 0), (t_out, 1)):
                b.badge.append(
                    {
                        "i": np.full(len(ldays), i),
                        "site": site,
                        "ts": cal.ts(ldays, t),
                        "dir": np.full(len(ldays), dirn),
                    }
                )
            b.row(
                det,
                i,
                int(ldays[0]),
                int(ldays[-1]),
                f"badge swipes at the site on {len(ldays)} days of their own leave or sickness",
                form=form,
            )
            return
        form = "token_visit"
    if not len(days):
        return
    if form == "office_vdi_session":
        st = b.b_in[i, days] + rng.integers(20, 60, len(days))
        en = b.b_out[i, days] - rng.integers(20, 60, len(days))
        ip = np.array(
            [f"10.{20 + int(w.site[gi]) % 200}.{rng.integers(0, 256)}.{rng.integers(1, 255)}" for _ in days],
            dtype=object,
        )
        vpn(b, i, days, st, en, ip, client=1)
        note = f"VDI sessions from the office network while badged in, on {len(days)} days"
    elif form == "quick_visit_then_work":
        b.b_out[i, days] = b.b_in[i, days] + rng.integers(4, 11, len(days))
        b.lunch[i, days] = False
        b.W_site[i, days] = -1
        # the day's work: lookups on patrol through the duty (the background may draw none),
        # on a stream of their own and kept apart like the side look-alikes' lookups
        saved = b.rng, b.acc
        b.rng, b.acc = np.random.default_rng([w.seed, 406, b.bno, i]), b.side_acc
        try:
            each = np.repeat(days, 3)
            b.lookups(i, each, b.rng.choice(w.ops_pool, len(each)), (P_INC, P_INT))
        finally:
            b.rng, b.acc = saved
        note = f"in and out of the station within minutes on {len(days)} days, then a full shift of mobile lookups"
    elif form == "session_left_running":
        st = b.b_in[i, days] - rng.integers(30, 90, len(days))
        en = b.b_in[i, days] + rng.integers(3, 25, len(days))
        vpn(b, i, days, st, en)
        note = f"a home VPN session still open for a few minutes after badging in, on {len(days)} days"
    elif form == "token_visit":
        b.b_in[i, days] = b.W_s[i, days] + rng.integers(-10, 30, len(days))
        b.b_out[i, days] = b.b_in[i, days] + rng.integers(2, 10, len(days))
        b.lunch[i, days] = False
        b.quiet[i, days] = True
        b.no_evening[i, days] = True
        b.remote_sess[i, days] = False
        note = (
            f"swiped in and out within minutes with no other activity that day, on {len(days)} rostered days"
        )
    elif form == "patrol_station_visit":
        b.b_in[i, days] = b.W_s[i, days] + rng.integers(-10, 10, len(days))
        b.b_out[i, days] = b.b_in[i, days] + rng.integers(2, 10, len(days))
        b.lunch[i, days] = False
        b.quiet[i, days] = True
        b.W_site[i, days] = -1
        note = (
            f"frontline officer: tapped in at the station for minutes at the start of {len(days)} shifts and "
            "went out on patrol, no lookups those shifts"
        )
    elif form == "evening_login_at_home":
        b.only_in[i, days] = True
        b.lunch[i, days] = False
        b.no_evening[i, days] = True
        st = b.W_e[i, days] + rng.integers(90, 150, len(days))
        vpn(b, i, days, st, st + rng.integers(30, 120, len(days)))
        note = (
            f"swiped in and never out (no exit reader used) on {len(days)} office days, worked the day in the "
            "office, logged on from home in the evening after the duty"
        )
    elif form == "tap_in_then_remote":
        b.b_in[i, days] = b.W_s[i, days] + rng.integers(-15, 15, len(days))
        b.only_in[i, days] = True
        st = b.b_in[i, days] + rng.integers(25, 70, len(days))
        en = b.W_e[i, days] + rng.integers(-20, 30, len(days))
        vpn(b, i, days, st, en)
        b.W_s[i, days] = st + 5
        b.W_site[i, days] = -1
        b.lunch[i, days] = False
        b.no_evening[i, days] = True
        b.remote_sess[i, days] = False
        note = (
            f"swiped in and never out on {len(days)} rostered office days, then worked from home on a VPN "
            "session for the rest of the day"
        )
    elif form == "tap_and_go_home":
        b.b_in[i, days] = b.W_s[i, days] + rng.integers(-15, 25, len(days))
        b.b_out[i, days] = b.b_in[i, days] + rng.integers(2, 10, len(days))
        st = b.b_out[i, days] + rng.integers(25, 70, len(days))
        en = b.W_e[i, days] + rng.integers(-30, 30, len(days))
        vpn(b, i, days, st, en)
        b.W_s[i, days] = st + 5
        b.W_site[i, days] = -1
        b.lunch[i, days] = False
        b.no_evening[i, days] = True
        b.remote_sess[i, days] = False
        note = (
            f"swiped in and out within minutes on {len(days)} rostered office days, then worked from home "
            "on a VPN session for the rest of the day"
        )
    else:  # remote_while_badged_in
        st = b.b_in[i, days] + rng.integers(30, 61, len(days))
        en = b.b_out[i, days] - rng.integers(30, 91, len(days))
        vpn(b, i, days, st, en)
        b.W_site[i, days] = -1
        b.lunch[i, days] = False
        note = f"logged on from home (VPN) while the badge showed them in the office, on {len(days)} days"
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)
    # the same officers show a second innocent pattern on other days, on a random stream of its own
    if form == "quick_visit_then_work":  # other shifts: in and out, then on patrol with no lookup
        own_stream(b, 421, i, lambda: plant_badge_only(b, i, {**p, "form": "patrol_station_visit"}, True))
    elif form == "session_left_running":  # other days: in, never out, and on from home in the evening
        own_stream(b, 422, i, lambda: plant_badge_only(b, i, {**p, "form": "evening_login_at_home"}, True))


# --------------------------------------------------------------------------- how each form and look-alike is planted

PLANTING: dict[str, Planting] = {
    "attendance.below_threshold": Planting(
        forms={
            "absent_no_activity": Stage.PLAN,
            "working_remotely_instead": Stage.PLAN,
            "unrostered_office_worker": Stage.PLAN,
            "off_system_absent": Stage.PLAN,
            "sustained_stretch": Stage.PLAN,
        },
        lookalikes={
            "long_sickness": Stage.PLAN,
            "agreed_remote_days": Stage.PLAN,
            "frontline_pattern": Stage.PLAN,
            "site_without_readers": Stage.OWN,
            "at_threshold": Stage.PLAN,
            "small_shortfall": Stage.DUTY,
            "unrecorded_leave": Stage.DUTY,
            "compressed_hours": Stage.DUTY,
            "new_starter": Stage.OWN,
            # a grade held by no one else, planned after every other plan (rank_groups)
            "rank_not_held_to_rule": Stage.OWN,
        },
        window=90,
        plant=plant_below_threshold,
    ),
    "attendance.badge_only": Planting(
        forms={
            "token_visit": Stage.PLAN,
            "tap_and_go_home": Stage.PLAN,
            "remote_while_badged_in": Stage.PLAN,
            "swipe_during_absence": Stage.PLAN,
            "tap_in_then_remote": Stage.PLAN,
        },
        lookalikes={
            "quick_visit_then_work": Stage.PLAN,
            "agreed_remote_day": Stage.PLAN,
            "session_left_running": Stage.PLAN,
            "cancelled_leave_swipe": Stage.PLAN,
            "office_vdi_session": Stage.PLAN,
            # planted on the officers of quick_visit_then_work and session_left_running
            "patrol_station_visit": Stage.OWN,
            "evening_login_at_home": Stage.OWN,
        },
        window=60,
        plant=plant_badge_only,
    ),
}
"""How the attendance detectors' forms and look-alikes are planted (stages: :mod:`synthetic.catalogue`)."""
