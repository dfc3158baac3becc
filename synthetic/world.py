"""The ordinary force, apart from its events: sites, units, officers and their postings,
the people in police records, cases and who works them, records, complaints,
organisations, memberships and declarations; and the plan of which officers the planted
cases and look-alikes take (the plan's stages and their order are here; what each
detector family plants, and how, is in its own module).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from graph.contract import TABLES
from synthetic import access, association, attendance, network, roster
from synthetic.catalogue import DETECTORS, FORMS, LOOKALIKES, Stage
from synthetic.common import (
    ADDRESS_SPACE,
    ANALYST,
    CA_ROLES,
    CASE_TYPE_P,
    CASE_TYPES,
    FLAGS_OCG,
    FLAGS_OTHER,
    FORENAMES,
    FRONTLINE,
    HYBRID,
    INTELLIGENCE,
    INVESTIGATION,
    MIN_EVENT_DAYS,
    NEIGHBOURHOOD,
    NO_CODE_SHARE,
    OFFENCE,
    PATTERNS,
    PUBPROT,
    R_ADDRESS,
    R_CRIME,
    R_INTEL,
    R_PERSON,
    R_VEHICLE,
    RANK_NAMES,
    RESPONSE,
    ROLE_LOOKUPS,
    ROLES,
    RTYPES,
    S_NONE,
    S_RESTRICTED,
    S_SUSPECT,
    S_VICTIM,
    S_VIP,
    S_WITNESS,
    SENS,
    SUPPORT,
    SURNAMES,
    UNIT_FUNCS,
    Force,
    _addresses,
    _Calendar,
    _draw,
    _expand,
    _postcodes,
    _random_ids,
    _styles,
)
from synthetic.planting import DUTY_SIDE_LOOKALIKES, SIDE_LOOKALIKES, WINDOW, lookalikes
from synthetic.planting import forms as planned_forms


class World:
    """Everything that is not an event: the entity tables of a simulated force, the
    per-officer parameters the event simulation needs, and the plan of planted cases
    and look-alikes (with the truth rows that do not depend on events)."""

    # set by the family modules while the plans are laid
    member_plans: list[tuple[int, str]]
    """Officers on the membership lists with a declaration (planted) or who left before joining."""
    oic_cases: dict[int, list[int]]
    """The cases each officer is in charge of."""
    ppu_members: list[int]
    """The safeguarding unit whose members all review victims across cases."""
    ppu_plan: dict[int, list[int]]
    """The victims' records each member of the safeguarding unit reviews."""
    uncoded_team: list[int]
    """The team that often leaves the purpose code out (``access.no_purpose`` ``uncoded_tail``)."""
    late_crew: list[int]
    """The crew of ``network.crew`` ``diffuse_complaints``."""
    no_purpose_late: dict[int, dict[str, Any]]
    """``access.no_purpose``'s forms and look-alikes planned last (:func:`synthetic.access.late_no_purpose`)."""
    roster_late: dict[int, dict[str, Any]]
    """Roster cases and look-alikes planned after ``no_purpose_late`` (:func:`synthetic.roster.late_roster`)."""
    roster_late_quota: dict[str, int]
    """The cases of ``roster.overtime_overlap`` ``during_leave``'s later variants still to plant
    (:func:`synthetic.roster.plant_leave_day_extra`)."""
    rank_plan: dict[int, dict[str, Any]]
    """``attendance.below_threshold``'s ``rank_not_held_to_rule`` groups, planned after every
    other plan (:func:`synthetic.attendance.rank_groups`)."""
    personal_late: dict[int, dict[str, Any]]
    """``access.personal_link``'s ``declared_associate`` and ``associate_namesake``, planned after
    every other plan (:func:`synthetic.access.late_personal_link`)."""
    volume_late: dict[int, dict[str, Any]]
    """``access.volume_outlier``'s one-day forms and their look-alikes, planned after every other
    plan (:func:`synthetic.access.late_volume_outlier`)."""
    report_late: dict[int, dict[str, Any]]
    """``roster.self_approval``'s ``approved_by_report`` and its look-alike, planned after every
    other plan (:func:`synthetic.roster.late_report_approval`)."""
    short_late: dict[int, dict[str, Any]]
    """``roster.overtime_overlap``'s ``short_attendance`` and its look-alikes, planned after every
    other plan (:func:`synthetic.roster.late_short_attendance`)."""
    spare_taken: set[int]
    """Officers of the association detectors' plans taken for a plan made after every other
    (:func:`synthetic.roster.take_spare`)."""
    closed_late: dict[int, dict[str, Any]]
    """``access.no_purpose``'s ``closed_case`` and its look-alikes, planned after every other
    plan (:func:`synthetic.access.late_closed_case`)."""
    claim_plan: dict[int, list[dict[str, Any]]]
    """Claims planted for ``network.crew``'s approval groups and look-alikes: the claimant's
    claims, each with its approver (:func:`synthetic.network.late_approvals`)."""

    def __init__(
        self,
        base: Force,
        seed: int,
        as_of: dt.date,
        days: int,
        styles: dict[str, Any] | None = None,
        clean: bool = False,
    ) -> None:
        self.seed, self.as_of, self.days = seed, as_of, days
        self.styles = dict(styles or _styles(seed))
        self.clean = clean
        self.rng = np.random.default_rng([seed, 101])
        self.cal = _Calendar.make(as_of - dt.timedelta(days=days), days)
        self.tables: dict[str, pd.DataFrame] = dict(base.tables)
        self.truth_rows: list[dict[str, object]] = [
            {str(k): v for k, v in r.items()} for r in base.truth.to_dict("records")
        ]
        self.look_rows: list[dict[str, object]] = [
            {str(k): v for k, v in r.items()} for r in base.lookalikes.to_dict("records")
        ]
        self.plants: dict[str, dict[int, dict[str, Any]]] = {d: {} for d in DETECTORS}
        self.looks: dict[str, dict[int, dict[str, Any]]] = {d: {} for d in DETECTORS}
        self.side_looks: dict[str, dict[int, dict[str, Any]]] = {d: {} for d in DETECTORS}
        self.involved = set(base.truth["officer_id"]) | set(base.lookalikes["officer_id"])
        self.involved |= set(base.tables["declarations"]["officer_id"])
        self._officers()
        self._plan()
        self._persons()
        self._cases()
        self._records()
        self._link_and_lookup_plans()
        self._complaints()
        self._declarations()
        self._side_plans()
        self._late_plans()
        self._duty_plans()
        self._tie_plans()
        access.late_no_purpose(self)  # last, on a random stream of its own
        roster.late_roster(self)  # after it, on a random stream of its own
        attendance.rank_groups(self)  # after it, on a random stream of its own
        access.late_personal_link(self)  # after it, on a random stream of its own
        access.late_volume_outlier(self)  # after it, on a random stream of its own
        roster.late_report_approval(self)  # after it, on a random stream of its own
        roster.late_short_attendance(self)  # after it, on a random stream of its own
        access.late_closed_case(self)  # after it, on a random stream of its own

    # ---- small utilities

    def row(
        self,
        det: str,
        gi: int,
        d0: Any,
        d1: Any,
        note: str,
        group: str = "",
        look: bool = False,
        form: str = "",
    ) -> None:
        known = LOOKALIKES[det] if look else FORMS[det]
        assert form in known or (look and form), (det, form)
        row: dict[str, object] = {
            "officer_id": str(self.ids[gi]),
            "detector": det,
            "group_id": group,
            "window_start": d0 if isinstance(d0, str) else self.cal.iso(int(d0)),
            "window_end": d1 if isinstance(d1, str) else self.cal.iso(int(d1)),
            "form": form,
            "note": note,
        }
        (self.look_rows if look else self.truth_rows).append(row)

    def window(self, det: str, length: int | None = None) -> tuple[int, int]:
        length = min(WINDOW[det] if length is None else length, self.days)
        ws = int(self.rng.integers(0, self.days - length + 1))
        return ws, ws + length - 1

    def take(self, k: int, mask: np.ndarray | None = None) -> list[int]:
        ok = ~self.used if mask is None else (mask & ~self.used)
        cand = np.flatnonzero(ok)
        pick = self.rng.choice(cand, min(k, len(cand)), replace=False) if len(cand) else np.array([], int)
        self.used[pick] = True
        return sorted(int(x) for x in pick)

    def address(self, k: int) -> np.ndarray:
        out = self.addr_pool[self.addr_next : self.addr_next + k]
        if len(out) < k:
            raise RuntimeError("address pool exhausted")
        self.addr_next += k
        return out

    def phone(self, k: int) -> np.ndarray:
        out = self.phone_pool[self.phone_next : self.phone_next + k]
        if len(out) < k:
            raise RuntimeError("phone pool exhausted")
        self.phone_next += k
        return out

    # ---- officers, units, assignments

    def _officers(self) -> None:
        rng, cal = self.rng, self.cal
        off = self.tables["officers"].copy()
        units = self.tables["units"].copy()
        sites = self.tables["sites"]
        n = self.n = len(off)
        self.ids = off["officer_id"].to_numpy(object)
        self.ids_pa = pa.array(self.ids, type=pa.string())
        self.site_ids_pa = pa.array(sites["site_id"].to_numpy(object), type=pa.string())
        site_index = {s: i for i, s in enumerate(sites["site_id"])}
        unit_index = {u: i for i, u in enumerate(units["unit_id"])}
        nu = len(units)
        func = _draw(rng, (0.3, 0.2, 0.2, 0.1, 0.1, 0.1), nu)
        units["name"] = [f"{UNIT_FUNCS[f]} {i}" for i, f in enumerate(func)]
        self.unit_func = func
        self.unit_busy = np.where(rng.random(nu) < 0.12, rng.uniform(2.0, 2.6, nu), rng.uniform(0.8, 1.2, nu))
        unit = off["unit_id"].map(unit_index).to_numpy(np.int64).copy()
        self.unit = unit
        self.site = units["site_id"].map(site_index).to_numpy(np.int64)[unit]
        self.pattern = off["work_pattern"].map({p: i for i, p in enumerate(PATTERNS)}).to_numpy(np.int64)
        st = off["staff_type"].to_numpy(object)
        self.is_officer = st == "officer"
        lv = _draw(rng, (0.72, 0.16, 0.07, 0.03, 0.015, 0.005), n)
        lv[~self.is_officer] = 0
        self.level = lv
        rank = np.where(self.is_officer, RANK_NAMES[lv], np.where(st == "pcso", "PCSO", "Staff"))
        f = func[unit]
        fl = self.pattern == FRONTLINE
        role = np.full(n, RESPONSE)
        role[fl & (f == 1)] = NEIGHBOURHOOD
        role[~fl] = INVESTIGATION
        role[~fl & (f == 3)] = PUBPROT
        role[~fl & (f == 4)] = INTELLIGENCE
        role[st == "pcso"] = NEIGHBOURHOOD
        staff = st == "staff"
        role[staff] = np.where(f[staff] == 4, ANALYST, SUPPORT)
        self.role = role

        # line managers: the next rank up in the unit, else in the force
        manager = np.full(n, -1)
        pools = [np.flatnonzero(self.is_officer & (lv == k)) for k in range(6)]
        order = np.argsort(unit, kind="stable")
        cuts = np.flatnonzero(np.diff(unit[order])) + 1
        for members in np.split(order, cuts):
            lm = lv[members]
            for k in np.unique(lm):
                who = members[lm == k]
                higher = np.unique(lm[lm > k])
                if len(higher):
                    cand = members[lm == higher[0]]
                else:
                    up = [j for j in range(int(k) + 1, 6) if len(pools[j])]
                    if not up:
                        continue
                    cand = pools[up[0]]
                manager[who] = rng.choice(cand, len(who))
        self.manager = manager
        approver = manager.copy()
        seniors = np.flatnonzero(self.is_officer & (lv >= 2))
        if not len(seniors):
            seniors = np.arange(n)
        for i in np.flatnonzero(approver < 0):
            cand = seniors[seniors != i] if len(seniors) > 1 else np.array([(i + 1) % n])
            approver[i] = rng.choice(cand)
        # the top of the force is approved by a senior who is neither at the top nor line-managed
        # by someone who is, so an ordinary force's approvals never close a loop (network.crew's
        # approval groups are planted); drawn on a stream of its own, the draws above stay as they were
        top = manager < 0
        safe = seniors[(manager[seniors] >= 0) & ~top[np.maximum(manager[seniors], 0)]]
        bad = np.flatnonzero(top & ~np.isin(approver, safe))
        if len(bad) and len(safe):
            approver[bad] = np.random.default_rng([self.seed, 102]).choice(safe, len(bad))
        self.approver = approver
        # a roster clerk (member of staff) per site
        staff_idx = np.flatnonzero(staff)
        clerk_of_site = np.full(len(sites), -1)
        for s in range(len(sites)):
            here = staff_idx[self.site[staff_idx] == s]
            if len(here):
                clerk_of_site[s] = rng.choice(here)
            elif len(staff_idx):
                clerk_of_site[s] = rng.choice(staff_idx)
        clerk = clerk_of_site[self.site]
        self.clerk = np.where(clerk >= 0, clerk, approver)

        start = pd.to_datetime(off["start_date"])
        self.start_day = ((start - pd.Timestamp(cal.start)).dt.days).to_numpy(np.int64)
        self.rota = (unit * 3 + rng.integers(0, 5, n) * 2) % 10
        self.day_start = rng.choice(np.array([450, 480, 510, 540, 570]), n)
        self.remote_wd = np.zeros((n, 7), dtype=bool)
        two = np.argsort(rng.random((n, 5)), axis=1)[:, :2]
        hyb = self.pattern == HYBRID
        self.remote_wd[np.repeat(np.flatnonzero(hyb), 2), two[hyb].ravel()] = True
        self.lam = ROLE_LOOKUPS[role] * self.unit_busy[unit] * rng.lognormal(0.0, 0.3, n)
        self.oncall_ok = self.is_officer & (lv >= 1)
        self.no_code = np.full(n, NO_CODE_SHARE)
        """Each officer's share of ordinary lookups with no purpose code (a team's habit raises it)."""
        octets = rng.integers(0, 256, (n, 3))
        self.home_ip = (
            "100."
            + (64 + octets[:, 0] % 64).astype(str).astype(object)
            + "."
            + octets[:, 1].astype(str).astype(object)
            + "."
            + (1 + octets[:, 2] % 254).astype(str).astype(object)
        )
        self.client = (rng.random(n) < 0.3).astype(np.int64)

        # unique addresses and phones for officers and everyone in police records
        n_bg = max(2000, 8 * n)
        need = n + n_bg + 6 * n // 10 + 2000
        self.addr_pool = _addresses(rng.choice(ADDRESS_SPACE, need, replace=False))
        self.addr_next = 0
        taken = set(off["phone"])
        cand = ("07" + rng.integers(100000000, 999999999, 2 * need).astype(str).astype(object)).astype(object)
        _, first = np.unique(cand, return_index=True)
        cand = cand[np.sort(first)]
        self.phone_pool = cand[~pd.Series(cand).isin(taken).to_numpy()]
        self.phone_next = 0

        ascii_name = (
            (
                off["forenames"].str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
                + "."
                + off["surname"].str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
            )
            .str.lower()
            .str.replace(r"[^a-z.]", "", regex=True)
        )
        off["rank"] = rank
        off["line_manager_id"] = (
            pd.Series(self.ids[np.maximum(manager, 0)]).where(manager >= 0, None).to_numpy()
        )
        off["home_address"] = self.address(n)
        off["email"] = ascii_name + "." + off["officer_id"] + "@police.example"
        off["gender"] = rng.choice(np.array(["female", "male"]), n, p=[0.35, 0.65])
        off["ethnicity"] = rng.choice(
            np.array(["White", "Asian", "Black", "Mixed", "Other"]), n, p=[0.86, 0.06, 0.03, 0.03, 0.02]
        )
        self.tables["officers"] = off[TABLES["officers"].names]
        self.tables["units"] = units

        # assignments: the current posting and, for some, the one before
        since = np.maximum(self.start_day, -rng.integers(0, 6 * 365, n))
        prev = (rng.random(n) < 0.4) & (since - self.start_day > 60)
        other_unit = (unit + rng.integers(1, max(2, nu), n)) % nu
        unit_ids = units["unit_id"].to_numpy(object)
        role_names = np.array(ROLES, dtype=object)[role]
        cur = pd.DataFrame(
            {
                "officer_id": self.ids,
                "unit_id": unit_ids[unit],
                "start_date": cal.dates(since),
                "end_date": None,
                "rank": rank,
                "role": role_names,
            }
        )
        pi = np.flatnonzero(prev & (other_unit != unit))
        before = pd.DataFrame(
            {
                "officer_id": self.ids[pi],
                "unit_id": unit_ids[other_unit[pi]],
                "start_date": cal.dates(self.start_day[pi]),
                "end_date": cal.dates(since[pi] - 1),
                "rank": rank[pi],
                "role": role_names[pi],
            }
        )
        self.tables["assignments"] = pd.concat([before, cur], ignore_index=True).sort_values(
            ["officer_id", "start_date"], kind="stable", ignore_index=True
        )

    # ---- who is planted, where

    def forms(self, det: str, k: int) -> list[str]:
        """``k`` forms of ``det``: each case's form is uniform at random, and every form
        comes once before any comes twice (rounds of random permutations)."""
        forms = list(planned_forms(det, Stage.PLAN))
        if det == "access.off_duty" and not self.styles["rest_day_rows"]:
            forms.remove("rest_day_row")  # a duty system that writes no rest-day rows
        out: list[str] = []
        while forms and len(out) < k:
            out += [str(f) for f in self.rng.permutation(np.array(forms, dtype=object))]
        return out[:k]

    def _plan(self) -> None:
        """Which officers the planted cases and the look-alikes of stage ``plan`` take, and
        in which windows: the cases first (a small force runs out of officers), each family's
        own choices of who may be taken in its module."""
        n = self.n
        self.used = (self.start_day > 0) | pd.Series(self.ids).isin(self.involved).to_numpy()
        k = max(3, round(0.005 * n))
        self.k = k
        self.kl = kl = max(1 if n < 250 else 2, round(0.6 * k))
        """Officers per look-alike."""
        self.events = self.days >= MIN_EVENT_DAYS
        self.no_shifts = np.zeros(n, bool)
        """Officers with no shift rows at all (not on the duty system)."""
        self.readerless = -1
        self.crews: list[tuple[list[int], str]] = []
        self.crew_looks: list[list[int]] = []
        self.team_looks: list[tuple[list[int], str]] = []
        plant = not self.clean
        if self.events:
            attendance.readerless_site(self)
            attendance.new_starters(self)
            access.small_unit(self)
            masks = {**attendance.case_masks(self), **access.case_masks(self), **roster.case_masks(self)}
            for det in WINDOW:
                if not plant:
                    break
                # as many cases as the forms planned here (forms planned later take officers of their own)
                for form in self.forms(det, max(k, len(planned_forms(det, Stage.PLAN)))):
                    for gi in self.take(1, masks.get((det, form))):
                        length = 120 if (det, form) == ("access.sensitive_victims", "breadth") else None
                        ws, we = self.window(det, length)
                        if (det, form) == ("access.volume_outlier", "sustained"):
                            ws, we = 0, self.days - 1
                        self.plants[det][gi] = {"ws": ws, "we": we, "form": form}
                        if (det, form) in attendance.OFF_DUTY_SYSTEM:
                            self.no_shifts[gi] = True
                        if form == "second_account":
                            self.plants[det][gi]["alt"] = self.take(1, self.is_officer)
            if plant:
                network.plan_crews(self)
        if plant:
            association.plan_links(self)
            network.plan_hidden_links(self)
        association.plan_declarations(self)
        if self.events:
            la_masks = {
                **attendance.lookalike_masks(self),
                **access.lookalike_masks(self),
                **roster.lookalike_masks(self),
            }
            for det in (*WINDOW, "association.undeclared_link"):
                for form in lookalikes(det, Stage.PLAN):
                    for gi in self.take(kl, la_masks.get((det, form))):
                        ws, we = self.window(det) if det in WINDOW else (0, self.days - 1)
                        self.looks[det][gi] = {"ws": ws, "we": we, "form": form}
                        if form == "not_on_duty_system":
                            self.no_shifts[gi] = True
            access.plan_new_starters(self)
            network.plan_teams(self)
        else:
            for det in ("association.undeclared_link",):
                for form in lookalikes(det, Stage.PLAN):
                    for gi in self.take(kl):
                        self.looks[det][gi] = {"ws": 0, "we": max(0, self.days - 1), "form": form}
        for form in lookalikes("network.hidden_link", Stage.PLAN):
            for gi in self.take(kl):
                self.looks["network.hidden_link"][gi] = {"form": form}
        association.plan_left_before_joining(self)
        roster.accounts(self)

    def groups(self, g: int, mask: np.ndarray | None, size: tuple[int, int] = (3, 5)) -> list[list[int]]:
        """``g`` groups of ``size`` (low, high exclusive) unused officers from the same unit."""
        out: list[list[int]] = []
        ok = ~self.used if mask is None else (mask & ~self.used)
        for u in self.rng.permutation(len(self.unit_busy)):
            if len(out) >= g:
                break
            cand = np.flatnonzero(ok & (self.unit == u))
            k = int(self.rng.integers(*size))
            if len(cand) >= k:
                pick = sorted(int(x) for x in self.rng.choice(cand, k, replace=False))
                self.used[pick] = True
                ok[pick] = False
                out.append(pick)
        return out

    # ---- people in police records

    def _persons(self) -> None:
        rng, n = self.rng, self.n
        off = self.tables["officers"]
        people = People(self)  # people linked to officers (or to planted links)
        o_sur, o_pc, o_addr = people.o_sur, people.o_pc, people.o_addr
        rows = people.rows
        relative = people.relative
        self.link_person: dict[tuple[str, int], list[int]] = {}
        self.extra_decl: list[dict[str, Any]] = []
        self.extra_members: list[dict[str, Any]] = []
        self.extra_orgs: list[dict[str, Any]] = []
        association.link_persons(self, people)
        network.link_persons(self, people)
        access.link_persons(self, people)
        if (o_addr != off["home_address"].to_numpy(object)).any():
            off = off.copy()
            off["home_address"] = o_addr
            self.tables["officers"] = off
        # background: relatives of officers in police records (not flagged), some declared
        linked_officers = {gi for (_, gi) in self.link_person}
        self.bg_relatives: list[tuple[int, int]] = []
        for g in np.flatnonzero(rng.random(n) < 0.06).tolist():
            if g not in linked_officers and not self.used[g]:
                self.bg_relatives.append((g, relative(g)))

        # the public: households at distinct addresses, associates sharing phones, OCG groups
        n_bg = max(2000, 8 * n)
        sizes = _draw(rng, (0.35, 0.3, 0.17, 0.13, 0.05), n_bg) + 1
        cum = np.cumsum(sizes)
        nh = int(np.searchsorted(cum, n_bg)) + 1
        sizes = sizes[:nh]
        sizes[-1] -= int(cum[nh - 1] - n_bg)
        hh = np.repeat(np.arange(nh), sizes)
        hh_sur = rng.choice(np.array(SURNAMES, dtype=object), nh)
        sur = np.where(
            rng.random(n_bg) < 0.75, hh_sur[hh], rng.choice(np.array(SURNAMES, dtype=object), n_bg)
        )
        addr = self.address(nh)[hh]
        pcode = _postcodes(rng, nh)[hh]
        phone = self.phone(n_bg).copy()
        phone[rng.random(n_bg) >= 0.8] = None
        flags = np.full(n_bg, None, dtype=object)
        n_ocg = max(3, n_bg // 500)
        members = rng.choice(n_bg, n_ocg * 6, replace=False).reshape(n_ocg, 6)
        size = rng.integers(3, 7, n_ocg)
        for c in range(n_ocg):
            m = members[c, : size[c]]
            flags[m] = rng.choice(np.array(FLAGS_OCG, dtype=object), len(m))
            if phone[m[0]] is None:
                phone[m[0]] = self.phone(1)[0]
            share_phone = rng.random(len(m) - 1) < 0.5
            phone[m[1:][share_phone]] = phone[m[0]]
            addr[m[1:][~share_phone]] = addr[m[0]]
            pcode[m[1:][~share_phone]] = pcode[m[0]]
        other = (rng.random(n_bg) < 0.01) & (flags == None)  # noqa: E711
        flags[other] = rng.choice(np.array(FLAGS_OTHER, dtype=object), int(other.sum()))
        assoc = np.flatnonzero(rng.random(n_bg) < 0.02)
        partner = rng.integers(0, n_bg, len(assoc))
        has = phone[partner] != None  # noqa: E711
        phone[assoc[has]] = phone[partner[has]]

        # nobody in the records shares an officer's (or a linked person's) surname and postcode
        # by chance: such a link must be planted or it would be an unknown true case
        def key(s: Any, p: Any) -> Any:
            return (
                pd.Series(s).str.casefold().to_numpy(object)
                + "|"
                + pd.Series(p).str.replace(" ", "").str.upper().to_numpy(object)
            )

        lk = pd.DataFrame(
            rows, columns=["surname", "forenames", "dob", "postcode", "address", "phone", "flags"]
        )
        keys = set(key(o_sur, o_pc)) | set(key(lk["surname"], lk["postcode"]))
        for _ in range(10):
            clash = pd.Series(key(sur, pcode)).isin(keys).to_numpy()
            if not clash.any():
                break
            sur[clash] = rng.choice(np.array(SURNAMES, dtype=object), int(clash.sum()))

        n_l = len(lk)
        total = n_bg + n_l
        self.n_bg = n_bg
        self.p_linked = np.r_[np.zeros(n_bg, bool), np.ones(n_l, bool)]
        all_flags = np.r_[flags, lk["flags"].to_numpy(object)]
        self.p_flagged = pd.Series(all_flags).notna().to_numpy()
        self.p_vip = np.r_[rng.random(n_bg) < 0.0005, np.zeros(n_l, bool)]
        self.p_household = np.r_[hh, -1 - np.arange(n_l)]
        self.p_surname = np.r_[sur, lk["surname"].to_numpy(object)]
        self.p_postcode = np.r_[pcode, lk["postcode"].to_numpy(object)]
        dob = np.r_[-rng.integers(16 * 365, 90 * 365, n_bg), lk["dob"].to_numpy(np.int64)]
        self.p_ids = _random_ids(rng, "P", total, 7)
        self.p_ids_pa = pa.array(self.p_ids, type=pa.string())
        persons = pd.DataFrame(
            {
                "person_id": self.p_ids,
                "surname": self.p_surname,
                "forenames": np.r_[
                    rng.choice(np.array(FORENAMES, dtype=object), n_bg), lk["forenames"].to_numpy(object)
                ],
                "date_of_birth": [self.as_of + dt.timedelta(days=int(d)) for d in dob],
                "postcode": self.p_postcode,
                "address": np.r_[addr, lk["address"].to_numpy(object)],
                "phone": np.r_[phone, lk["phone"].to_numpy(object)],
                "nominal_flags": all_flags,
            }
        )
        self.persons_frame = persons
        self.linked_base = n_bg  # linked person j is person n_bg + j
        self.p_dob = persons["date_of_birth"].to_numpy(object)

    # ---- cases and who works them

    def _cases(self) -> None:
        rng, n, days = self.rng, self.n, self.days
        inv = np.flatnonzero(
            self.is_officer & (self.pattern != FRONTLINE) & np.isin(self.role, [INVESTIGATION, PUBPROT])
        )
        if not len(inv):
            inv = (
                np.flatnonzero(self.pattern != FRONTLINE)
                if (self.pattern != FRONTLINE).any()
                else np.arange(n)
            )
        front = np.flatnonzero(self.pattern == FRONTLINE)
        if not len(front):
            front = np.arange(n)
        nc = max(20, round(2.0 * n * (days + 120) / 365))
        oic = rng.choice(inv, nc)
        opened = np.maximum(rng.integers(-120, days, nc), self.start_day[oic])
        keep = opened < days
        oic, opened = oic[keep], opened[keep]
        nc = len(oic)
        closed = opened + 14 + rng.exponential(75, nc).astype(np.int64)
        pp = self.role[oic] == PUBPROT
        ctype = _draw(rng, CASE_TYPE_P, nc)
        ctype[pp] = np.where(rng.random(int(pp.sum())) < 0.45, 4, 3)
        self.crew_look_case: list[int] = []
        extra = network.joint_operation_cases(self)
        if extra:
            oic = np.r_[oic, [e[0] for e in extra]]
            opened = np.r_[opened, [e[1] for e in extra]]
            closed = np.r_[closed, [e[1] + 60 for e in extra]]
            ctype = np.r_[ctype, [e[2] for e in extra]]
            self.crew_look_case = list(range(nc, nc + len(extra)))
            nc += len(extra)
        self.c_type = ctype
        self.c_opened, self.c_closed = opened, closed
        self.c_ids = np.char.add("CR", np.char.zfill((np.arange(nc) + 10_000).astype(str), 7)).astype(object)
        self.c_ids_pa = pa.array(self.c_ids, type=pa.string())
        self.tables["cases"] = pd.DataFrame(
            {
                "case_ref": self.c_ids,
                "opened": self.cal.dates(opened),
                "closed": self.cal.dates(np.minimum(closed, days - 1), closed >= days),
                "case_type": np.array(CASE_TYPES, dtype=object)[ctype],
            }
        )
        cases = np.arange(nc)
        # investigator from the OIC's unit
        order = np.argsort(self.unit[inv], kind="stable")
        inv_sorted = inv[order]
        u_sorted = self.unit[inv_sorted]
        lo = np.searchsorted(u_sorted, self.unit[oic], "left")
        hi = np.searchsorted(u_sorted, self.unit[oic], "right")
        mate = inv_sorted[np.minimum(lo + (rng.random(nc) * (hi - lo)).astype(np.int64), len(inv_sorted) - 1)]
        parts = [
            (cases, oic, 0, opened, closed),
            (cases, mate, 1, opened + rng.integers(0, 10, nc), closed),
            (cases, rng.choice(front, nc), 2, opened, opened + 2),
            (cases, np.where(self.manager[oic] >= 0, self.manager[oic], oic), 3, opened, closed),
        ]
        wants = [np.ones(nc, bool), rng.random(nc) < 0.3, rng.random(nc) < 0.5, rng.random(nc) < 0.25]
        cols: dict[str, list[np.ndarray]] = {k: [] for k in ("case", "off", "role", "start", "end")}
        for (c, o, r, s, e), w in zip(parts, wants, strict=True):
            if r in (1, 3) and self.crew_look_case:
                w = w.copy()
                w[self.crew_look_case] = False
            for k, v in zip(cols, (c[w], o[w], np.full(int(w.sum()), r), s[w], e[w]), strict=True):
                cols[k].append(np.asarray(v))
        for lc, grp in zip(self.crew_look_case, self.crew_looks, strict=True):
            for mate_i in grp[1:]:
                for k, v in zip(cols, ([lc], [mate_i], [1], [opened[lc]], [closed[lc]]), strict=True):
                    cols[k].append(np.asarray(v))
        ca = {k: np.concatenate(v).astype(np.int64) for k, v in cols.items()}
        ok = (self.start_day[ca["off"]] <= ca["start"]) | (ca["role"] == 0)
        frame = pd.DataFrame(ca)[ok]
        frame = frame.drop_duplicates(["case", "off"], keep="first").sort_values(
            ["case", "role"], kind="stable"
        )
        self.ca = {k: frame[k].to_numpy(np.int64) for k in frame.columns}
        self.tables["case_assignments"] = pd.DataFrame(
            {
                "case_ref": self.c_ids[self.ca["case"]],
                "officer_id": self.ids[self.ca["off"]],
                "role": np.array(CA_ROLES, dtype=object)[self.ca["role"]],
                "start_date": self.cal.dates(self.ca["start"]),
                "end_date": self.cal.dates(np.minimum(self.ca["end"], days - 1), self.ca["end"] >= days),
            }
        )
        self.assigned: dict[int, set[int]] = {}
        for c, o in zip(self.ca["case"], self.ca["off"], strict=True):
            self.assigned.setdefault(int(o), set()).add(int(c))
        if self.events:
            access.case_lookalikes(self)

    # ---- records: nominals, vehicles, addresses, intelligence, case records

    def _records(self) -> None:
        rng = self.rng
        np_ = len(self.p_ids)
        bg = np.arange(self.n_bg)
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("type", "person", "case", "sens", "off")}

        def add(t: Any, person: Any, case: Any, sens: Any, off: Any) -> None:
            k = len(person)
            for key, v in zip(parts, (t, person, case, sens, off), strict=True):
                parts[key].append(np.broadcast_to(np.asarray(v, dtype=np.int64), (k,)).copy())

        sens = np.where(self.p_flagged, S_SUSPECT, np.where(self.p_vip, S_VIP, S_NONE))
        add(R_PERSON, np.arange(np_), -1, sens, -1)
        owners = bg[rng.random(self.n_bg) < 0.25]
        add(R_VEHICLE, owners, -1, S_NONE, -1)
        hh_first = np.flatnonzero(np.r_[True, np.diff(self.p_household[bg]) != 0])
        add(R_ADDRESS, hh_first[rng.random(len(hh_first)) < 0.15], -1, S_NONE, -1)
        flagged = np.flatnonzero(self.p_flagged)
        owner, _ = _expand(rng.integers(1, 5, len(flagged)))
        add(R_INTEL, flagged[owner], -1, S_RESTRICTED, -1)
        n_nominal = sum(len(x) for x in parts["person"])
        # case records, contiguous per case: crime, victims, witnesses, suspect, vehicle, address
        nc = len(self.c_ids)
        no_victim = np.isin(self.c_type, [6]) | (np.isin(self.c_type, [8]) & (rng.random(nc) < 0.5))
        counts = np.stack(
            [
                np.ones(nc, np.int64),
                np.where(no_victim, 0, 1),
                rng.integers(0, 3, nc),
                (rng.random(nc) < 0.7).astype(np.int64),
                (rng.random(nc) < 0.15).astype(np.int64),
                (rng.random(nc) < 0.25).astype(np.int64),
            ],
            axis=1,
        )
        total = counts.sum(axis=1)
        case, k = _expand(total)
        kind = (k[:, None] >= np.cumsum(counts, axis=1)[case]).sum(axis=1)
        rtype = np.array([R_CRIME, R_PERSON, R_PERSON, R_PERSON, R_VEHICLE, R_ADDRESS])[kind]
        csens = np.array([S_NONE, S_VICTIM, S_WITNESS, S_SUSPECT, S_NONE, S_NONE])[kind]
        who = rng.choice(bg, len(case))
        susp = (kind == 3) & (rng.random(len(case)) < 0.1)
        bg_flagged = np.flatnonzero(self.p_flagged[: self.n_bg])
        if len(bg_flagged):
            who[susp] = rng.choice(bg_flagged, int(susp.sum()))
        person = np.where(np.isin(kind, [1, 2, 3, 4]), who, -1)
        add(rtype, person, case, csens, self.c_type[case])
        self.case_rec_start = n_nominal + np.cumsum(total) - total
        self.case_rec_n = total

        r = {key: np.concatenate(v) for key, v in parts.items()}
        self.r_type, self.r_person, self.r_case, self.r_sens = r["type"], r["person"], r["case"], r["sens"]
        nr = len(self.r_type)
        self.r_ids = _random_ids(rng, "R", nr, 8)
        self.r_ids_pa = pa.array(self.r_ids, type=pa.string())
        linked = np.zeros(nr, bool)
        linked[self.r_person >= 0] = self.p_linked[self.r_person[self.r_person >= 0]]
        nominal = np.arange(nr) < n_nominal
        pool = np.flatnonzero(
            nominal
            & np.isin(self.r_type, [R_PERSON, R_VEHICLE, R_ADDRESS])
            & ~linked
            & (self.r_sens != S_VIP)
        )
        self.ops_pool = rng.permutation(pool)
        self.intel_pool = np.flatnonzero((self.r_type == R_INTEL) & ~linked)
        self.victim_pool = np.flatnonzero(np.isin(self.r_sens, [S_VICTIM, S_WITNESS]) & (self.r_case >= 0))
        sens_case = np.isin(self.c_type[np.maximum(self.r_case, 0)], [3, 4])
        self.sens_pool = self.victim_pool[sens_case[self.victim_pool]]
        self.records_by_person: dict[int, list[int]] = {}
        for ri in np.flatnonzero(linked):
            self.records_by_person.setdefault(int(self.r_person[ri]), []).append(int(ri))
        offence = np.array([None, *OFFENCE], dtype=object)
        self.tables["persons"] = self.persons_frame.iloc[
            rng.permutation(len(self.persons_frame))
        ].reset_index(drop=True)
        perm = rng.permutation(nr)
        self.tables["records"] = pd.DataFrame(
            {
                "record_id": self.r_ids[perm],
                "record_type": np.array(RTYPES, dtype=object)[self.r_type[perm]],
                "person_id": np.where(
                    self.r_person[perm] >= 0, self.p_ids[np.maximum(self.r_person[perm], 0)], None
                ),
                "case_ref": np.where(
                    self.r_case[perm] >= 0, self.c_ids[np.maximum(self.r_case[perm], 0)], None
                ),
                "sensitivity": np.array(SENS, dtype=object)[self.r_sens[perm]],
                "offence_category": offence[r["off"][perm] + 1],
            }
        )

    # ---- records chosen for planted lookups; truth for links

    def not_assigned(self, gi: int, pool: np.ndarray, k: int) -> list[int]:
        mine = self.assigned.get(gi, set())
        out: list[int] = []
        for _ in range(50 * k):
            if len(out) >= k or not len(pool):
                break
            ri = int(self.rng.choice(pool))
            if int(self.r_case[ri]) not in mine and ri not in out:
                out.append(ri)
        return out

    def _link_and_lookup_plans(self) -> None:
        """The truth rows of the links; the records planted lookups look up; the crews' plans."""
        self.crew_plan: dict[int, dict[str, Any]] = {}
        self.crew_look_plan: dict[int, dict[str, Any]] = {}
        association.link_truth(self)
        network.hidden_link_truth(self)
        if not self.events:
            return
        access.lookup_plans(self)
        network.crew_plans(self)

    def linked_id(self, j: int) -> str:
        """The person id of linked person ``j`` (made in :meth:`_persons`)."""
        return str(self.p_ids[self.linked_base + j])

    def linked_flags(self, j: int) -> Any:
        """The nominal flags of linked person ``j``."""
        return self.persons_frame["nominal_flags"].to_numpy(object)[self.linked_base + j]

    # ---- look-alikes planned after the rest, on random streams of their own

    def _side_plans(self) -> None:
        """The look-alikes of :data:`~synthetic.planting.SIDE_LOOKALIKES`, on a random stream of
        their own (nothing chosen later depends on which officers they take)."""
        if not self.events:
            return
        saved, self.rng = self.rng, np.random.default_rng([self.seed, 303])
        try:
            masks = access.side_masks(self)
            for det, form in SIDE_LOOKALIKES:
                for gi in self.take(self.kl, masks.get((det, form))):
                    ws, we = self.window(det)
                    self.side_looks[det][gi] = {"ws": ws, "we": we, "form": form}
            access.side_lookups(self)
        finally:
            self.rng = saved

    def _duty_plans(self) -> None:
        """The look-alikes of :data:`~synthetic.planting.DUTY_SIDE_LOOKALIKES`, after everything
        else and on a random stream of their own."""
        if not self.events:
            return
        saved, self.rng = self.rng, np.random.default_rng([self.seed, 304])
        try:
            masks = {**roster.duty_masks(self), **attendance.duty_masks(self)}
            for det, form in DUTY_SIDE_LOOKALIKES:
                for gi in self.take(self.kl, masks.get((det, form))):
                    ws, we = self.window(det)
                    self.side_looks[det][gi] = {"ws": ws, "we": we, "form": form}
                    if (det, form) in attendance.OFF_DUTY_SYSTEM:  # no duty rows, so no leave rows either
                        self.no_shifts[gi] = True
            roster.team_mailbox(self)
        finally:
            self.rng = saved

    def _tie_plans(self) -> None:
        """Approval groups and ties between colleagues (:func:`synthetic.network.late_ties`),
        after everything else, on random streams of their own: the officers every other plan
        picks stay the same."""
        saved, first = self.rng, len(self.late_persons)
        try:
            network.late_ties(self)
            if len(self.late_persons) > first:
                persons = self.tables["persons"]
                late = pd.DataFrame(self.late_persons[first:]).reindex(columns=persons.columns)
                self.tables["persons"] = pd.concat([persons, late], ignore_index=True)
        finally:
            self.rng = saved

    # ---- complaints

    def _complaints(self) -> None:
        rng, n, days, cal = self.rng, self.n, self.days, self.cal
        nc = max(5, round(0.25 * n * days / 365))
        w = np.where(self.pattern == FRONTLINE, 3.0, 1.0) * (self.start_day < days)
        primary = rng.choice(n, nc, p=w / w.sum())
        received = np.maximum(rng.integers(0, days, nc), np.minimum(self.start_day[primary] + 30, days - 1))
        order = np.argsort(self.unit, kind="stable")
        u_sorted = self.unit[order]
        lo = np.searchsorted(u_sorted, self.unit[primary], "left")
        hi = np.searchsorted(u_sorted, self.unit[primary], "right")
        subj = [primary]
        masks = [np.ones(nc, bool)]
        for p_extra in (0.3, 0.08):
            mate = order[lo + (rng.random(nc) * (hi - lo)).astype(np.int64)]
            subj.append(mate)
            masks.append((rng.random(nc) < p_extra) & (mate != primary))
        cid = np.arange(nc)
        cs = pd.DataFrame(
            {
                "c": np.concatenate([cid[m] for m in masks]),
                "o": np.concatenate([s[m] for s, m in zip(subj, masks, strict=True)]),
            }
        ).drop_duplicates()
        cs = cs[self.start_day[cs["o"].to_numpy()] <= received[cs["c"].to_numpy()]]
        cat = np.array(
            [
                "incivility",
                "use of force",
                "service failure",
                "discrimination",
                "improper disclosure",
                "conduct",
            ],
            dtype=object,
        )
        category = cat[_draw(rng, (0.3, 0.2, 0.25, 0.08, 0.05, 0.12), nc)]
        source = np.where(
            category == "conduct", "internal", np.where(rng.random(nc) < 0.9, "public", "internal")
        )
        complaints = {
            "received": list(received),
            "incident": list(received - rng.integers(0, 60, nc)),
            "category": list(category),
            "source": list(source),
        }
        subjects = list(zip(cs["c"].tolist(), cs["o"].tolist(), strict=True))

        # complaints naming crews and teams (the network family's)
        def complaint(d: int, named: list[int], cat: str | None = None) -> None:
            c = len(complaints["received"])
            for key, v in zip(
                complaints,
                (
                    d,
                    d - int(rng.integers(1, 30)),
                    cat or str(rng.choice(["use of force", "incivility", "conduct", "improper disclosure"])),
                    "public",
                ),
                strict=True,
            ):
                complaints[key].append(v)
            subjects.extend((c, o) for o in named)

        network.crew_complaints(self, complaint)
        ncc = len(complaints["received"])
        ids = np.char.add("CP", np.char.zfill((np.arange(ncc) + 1).astype(str), 7)).astype(object)
        rec = np.array(complaints["received"], dtype=np.int64)
        self.tables["complaints"] = pd.DataFrame(
            {
                "complaint_id": ids,
                "received_date": cal.dates(rec),
                "incident_date": cal.dates(
                    np.maximum(np.array(complaints["incident"], dtype=np.int64), -365)
                ),
                "category": np.array(complaints["category"], dtype=object),
                "source": np.array(complaints["source"], dtype=object),
            }
        )
        sc = np.array([s[0] for s in subjects], dtype=np.int64)
        so = np.array([s[1] for s in subjects], dtype=np.int64)
        finding = np.array(["no case to answer", "not upheld", "upheld", "service level", None], dtype=object)
        allegation = {
            "incivility": "rude or dismissive manner",
            "use of force": "excessive force during arrest",
            "service failure": "failure to investigate",
            "discrimination": "discriminatory treatment",
            "improper disclosure": "disclosed information without authority",
            "conduct": "conduct unbecoming",
        }
        subj_frame = pd.DataFrame(
            {
                "complaint_id": ids[sc],
                "officer_id": self.ids[so],
                "allegation": [allegation[str(complaints["category"][c])] for c in sc],
                "finding": finding[_draw(rng, (0.35, 0.3, 0.08, 0.12, 0.15), len(sc))],
            }
        ).drop_duplicates(["complaint_id", "officer_id"])
        self.tables["complaint_subjects"] = subj_frame.sort_values(
            ["complaint_id", "officer_id"], ignore_index=True
        )

    # ---- forms and look-alikes added later (LATE_FORMS), on a random stream of their own

    def _late_plans(self) -> None:
        """The forms and look-alikes of :data:`~synthetic.planting.LATE_FORMS`, after everything
        else and on a random stream of their own: the rest of a seed's force is as it was
        without them."""
        saved, self.rng = self.rng, np.random.default_rng([self.seed, 707])
        self.triage_plan: dict[int, dict[str, Any]] = {}
        self.late_persons: list[dict[str, Any]] = []
        try:
            if self.events:
                if not self.clean:
                    network.late_diffuse_crew(self)
                network.late_busy_unit(self)
                network.late_triage(self)
            if not self.clean:
                network.late_two_intermediaries(self)
            network.late_too_far(self)
            network.late_large_organisation(self)
            association.late_switchboard(self)
            if self.late_persons:
                persons = self.tables["persons"]
                late = pd.DataFrame(self.late_persons).reindex(columns=persons.columns)
                self.tables["persons"] = pd.concat([persons, late], ignore_index=True)
        finally:
            self.rng = saved

    def late_person(
        self,
        surname: str | None = None,
        address: str | None = None,
        postcode: str | None = None,
        phone: str | None = None,
        flags: str | None = None,
    ) -> dict[str, Any]:
        """A person in police records added by the late plans (a row of the persons table)."""
        rng = self.rng
        if address is None:
            address, postcode = str(self.address(1)[0]), str(_postcodes(rng, 1)[0])
        row = {
            "person_id": f"PX{len(self.late_persons) + 1:06d}",
            "surname": surname or str(rng.choice(SURNAMES)),
            "forenames": str(rng.choice(FORENAMES)),
            "date_of_birth": self.as_of - dt.timedelta(days=int(rng.integers(18 * 365, 75 * 365))),
            "postcode": postcode,
            "address": address,
            "phone": phone if phone is not None else str(self.phone(1)[0]),
            "nominal_flags": flags,
        }
        self.late_persons.append(row)
        return row

    def ocg(self) -> str:
        return str(self.rng.choice(FLAGS_OCG))

    def officer(self, gi: int) -> pd.Series:
        off = self.tables["officers"]
        return off.loc[off["officer_id"] == self.ids[gi]].iloc[0]

    # ---- declarations, organisations and memberships added by the simulation

    def _declarations(self) -> None:
        rng, cal = self.rng, self.cal
        rows: list[dict[str, Any]] = []
        for d in self.extra_decl:
            rows.append(
                {
                    "officer_id": d["officer_id"],
                    "kind": d["kind"],
                    "org_id": d.get("org_id"),
                    "org_name": None,
                    "person_id": d.get("person_id")
                    if not isinstance(d.get("person_id"), int | np.integer)
                    else str(self.p_ids[self.linked_base + int(d["person_id"])]),
                    "declared_at": cal.start - dt.timedelta(days=int(rng.integers(30, 900))),
                    "valid_until": None,
                    "status": "approved",
                }
            )
        for gi, j in self.bg_relatives:
            if rng.random() < 0.3:
                rows.append(
                    {
                        "officer_id": self.ids[gi],
                        "kind": "association",
                        "org_id": None,
                        "org_name": None,
                        "person_id": self.p_ids[self.linked_base + j],
                        "declared_at": cal.start - dt.timedelta(days=int(rng.integers(30, 2000))),
                        "valid_until": None,
                        "status": "approved",
                    }
                )
        n = self.n
        texts = {
            "secondary_employment": ("Private tutoring", "Sports coaching (amateur)", "Wedding photography"),
            "gift": ("Gift: bottle of wine from a victim's family", "Hospitality: charity dinner"),
        }
        for kind, names in texts.items():
            for gi in np.flatnonzero(rng.random(n) < 0.02).tolist():
                rows.append(
                    {
                        "officer_id": self.ids[gi],
                        "kind": kind,
                        "org_id": None,
                        "org_name": str(rng.choice(names)),
                        "person_id": None,
                        "declared_at": cal.start + dt.timedelta(days=int(rng.integers(0, max(1, self.days)))),
                        "valid_until": None,
                        "status": str(
                            rng.choice(["approved", "approved", "approved", "pending", "rejected"])
                        ),
                    }
                )
        extra = pd.DataFrame(rows, columns=TABLES["declarations"].names)
        extra["declaration_id"] = [f"DX{k:06d}" for k in range(len(extra))]
        base = self.tables["declarations"].copy()
        base["person_id"] = None
        self.tables["declarations"] = pd.concat([base, extra], ignore_index=True)[
            TABLES["declarations"].names
        ]
        mem = network.business_registers(self)
        mem += association.membership_plans(self)
        if mem:
            self.tables["memberships"] = pd.concat(
                [self.tables["memberships"], pd.DataFrame(mem)], ignore_index=True
            )


