"""The ordinary force's events, one block of officers at a time: the roster (duties,
leave, sickness, swaps, corrections, overtime), badge swipes, remote sessions and lookups,
changed or added to by the planted cases and look-alikes (each family's planting functions
in its own module), and the five event tables emitted from them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph.contract import TABLES
from synthetic import access, attendance, network, roster
from synthetic.common import (
    ACTIONS,
    ANALYST,
    BANKHOL,
    BLOCK,
    CLIENTS,
    COURT,
    DAY,
    DUTY,
    EARLY,
    EVENT_TABLES,
    F_APPROVED,
    F_DUTY,
    F_HOURS,
    F_PAY,
    FIELDS,
    FRONTLINE,
    HYBRID,
    INTELLIGENCE,
    LATE,
    LEAVE,
    NIGHT,
    NULL,
    OFFICE,
    ONCALL,
    OVERTIME,
    P_ADM,
    P_CRN,
    P_INC,
    P_INV,
    PAY,
    PLANNED,
    PURPOSES,
    R_BANKHOL,
    R_INCIDENT,
    R_LEAVE,
    R_LEFT_EARLY,
    R_OT_APPROVED,
    R_PRISONER,
    R_SICK,
    R_SWAP,
    RDW,
    REASONS,
    REST,
    ROLE_PURPOSE,
    SEARCH,
    SICK,
    STATUS,
    SYSTEM_BY_TYPE,
    SYSTEMS,
    TRAINING,
    VIEW,
    WORKED,
    _choose,
    _draw,
    _expand,
    _length,
    _num,
    _pa_ids,
    _take,
    _ts_array,
    arrow_schema,
)
from synthetic.planting import DUTY_SIDE_LOOKALIKES, PLANTERS, SIDE_LOOKALIKES, WINDOW

if TYPE_CHECKING:
    from synthetic.world import World

_P = TypeVar("_P")
"""A block's share of a plan: whatever each officer's entry is."""


class Block:
    """The events of officers ``a`` to ``b`` over every simulated day.

    The roster is built as officer × day grids (duty, times, site, pay code, hours);
    background edits and overtime come next, then the evidence grids (where and when
    the officer is at work, swiping, logged on remotely, looking things up). Planted
    cases and look-alikes change those grids or add rows; the tables are emitted last.
    """

    long_sick: list[tuple[int, int, int]]
    """``attendance.below_threshold`` ``long_sickness``: (officer, first day, last day)."""

    def __init__(self, w: World, a: int, b: int, bno: int) -> None:
        self.w, self.a, self.b = w, a, b
        self.n, self.D = b - a, w.days
        self.gi = np.arange(a, b)
        self.rng = np.random.default_rng([w.seed, 202, bno])
        self.bno = bno
        self.truth: list[dict[str, object]] = []
        self.ot: list[dict[str, np.ndarray]] = []
        self.n_ot = 0
        self.chg: list[dict[str, np.ndarray]] = []
        self.acc: list[dict[str, np.ndarray]] = []
        self.side_acc: list[dict[str, np.ndarray]] = []
        self.badge: list[dict[str, np.ndarray]] = []
        self.late_badge: list[dict[str, np.ndarray]] = []
        """Swipes of plans made after every other, drawn whole on their own streams (seconds and
        reader too) and written beside the block's others: the block's draws are as they were."""
        self.cut: list[tuple[int, int, int]] = []
        """(officer, from, to) epoch seconds: lookups drawn for them in between are not written
        (a duty left early: the block's draws are as they were)."""
        self.rs: list[dict[str, np.ndarray]] = []
        self._roster()
        self._background()
        self._evidence()
        self._plant()
        self._plant_side()
        self._plant_late()
        self._plant_duty()
        # planned last, each on a stream of its own (access.late_no_purpose, roster.late_roster,
        # attendance.rank_groups, access.late_personal_link, access.late_volume_outlier,
        # roster.late_report_approval, roster.late_short_attendance, access.late_closed_case)
        self._on_own_stream(access.NO_PURPOSE_LATE_LOOKUPS, access.plant_late, side=True)
        self._on_own_stream(roster.ROSTER_LATE_PLANT, roster.plant_late)
        self._on_own_stream(attendance.RANK_GROUP_SWIPES, attendance.plant_rank_groups)
        self._on_own_stream(access.PERSONAL_LATE_LOOKUPS, access.plant_personal_late, side=True)
        self._on_own_stream(access.VOLUME_LATE_LOOKUPS, access.plant_volume_late, side=True)
        self._on_own_stream(roster.REPORT_APPROVAL_PLANT, roster.plant_report_approval)
        self._on_own_stream(roster.SHORT_LATE_PLANT, roster.plant_short_attendance, side=True)
        self._on_own_stream(access.CLOSED_LATE_LOOKUPS, access.plant_closed_case, side=True)

    # ---- helpers

    def mine(self, plan: Mapping[int, _P]) -> list[tuple[int, int, _P]]:
        return [(gi - self.a, gi, p) for gi, p in sorted(plan.items()) if self.a <= gi < self.b]

    def within(self, i: int, ws: int, we: int, mask: np.ndarray) -> np.ndarray:
        return ws + np.flatnonzero(mask[i, ws : we + 1])

    def pick(self, days: np.ndarray, k: int) -> np.ndarray:
        return np.sort(self.rng.choice(days, min(k, len(days)), replace=False)) if len(days) else days

    def row(self, det: str, i: int, d0: int, d1: int, note: str, look: bool = False, form: str = "") -> None:
        self.w.row(det, int(self.gi[i]), d0, d1, note, look=look, form=form)

    def chg_add(self, rows: Any, by: Any, at: Any, fld: int, old: Any, new: Any, reason: Any) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        k = len(rows)
        if not k:
            return

        def full(v: Any, dtype: Any) -> np.ndarray:
            return np.broadcast_to(np.asarray(v, dtype=dtype), (k,)).copy()

        self.chg.append(
            {
                "row": rows,
                "by": full(by, np.int64),
                "at": full(at, np.int64),
                "field": full(fld, np.int64),
                "old": full(old, object),
                "new": full(new, object),
                "reason": full(reason, np.int64),
            }
        )

    def ot_add(
        self,
        i: Any,
        d: Any,
        s: Any,
        e: Any,
        duty: Any,
        pay: Any,
        site: Any,
        status: Any,
        cby: Any,
        cat: Any,
        aby: Any,
        aat: Any,
        appr_by: Any = None,
    ) -> np.ndarray:
        """Overtime rows; returns their row keys (for roster changes). The approval's audit
        row is made by the approver, or by ``appr_by`` (someone entering it for them)."""
        cols = dict(
            zip(
                ("i", "d", "s", "e", "duty", "pay", "site", "status", "cby", "cat", "aby", "aat"),
                (i, d, s, e, duty, pay, site, status, cby, cat, aby, aat),
                strict=True,
            )
        )
        k = _length(*cols.values())
        part = {c: np.broadcast_to(np.asarray(v, dtype=np.int64), (k,)).copy() for c, v in cols.items()}
        self.ot.append(part)
        keys = self.n * self.D + self.n_ot + np.arange(k)
        self.n_ot += k
        ids = self.w.ids
        ok = part["aby"] >= 0
        by = part["aby"] if appr_by is None else np.broadcast_to(np.asarray(appr_by, dtype=np.int64), (k,))
        reason = R_OT_APPROVED if appr_by is None else -1
        self.chg_add(
            keys[ok], by[ok], part["aat"][ok], F_APPROVED, None, ids[np.maximum(part["aby"], 0)][ok], reason
        )
        return keys

    def acc_add(
        self,
        i: Any,
        d: Any,
        minutes: Any,
        rec: Any,
        action: Any,
        purpose: Any,
        site: Any,
        case: Any,
        system: Any = -1,
    ) -> None:
        k = _length(i, d, minutes, rec, action, purpose, site, case)
        if not k:
            return
        i = np.broadcast_to(np.asarray(i, dtype=np.int64), (k,)).copy()
        self.acc.append(
            {
                "i": i,
                "ts": self.w.cal.ts(np.broadcast_to(d, (k,)), minutes) + self.rng.integers(0, 60, k),
                **{
                    c: np.broadcast_to(np.asarray(v, dtype=np.int64), (k,)).copy()
                    for c, v in (
                        ("rec", rec),
                        ("action", action),
                        ("purpose", purpose),
                        ("site", site),
                        ("case", case),
                        ("system", system),
                    )
                },
            }
        )

    def when(self, i: int, days: np.ndarray) -> np.ndarray:
        """A random minute inside the officer's working interval on each of ``days``."""
        s, e = self.W_s[i, days], self.W_e[i, days]
        return s + self.rng.random(len(days)) * np.maximum(e - s, 1)

    def lookup_sites(self, i: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Where a lookup is made from: the duty's site, or nowhere (mobile) for frontline."""
        site = self.W_site[i, days].copy()
        mobile = (self.w.pattern[self.gi[i]] == FRONTLINE) & (self.rng.random(len(i)) < 0.45)
        site[mobile] = -1
        return site

    def set_work(self, i: int, d: int, s: int, e: int, site: int) -> None:
        """Evidence of a worked duty on a day that had none (rest or cancelled leave)."""
        self.work[i, d] = True
        self.W_s[i, d], self.W_e[i, d], self.W_site[i, d] = s, e, site
        if site >= 0:
            self.badge_day[i, d] = True
            self.b_site[i, d] = site
            self.b_in[i, d] = s - int(self.rng.integers(3, 21))
            self.b_out[i, d] = e + int(self.rng.integers(0, 26))

    def absent_days(self, i: int, ws: int, we: int, k: int, leave_only: bool = False) -> np.ndarray:
        """Up to ``k`` days of the officer's own planned leave (or sickness) in ``ws..we``;
        when there are fewer than two, working days there become annual leave, booked ahead
        (audit row by the officer, approved by the line manager), with no evidence of work."""
        w, rng, cal, gi = self.w, self.rng, self.w.cal, int(self.gi[i])
        absent = (self.leave if leave_only else self.leave | self.sick) & (self.status == PLANNED)
        have = self.pick(self.within(i, ws, we, absent & ~self.after_night), k)
        if len(have) >= min(k, 2):
            return have
        cand = self.working & ~self.touched & ~self.rdw & ~self.ext & np.isin(self.duty, (EARLY, LATE, DAY))
        days = self.pick(self.within(i, ws, we, cand & ~self.after_night), k - len(have))
        dn = np.array(DUTY, dtype=object)
        for d in days:
            d = int(d)
            self.duty[i, d], self.leave[i, d], self.status[i, d], self.site[i, d] = LEAVE, True, PLANNED, -1
            self.working[i, d] = self.work[i, d] = self.badge_day[i, d] = self.remote_sess[i, d] = False
            self.W_site[i, d] = -1
            self.touched[i, d] = True
            at = cal.ts(d, 600) - int(rng.integers(7, 60)) * 86400
            self.chg_add(i * self.D + d, gi, at, F_DUTY, dn[self.orig[i, d]], "annual_leave", R_LEAVE)
            self.aby[i, d], self.aat[i, d] = w.approver[gi], at + int(rng.integers(3600, 86400))
        return np.sort(np.r_[have, days]).astype(np.int64)

    # ---- the roster

    def _roster(self) -> None:
        w, rng, n, nd, cal, gi = self.w, self.rng, self.n, self.D, self.w.cal, self.gi
        pat = w.pattern[gi]
        dd = np.arange(nd)
        act = self.active = dd[None, :] >= w.start_day[gi][:, None]
        duty = np.full((n, nd), REST, dtype=np.int64)
        fl = pat == FRONTLINE
        rota = np.array([EARLY, EARLY, LATE, LATE, NIGHT, NIGHT, REST, REST, REST, REST])
        if fl.any():
            duty[fl] = rota[(dd[None, :] + w.rota[gi][fl][:, None]) % 10]
        weekday_work = (cal.weekday < 5) & ~cal.holiday
        duty[~fl] = np.where(weekday_work, DAY, REST)[None, :]
        s = np.zeros((n, nd), dtype=np.int64)
        e = np.full((n, nd), 1440, dtype=np.int64)
        for code, (t0, t1) in ((EARLY, (420, 1020)), (LATE, (840, 1440)), (NIGHT, (1320, 1860))):
            s[duty == code], e[duty == code] = t0, t1
        ds = np.broadcast_to(w.day_start[gi][:, None], (n, nd))
        s = np.where(duty == DAY, ds, s)
        e = np.where(duty == DAY, ds + 510, e)
        remote = np.zeros((n, nd), dtype=bool)
        hyb = pat == HYBRID
        if hyb.any():
            remote[hyb] = w.remote_wd[gi][hyb][:, cal.weekday]
        remote |= (pat == OFFICE)[:, None] & (rng.random((n, nd)) < 0.03)
        self.orig, self.s0 = duty.copy(), s.copy()
        workday = np.isin(duty, (EARLY, LATE, NIGHT, DAY)) & act
        # annual leave: blocks of days and single days
        owner, _ = _expand(rng.poisson(3.0 * nd / 365, n))
        st, ln = rng.integers(-10, nd, len(owner)), rng.integers(4, 13, len(owner))
        o2, k2 = _expand(ln)
        day, own = st[o2] + k2, owner[o2]
        ok = (day >= 0) & (day < nd)
        leave = np.zeros((n, nd), dtype=bool)
        leave[own[ok], day[ok]] = True
        leave |= rng.random((n, nd)) < 4 / 365
        leave &= workday
        # sickness: short spells, a few long ones
        owner, _ = _expand(rng.poisson(1.2 * nd / 365, n))
        st = rng.integers(0, nd, len(owner))
        ln = np.where(
            rng.random(len(owner)) < 0.05, rng.integers(14, 61, len(owner)), rng.geometric(0.45, len(owner))
        )
        o2, k2 = _expand(ln)
        day, own = st[o2] + k2, owner[o2]
        ok = day < nd
        sick = np.zeros((n, nd), dtype=bool)
        sick[own[ok], day[ok]] = True
        attendance.long_sickness(self, sick, leave)
        access.return_from_leave(self, leave, sick, workday)
        # not on the duty system: no leave or sickness rows either
        ns = w.no_shifts[gi]
        leave[ns], sick[ns] = False, False
        sick &= workday & ~leave
        duty[leave], duty[sick] = LEAVE, SICK
        self.leave, self.sick = leave, sick
        # training and court
        r = rng.random((n, nd))
        cand = np.isin(duty, (EARLY, LATE, DAY)) & ~remote & act
        tr = cand & (r < 0.012)
        court = cand & (r >= 0.012) & (r < 0.018) & w.is_officer[gi][:, None]
        duty[tr], duty[court] = TRAINING, COURT
        s[tr], e[tr], s[court], e[court] = 540, 1020, 570, 990
        # rest days span the day; leave and sickness keep the times of the duty they replace
        s[duty == REST], e[duty == REST] = 0, 1440
        remote &= duty == DAY
        working = np.isin(duty, (EARLY, LATE, NIGHT, DAY, TRAINING, COURT)) & act
        pay = np.zeros((n, nd), dtype=np.int64)
        pay[working & fl[:, None] & cal.holiday[None, :] & np.isin(duty, (EARLY, LATE, NIGHT))] = BANKHOL
        oncall = (duty == REST) & act & w.oncall_ok[gi][:, None] & (rng.random((n, nd)) < 0.06)
        pay[oncall] = ONCALL
        kind = np.where(np.isin(duty, (LEAVE, SICK)), self.orig, duty)
        hours = np.select(
            [np.isin(kind, (EARLY, LATE)), kind == NIGHT, np.isin(kind, (DAY, TRAINING)), kind == COURT],
            [10.0, 9.0, 8.0, 7.0],
            np.nan,
        )
        self.duty, self.s, self.e, self.remote, self.working, self.pay, self.hours = (
            duty,
            s,
            e,
            remote,
            working,
            pay,
            hours,
        )
        self.site = np.where(working & ~remote & (duty != COURT), w.site[gi][:, None], -1)
        self.status = np.where(working, WORKED, PLANNED)
        self.aby = np.full((n, nd), -1, dtype=np.int64)
        self.aat = np.full((n, nd), NULL, dtype=np.int64)
        self.touched = leave | sick
        self.rdw = np.zeros((n, nd), dtype=bool)
        night = self.orig == NIGHT
        after_night = np.zeros((n, nd), dtype=bool)
        after_night[:, 1:] = night[:, :-1]
        self.after_night = after_night
        self.free_rest = (duty == REST) & act & (pay != ONCALL) & ~after_night
        """Rest days on which extra duty can be booked (not on call, not straight after a night)."""

    def _background(self) -> None:
        """Innocent edits (leave, sickness, swaps, corrections) and approved overtime."""
        w, rng, n, nd, cal, gi = self.w, self.rng, self.n, self.D, self.w.cal, self.gi
        duty, pay = self.duty, self.pay
        dn = np.array(DUTY, dtype=object)
        key = lambda i, d: i * nd + d  # noqa: E731
        i, d = np.nonzero(self.leave)
        at = cal.ts(d, 600) - rng.integers(7, 91, len(i)) * 86400 + rng.integers(0, 28800, len(i))
        self.chg_add(key(i, d), gi[i], at, F_DUTY, dn[self.orig[i, d]], "annual_leave", R_LEAVE)
        self.aby[i, d] = w.approver[gi[i]]
        self.aat[i, d] = at + rng.integers(3600, 3 * 86400, len(i))
        i, d = np.nonzero(self.sick)
        by = np.where(rng.random(len(i)) < 0.7, w.approver[gi[i]], w.clerk[gi[i]])
        at = cal.ts(d, self.s0[i, d] - rng.integers(30, 150, len(i)))
        self.chg_add(key(i, d), by, at, F_DUTY, dn[self.orig[i, d]], "sick", R_SICK)
        # swaps between early and late, agreed before the shift
        fl = (w.pattern[gi] == FRONTLINE)[:, None]
        sw = self.working & fl & np.isin(duty, (EARLY, LATE)) & (rng.random((n, nd)) < 0.02)
        i, d = np.nonzero(sw)
        old = duty[i, d]
        new = np.where(old == EARLY, LATE, EARLY)
        at = cal.ts(d, self.s[i, d]) - rng.integers(1, 15, len(i)) * 86400
        duty[i, d] = new
        self.s[i, d] = np.where(new == EARLY, 420, 840)
        self.e[i, d] = np.where(new == EARLY, 1020, 1440)
        by = np.where(rng.random(len(i)) < 0.6, gi[i], w.clerk[gi[i]])
        self.chg_add(key(i, d), by, at, F_DUTY, dn[old], dn[new], R_SWAP)
        self.touched |= sw
        # bank holidays first entered as basic, put right by the clerk after the shift
        bh = (pay == BANKHOL) & (rng.random((n, nd)) < 0.15)
        i, d = np.nonzero(bh)
        at = cal.ts(d, self.e[i, d]) + rng.integers(1, 6, len(i)) * 86400
        by = np.where(w.clerk[gi[i]] == gi[i], w.approver[gi[i]], w.clerk[gi[i]])
        self.chg_add(key(i, d), by, at, F_PAY, "basic", "bank_holiday", R_BANKHOL)
        self.touched |= bh
        # late finishes added by the line manager; early finishes taken off by the officer
        r = rng.random((n, nd))
        up = self.working & ~self.touched & (self.duty != COURT) & (r < 0.006)
        down = self.working & ~self.touched & (r >= 0.006) & (r < 0.009)
        for mask, by_mgr in ((up, True), (down, False)):
            i, d = np.nonzero(mask)
            old = self.hours[i, d]
            delta = rng.choice(np.array([1.0, 1.5, 2.0]), len(i)) if by_mgr else -np.ones(len(i))
            self.hours[i, d] = old + delta
            by = w.approver[gi[i]] if by_mgr else gi[i]
            reason = np.where(rng.random(len(i)) < 0.5, R_PRISONER, R_INCIDENT) if by_mgr else R_LEFT_EARLY
            at = cal.ts(d, self.e[i, d]) + rng.integers(3600, 48 * 3600, len(i))
            self.chg_add(key(i, d), by, at, F_HOURS, _num(old), _num(old + delta), reason)
            self.touched |= mask
        # overtime: staying on after the shift, approved afterwards by the line manager
        self.ext_end = self.e.copy()
        pat = w.pattern[gi]
        p_ext = np.array([0.05, 0.015, 0.01])[pat][:, None]
        ext = (
            self.working
            & np.isin(duty, (EARLY, LATE, NIGHT, DAY))
            & ~self.remote
            & (rng.random((n, nd)) < p_ext)
        )
        i, d = np.nonzero(ext)
        length = rng.choice(np.array([60, 90, 120, 180, 240]), len(i))
        s = self.e[i, d]
        cat = cal.ts(d, s) + 60 * rng.integers(0, 45, len(i))  # entered when the overtime is agreed
        self.ot_add(
            i,
            d,
            s,
            s + length,
            duty[i, d],
            OVERTIME,
            self.site[i, d],
            WORKED,
            gi[i],
            cat,
            w.approver[gi[i]],
            cat + rng.integers(7200, 72 * 3600, len(i)),
        )
        self.ext_end[i, d] = s + length
        self.ext = ext
        # rest-day working, booked and approved in advance
        p_rdw = np.array([0.04, 0.01, 0.01])[pat][:, None]
        rdw = self.free_rest & (rng.random((n, nd)) < p_rdw)
        ri, rd = np.nonzero(rdw)
        self.rest_day_working(ri, rd, cby_self=rng.random(len(ri)) < 0.5)

    def rest_day_working(
        self,
        i: np.ndarray,
        d: np.ndarray,
        cby_self: Any,
        aby: Any = None,
        quick: bool = False,
        appr_by: Any = None,
        status: int = WORKED,
    ) -> np.ndarray:
        """Rest-day working rows on (rest) days ``d``; marks them worked for the evidence."""
        w, rng, cal, gi = self.w, self.rng, self.w.cal, self.gi
        k = len(i)
        front = w.pattern[gi[i]] == FRONTLINE
        s = np.where(front, 420, 480)
        e = np.where(front, 1020, 990)
        cat = cal.ts(d, 0) - rng.integers(3, 22, k) * 86400 + rng.integers(28800, 61200, k)
        cby = np.where(cby_self, gi[i], w.clerk[gi[i]])
        aby = w.approver[gi[i]] if aby is None else aby
        aat = cat + (rng.integers(600, 3 * 3600, k) if quick else rng.integers(3600, 48 * 3600, k))
        pay = np.where(cal.holiday[d], BANKHOL, RDW)
        keys = self.ot_add(
            i, d, s, e, np.where(front, EARLY, DAY), pay, w.site[gi[i]], status, cby, cat, aby, aat, appr_by
        )
        if status != WORKED:
            return keys
        self.rdw[i, d] = True
        self.rdw_s = getattr(self, "rdw_s", {})
        for ii, dd, ss, ee in zip(i, d, s, e, strict=True):
            self.rdw_s[(int(ii), int(dd))] = (int(ss), int(ee))
        return keys

    # ---- evidence: presence, remote log-ons, lookups

    def _evidence(self) -> None:
        w, rng, n, nd, gi = self.w, self.rng, self.n, self.D, self.gi
        self.work = self.working.copy()
        self.W_s = self.s.copy()
        self.W_e = np.maximum(self.e, self.ext_end)
        self.W_site = self.site.copy()
        self.badge_day = self.work & (self.W_site >= 0) & (rng.random((n, nd)) >= 0.02)
        self.b_site = self.W_site.copy()
        jitter = np.where(self.duty == DAY, rng.normal(0, 12, (n, nd)), -rng.integers(3, 21, (n, nd)))
        self.b_in = (self.W_s + jitter).astype(np.int64)
        self.b_out = self.W_e + rng.integers(0, 26, (n, nd))
        for (i, d), (s, e) in sorted(getattr(self, "rdw_s", {}).items()):
            self.set_work(i, d, s, e, int(w.site[gi[i]]))
        self.lunch = self.badge_day & (self.duty == DAY) & (rng.random((n, nd)) < 0.25)
        self.only_in = self.badge_day & (rng.random((n, nd)) < 0.01)
        self.remote_sess = self.work & self.remote & (rng.random((n, nd)) >= 0.01)
        self.quiet = np.zeros((n, nd), dtype=bool)
        self.no_evening = self.ext.copy()
        self.vol = np.ones((n, nd))
        self.skew = np.full((n, nd), 2.2)
        self.norow = np.zeros((n, nd), dtype=bool)
        """Cells whose duty row is not written (set by plants; the force style is applied at emit)."""
        self.away = np.zeros((n, nd), dtype=bool)
        """Days whose swipes are drawn but not written (set by plants: ``attendance.below_threshold``'s
        ``rank_not_held_to_rule``, :func:`synthetic.attendance.plant_rank_groups`): the draws, and
        so every other row, are as they were without them."""

    # ---- planted cases and look-alikes

    def _plant_side(self) -> None:
        """The look-alikes of :data:`~synthetic.planting.SIDE_LOOKALIKES`, on a random stream
        of their own, their lookups kept apart (``side_acc``) until emitted: the block's other
        rows are as before."""
        w = self.w
        saved = self.rng, self.acc
        self.rng, self.acc = np.random.default_rng([w.seed, 404, self.bno]), self.side_acc
        try:
            for det in dict.fromkeys(det for det, _ in SIDE_LOOKALIKES):
                for i, _gi, p in self.mine(w.side_looks[det]):
                    PLANTERS[det](self, i, p, True)
        finally:
            self.rng, self.acc = saved

    def _plant_duty(self) -> None:
        """The look-alikes of :data:`~synthetic.planting.DUTY_SIDE_LOOKALIKES`, last, on a
        random stream of their own."""
        w = self.w
        saved = self.rng
        self.rng = np.random.default_rng([w.seed, 407, self.bno])
        try:
            for det in dict.fromkeys(det for det, _ in DUTY_SIDE_LOOKALIKES):
                for i, _gi, p in self.mine(w.side_looks[det]):
                    if (det, p["form"]) in DUTY_SIDE_LOOKALIKES:
                        PLANTERS[det](self, i, p, True)
        finally:
            self.rng = saved

    def _plant_late(self) -> None:
        """The lookups of :data:`~synthetic.planting.LATE_FORMS` (the safeguarding unit's
        triage), on a random stream of their own, kept with the side look-alikes'
        (``side_acc``) after theirs: the block's other rows, theirs included, are as before."""
        w = self.w
        saved = self.rng, self.acc
        self.rng, self.acc = np.random.default_rng([w.seed, 808, self.bno]), self.side_acc
        try:
            network.plant_triage(self)
            network.plant_approvals(self)
        finally:
            self.rng, self.acc = saved

    def _on_own_stream(self, key: int, plant: Callable[[Block], None], *, side: bool = False) -> None:
        """Run ``plant`` on the block, after everything else, on a random stream of its own
        (``[seed, key, block]``); with ``side``, the lookups it adds are kept with the side
        look-alikes' (``side_acc``), after everyone else's. The block's other rows are as before
        (but for the ids of the rows after those it adds)."""
        saved = self.rng, self.acc
        self.rng = np.random.default_rng([self.w.seed, key, self.bno])
        if side:
            self.acc = self.side_acc
        try:
            plant(self)
        finally:
            self.rng, self.acc = saved

    def _plant(self) -> None:
        """The planned cases and look-alikes of the event detectors, in the registry's order,
        then the crews' and teams' lookups and the safeguarding unit's."""
        w = self.w
        attendance.long_sickness_rows(self)
        for det in WINDOW:
            for i, _gi, p in self.mine(w.plants[det]):
                PLANTERS[det](self, i, p, False)
            for i, _gi, p in self.mine(w.looks[det]):
                PLANTERS[det](self, i, p, True)
        network.plant_crews(self)
        access.plant_safeguarding_unit(self)

    def lookups(
        self,
        i: int,
        days: np.ndarray,
        recs: Any,
        purposes: tuple[int, ...],
        case: Any = -1,
        actions: tuple[int, ...] = (SEARCH, VIEW),
        system: int = -1,
    ) -> None:
        k = len(days)
        if not k:
            return
        rng = self.rng
        purpose = rng.choice(np.array(purposes), k) if purposes else np.full(k, -1)
        ii = np.full(k, i)
        self.acc_add(
            ii,
            days,
            self.when(i, days),
            recs,
            rng.choice(np.array(actions), k),
            purpose,
            self.lookup_sites(ii, days),
            case,
            system,
        )

    def work_days(self, i: int, ws: int, we: int) -> np.ndarray:
        return self.within(i, ws, we, self.work & ~self.quiet)

    # ---- emit the tables

    def _background_access(self) -> None:
        w, rng, nd, gi = self.w, self.rng, self.D, self.gi
        cells = np.flatnonzero((self.work & ~self.quiet).ravel())
        i, d = np.divmod(cells, nd)
        ws, we = self.W_s[i, d], self.W_e[i, d]
        lam = w.lam[gi[i]] * (we - ws) / 480 * self.vol[i, d]
        k = rng.poisson(lam)
        rep = np.repeat(np.arange(len(cells)), k)
        ii, dd = i[rep], d[rep]
        minutes = ws[rep] + rng.random(len(rep)) * (we[rep] - ws[rep])
        u = rng.random(len(rep)) ** self.skew[ii, dd]
        rec = w.ops_pool[(u * len(w.ops_pool)).astype(np.int64)]
        role = w.role[gi[ii]]
        intel = (rng.random(len(rep)) < np.where(np.isin(role, [INTELLIGENCE, ANALYST]), 0.15, 0.01)) & (
            len(w.intel_pool) > 0
        )
        if intel.any():
            rec[intel] = rng.choice(w.intel_pool, int(intel.sum()))
        vic = rng.random(len(rep)) < 0.003
        if vic.any() and len(w.victim_pool):
            rec[vic] = rng.choice(w.victim_pool, int(vic.sum()))
        purpose = _choose(rng, np.cumsum(ROLE_PURPOSE, axis=1), role)
        purpose[rng.random(len(rep)) < w.no_code[gi[ii]]] = -1
        action = _draw(rng, (0.62, 0.3, 0.05, 0.02, 0.01), len(rep))
        site = self.lookup_sites(ii, dd)
        self.acc_add(ii, dd, minutes, rec, action, purpose, site, -1)
        follow = np.flatnonzero((action == SEARCH) & (rng.random(len(rep)) < 0.4))
        self.acc_add(
            ii[follow],
            dd[follow],
            minutes[follow] + rng.uniform(0.3, 4, len(follow)),
            rec[follow],
            VIEW,
            purpose[follow],
            site[follow],
            -1,
        )
        # a few lookups just after the end of a shift (finishing off)
        over = np.flatnonzero(rng.random(len(cells)) < 0.05)
        self.acc_add(
            i[over],
            d[over],
            we[over] + rng.uniform(1, 30, len(over)),
            rng.choice(w.ops_pool, len(over)),
            VIEW,
            P_ADM,
            -1,
            -1,
        )
        # case work: lookups of the records of assigned cases while at work
        sel = np.flatnonzero((w.ca["off"] >= self.a) & (w.ca["off"] < self.b))
        if len(sel):
            c, o, r = w.ca["case"][sel], w.ca["off"][sel] - self.a, w.ca["role"][sel]
            d0 = np.maximum(w.ca["start"][sel], 0)
            d1 = np.minimum(w.ca["end"][sel], nd - 1)
            nd = np.maximum(d1 - d0 + 1, 0)
            rate = np.array([0.9, 0.5, 1.5, 0.1])[r]
            k = rng.poisson(rate * nd * 0.7)
            rep = np.repeat(np.arange(len(sel)), k)
            day = d0[rep] + (rng.random(len(rep)) * nd[rep]).astype(np.int64)
            oi = o[rep]
            keep = self.work[oi, day] & ~self.quiet[oi, day]
            rep, day, oi = rep[keep], day[keep], oi[keep]
            cc = c[rep]
            rec = w.case_rec_start[cc] + (rng.random(len(rep)) * w.case_rec_n[cc]).astype(np.int64)
            ws, we = self.W_s[oi, day], self.W_e[oi, day]
            purpose = np.where(rng.random(len(rep)) < 0.02, -1, P_INV)
            # the case's crime record is looked up under the crime number code (CRN), always with
            # the case_ref (no draw: the block's stream is as it was)
            purpose[(purpose == P_INV) & (rec == w.case_rec_start[cc])] = P_CRN
            self.acc_add(
                oi,
                day,
                ws + rng.random(len(rep)) * (we - ws),
                rec,
                _draw(rng, (0.1, 0.6, 0.25, 0.04, 0.01), len(rep)),
                purpose,
                self.lookup_sites(oi, day),
                cc,
            )
        # on call at home
        i, d = np.nonzero((self.pay == ONCALL) & (self.duty == REST) & self.active)
        k = rng.poisson(1.2, len(i))
        rep = np.repeat(np.arange(len(i)), k)
        self.acc_add(
            i[rep],
            d[rep],
            rng.integers(420, 1380, len(rep)),
            rng.choice(w.ops_pool, len(rep)),
            SEARCH,
            rng.choice(np.array([P_INC, P_ADM]), len(rep)),
            -1,
            -1,
        )

    def emit(self, counters: dict[str, int]) -> dict[str, pa.Table]:
        """The five event tables of this block (ids continue from ``counters``, which is updated)."""
        w, rng, n, nd, cal, gi = self.w, self.rng, self.n, self.D, self.w.cal, self.gi
        self._background_access()
        out: dict[str, pa.Table] = {}
        # shifts: not written for officers off the duty system, nor for rest days where the
        # duty system writes no rest-day rows
        on_system = ~w.no_shifts[gi]
        written = self.active & ~self.norow & on_system[:, None]
        if not w.styles["rest_day_rows"]:
            written &= ~((self.duty == REST) & (self.pay != ONCALL))
        cells = np.flatnonzero(written.ravel())
        i, d = np.divmod(cells, nd)
        ot = {
            k: np.concatenate([p[k] for p in self.ot]) if self.ot else np.zeros(0, np.int64)
            for k in ("i", "d", "s", "e", "duty", "pay", "site", "status", "cby", "cat", "aby", "aat")
        }
        self._ot_i_all = ot["i"].astype(np.int64) if len(ot["i"]) else np.zeros(1, np.int64)
        ot_keep = on_system[ot["i"]] if len(ot["i"]) else np.zeros(0, bool)
        ot_keys_all = n * nd + np.arange(len(ot["i"]))
        ot = {k: v[ot_keep] for k, v in ot.items()}
        created = (
            cal.ts(d, 600) - rng.integers(21, 57, len(cells)) * 86400 + rng.integers(0, 3600, len(cells))
        )
        off = np.r_[gi[i], gi[ot["i"]]]
        start = np.r_[cal.ts(d, self.s[i, d]), cal.ts(ot["d"], ot["s"])]
        end = np.r_[cal.ts(d, self.e[i, d]), cal.ts(ot["d"], ot["e"])]
        hours = np.r_[self.hours[i, d], (ot["e"] - ot["s"]) / 60.0]
        keys = np.r_[cells, ot_keys_all[ot_keep]]
        order = np.lexsort((start, off))
        lut = np.full(n * nd + len(ot_keep), -1, dtype=np.int64)
        lut[keys[order]] = np.arange(len(order))
        base = counters["shifts"]
        shift_ids = _pa_ids("SH", base, len(order))
        cols = {
            "shift_id": shift_ids,
            "officer_id": _take(w.ids_pa, off[order]),
            "start": _ts_array(start[order]),
            "end": _ts_array(end[order]),
            "duty_type": _take(pa.array(DUTY), np.r_[self.duty[i, d], ot["duty"]][order]),
            "pay_code": _take(pa.array(PAY), np.r_[self.pay[i, d], ot["pay"]][order]),
            "site_id": _take(w.site_ids_pa, np.r_[self.site[i, d], ot["site"]][order]),
            "status": _take(pa.array(STATUS), np.r_[self.status[i, d], ot["status"]][order]),
            "created_by": _take(w.ids_pa, np.r_[w.clerk[gi[i]], ot["cby"]][order]),
            "created_at": _ts_array(np.r_[created, ot["cat"]][order]),
            "approved_by": _take(w.ids_pa, np.r_[self.aby[i, d], ot["aby"]][order]),
            "approved_at": _ts_array(np.r_[self.aat[i, d], ot["aat"]][order]),
            "hours_claimed": pa.array(hours[order], type=pa.float64(), from_pandas=True),
        }
        out["shifts"] = pa.table(cols, schema=arrow_schema(TABLES["shifts"]))
        counters["shifts"] += len(order)
        # roster changes
        ch = {
            k: np.concatenate([p[k] for p in self.chg]) if self.chg else np.zeros(0)
            for k in ("row", "by", "at", "field", "old", "new", "reason")
        }
        pos = lut[ch["row"].astype(np.int64)]
        rows_ = ch["row"].astype(np.int64)
        row_i = np.where(rows_ < n * nd, rows_ // nd, self._ot_i_all[np.maximum(rows_ - n * nd, 0)])
        dropped = pos < 0
        bad = dropped & on_system[row_i]
        assert not bad.any(), (
            "a roster change points to no shift",
            ch["field"][bad][:5],
            ch["new"][bad][:5],
            rows_[bad][:5] % nd,
        )
        ch = {k: v[~dropped] for k, v in ch.items()}
        pos = pos[~dropped]
        order = np.lexsort((pos, ch["at"].astype(np.int64)))
        out["roster_changes"] = pa.table(
            {
                "change_id": _pa_ids("RC", counters["roster_changes"], len(order)),
                "shift_id": _take(shift_ids, pos[order]),
                "changed_by": _take(w.ids_pa, ch["by"][order].astype(np.int64)),
                "changed_at": _ts_array(ch["at"][order].astype(np.int64)),
                "field": _take(pa.array(FIELDS), ch["field"][order].astype(np.int64)),
                "old_value": pa.array(ch["old"][order].astype(object), type=pa.string()),
                "new_value": pa.array(ch["new"][order].astype(object), type=pa.string()),
                "reason": _take(pa.array(REASONS), ch["reason"][order].astype(np.int64)),
            },
            schema=arrow_schema(TABLES["roster_changes"]),
        )
        counters["roster_changes"] += len(order)
        # badge events
        bd = self.badge_day & self.active
        i, d = np.nonzero(bd)
        parts = [
            {
                "i": i,
                "site": self.b_site[i, d],
                "ts": cal.ts(d, self.b_in[i, d]),
                "dir": np.zeros(len(i), np.int64),
                "away": self.away[i, d],
            }
        ]
        o = ~self.only_in[i, d]
        parts.append(
            {
                "i": i[o],
                "site": self.b_site[i[o], d[o]],
                "ts": cal.ts(d[o], self.b_out[i[o], d[o]]),
                "dir": np.ones(int(o.sum()), np.int64),
                "away": self.away[i[o], d[o]],
            }
        )
        li, ld = np.nonzero(self.lunch & bd & ~self.only_in)
        lo = 720 + rng.integers(-30, 31, len(li))
        parts.append(
            {
                "i": li,
                "site": self.b_site[li, ld],
                "ts": cal.ts(ld, lo),
                "dir": np.ones(len(li), np.int64),
                "away": self.away[li, ld],
            }
        )
        parts.append(
            {
                "i": li,
                "site": self.b_site[li, ld],
                "ts": cal.ts(ld, lo + rng.integers(20, 46, len(li))),
                "dir": np.zeros(len(li), np.int64),
                "away": self.away[li, ld],
            }
        )
        parts += [{**p, "away": np.zeros(len(p["i"]), bool)} for p in self.badge]
        b = {k: np.concatenate([p[k] for p in parts]) for k in ("i", "site", "ts", "dir", "away")}
        b["ts"] = b["ts"] + rng.integers(0, 60, len(b["ts"]))
        if w.readerless >= 0:  # a site with no badge readers
            b = {k: v[b["site"] != w.readerless] for k, v in b.items()}
        order = np.lexsort((b["ts"], b["i"]))
        site = b["site"][order]
        reader = pc.binary_join_element_wise(
            _take(w.site_ids_pa, site),
            _take(pa.array(["-R1", "-R2", "-R3"]), rng.integers(0, 3, len(order))),
            "",
        )
        out["badge_events"] = pa.table(
            {
                "event_id": _pa_ids("BE", counters["badge_events"], len(order)),
                "officer_id": _take(w.ids_pa, gi[b["i"][order]]),
                "site_id": _take(w.site_ids_pa, site),
                "reader_id": reader,
                "ts": _ts_array(b["ts"][order]),
                "direction": _take(pa.array(["in", "out"]), b["dir"][order]),
            },
            schema=arrow_schema(TABLES["badge_events"]),
        )
        if b["away"].any():  # days away: drawn, not written (the ids of the rest are as they were)
            out["badge_events"] = out["badge_events"].filter(pa.array(~b["away"][order]))
        if self.late_badge:  # the later plans' swipes, drawn on their own streams, in their places
            late = {
                k: np.concatenate([p[k] for p in self.late_badge])
                for k in ("i", "site", "ts", "dir", "reader")
            }
            kept = ~b["away"][order]
            all_i = np.r_[b["i"][order][kept], late["i"]]
            all_ts = np.r_[b["ts"][order][kept], late["ts"]]
            extra = pa.table(
                {
                    "event_id": pa.array([""] * len(late["i"]), type=pa.string()),
                    "officer_id": _take(w.ids_pa, gi[late["i"]]),
                    "site_id": _take(w.site_ids_pa, late["site"]),
                    "reader_id": pc.binary_join_element_wise(
                        _take(w.site_ids_pa, late["site"]),
                        _take(pa.array(["-R1", "-R2", "-R3"]), late["reader"]),
                        "",
                    ),
                    "ts": _ts_array(late["ts"]),
                    "direction": _take(pa.array(["in", "out"]), late["dir"]),
                },
                schema=arrow_schema(TABLES["badge_events"]),
            )
            both = pa.concat_tables([out["badge_events"], extra]).take(pa.array(np.lexsort((all_ts, all_i))))
            ids = _pa_ids("BE", counters["badge_events"], len(both))
            out["badge_events"] = both.set_column(0, "event_id", ids)
            counters["badge_events"] += len(late["i"])
        counters["badge_events"] += len(order)
        # remote sessions: agreed remote days, evenings, on call
        i, d = np.nonzero(self.remote_sess & self.active)
        st = self.W_s[i, d] + rng.integers(-15, 16, len(i))
        en = self.W_e[i, d] + rng.integers(-10, 41, len(i))
        split = rng.random(len(i)) < 0.2
        parts = [
            {"i": i[~split], "start": cal.ts(d[~split], st[~split]), "end": cal.ts(d[~split], en[~split])},
            {
                "i": i[split],
                "start": cal.ts(d[split], st[split]),
                "end": cal.ts(d[split], 720 + rng.integers(-20, 20, int(split.sum()))),
            },
            {
                "i": i[split],
                "start": cal.ts(d[split], 765 + rng.integers(-10, 20, int(split.sum()))),
                "end": cal.ts(d[split], en[split]),
            },
        ]
        pat = w.pattern[gi][:, None]
        ev = self.work & ~self.remote & (pat != FRONTLINE) & ~self.no_evening & (rng.random((n, nd)) < 0.03)
        i, d = np.nonzero(ev & self.active)
        s0 = 1140 + rng.integers(0, 31, len(i))
        parts.append({"i": i, "start": cal.ts(d, s0), "end": cal.ts(d, s0 + rng.integers(45, 121, len(i)))})
        i, d = np.nonzero((self.pay == ONCALL) & self.active & (rng.random((n, nd)) < 0.4))
        s0 = rng.integers(480, 1320, len(i))
        parts.append({"i": i, "start": cal.ts(d, s0), "end": cal.ts(d, s0 + rng.integers(30, 91, len(i)))})
        for p in parts:
            p["client"] = w.client[gi[p["i"]]]
            p["ip"] = w.home_ip[gi[p["i"]]]
        parts += self.rs
        r = {k: np.concatenate([p[k] for p in parts]) for k in ("i", "start", "end", "client", "ip")}
        r["start"] = r["start"] + rng.integers(0, 60, len(r["i"]))
        r["end"] = np.maximum(r["end"] + rng.integers(0, 60, len(r["i"])), r["start"] + 60)
        order = np.lexsort((r["start"], r["i"]))
        out["remote_sessions"] = pa.table(
            {
                "session_id": _pa_ids("RS", counters["remote_sessions"], len(order)),
                "officer_id": _take(w.ids_pa, gi[r["i"][order]]),
                "start": _ts_array(r["start"][order]),
                "end": _ts_array(r["end"][order]),
                "client": _take(pa.array(CLIENTS), r["client"][order]),
                "source_ip": pa.array(r["ip"][order], type=pa.string()),
            },
            schema=arrow_schema(TABLES["remote_sessions"]),
        )
        counters["remote_sessions"] += len(order)
        # system access
        a = {
            k: np.concatenate([p[k] for p in self.acc]) if self.acc else np.zeros(0, np.int64)
            for k in ("i", "ts", "rec", "action", "purpose", "site", "case", "system")
        }
        order = np.lexsort((a["ts"], a["i"]))
        rec = a["rec"][order]
        system = _choose(rng, SYSTEM_BY_TYPE, w.r_type[rec])
        system = np.where(a["system"][order] >= 0, a["system"][order], system)
        a = {k: v[order] for k, v in a.items()}
        if self.side_acc:  # the side look-alikes' lookups, their systems on their own stream
            side = {k: np.concatenate([p[k] for p in self.side_acc]) for k in a}
            s_sys = _choose(
                np.random.default_rng([w.seed, 405, self.bno]), SYSTEM_BY_TYPE, w.r_type[side["rec"]]
            )
            system = np.r_[system, np.where(side["system"] >= 0, side["system"], s_sys)]
            a = {k: np.r_[a[k], side[k]] for k in a}
            order = np.lexsort((a["ts"], a["i"]))
            a, system = {k: v[order] for k, v in a.items()}, system[order]
        if self.cut:  # lookups drawn after a duty was left: not written
            keep = np.ones(len(a["i"]), bool)
            for ci, t0, t1 in self.cut:
                keep &= ~((a["i"] == ci) & (a["ts"] > t0) & (a["ts"] <= t1))
            a, system = {k: v[keep] for k, v in a.items()}, system[keep]
        out["system_access"] = pa.table(
            {
                "access_id": _pa_ids("SA", counters["system_access"], len(system), 11),
                "officer_id": _take(w.ids_pa, gi[a["i"]]),
                "system": _take(pa.array(SYSTEMS), system),
                "action": _take(pa.array(ACTIONS), a["action"]),
                "record_id": _take(w.r_ids_pa, a["rec"]),
                "ts": _ts_array(a["ts"]),
                "site_id": _take(w.site_ids_pa, a["site"]),
                "purpose_code": _take(pa.array(PURPOSES), a["purpose"]),
                "case_ref": _take(w.c_ids_pa, a["case"]),
            },
            schema=arrow_schema(TABLES["system_access"]),
        )
        counters["system_access"] += len(system)
        return out


def blocks(w: World) -> Any:
    """Event tables block by block (``BLOCK`` officers each); truth rows are added to ``w``."""
    counters = dict.fromkeys(EVENT_TABLES, 0)
    for bno, a in enumerate(range(0, w.n, BLOCK)):
        yield Block(w, a, min(a + BLOCK, w.n), bno).emit(counters)