class People:
    """People in police records linked to officers (relatives, contacts, flagged persons),
    made while the links are planted: rows of the persons table to be, and the officers'
    addresses (a link may put an officer in one flat of their building)."""

    def __init__(self, w: World) -> None:
        self.w, self.rng = w, w.rng
        off = w.tables["officers"]
        self.o_sur = off["surname"].to_numpy(object)
        self.o_pc = off["home_postcode"].to_numpy(object)
        self.o_addr = off["home_address"].to_numpy(object).copy()
        self.o_phone = off["phone"].to_numpy(object)
        self.rows: list[dict[str, Any]] = []

    def person(
        self,
        surname: str | None = None,
        address: str | None = None,
        postcode: str | None = None,
        phone: str | None = None,
        flags: str | None = None,
    ) -> int:
        """A new person (their row number); a new address and phone unless given."""
        rng = self.rng
        if address is None:
            address, postcode = str(self.w.address(1)[0]), str(_postcodes(rng, 1)[0])
        self.rows.append(
            {
                "surname": surname or str(rng.choice(SURNAMES)),
                "forenames": str(rng.choice(FORENAMES)),
                "dob": -int(rng.integers(18 * 365, 75 * 365)),
                "postcode": postcode,
                "address": address,
                "phone": phone if phone is not None else str(self.w.phone(1)[0]),
                "flags": flags,
            }
        )
        return len(self.rows) - 1

    def relative(self, gi: int, flags: str | None = None, same_name: float = 0.7) -> int:
        """Someone living at officer ``gi``'s address (often with their surname)."""
        sur = str(self.o_sur[gi]) if self.rng.random() < same_name else None
        return self.person(sur, str(self.o_addr[gi]), str(self.o_pc[gi]), None, flags)

    def ocg(self) -> str:
        return str(self.rng.choice(FLAGS_OCG))

    def other_surname(self, gi: int) -> str:
        while True:
            sname = str(self.rng.choice(SURNAMES))
            if sname != str(self.o_sur[gi]):
                return sname

    def flat_pair(self, gi: int) -> str:
        """Put the officer in one flat of their building; the address of another flat."""
        a, b = (int(x) for x in self.rng.choice(np.arange(1, 10), 2, replace=False))
        building = str(self.o_addr[gi])
        self.o_addr[gi] = f"Flat {a}, {building}"
        return f"Flat {b}, {building}"

    def elsewhere(self, gi: int) -> str:
        """A postcode other than the officer's."""
        while True:
            pc = str(_postcodes(self.rng, 1)[0])
            if pc != str(self.o_pc[gi]):
                return pc


def frames(w: World) -> dict[str, pd.DataFrame]:
    """The entity tables in contract order and with contract columns."""
    out: dict[str, pd.DataFrame] = {}
    for t in TABLES.values():
        if t.name in w.tables:
            df = w.tables[t.name]
            out[t.name] = df[[c for c in t.names if c in df.columns]].reset_index(drop=True)
    return out
