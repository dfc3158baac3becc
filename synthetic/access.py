"""Planted cases and look-alikes of the access detectors (``queries.detectors.access``):
``access.no_purpose``, ``access.personal_link``, ``access.sensitive_victims``,
``access.off_duty``, ``access.volume_outlier``.

========================== ============================================= ==========================================
detector                   planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
access.no_purpose          10–20 lookups with no purpose code of records 6–10 views without a code of their own
                           of no case or of cases not theirs, ~30 days   assigned case's records
access.personal_link       3–8 lookups of a person at their address, on  lookups of people sharing only the
                           their phone, or with surname and postcode     surname
access.sensitive_victims   3–5 victim/witness records of sexual or       8–15 views of the victim records of their
                           domestic cases not theirs, each viewed 2–4x   own assigned sexual/domestic case
access.off_duty            2–5 evenings of lookups on rest or leave days lookups while rostered on call; lookups
                                                                         within 30 min after a shift ends
access.volume_outlier      5–8x their own rate over ~30 days, across     a busy unit (~2x the force rate for all
                           many more distinct records                    its members)
========================== ============================================= ==========================================

(The first version's cases and look-alikes; the rest are described in the planting functions.)
``access.no_purpose``'s later forms and look-alikes are planned last, on random streams of
their own (:func:`late_no_purpose`, :func:`plant_no_purpose_late`), so that the rest of a
seed's force is as it was:

========================== ============================================= ==========================================
form                       planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
case_not_theirs            6–10 enquiries, real code, quoting cases that a supervisor's 6–10 enquiries quoting cases
                           no one of their units or team ever worked     of the team they line-manage
                                                                         (``team_case_review``)
case_code_without_case     6–10 enquiries coded CRN with no case_ref     10–15 enquiries coded INV with no case_ref
                           (the force quotes a case with every CRN)      (``code_often_without_case``)
sensitive_record           3–4 VIP records, no code, on days of their    3–4 VIP records with a real code
                           own                                           (``sensitive_with_purpose``); one VIP
                                                                         record with no code (``one_sensitive_slip``)
missing_code (spread)      12–15 enquiries with no code evenly over
                           60–90 days, fewer than 10 in any 30 (forces
                           of 90 days or more)
========================== ============================================= ==========================================

``access.personal_link``'s ``declared_associate`` and its look-alike are planned after every
other plan, on random streams of their own (:func:`late_personal_link`,
:func:`plant_personal_late`):

========================== ============================================= ==========================================
form                       planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
declared_associate         2–5 lookups, real code, no case, of a person  2–4 lookups of a namesake (same names,
                           the officer declared an association with (a   born 10+ years apart, elsewhere) of the
                           new person, sharing no identifier with them)  person they declared (``associate_namesake``)
========================== ============================================= ==========================================

``access.volume_outlier``'s one-day forms and their look-alikes are planned after every other
plan, on random streams of their own (:func:`late_volume_outlier`, :func:`plant_volume_late`):

========================== ============================================= ==========================================
form                       planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
heavy_day                  one day (now and then two) of 7–14x the       a team's operation day: every member of a
                           higher of their usual day and their unit and  unit and role group on duty makes scores
                           role peers', 60–140+ lookups beyond it: a     of lookups that day (``team_operation``)
                           trawl in 2–4 hours, a few records again and
                           again, or a trawl in the small hours of a
                           night duty
bulk_export                one day of 22–46 exports and prints of as     five to seven holders of a disclosure or
                           many records, in one sitting or over the      records role, one to a unit, exporting
                           shift (peers take out a few a month)          7–12 a day as their work, a day or two of
                                                                         2–3x that (``export_role``)
========================== ============================================= ==========================================

``access.no_purpose``'s ``closed_case`` and its look-alikes are planned after every other plan
(after ``roster.overtime_overlap``'s ``short_attendance``), on random streams of their own
(:func:`late_closed_case`, :func:`plant_closed_case`):

========================== ============================================= ==========================================
form                       planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
closed_case                4–5 enquiries, INV (now and then INT), of     3–4 enquiries quoting such a case, of its
                           records of no case, over up to 85 days from   own records (``closed_case_own_records``);
                           8–21 days after a case closed in the period   3–4 quoting a case not theirs, of records
                           that no one of their units or team ever       of no case, 1–7 days after it closed
                           worked, each quoting it                       (``quoted_while_closing``)
========================== ============================================= ==========================================

The ordinary force's declarations naming a person (relatives at the officer's address, and
the association look-alikes' declared associations) are never looked up by their officers.

Each officer who views VIP records has VIP records of their own (added to police records
when the force has too few); the ordinary force never looks VIPs up. Case work on a case's
crime record is coded CRN (crime number), always with the case_ref.
A system (``ANPR``) never records purpose codes, and one small unit has too few officers
for a peer rate (:func:`small_unit`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from synthetic.catalogue import FORMS, Planting, Stage
from synthetic.common import (
    CASE_TYPES,
    CODELESS_SYSTEM,
    DAY,
    EARLY,
    EXPORT,
    FORENAMES,
    FRONTLINE,
    INVESTIGATION,
    LATE,
    NIGHT,
    OFFICE,
    ONCALL,
    OVERTIME,
    P_ADM,
    P_CRN,
    P_CUST,
    P_INC,
    P_INT,
    P_INV,
    P_PLACEHOLDER,
    P_STOP,
    PRINT,
    PUBPROT,
    PURPOSES,
    R_PERSON,
    REST,
    ROLE_LOOKUPS,
    RTYPES,
    S_NONE,
    S_VICTIM,
    S_VIP,
    S_WITNESS,
    SEARCH,
    SENS,
    SURNAMES,
    SYSTEMS,
    UPDATE,
    VIEW,
    WORKED,
    _postcodes,
    world_stream,
)
from synthetic.roster import take_spare

if TYPE_CHECKING:
    from synthetic.events import Block
    from synthetic.world import People, World


# --------------------------------------------------------------------------- the plan, with the world


def small_unit(w: World) -> None:
    """A small specialist unit, too few peers for a peer rate: two or three specialists moved
    into a unit of their own (``access.volume_outlier`` ``small_unit``)."""
    rng = w.rng
    sites, units = w.tables["sites"], w.tables["units"].copy()
    pick = w.take(int(rng.integers(2, 4)), w.is_officer & (w.level == 0))
    if pick:
        nu = len(units)
        units.loc[nu] = {
            "unit_id": f"U{nu:03d}",
            "name": f"Dog Section {nu}",
            "parent_unit_id": str(units.loc[0, "unit_id"]),
            "site_id": str(sites.loc[int(w.site[pick[0]]), "site_id"]),
        }
        w.unit_busy = np.r_[w.unit_busy, 1.0]
        off = w.tables["officers"].copy()
        off.loc[pick, "unit_id"] = f"U{nu:03d}"
        w.tables["officers"] = off
        asg = w.tables["assignments"].copy()
        cur = asg["officer_id"].isin(w.ids[pick]) & asg["end_date"].isna()
        asg.loc[cur, "unit_id"] = f"U{nu:03d}"
        w.tables["assignments"] = asg
        w.unit[pick] = nu
        w.lam[pick] = w.lam[pick] * 1.8
        for gi in pick:
            w.looks["access.volume_outlier"][gi] = {"ws": 0, "we": w.days - 1, "form": "small_unit"}
    w.tables["units"] = units


def case_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a planted case, by (detector, form) (anyone where none is given)."""
    unit_size = np.bincount(w.unit, minlength=len(w.unit_busy))[w.unit]
    return {("access.volume_outlier", "sustained"): (unit_size >= 8) & (w.unit_busy[w.unit] < 1.5)}


def lookalike_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a look-alike of stage ``plan``, by (detector, look-alike)."""
    office = w.pattern == OFFICE
    unit_size = np.bincount(w.unit, minlength=len(w.unit_busy))[w.unit]
    return {
        ("access.volume_outlier", "busy_unit"): w.unit_busy[w.unit] >= 2.0,
        ("access.sensitive_victims", "busy_officer"): (unit_size >= 8) & (w.unit_busy[w.unit] < 1.5),
        ("access.off_duty", "on_call"): w.oncall_ok,
        ("access.off_duty", "night_shift_past_midnight"): w.pattern == FRONTLINE,
        ("access.off_duty", "not_on_duty_system"): office & ~w.is_officer,
        ("access.off_duty", "on_call_evening"): w.oncall_ok & (w.pattern != FRONTLINE),
        ("access.off_duty", "late_shift"): w.pattern == FRONTLINE,
        ("access.off_duty", "shift_extended"): w.pattern != FRONTLINE,
        ("access.off_duty", "occasional_late_lookup"): w.pattern != FRONTLINE,
    }


def plan_new_starters(w: World) -> None:
    """``access.volume_outlier`` ``new_starter``: already in the force for part of the period only."""
    starters = np.flatnonzero(
        (w.start_day > 0) & (w.start_day < w.days - 45) & ~pd.Series(w.ids).isin(w.involved).to_numpy()
    )
    for gi in sorted(int(x) for x in w.rng.permutation(starters)[: w.kl]):
        w.looks["access.volume_outlier"][gi] = {
            "ws": int(w.start_day[gi]),
            "we": w.days - 1,
            "form": "new_starter",
        }


def side_masks(w: World) -> dict[tuple[str, str], np.ndarray]:
    """Who may be taken for a look-alike of stage ``side``, by (detector, look-alike)."""
    team = uncoded_team(w)
    in_team = np.isin(np.arange(w.n), w.uncoded_team)
    masks = {
        ("access.no_purpose", "background_uncoded"): (w.lam >= np.quantile(w.lam, 0.9)) & ~in_team,
        ("access.no_purpose", "uncoded_tail"): team,
    }
    # specialists: each group is planned whole by plan_specialists (the side plan takes no one else)
    for key in plan_specialists(w):
        masks[key] = np.zeros(w.n, bool)
    return masks


SPECIALISTS: dict[tuple[str, str], tuple[tuple[tuple[int, str], ...], float]] = {
    ("access.volume_outlier", "specialist_role"): (((0, "financial investigator"),) * 5, 20.0),
    ("access.volume_outlier", "custody_supervisors"): (
        (
            (1, "Custody Sergeant"),
            (1, "custody sergeant"),
            (1, "CUSTODY  SERGEANT"),
            (2, "Custody Inspector"),
            (2, "custody inspector "),
        ),
        24.0,
    ),
    ("access.sensitive_victims", "specialist_role_peers"): (
        ((0, "SOIT"), (0, "Domestic Abuse Car"), (0, "Sapphire Investigator")),
        0.0,
    ),
}
"""Specialists posted one to a unit, planned on the side stream: (detector, look-alike) to
(rank level, role as written in assignments) per officer, and their lookups per 8 hours on
duty (0: their usual rate). Financial investigators (``access.volume_outlier``
``specialist_role``) and custody sergeants and inspectors (``custody_supervisors``, their role
written in several ways) at several times their units' rate, as high as each other; officers
whose role is sexual-offence and domestic-abuse victims (``access.sensitive_victims``
``specialist_role_peers``), each opening many victim records across cases."""


def plan_specialists(w: World) -> list[tuple[str, str]]:
    """Pick each group of :data:`SPECIALISTS` (officers of the rank whom no other access case
    or look-alike takes, one to a unit of at least eight that is not busy; the victims'
    specialists from investigators outside public protection units), write their role in their
    open posting, and plan them as look-alikes of the whole period."""
    rng = w.rng
    size = np.bincount(w.unit, minlength=len(w.unit_busy))[w.unit]
    # officers no other access case or look-alike takes (another family's may: a role and more
    # lookups on duty change nothing it plants), in the force for the whole period
    access = {
        gi
        for plans in (w.plants, w.looks, w.side_looks)
        for d, p in plans.items()
        if d.startswith("access.")
        for gi in p
    }
    access |= set(w.uncoded_team) | set(w.ppu_members)
    base = w.is_officer & ~w.no_shifts & (w.start_day <= 0) & (size >= 8) & (w.unit_busy[w.unit] < 1.5)
    base &= ~np.isin(np.arange(w.n), sorted(access))
    asg = w.tables["assignments"].copy()
    for (det, form), (posts, rate) in SPECIALISTS.items():
        ok = base.copy()
        if det == "access.sensitive_victims":
            func = np.r_[w.unit_func, np.full(len(w.unit_busy) - len(w.unit_func), -1)]  # small_unit's too
            ok &= (w.role == INVESTIGATION) & (func[w.unit] != 3) & (w.pattern != FRONTLINE)
            ok &= ~np.isin(w.unit, w.unit[np.array(w.ppu_members, dtype=np.int64)])
        units: set[int] = set()
        for level, role in posts:
            cand = [int(x) for x in rng.permutation(np.flatnonzero(ok & (w.level == level)))]
            gi = next((x for x in cand if int(w.unit[x]) not in units), None)
            if gi is None:
                continue
            units.add(int(w.unit[gi]))
            w.used[gi] = True
            base[gi] = False
            asg.loc[(asg["officer_id"] == w.ids[gi]) & asg["end_date"].isna(), "role"] = role
            w.side_looks[det][gi] = {"ws": 0, "we": w.days - 1, "form": form, "rate": rate, "role": role}
    w.tables["assignments"] = asg
    return list(SPECIALISTS)


def uncoded_team(w: World) -> np.ndarray:
    """``access.no_purpose`` ``uncoded_tail``: a shift team (one rota group of a unit of at
    least 18, 6 to 8 officers) that often leaves the purpose code out, each member on 5-7% of
    ordinary lookups, five to seven times the force's background; none of its unit is a planted
    case or look-alike of the detector. Its busier members are the look-alike (every member is
    named in the look-alikes, see :func:`side_lookups`)."""
    taken = set(w.plants["access.no_purpose"]) | set(w.looks["access.no_purpose"])
    taken |= set(w.side_looks["access.no_purpose"]) | set(w.ppu_members)
    size = np.bincount(w.unit, minlength=len(w.unit_busy))
    bad_units = {int(w.unit[gi]) for gi in taken}
    group = w.unit * 10 + w.rota
    on = ~w.no_shifts & (size[w.unit] >= 18) & (w.unit_busy[w.unit] < 1.5)
    on &= ~np.isin(w.unit, sorted(bad_units))
    ids, counts = np.unique(group[on], return_counts=True)
    ok = ids[(counts >= 6) & (counts <= 8)]
    w.uncoded_team = []
    if not len(ok):
        return np.zeros(w.n, bool)
    team = on & (group == int(w.rng.choice(ok)))
    members = np.flatnonzero(team)
    w.no_code[members] = w.rng.uniform(0.05, 0.07, len(members))
    w.uncoded_team = [int(x) for x in members]
    return team & (w.lam >= np.quantile(w.lam[members], 0.5))


def side_lookups(w: World) -> None:
    """The records the ``side`` look-alikes look up; the force switchboard."""
    for p in w.side_looks["access.no_purpose"].values():
        p["records"] = [int(x) for x in w.rng.choice(w.ops_pool, 20)]
    for gi, p in w.side_looks["access.sensitive_victims"].items():
        if p["form"] != "specialist_role_peers":
            p["records"] = w.not_assigned(gi, w.sens_pool, 4)
    for gi, p in w.side_looks["access.sensitive_victims"].items():
        if p["form"] == "specialist_role_peers":
            p["records"] = w.not_assigned(gi, w.sens_pool, int(w.rng.integers(12, 22)))
    for gi in w.uncoded_team:  # every member of the team is the look-alike
        w.side_looks["access.no_purpose"].setdefault(gi, {"ws": 0, "we": w.days - 1, "form": "uncoded_tail"})
    switchboard(w)


def link_persons(w: World, people: People) -> None:
    """The people an ``access.personal_link`` case or look-alike looks up."""
    person, relative = people.person, people.relative
    other_surname, flat_pair, elsewhere = people.other_surname, people.flat_pair, people.elsewhere
    o_sur, o_pc, o_addr, o_phone = people.o_sur, people.o_pc, people.o_addr, people.o_phone
    for gi, p in w.plants["access.personal_link"].items():
        if p["form"] == "same_address":
            r = relative(gi)
        elif p["form"] == "same_phone":
            r = person(phone=str(o_phone[gi]))
        else:
            r = person(str(o_sur[gi]), postcode=str(o_pc[gi]), address=str(w.address(1)[0]))
        w.link_person[("personal", gi)] = [r]
    for gi, p in w.looks["access.personal_link"].items():
        if p["form"] == "namesake_street":
            r = person(other_surname(gi), str(o_addr[gi]), elsewhere(gi))
            w.link_person[("personal_la", gi)] = [r]
        elif p["form"] == "different_flat":
            r = person(other_surname(gi), flat_pair(gi), str(o_pc[gi]))
            w.link_person[("personal_la", gi)] = [r]


def case_lookalikes(w: World) -> None:
    """Look-alikes that need case work: views without a code of their own case's records
    (``access.no_purpose`` ``own_case_no_code``), of the victims of their own sexual or domestic
    case (``access.sensitive_victims`` ``own_cases``), and a safeguarding unit whose members all
    review victims across cases (``public_protection_unit``)."""
    rng, n, days = w.rng, w.n, w.days
    oic_cases: dict[int, list[int]] = {}
    for c, o, r in zip(w.ca["case"], w.ca["off"], w.ca["role"], strict=True):
        if r == 0:
            oic_cases.setdefault(int(o), []).append(int(c))
    w.oic_cases = oic_cases
    in_period = lambda c: w.c_opened[c] < days - 20 and w.c_closed[c] > 20  # noqa: E731
    has_case = np.zeros(n, bool)
    has_sens = np.zeros(n, bool)
    for o, cs in oic_cases.items():
        live = [c for c in cs if in_period(c)]
        has_case[o] = bool(live)
        has_sens[o] = any(w.c_type[c] in (3, 4) for c in live)
    for gi in w.take(w.kl, has_case):
        w.looks["access.no_purpose"][gi] = {"form": "own_case_no_code"}
    for gi in w.take(w.kl, has_sens & (w.role == PUBPROT)) or w.take(w.kl, has_sens):
        w.looks["access.sensitive_victims"][gi] = {"form": "own_cases"}
    # a safeguarding unit whose members all review victims across cases: the public protection
    # unit (else CID) with the most officers free to take (the reviewers are most of its desk
    # officers, so that the unit's routine shows in its median, as in a real safeguarding unit)
    w.ppu_members = []
    order = rng.permutation(len(w.unit_func))
    free = np.bincount(w.unit[~w.used & (w.pattern != FRONTLINE)], minlength=len(w.unit_busy))
    order = np.r_[
        sorted(order[w.unit_func[order] == 3].tolist(), key=lambda u: -free[u]),
        sorted(order[w.unit_func[order] == 2].tolist(), key=lambda u: -free[u]),
    ].astype(np.int64)
    for u in order.tolist():
        members = np.flatnonzero((w.unit == u) & ~w.used & (w.pattern != FRONTLINE))
        if len(members) >= 3:
            w.used[members] = True
            w.ppu_members = [int(x) for x in members]
            for gi in w.ppu_members[: w.kl]:
                w.looks["access.sensitive_victims"][gi] = {
                    "ws": 0,
                    "we": days - 1,
                    "form": "public_protection_unit",
                }
            break


def lookup_plans(w: World) -> None:
    """The records each planted ``access`` case and look-alike looks up."""
    rng, days = w.rng, w.days
    pid = w.linked_id
    for gi, p in w.plants["access.personal_link"].items():
        (r,) = w.link_person[("personal", gi)]
        p["records"] = w.records_by_person.get(w.linked_base + r, [])
        p["note"] = {
            "same_address": "a relative at the officer's address",
            "same_phone": "a person giving the officer's phone number",
            "surname_postcode": "a person with the officer's surname and postcode",
        }[p["form"]] + f" ({pid(r)})"
    sur_of = (
        pd.Series(np.arange(w.n_bg))
        .groupby(pd.Series(w.p_surname[: w.n_bg]).str.casefold())
        .apply(list)
        .to_dict()
    )
    o_sur = w.tables["officers"]["surname"].to_numpy(object)
    o_pc = w.tables["officers"]["home_postcode"].to_numpy(object)
    pers_rec = np.full(len(w.p_ids), -1)
    pr = np.flatnonzero(w.r_type == R_PERSON)
    pers_rec[w.r_person[pr]] = pr
    for gi, p in w.looks["access.personal_link"].items():
        if ("personal_la", gi) in w.link_person:
            (r,) = w.link_person[("personal_la", gi)]
            p["records"] = w.records_by_person.get(w.linked_base + r, [])
            p["note"] = {
                "namesake_street": "a person with the officer's address line in another postcode",
                "different_flat": "a person in another flat of the officer's building (another surname)",
            }[p["form"]] + f" ({pid(r)})"
            continue
        same = [j for j in sur_of.get(str(o_sur[gi]).casefold(), []) if w.p_postcode[j] != o_pc[gi]]
        pick: list[int] = rng.choice(same, min(3, len(same)), replace=False).tolist() if same else []
        p["records"] = [int(pers_rec[j]) for j in pick if pers_rec[j] >= 0 and not w.p_flagged[j]]
        p["note"] = "people who only share the officer's surname (other postcode, address, phone)"
    for gi, p in w.plants["access.sensitive_victims"].items():
        if p["form"] == "breadth":
            p["records"] = w.not_assigned(gi, w.sens_pool, int(rng.integers(10, 19)))
        else:
            p["records"] = w.not_assigned(gi, w.sens_pool, int(rng.integers(3, 6)))
    for gi, p in w.looks["access.sensitive_victims"].items():
        if p["form"] == "few_records":
            p["records"] = w.not_assigned(gi, w.sens_pool, 2)
        elif p["form"] == "non_sensitive_records":
            pool = np.flatnonzero((w.r_case >= 0) & (w.r_sens == S_NONE))
            p["records"] = w.not_assigned(gi, pool, int(rng.integers(12, 21)))
    w.ppu_plan = {}
    for gi in w.ppu_members:
        w.ppu_plan[gi] = w.not_assigned(gi, w.sens_pool, int(rng.integers(10, 22)))
    for gi, p in w.plants["access.no_purpose"].items():
        # records of cases not theirs, none of a victim or witness (a case of access.sensitive_victims)
        case_recs = w.not_assigned(gi, np.flatnonzero((w.r_case >= 0) & (w.r_sens == S_NONE)), 6)
        p["records"] = case_recs + [int(x) for x in rng.choice(w.ops_pool, 14)]
    for gi, p in w.looks["access.no_purpose"].items():
        if p["form"] == "own_case_no_code":
            cs = [c for c in w.oic_cases.get(gi, []) if w.c_opened[c] < days - 20 and w.c_closed[c] > 20]
            c = int(rng.choice(cs))
            p["case"] = c
            p["ws"], p["we"] = max(0, int(w.c_opened[c])), min(days - 1, int(w.c_closed[c]))
        elif p["form"] == "coded_lookups":
            p["records"] = w.not_assigned(gi, np.flatnonzero((w.r_case >= 0) & (w.r_sens == S_NONE)), 20)
        else:
            p["records"] = [int(x) for x in rng.choice(w.ops_pool, 20)]
    for gi, p in w.looks["access.sensitive_victims"].items():
        if p["form"] != "own_cases":
            continue
        cs = [
            c
            for c in w.oic_cases.get(gi, [])
            if w.c_type[c] in (3, 4) and w.c_opened[c] < days - 20 and w.c_closed[c] > 20
        ]
        c = int(rng.choice(cs))
        in_case = np.arange(w.case_rec_start[c], w.case_rec_start[c] + w.case_rec_n[c])
        p["case"] = c
        p["records"] = [int(x) for x in in_case[np.isin(w.r_sens[in_case], [S_VICTIM, S_WITNESS])]]
        p["ws"], p["we"] = max(0, int(w.c_opened[c])), min(days - 1, int(w.c_closed[c]))


def switchboard(w: World) -> None:
    """The force switchboard: the phone listed for the switchboard_phone look-alikes, and
    given 'c/o' the force by 12 people in police records (unflagged, at addresses no flagged
    person shares), more than any detector's max_holders; each look-alike looks up one."""
    looks = w.side_looks["access.personal_link"]
    if not looks:
        return
    pf = w.persons_frame
    flagged = pf["nominal_flags"].notna().to_numpy()
    at = list(zip(pf["address"], pf["postcode"], strict=True))
    flagged_at = {a for a, f in zip(at, flagged, strict=True) if f}
    pers_rec = np.full(len(w.p_ids), -1)
    pr = np.flatnonzero(w.r_type == R_PERSON)
    pers_rec[w.r_person[pr]] = pr
    cand = [j for j in range(w.n_bg) if not flagged[j] and pers_rec[j] >= 0 and at[j] not in flagged_at]
    if len(cand) < 12:
        return
    people = [int(j) for j in w.rng.choice(cand, 12, replace=False)]
    number = str(w.phone(1)[0])
    for name, col, ids in (
        ("persons", "person_id", {str(w.p_ids[j]) for j in people}),
        ("officers", "officer_id", {str(w.ids[gi]) for gi in looks}),
    ):
        t = w.tables[name].copy()
        t.loc[t[col].isin(ids), "phone"] = number
        w.tables[name] = t
    for p in looks.values():
        j = int(w.rng.choice(people))
        p["records"] = [int(pers_rec[j])]
        p["note"] = (
            f"a witness ({w.p_ids[j]}) who gave the force switchboard, the officer's listed number "
            "too, as 12 people in police records did"
        )


# --------------------------------------------------------------------------- access.no_purpose's later forms

NO_PURPOSE_LATE = 909
"""The random stream of :func:`late_no_purpose` (``[seed, 909]``); its lookups are drawn on
``[seed, 910, block]`` (:func:`plant_late`)."""
NO_PURPOSE_LATE_LOOKUPS = 910


def _quotes_codes(w: World) -> np.ndarray:
    """Officers a late no_purpose plan may take: on the duty system, not of the team that often
    leaves the code out, nor of the safeguarding unit whose members review victims across cases."""
    return ~w.no_shifts & ~np.isin(np.arange(w.n), sorted(set(w.uncoded_team) | set(w.ppu_members)))


def late_no_purpose(w: World) -> None:
    """``access.no_purpose``'s forms and look-alikes planned last (stage ``late``), after
    every other plan and on a random stream of their own, so that every other row of a
    seed's force is as it was: the case forms (``case_not_theirs``, ``case_code_without_case``),
    ``sensitive_record``, the spread variant of ``missing_code`` (12 to 15 enquiries over 60
    to 90 days, forces of 90 days or more), and the look-alikes ``team_case_review``,
    ``code_often_without_case``, ``sensitive_with_purpose`` and ``one_sensitive_slip``.

    Each form takes about as many officers as each of the card's forms would (at least
    one; the spread ``missing_code`` as many), each look-alike ``kl``; the plans are in
    ``w.no_purpose_late`` (officer to plan, ``look`` saying which)."""
    det = "access.no_purpose"
    w.no_purpose_late = {}
    if not w.events:
        return
    with world_stream(w, NO_PURPOSE_LATE):
        rel = _Relations(w)
        ok = _quotes_codes(w)  # (nor, as w.take sees to, anyone planned before)
        plans = w.no_purpose_late
        m = max(1, round(w.k / len(FORMS[det])))
        if not w.clean:
            for gi in w.take(m, ok):
                ws, we = w.window(det)
                records = rel.records_not_theirs(gi, ws, we)
                if records:
                    plans[gi] = {"ws": ws, "we": we, "form": "case_not_theirs", "records": records}
            for gi in w.take(m, ok):
                ws, we = w.window(det)
                ops = w.rng.choice(w.ops_pool, 10, replace=False)
                plans[gi] = {
                    "ws": ws,
                    "we": we,
                    "form": "case_code_without_case",
                    "records": [int(x) for x in ops],
                }
            for gi in w.take(m, ok):
                ws, we = w.window(det)
                plans[gi] = {"ws": ws, "we": we, "form": "sensitive_record", "vip": int(w.rng.integers(3, 5))}
            if w.days >= 90:
                for gi in w.take(m, ok):
                    span = int(w.rng.integers(60, min(90, w.days) + 1))
                    ws = int(w.rng.integers(0, w.days - span + 1))
                    case_recs = w.not_assigned(gi, np.flatnonzero((w.r_case >= 0) & (w.r_sens == S_NONE)), 5)
                    more = w.rng.choice(w.ops_pool, 15 - len(case_recs), replace=False)
                    plans[gi] = {
                        "ws": ws,
                        "we": ws + span - 1,
                        "form": "missing_code",
                        "spread": int(w.rng.integers(12, 16)),
                        "records": case_recs + [int(x) for x in more],
                    }
        for gi in w.take(w.kl, ok & rel.supervisors()):
            cases = rel.team_cases(gi)
            if cases:
                ws, we = min(c[1] for c in cases), max(c[2] for c in cases)
                plans[gi] = {"ws": ws, "we": we, "form": "team_case_review", "cases": cases, "look": True}
        for gi in w.take(w.kl, ok):
            ws, we = w.window(det)
            recs = w.rng.choice(w.ops_pool, int(w.rng.integers(10, 16)), replace=False)
            plans[gi] = {
                "ws": ws,
                "we": we,
                "form": "code_often_without_case",
                "records": [int(x) for x in recs],
                "look": True,
            }
        for form, lo, hi in (("sensitive_with_purpose", 3, 5), ("one_sensitive_slip", 1, 2)):
            for gi in w.take(w.kl, ok):
                ws, we = w.window(det)
                plans[gi] = {
                    "ws": ws,
                    "we": we,
                    "form": form,
                    "vip": int(w.rng.integers(lo, hi)),
                    "look": True,
                }
        # each officer their own VIP records (no two officers view the same VIP: no co-views)
        vips = vip_records(w, sum(p.get("vip", 0) for p in plans.values()))
        for _gi, p in sorted(plans.items()):
            p.setdefault("look", False)
            if "vip" in p:
                p["records"], vips = vips[: p["vip"]], vips[p["vip"] :]


# --------------------------------------------------------------------------- access.personal_link's declared associates

PERSONAL_LATE = 915
"""The random stream of :func:`late_personal_link` (``[seed, 915]``); its lookups are drawn on
``[seed, 916, block]`` (:func:`plant_personal_late`)."""
PERSONAL_LATE_LOOKUPS = 916


def _pc_key(surname: str, postcode: str) -> str:
    return f"{surname.casefold()}|{postcode.replace(' ', '').upper()}"


def late_personal_link(w: World) -> None:
    """``access.personal_link``'s ``declared_associate`` and its look-alike ``associate_namesake``,
    planned after every other plan (after :func:`synthetic.attendance.rank_groups`) on a random
    stream of their own, so that every other row of a seed's force is as it was (but for the ids
    of the rows after the ones they add).

    ``declared_associate`` (as many officers as each of the card's forms would have, at least
    one): an officer with an association declaration (approved, now and then pending) naming a
    new person in police records, with a person record of their own, who shares no address,
    phone, or surname and postcode with the officer (or anyone): only the declaration links
    them; the officer looks the record up 2 to 5 times on working days, with a real purpose code
    and no case. ``associate_namesake`` (``kl``): an officer with an approved association
    declaration naming a new person P1, and a second new person P2 of the same surname and
    forenames, born 10 or more years apart, at another address, postcode and phone; the officer
    looks up P2's record 2 to 4 times (never P1's).

    The new persons carry no nominal flags and the declarations no organisation (no other
    detector reads them as a tie). Taken: officers on the duty system who are in no other plan
    (as :meth:`~synthetic.world.World.take` sees to), not in the team that often leaves the code
    out nor the safeguarding unit, with no relative in police records and no declaration naming
    a person already. The plans are in ``w.personal_late`` (officer to plan, ``look`` saying
    which); the persons, records and declarations are added to the tables here."""
    det = "access.personal_link"
    w.personal_late = {}
    if not w.events:
        return
    with world_stream(w, PERSONAL_LATE):
        rng = w.rng
        off, decl = w.tables["officers"], w.tables["declarations"]
        persons_t = w.tables["persons"]
        naming = set(decl.loc[decl["person_id"].notna(), "officer_id"])
        avoid = set(w.uncoded_team) | set(w.ppu_members) | {gi for gi, _ in w.bg_relatives}
        ok = (
            ~w.no_shifts & ~np.isin(np.arange(w.n), sorted(avoid)) & ~pd.Series(w.ids).isin(naming).to_numpy()
        )
        m = max(1, round(w.k / len(FORMS[det])))
        forms = [] if w.clean else [(gi, "declared_associate") for gi in w.take(m, ok)]
        forms += [(gi, "associate_namesake") for gi in w.take(w.kl, ok)]
        if not forms:
            return
        # no new person shares a surname and postcode with an officer or a person of the force
        held = {_pc_key(s, p) for s, p in zip(off["surname"], off["home_postcode"], strict=True) if s and p}
        held |= {
            _pc_key(str(s), str(p))
            for s, p in zip(persons_t["surname"], persons_t["postcode"], strict=True)
            if isinstance(s, str) and isinstance(p, str)
        }
        o_sur = off["surname"].to_numpy(object)
        o_pc = off["home_postcode"].to_numpy(object)
        names = set(zip(persons_t["surname"], persons_t["forenames"], strict=True))
        people: list[dict[str, Any]] = []
        decls: list[dict[str, Any]] = []

        def person(surname: str, forenames: str, age: int, avoid_pc: set[str]) -> dict[str, Any]:
            postcode = str(_postcodes(rng, 1)[0])
            while _pc_key(surname, postcode) in held or postcode in avoid_pc:
                postcode = str(_postcodes(rng, 1)[0])
            held.add(_pc_key(surname, postcode))
            row = {
                "person_id": f"PA{len(people) + 1:06d}",
                "surname": surname,
                "forenames": forenames,
                "date_of_birth": w.as_of - dt.timedelta(days=age * 365 + int(rng.integers(0, 365))),
                "postcode": postcode,
                "address": str(w.address(1)[0]),
                "phone": str(w.phone(1)[0]),
                "nominal_flags": None,
            }
            people.append(row)
            return row

        for gi, form in forms:
            look = form == "associate_namesake"
            # a name no one else in police records has (the namesake is the only other), and not
            # the officer's surname
            surname, forenames = str(o_sur[gi]), ""
            for _ in range(100):
                surname, forenames = str(rng.choice(SURNAMES)), str(rng.choice(FORENAMES))
                if surname.casefold() != str(o_sur[gi]).casefold() and (surname, forenames) not in names:
                    break
            names.add((surname, forenames))
            age = int(rng.integers(20, 66))
            p1 = person(surname, forenames, age, {str(o_pc[gi])})
            status = "pending" if not look and rng.random() < 0.25 else "approved"
            decls.append(
                {
                    "declaration_id": f"DA{len(decls) + 1:05d}",
                    "officer_id": str(w.ids[gi]),
                    "kind": "association",
                    "org_id": None,
                    "org_name": None,
                    "person_id": p1["person_id"],
                    "declared_at": w.cal.start - dt.timedelta(days=int(rng.integers(30, 900))),
                    "valid_until": None,
                    "status": status,
                }
            )
            ws, we = w.window(det)
            plan: dict[str, Any] = {"ws": ws, "we": we, "form": form, "look": look, "person": p1}
            if look:  # a namesake born 10 to 25 years before or after, elsewhere
                gap = int(rng.integers(10, 26))
                age2 = age + gap if age - gap < 18 or rng.random() < 0.5 else age - gap
                plan["namesake"] = person(surname, forenames, age2, {str(o_pc[gi]), p1["postcode"]})
            plan["declaration"] = decls[-1]
            w.personal_late[gi] = plan
        # the persons, a person record each (no case, no sensitivity), and the declarations
        first = add_person_records(w, people, "RA", S_NONE)
        record = {p["person_id"]: first + j for j, p in enumerate(people)}
        for plan in w.personal_late.values():
            plan["record"] = record[(plan.get("namesake") or plan["person"])["person_id"]]
        w.tables["declarations"] = pd.concat(
            [decl, pd.DataFrame(decls).reindex(columns=decl.columns)], ignore_index=True
        )


# --------------------------------------------------------------------------- access.volume_outlier's one-day forms

VOLUME_LATE = 917
"""The random stream of :func:`late_volume_outlier` (``[seed, 917]``); its lookups are drawn on
``[seed, 918, block]`` (:func:`plant_volume_late`)."""
VOLUME_LATE_LOOKUPS = 918
EXPORT_ROLES = (
    ("Disclosure Officer", "disclosure officer", "DISCLOSURE  OFFICER", "Disclosure officer "),
    ("Records Management Officer", "records management officer", "Records Management  Officer"),
)
"""Roles whose work is exporting records (``access.volume_outlier`` ``export_role``), each as it
is written in the postings of its holders (the detector reads a role whatever its case and
spacing)."""
ON_DUTY_PEERS = 7
"""Members of an officer's peer group (unit and role) expected on duty on a day, by their
rota (leave and sickness aside), for a one-day form or ``team_operation`` to be planted on it:
the detector needs five on duty that day for a peer median."""


def _peer_groups(w: World) -> tuple[np.ndarray, np.ndarray]:
    """Each officer's peer group as ``access.volume_outlier`` sees it first (their unit and the
    role of their open posting, whatever its case and spacing): a group number per officer, and
    whether the officer has a whole-period rate (on the duty system, there all the period)."""
    asg = w.tables["assignments"]
    open_ = asg[asg["end_date"].isna()].drop_duplicates("officer_id", keep="last")
    role = open_.set_index("officer_id")["role"].reindex(w.ids).fillna("")
    role = role.str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
    unit = w.tables["officers"]["unit_id"].fillna("").to_numpy(object)
    group, _ = pd.factorize(pd.Series(unit + "|" + role.to_numpy(object)))
    return group.astype(np.int64), ~w.no_shifts & (w.start_day <= 0)


def _rota_on(w: World) -> np.ndarray:
    """Officer x day: on duty that day by their rota, as the detector counts peers on duty (a
    duty that starts that day, or a night from the day before running into it): frontline
    officers on an early, late or night, or coming off a night; the others on weekdays that
    are not bank holidays. Leave and sickness are drawn with the events and not known here."""
    d = np.arange(w.days)
    pos = (d[None, :] + w.rota[:, None]) % 10  # the rota's 10 days: E E L L N N R R R R
    front = (w.pattern == FRONTLINE)[:, None]
    weekday = ((w.cal.weekday < 5) & ~w.cal.holiday)[None, :]
    on = np.where(front, pos <= 6, weekday)
    return on & (d[None, :] >= w.start_day[:, None])


def _usual_day(w: World, gi: np.ndarray | int) -> np.ndarray:
    """About how many lookups the officer makes on a duty day (their rate per 8 hours over a
    frontline shift of ten hours or an office day of eight and a half, with follow-up views,
    case work and the last few after a shift)."""
    gi = np.asarray(gi)
    hours = np.where(w.pattern[gi] == FRONTLINE, 600, 510) / 480
    return 1.25 * w.lam[gi] * hours + 0.5


def _lookups_planned(w: World) -> set[int]:
    """Officers whose lookups, or whose peers, another plan reads: every case and look-alike of
    the access detectors and of ``network.crew`` (co-views), the team that often leaves the code
    out, the safeguarding unit, and the later access plans."""
    out = {
        int(gi)
        for plans in (w.plants, w.looks, w.side_looks)
        for det, p in plans.items()
        if det.startswith(("access.", "network.crew"))
        for gi in p
    }
    out |= set(w.uncoded_team) | set(w.ppu_members) | set(w.no_purpose_late) | set(w.personal_late)
    out |= {int(x) for grp, _ in w.crews + w.team_looks for x in grp}
    out |= {int(x) for grp in w.crew_looks for x in grp} | set(getattr(w, "late_crew", []))
    index = {str(o): gi for gi, o in enumerate(w.ids)}
    out |= {
        index[str(r["officer_id"])] for r in [*w.truth_rows, *w.look_rows] if r["detector"] == "network.crew"
    }
    return out


def late_volume_outlier(w: World) -> None:
    """``access.volume_outlier``'s one-day forms and look-alikes, planned after every other plan
    (after :func:`late_personal_link`) on a random stream of their own, so that every other row
    of a seed's force is as it was (but for the ids of the lookups after the ones they add).

    ``team_operation`` (a team for every three look-alike officers, at least one): every member
    of a peer group (unit and role) of six to twenty on the duty system, none of them a case or
    look-alike of the detector, whose rota puts at least :data:`ON_DUTY_PEERS` on duty on a day
    (frontline teams first: a roadside operation); each member on duty makes scores of lookups
    that day (:func:`plant_volume_late`). ``export_role`` (five to seven officers): office and
    hybrid workers, one to a unit of at least eight that is not busy (none of them in a planted
    team), posted to a role of :data:`EXPORT_ROLES` written in several ways, who export or print
    records every working day. ``heavy_day`` and ``bulk_export`` (each ``max(2, k / 4)``
    officers): officers of a peer group (unit and role) of at least five, at least three
    lookups on a usual day, with days in the case's window when their rota puts
    :data:`ON_DUTY_PEERS` of the group on duty, in no team; :func:`plant_volume_late` picks the
    day. The plans are in ``w.volume_late`` (officer to plan, ``look`` saying which); the
    export roles are written in the postings here."""
    det = "access.volume_outlier"
    w.volume_late = {}
    if not w.events:
        return
    with world_stream(w, VOLUME_LATE):
        rng, plans = w.rng, w.volume_late
        group, rated = _peer_groups(w)
        on = _rota_on(w)
        n_groups = int(group.max()) + 1
        size = np.bincount(group[rated], minlength=n_groups)
        group_on = np.zeros((n_groups, w.days), np.int64)
        np.add.at(group_on, group[rated], on[rated].astype(np.int64))
        # officers who are a case or look-alike of the detector (or of sensitive_victims'
        # busy_officer, planted as a sustained case) are in no team
        planned = {gi for plans_ in (w.plants, w.looks, w.side_looks) for gi in plans_[det]}
        planned |= {
            gi for gi, p in w.looks["access.sensitive_victims"].items() if p["form"] == "busy_officer"
        }
        bad = np.bincount(group[sorted(planned)], minlength=n_groups) if planned else np.zeros(n_groups, int)
        ok_groups = np.flatnonzero((size >= 6) & (size <= 20) & (bad == 0))
        front = np.bincount(group[w.pattern == FRONTLINE], minlength=n_groups) > 0
        # a team's day: one their rota puts enough of them on duty, away from the period's edges
        inner = np.zeros(w.days, bool)
        inner[min(7, w.days // 4) : w.days - min(7, w.days // 4)] = True
        good = (group_on >= ON_DUTY_PEERS) & inner[None, :]
        ok_groups = ok_groups[good[ok_groups].any(axis=1)]
        order = np.r_[
            rng.permutation(ok_groups[front[ok_groups]]), rng.permutation(ok_groups[~front[ok_groups]])
        ]
        for g in order[: max(1, round(w.kl / 3))].tolist():
            members = np.flatnonzero((group == g) & rated)
            d = int(rng.choice(np.flatnonzero(good[g])))
            level = max(
                6 * float(np.median(_usual_day(w, members))), float(np.median(_usual_day(w, members))) + 60
            )
            level *= float(rng.uniform(1.0, 1.4))
            w.used[members] = True
            for gi in members.tolist():
                plans[gi] = {
                    "form": "team_operation",
                    "look": True,
                    "day": d,
                    "n": level * float(rng.uniform(0.75, 1.3)),
                    "team": len(members),
                }
        # staff who export every day as their work, one to a unit (their unit and role group
        # keeps six others, so that their colleagues' peers stay as they were)
        unit_size = np.bincount(w.unit, minlength=len(w.unit_busy))[w.unit]
        cand = rated & (w.pattern != FRONTLINE) & (unit_size >= 8) & (w.unit_busy[w.unit] < 1.5)
        cand &= size[group] >= 7
        # no one whose lookups or peers another access plan reads (another family's plans may
        # take them: officers in no plan first, as a small force has few left)
        access = _lookups_planned(w) | set(plans)
        cand &= ~np.isin(np.arange(w.n), sorted(access))
        spellings = EXPORT_ROLES[int(rng.integers(0, len(EXPORT_ROLES)))]
        asg = w.tables["assignments"].copy()
        units: set[int] = set()
        posts: list[int] = []
        want = int(rng.integers(5, 8))
        for gi in np.r_[
            rng.permutation(np.flatnonzero(cand & ~w.used)), rng.permutation(np.flatnonzero(cand & w.used))
        ].tolist():
            if len(posts) >= want or int(w.unit[gi]) in units:
                continue
            units.add(int(w.unit[gi]))
            posts.append(int(gi))
        if len(posts) >= 5:
            for j, gi in enumerate(posts):
                role = spellings[j % len(spellings)]
                w.used[gi] = True
                asg.loc[(asg["officer_id"] == w.ids[gi]) & asg["end_date"].isna(), "role"] = role
                plans[gi] = {
                    "form": "export_role",
                    "look": True,
                    "role": role,
                    "rate": float(rng.uniform(7, 12)),
                    "holders": len(posts),
                }
            w.tables["assignments"] = asg
        if w.clean:
            return
        m = max(2, round(w.k / len(FORMS[det])))
        usual = _usual_day(w, np.arange(w.n))
        ok = rated & (size[group] >= 5) & (usual >= 3.0)
        ok &= ~np.isin(np.arange(w.n), sorted(planned))
        ok &= good[group].any(axis=1)
        # the officers whose duties, swipes and lookups on duty the roster and attendance plans read
        duties = {
            int(gi)
            for plans_ in (w.plants, w.looks, w.side_looks)
            for d, p in plans_.items()
            if d.startswith(("roster.", "attendance."))
            for gi in p
        }
        duties |= set(w.roster_late) | set(w.rank_plan) | set(getattr(w, "claim_plan", {}))
        for form in ("heavy_day", "bulk_export"):
            # officers in no plan first; then (a small force has few left) officers whose other
            # plans do not read their lookups
            taken = w.take(m, ok)
            spare = np.flatnonzero(
                ok & w.used & ~np.isin(np.arange(w.n), sorted(access | duties | set(plans)))
            )
            taken += [int(x) for x in rng.permutation(spare)[: m - len(taken)]]
            w.used[taken] = True
            for gi in sorted(taken):
                ws, we = w.window(det)
                peers = np.flatnonzero((group == group[gi]) & rated)
                plans[gi] = {
                    "form": form,
                    "look": False,
                    "ws": ws,
                    "we": we,
                    "days": good[group[gi]] & on[gi],
                    "usual": float(usual[gi]),
                    "peer": float(np.median(usual[peers])),
                }


class _Relations:
    """Who an officer's cases belong to: their units (every posting), the officers posted
    to those units, whom they line-manage (directly and one level down) and who manages
    them (two levels up); the case assignments by case."""

    def __init__(self, w: World) -> None:
        self.w = w
        index = {str(o): gi for gi, o in enumerate(w.ids)}
        off, asg = w.tables["officers"], w.tables["assignments"]
        pairs = pd.concat(
            [off[["officer_id", "unit_id"]], asg[["officer_id", "unit_id"]]], ignore_index=True
        ).drop_duplicates()
        pairs = pairs[pairs["officer_id"].isin(index)]
        gi = pairs["officer_id"].map(index).to_numpy(np.int64)
        self.units_of: dict[int, set[str]] = {}
        self.members: dict[str, set[int]] = {}
        for g, u in zip(gi.tolist(), pairs["unit_id"].astype(str).tolist(), strict=True):
            self.units_of.setdefault(g, set()).add(u)
            self.members.setdefault(u, set()).add(g)
        self.manager = np.full(w.n, -1, np.int64)
        for o, m in zip(off["officer_id"], off["line_manager_id"], strict=True):
            if o in index and m in index and index[m] != index[o]:
                self.manager[index[o]] = index[m]
        self.reports: dict[int, list[int]] = {}
        for g, m in enumerate(self.manager.tolist()):
            if m >= 0:
                self.reports.setdefault(m, []).append(g)

    def team(self, gi: int) -> set[int]:
        """Whom ``gi`` line-manages, directly or one level down."""
        first = set(self.reports.get(gi, []))
        return first | {r for g in first for r in self.reports.get(g, [])}

    def related(self, gi: int) -> set[int]:
        """The officer, their unit colleagues (every posting), their team and their managers."""
        out = {gi} | self.team(gi)
        for u in self.units_of.get(gi, set()):
            out |= self.members.get(u, set())
        m = int(self.manager[gi])
        if m >= 0:
            out |= {m, int(self.manager[m])} - {-1}
        return out

    def records_not_theirs(self, gi: int, ws: int, we: int) -> list[int]:
        """Records (of no sensitivity) of two to four cases open in ``ws..we`` that neither the
        officer nor anyone :meth:`related` to them was ever assigned to."""
        w = self.w
        near = np.isin(w.ca["off"], sorted(self.related(gi)))
        theirs = np.unique(w.ca["case"][near])
        cases = np.flatnonzero((w.c_opened <= we) & (w.c_closed >= ws))
        cases = np.setdiff1d(cases, theirs)
        if not len(cases):
            return []
        out: list[int] = []
        for c in w.rng.permutation(cases)[:4].tolist():
            recs = np.arange(w.case_rec_start[c], w.case_rec_start[c] + w.case_rec_n[c])
            out += [int(r) for r in recs[w.r_sens[recs] == S_NONE]]
        return out

    def supervisors(self) -> np.ndarray:
        """Officers whose team (:meth:`team`) works a case they are not assigned to, in the period."""
        w = self.w
        off, case = w.ca["off"], w.ca["case"]
        long = np.minimum(w.ca["end"], w.days - 1) - np.maximum(w.ca["start"], 0) >= 7
        m1 = self.manager[off]
        m2 = np.where(m1 >= 0, self.manager[np.maximum(m1, 0)], -1)
        ok = np.zeros(w.n, bool)
        for m in (m1, m2):
            sel = long & (m >= 0) & (m != off)
            for s, c in zip(m[sel].tolist(), case[sel].tolist(), strict=True):
                ok[s] |= c not in w.assigned.get(s, set())
        return ok

    def team_cases(self, gi: int) -> list[tuple[int, int, int]]:
        """One to three (case, first day, last day) of the period on which a member of the
        officer's team was assigned to a case the officer never was (at least a week)."""
        w = self.w
        mine = w.assigned.get(gi, set())
        rows = np.flatnonzero(np.isin(w.ca["off"], sorted(self.team(gi))))
        out: list[tuple[int, int, int]] = []
        for r in rows.tolist():
            c = int(w.ca["case"][r])
            d0, d1 = max(int(w.ca["start"][r]), 0), min(int(w.ca["end"][r]), w.days - 1)
            if c not in mine and d1 - d0 >= 7 and c not in {x[0] for x in out}:
                out.append((c, d0, d1))
        if not out:
            return out
        take = w.rng.permutation(len(out))[: int(w.rng.integers(1, 4))]
        return [out[int(t)] for t in sorted(take)]


def vip_records(w: World, k: int) -> list[int]:
    """``k`` records of VIPs in police records (``sensitivity`` ``vip``), in random order: the
    force's own first, then VIPs added for the purpose (people in police records with an
    address of their own, no phone, and no officer's surname and postcode), whom the
    ordinary force never looks up."""
    have = [int(x) for x in w.rng.permutation(np.flatnonzero(w.r_sens == S_VIP))]
    short = k - len(have)
    if short <= 0:
        return have[:k]
    off = w.tables["officers"]
    held = set(off["surname"].str.casefold() + "|" + off["home_postcode"].str.replace(" ", "").str.upper())
    persons = []
    for j in range(short):
        surname = str(w.rng.choice(SURNAMES))
        postcode = str(_postcodes(w.rng, 1)[0])
        while f"{surname.casefold()}|{postcode.replace(' ', '').upper()}" in held:
            postcode = str(_postcodes(w.rng, 1)[0])
        persons.append(
            {
                "person_id": f"PV{j + 1:06d}",
                "surname": surname,
                "forenames": str(w.rng.choice(FORENAMES)),
                "date_of_birth": w.as_of - dt.timedelta(days=int(w.rng.integers(25 * 365, 75 * 365))),
                "postcode": postcode,
                "address": str(w.address(1)[0]),
                "phone": None,
                "nominal_flags": None,
            }
        )
    first = add_person_records(w, persons, "RV", S_VIP)
    return have + list(range(first, first + short))


def add_person_records(w: World, people: list[dict[str, Any]], prefix: str, sensitivity: int) -> int:
    """Add ``people`` (rows of persons, with ``person_id``) to the persons table and a person
    record of each (``<prefix>0000001`` on, no case, the given sensitivity) to the records
    table and the world's record arrays, after every other row; the index of the first new
    record. The new people are not in the world's person arrays (``r_person`` is -1)."""
    pf, rec, n = w.tables["persons"], w.tables["records"], len(people)
    w.tables["persons"] = pd.concat(
        [pf, pd.DataFrame(people).reindex(columns=pf.columns)], ignore_index=True
    ).astype(pf.dtypes.to_dict())
    first = len(w.r_ids)
    new_ids = np.array([f"{prefix}{j + 1:07d}" for j in range(n)], dtype=object)
    added = pd.DataFrame(
        {
            "record_id": new_ids,
            "record_type": RTYPES[R_PERSON],
            "person_id": [p["person_id"] for p in people],
            "case_ref": None,
            "sensitivity": SENS[sensitivity],
            "offence_category": None,
        }
    )
    w.tables["records"] = pd.concat([rec, added.reindex(columns=rec.columns)], ignore_index=True).astype(
        rec.dtypes.to_dict()
    )
    w.r_ids = np.r_[w.r_ids, new_ids]
    w.r_ids_pa = pa.array(w.r_ids, type=pa.string())
    w.r_type = np.r_[w.r_type, np.full(n, R_PERSON)]
    w.r_person = np.r_[w.r_person, np.full(n, -1)]
    w.r_case = np.r_[w.r_case, np.full(n, -1)]
    w.r_sens = np.r_[w.r_sens, np.full(n, sensitivity)]
    return first


# --------------------------------------------------------------------------- in the events, block by block


def return_from_leave(b: Block, leave: np.ndarray, sick: np.ndarray, workday: np.ndarray) -> None:
    """``access.volume_outlier`` ``return_from_leave``: back from a long leave at the usual
    rate (made with the roster, in its grids of leave and sickness)."""
    w, rng, nd = b.w, b.rng, b.D
    for i, _gi, p in b.mine(w.looks["access.volume_outlier"]):
        if p["form"] != "return_from_leave" or nd < 60:
            continue
        length = int(rng.integers(28, 43))
        d0 = int(rng.integers(0, max(1, nd - length - 30)))
        leave[i, d0 : d0 + length] |= workday[i, d0 : d0 + length]
        sick[i, d0 : d0 + length] = False
        p["ws"], p["we"] = max(0, d0 - 14), nd - 1
        p["back"] = d0 + length


def plant_safeguarding_unit(b: Block) -> None:
    """The safeguarding unit's reviews of victims across cases (``access.sensitive_victims``
    ``public_protection_unit``)."""
    w = b.w
    ppu: dict[int, list[int]] = getattr(w, "ppu_plan", {})
    for i, _gi, recs in b.mine(ppu):  # type: ignore[arg-type]
        wd = b.work_days(i, 0, b.D - 1)
        if len(wd) and recs:
            days = b.pick(wd, len(recs))
            b.lookups(i, days, np.array(list(recs)[: len(days)]), (P_INV, P_INT), -1, (VIEW,))


def plant_late(b: Block) -> None:
    """The lookups of :func:`late_no_purpose`'s plans (on the block's stream of its own)."""
    for i, _gi, p in b.mine(getattr(b.w, "no_purpose_late", {})):
        plant_no_purpose(b, i, p, bool(p["look"]))


def plant_personal_late(b: Block) -> None:
    """The lookups of :func:`late_personal_link`'s plans (on the block's stream of its own): 2 to
    5 (the look-alike 2 to 4) of the person's record, each on a working day of its own, with a
    real purpose code and no case."""
    det, rng = "access.personal_link", b.rng
    for i, _gi, p in b.mine(getattr(b.w, "personal_late", {})):
        look = bool(p["look"])
        k = int(rng.integers(2, 5 if look else 6))
        days = b.pick(_enough_days(b, i, p["ws"], p["we"], k), k)
        if len(days) < 2:
            continue
        b.lookups(i, days, np.full(len(days), p["record"]), (P_INC, P_INT, P_ADM), -1, (SEARCH, VIEW))
        p1, d = p["person"], p["declaration"]
        who = f"{p1['forenames']} {p1['surname']} ({p1['person_id']}, born {p1['date_of_birth'].year})"
        if look:
            p2 = p["namesake"]
            note = (
                f"{len(days)} lookups, with real purpose codes and no case, of {p2['forenames']} {p2['surname']} "
                f"({p2['person_id']}, born {p2['date_of_birth'].year}, living elsewhere), a namesake of {who}, "
                f"whom they declared an association with ({d['declaration_id']}, {d['status']}): another "
                "person, sharing no address or phone with them; the declaration names its person"
            )
        else:
            note = (
                f"{len(days)} lookups, with real purpose codes and no case of theirs, of {who}, whom they "
                f"declared an association with ({d['declaration_id']}, {d['status']}); the person shares no "
                "address, phone, or surname and postcode with them"
            )
        b.row(det, i, int(days[0]), int(days[-1]), note, look, p["form"])


def _on_the_day(b: Block, i: int, c: int) -> tuple[int, float, float] | None:
    """Where the officer's duty time on calendar day ``c`` lies: (day index of the duty, first
    and last minute of it on ``c``), the longer stretch of a duty that starts that day (a night
    up to midnight) or a night from the day before after midnight; ``None`` off duty."""
    duty = (EARLY, LATE, NIGHT, DAY)
    spans: list[tuple[int, float, float]] = []
    if b.work[i, c] and not b.quiet[i, c] and b.duty[i, c] in duty:
        spans.append((c, float(b.W_s[i, c]), float(min(b.W_e[i, c], 1439))))
    if c > 0 and b.work[i, c - 1] and not b.quiet[i, c - 1] and b.duty[i, c - 1] == NIGHT:
        spans.append((c - 1, 1440.0, float(b.W_e[i, c - 1])))
    spans = [s for s in spans if s[2] - s[1] >= 60]
    return max(spans, key=lambda s: s[2] - s[1]) if spans else None


def _fewest_duty_days(b: Block, i: int, c: int) -> int:
    """The fewest duty days in a 30-day window holding day ``c`` that the detector's burst test
    reads (one of at least five duty days); a large number when no window fits the period."""
    nd = b.D
    if nd < 30:
        return 10**6
    cs = np.r_[0, np.cumsum(b.work[i] & np.isin(b.duty[i], (EARLY, LATE, NIGHT, DAY)))]
    s = np.arange(max(0, c - 29), min(c, nd - 30) + 1)
    n = cs[s + 30] - cs[s]
    n = n[n >= 5]
    return int(n.min()) if len(n) else 10**6


def plant_volume_late(b: Block) -> None:
    """The lookups of :func:`late_volume_outlier`'s plans (on the block's stream of its own), every
    one within the officer's duty hours, with a real purpose code and no case, of records of the
    force's ordinary work (:func:`_export_role`, :func:`_team_day`, :func:`_one_day`). A day's
    added lookups stay under one and a half times the officer's usual lookups over the fewest
    duty days of a 30-day window holding it, so that a single day is never a burst of weeks."""
    for i, gi, p in b.mine(getattr(b.w, "volume_late", {})):
        if p["form"] == "export_role":
            _export_role(b, i, p)
        elif p["form"] == "team_operation":
            _team_day(b, i, gi, p)
        else:
            _one_day(b, i, p)


def _export_role(b: Block, i: int, p: dict[str, Any]) -> None:
    """``export_role``: about seven to twelve exports and prints per 8 hours on duty, every working
    day, and one or two days of two to three times that (a case file for court)."""
    rng, w = b.rng, b.w
    wd = b.work_days(i, 0, b.D - 1)
    if not len(wd):
        return
    per_day = rng.poisson(p["rate"] * (b.W_e[i, wd] - b.W_s[i, wd]) / 480)
    big = b.pick(wd, int(rng.integers(1, 3)))
    per_day[np.isin(wd, big)] = np.round(p["rate"] * rng.uniform(2.0, 3.0, len(big)))
    dd = np.repeat(wd, per_day)
    ii = np.full(len(dd), i)
    b.acc_add(
        ii,
        dd,
        b.when(i, dd),
        rng.choice(w.ops_pool, len(dd)),
        rng.choice(np.array([EXPORT, EXPORT, PRINT]), len(dd)),
        rng.choice(np.array([P_ADM, P_INV]), len(dd)),
        b.lookup_sites(ii, dd),
        -1,
    )
    note = (
        f"a {p['role'].strip()} (one of {p['holders']} across the force, one to a unit): exports and prints "
        f"about {p['rate']:.0f} records per 8 hours on duty as their work, every working day, {len(big)} "
        "day(s) of two to three times that"
    )
    b.row("access.volume_outlier", i, 0, b.D - 1, note, True, "export_role")


def _team_day(b: Block, i: int, gi: int, p: dict[str, Any]) -> None:
    """``team_operation``: a member on duty that day makes their share of the team's scores of
    lookups (three quarters to one and a third of it), checks in four to seven hours of their
    duty on that day (a frontline team's of people and vehicles, stop checks and incidents)."""
    rng, w = b.rng, b.w
    c = int(p["day"])
    span = _on_the_day(b, i, c)
    if span is None:  # on leave, sick or resting that day: not in the operation
        return
    d, lo, hi = span
    k = round(min(p["n"], 1.5 * _fewest_duty_days(b, i, c) * float(_usual_day(w, gi))))
    if k <= 0:
        return
    length = min(hi - lo, float(rng.uniform(240, 420)))
    start = lo + float(rng.random()) * (hi - lo - length)
    dd, ii = np.full(k, d), np.full(k, i)
    front = w.pattern[gi] == FRONTLINE
    b.acc_add(
        ii,
        dd,
        np.sort(start + rng.random(k) * length),
        rng.choice(w.ops_pool, k),
        rng.choice(np.array([SEARCH, SEARCH, VIEW]), k),
        rng.choice(np.array([P_STOP, P_INC] if front else [P_INT, P_INV]), k),
        b.lookup_sites(ii, dd),
        -1,
    )
    what = "checks of people and vehicles" if front else "checks for the operation"
    note = (
        f"a team's operation day: with the {p['team']} officers of their unit and role, made {k} lookups "
        f"({what}) on a day every member on duty made scores"
    )
    b.row("access.volume_outlier", i, c, c, note, True, "team_operation")


SPREES = {
    "trawl": "a trawl of many different records in two to four hours of one shift",
    "fixated": "the same few records searched and viewed again and again over one shift",
    "night": "a trawl of many different records in the small hours of a night duty",
}
"""``heavy_day``'s shapes of a search spree."""


def _day_size(b: Block, i: int, c: int, p: dict[str, Any]) -> int:
    """Lookups (``bulk_export``: exports and prints) to add on day ``c`` of a planned one-day
    form, or 0 where a 30-day window holding it would take too few for the form."""
    rng, usual = b.rng, float(p["usual"])
    base = max(usual, float(p["peer"]))
    cap = int(1.5 * _fewest_duty_days(b, i, c) * usual)
    if p["form"] == "bulk_export":
        want = least = int(rng.integers(22, 47))
    else:
        want = round(max(rng.uniform(7, 14) * base, base + rng.uniform(60, 140)) - usual)
        least = round(max(6 * base, base + 55) - usual)
    return min(want, cap) if cap >= least else 0


def _one_day(b: Block, i: int, p: dict[str, Any]) -> None:
    """``heavy_day``: one day (a quarter of the cases two, a week or more apart) of seven to
    fourteen times the higher of their usual day and their unit and role peers' and at least 60
    to 140 lookups beyond it: a trawl of many records in a stretch of two to four hours of a
    shift, searches with views; the same few records searched and viewed again and again over a
    shift; or (after midnight, on a night duty) a trawl in the small hours, on the day the night
    runs into (a trawl in a day's shift where the window holds no night). ``bulk_export``: one
    day of 22 to 46 exports and prints of as many records (in one sitting of 45 minutes to two
    hours, or over the shift, prints the more); under 50 lookups beyond the usual day, so no
    heavy day of lookups. The day is one the planned peer group is on duty in numbers."""
    rng, w, form = b.rng, b.w, str(p["form"])
    days = np.flatnonzero(np.asarray(p["days"])[p["ws"] : p["we"] + 1]) + p["ws"]
    if not len(days):
        days = np.flatnonzero(np.asarray(p["days"]))
    shape = str(rng.choice(list(SPREES))) if form == "heavy_day" else ""
    n_days = 2 if form == "heavy_day" and rng.random() < 0.25 else 1
    picked: list[tuple[int, tuple[int, float, float], int]] = []
    for tried in [shape, "trawl"] if shape == "night" else [shape]:
        for c in rng.permutation(days).tolist():
            span = _on_the_day(b, i, c)
            if span is None or any(abs(c - x) < 7 for x, _, _ in picked):
                continue
            night = span[0] == c - 1
            if form == "heavy_day" and (
                (tried == "night") != night or (not night and span[2] - span[1] < 240)
            ):
                continue
            k = _day_size(b, i, c, p)
            if k > 0:
                picked.append((c, span, k))
            if len(picked) == n_days:
                break
        if picked:
            shape = tried
            break
    said = []
    for c, (d, lo, hi), k in sorted(picked):
        ii, dd = np.full(k, i), np.full(k, d)
        if form == "bulk_export":
            batch = rng.random() < 0.5
            length = min(float(rng.uniform(45, 120)), hi - lo) if batch else hi - lo
            recs = rng.choice(w.ops_pool, k, replace=False)
            actions = rng.choice(np.array([EXPORT, PRINT]), k, p=[0.7, 0.3] if batch else [0.4, 0.6])
            purposes = rng.choice(np.array([P_INV, P_INT, P_ADM]), k)
            said.append(f"{k} exports and prints on {w.cal.iso(c)}" + (" in one sitting" if batch else ""))
        else:
            length = hi - lo if shape == "fixated" else min(hi - lo, float(rng.uniform(120, 240)))
            few = rng.choice(w.ops_pool, int(rng.integers(4, 13)), replace=False)
            recs = rng.choice(few, k) if shape == "fixated" else rng.choice(w.ops_pool, k, replace=False)
            actions = rng.choice(np.array([SEARCH, SEARCH, SEARCH, VIEW, VIEW]), k)
            purposes = rng.choice(np.array([P_INC, P_INT, P_INV]), k)
            said.append(f"{k} lookups on top of their usual ones on {w.cal.iso(c)}")
        start = lo + float(rng.random()) * (hi - lo - length)
        minutes = np.sort(start + rng.random(k) * length)
        b.acc_add(ii, dd, minutes, recs, actions, purposes, b.lookup_sites(ii, dd), -1)
    if not picked:
        return
    if form == "bulk_export":
        note = (
            f"a day of bulk exports and prints: {'; '.join(said)}, of as many different records, where they "
            "and their unit and role peers take out a few a month"
        )
    else:
        note = (
            f"a search spree: {'; '.join(said)} (their usual day about {p['usual']:.0f}, their unit and role "
            f"peers' about {p['peer']:.0f}), {SPREES[shape]}"
        )
    days_ = sorted(c for c, _, _ in picked)
    b.row("access.volume_outlier", i, days_[0], days_[-1], note, False, form)


LATE_NO_PURPOSE = (
    "case_not_theirs",
    "case_code_without_case",
    "sensitive_record",
    "team_case_review",
    "code_often_without_case",
    "sensitive_with_purpose",
    "one_sensitive_slip",
)
"""``access.no_purpose``'s forms and look-alikes planned by :func:`late_no_purpose` (with the
spread variant of ``missing_code``)."""


def _enough_days(b: Block, i: int, ws: int, we: int, need: int) -> np.ndarray:
    """The officer's working days in ``ws..we``, the window widened ten days a side at a time
    while it holds fewer than ``need`` (weeks of leave or sickness in it)."""
    wd = b.work_days(i, ws, we)
    while len(wd) < need and (ws > 0 or we < b.D - 1):
        ws, we = max(0, ws - 10), min(b.D - 1, we + 10)
        wd = b.work_days(i, ws, we)
    return wd


def spread_days(wd: np.ndarray, ws: int, we: int, k: int) -> np.ndarray:
    """``k`` of the working days ``wd``, each the nearest free one to ``k`` evenly spaced days
    from ``ws`` to ``we``.

    >>> spread_days(np.arange(0, 90), 0, 89, 13).tolist()
    [0, 7, 15, 22, 30, 37, 44, 52, 59, 67, 74, 82, 89]
    """
    free = [int(d) for d in wd]
    out: list[int] = []
    for t in np.linspace(ws, we, k):
        if not free:
            break
        j = int(np.argmin(np.abs(np.array(free) - t)))
        out.append(free.pop(j))
    return np.sort(np.array(out, dtype=np.int64))


def densest(days: np.ndarray, length: int = 30) -> int:
    """The most of ``days`` (sorted) in any window of ``length`` days.

    >>> densest(np.array([0, 5, 29, 30, 31, 35]))  # days 5 to 34
    4
    """
    return int((np.searchsorted(days, days + length) - np.arange(len(days))).max()) if len(days) else 0


def plant_no_purpose_late(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    """The forms and look-alikes of :data:`LATE_NO_PURPOSE` and ``missing_code`` spread over
    60 to 90 days: one lookup per enquiry (a record on a day), on working days."""
    det, rng, w = "access.no_purpose", b.rng, b.w
    form = p["form"]
    recs = np.array(p.get("records", []), dtype=np.int64)
    if form == "missing_code":  # spread: no 30-day window holds ten
        wd = b.work_days(i, p["ws"], p["we"])
        days = np.zeros(0, np.int64)
        for k in range(int(p["spread"]), 11, -1):
            days = spread_days(wd, p["ws"], p["we"], k)
            if len(days) == k and densest(days) < 10:
                break
        if len(days) < 12 or densest(days) >= 10:
            return
        b.lookups(i, days, rng.permutation(recs)[: len(days)], (), -1, (SEARCH, VIEW, VIEW))
        note = (
            f"{len(days)} lookups with no purpose code spread evenly over {int(days[-1] - days[0]) + 1} days "
            f"(at most {densest(days)} in any 30 days), of records of cases they are not assigned to or "
            "of no case"
        )
    elif form == "team_case_review":
        live: dict[int, list[int]] = {}  # working day: the team's cases open that day
        for c, d0, d1 in p["cases"]:
            for d in b.work_days(i, d0, d1).tolist():
                live.setdefault(d, []).append(c)
        days = b.pick(np.array(sorted(live), dtype=np.int64), int(rng.integers(6, 11)))
        if len(days) < 6:
            return
        cases = np.array([int(rng.choice(live[int(d)])) for d in days])
        rec = np.array([_case_record(w, rng, int(c)) for c in cases])
        b.lookups(i, days, rec, (P_INV,), cases, (SEARCH, VIEW))
        refs = ", ".join(str(w.c_ids[c]) for c in sorted(set(cases.tolist())))
        note = (
            f"a supervisor: {len(days)} enquiries coded {PURPOSES[P_INV]} quoting their team's cases ({refs}), "
            "to which members of the team they line-manage are assigned and they are not"
        )
    else:
        need = {"case_not_theirs": 10, "case_code_without_case": 10}.get(form, len(recs))
        wd = _enough_days(b, i, p["ws"], p["we"], need)
        if not len(wd) or not len(recs):
            return
        if form == "case_not_theirs":
            days = b.pick(wd, int(rng.integers(6, 11)))
            rec = rng.choice(recs, len(days))
            b.lookups(i, days, rec, (P_INV, P_INT), w.r_case[rec], (SEARCH, VIEW))
            refs = ", ".join(str(w.c_ids[c]) for c in sorted(set(w.r_case[rec].tolist())))
            note = (
                f"{len(days)} enquiries with a real purpose code quoting cases ({refs}) that neither they, "
                "their unit colleagues nor anyone they line-manage were ever assigned to"
            )
        elif form == "case_code_without_case":
            days = b.pick(wd, int(rng.integers(6, 11)))
            b.lookups(i, days, rng.permutation(recs)[: len(days)], (P_CRN,), -1, (SEARCH, VIEW))
            note = (
                f"{len(days)} enquiries coded {PURPOSES[P_CRN]} (a code the force quotes a case with) "
                "with no case reference, of records of no case"
            )
        elif form == "code_often_without_case":
            days = np.sort(rng.choice(wd, len(recs)))
            b.lookups(i, days, recs, (P_INV,), -1, (SEARCH, VIEW))
            note = (
                f"{len(days)} enquiries coded {PURPOSES[P_INV]} with no case reference, of records of no case "
                f"({PURPOSES[P_INV]} goes without a case on much of the force's lookups)"
            )
        else:  # VIP records, each once on a day of its own
            days = b.pick(wd, len(recs))
            blank = form in ("sensitive_record", "one_sensitive_slip")
            b.lookups(i, days, recs[: len(days)], () if blank else (P_INT, P_INC, P_ADM), -1, (VIEW,))
            what = "with no purpose code" if blank else "with a real purpose code"
            many = "one VIP record" if len(days) == 1 else f"{len(days)} VIP records"
            note = f"{many} (sensitivity vip, of no case, not theirs) viewed {what}"
            if len(days) > 1:
                note += ", each on a day of its own"
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


def _case_record(w: World, rng: np.random.Generator, c: int) -> int:
    """A record of no sensitivity of case ``c`` (its crime record among them)."""
    recs = np.arange(w.case_rec_start[c], w.case_rec_start[c] + w.case_rec_n[c])
    return int(rng.choice(recs[w.r_sens[recs] == S_NONE]))


def plant_no_purpose(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng = "access.no_purpose", b.rng
    form = p["form"]
    if form in LATE_NO_PURPOSE or "spread" in p:
        plant_no_purpose_late(b, i, p, look)
        return
    if form == "uncoded_tail":
        b.row(
            det,
            i,
            0,
            b.D - 1,
            f"in a team that often leaves the purpose code out: {100 * b.w.no_code[b.gi[i]]:.0f}% of their "
            "ordinary lookups (the force's background is 1%), like their colleagues",
            look,
            form,
        )
        return
    wd = b.work_days(i, p["ws"], p["we"])
    if not len(wd):
        return
    if form == "own_case_no_code":
        c = p["case"]
        recs = np.arange(b.w.case_rec_start[c], b.w.case_rec_start[c] + b.w.case_rec_n[c])
        days = np.sort(rng.choice(wd, int(rng.integers(6, 11))))
        b.lookups(i, days, rng.choice(recs, len(days)), (), -1, (VIEW,))
        note = f"{len(days)} views without a purpose code, all of records of their own assigned case {b.w.c_ids[c]}"
    elif form == "system_without_codes":
        k = int(rng.integers(10, 26))
        days = np.sort(rng.choice(wd, k))
        b.lookups(
            i,
            days,
            rng.choice(np.array(p["records"]), k),
            (),
            -1,
            (SEARCH, VIEW),
            SYSTEMS.index(CODELESS_SYSTEM),
        )
        note = f"{k} lookups on {CODELESS_SYSTEM}, a system whose screen asks for no purpose code (nobody records one)"
    elif form == "few_missing":
        k = int(rng.integers(2, 4))
        days = np.sort(rng.choice(wd, k))
        b.lookups(i, days, rng.choice(np.array(p["records"]), k), (), -1, (SEARCH, VIEW))
        note = f"{k} lookups without a purpose code in the window (a forgotten code now and then)"
    elif form == "background_uncoded":
        k = int(rng.integers(3, 6))
        days = np.sort(rng.choice(wd, k))
        b.lookups(i, days, rng.choice(np.array(p["records"]), k), (), -1, (SEARCH, VIEW))
        note = (
            f"a busy officer (among the force's busiest tenth) with {k} lookups without a purpose code "
            "on top of the share of their many lookups that goes without one anyway"
        )
    elif form == "coded_lookups":
        k = int(rng.integers(15, 26))
        days = np.sort(rng.choice(wd, k))
        b.lookups(i, days, rng.choice(np.array(p["records"]), k), (P_INT, P_ADM, P_INC), -1, (SEARCH, VIEW))
        note = f"{k} lookups of records outside their cases, each with a real purpose code"
    else:
        k = int(rng.integers(10, 21))
        days = np.sort(rng.choice(wd, k))
        if form == "placeholder_code":
            own = rng.choice(P_PLACEHOLDER, int(rng.integers(1, 3)), replace=False)
            b.lookups(
                i,
                days,
                rng.choice(np.array(p["records"]), k),
                tuple(int(x) for x in own),
                -1,
                (SEARCH, VIEW, VIEW),
            )
            codes = ", ".join(f"'{PURPOSES[int(x)]}'" for x in own)
            note = f"{k} lookups with the purpose code {codes} (no purpose), of records of cases they are not assigned to or of no case"
        else:
            b.lookups(i, days, rng.choice(np.array(p["records"]), k), (), -1, (SEARCH, VIEW, VIEW))
            note = f"{k} lookups with no purpose code, of records of cases they are not assigned to or of no case"
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


def plant_personal_link(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng = "access.personal_link", b.rng
    wd = b.work_days(i, p["ws"], p["we"])
    if not len(wd) or not p.get("records"):
        return
    k = int(rng.integers(3, 9)) if not look else int(rng.integers(2, 6))
    days = np.sort(rng.choice(wd, k))
    b.lookups(i, days, rng.choice(np.array(p["records"]), k), (P_INC, P_INT, P_ADM))
    b.row(det, i, int(days[0]), int(days[-1]), f"{k} lookups of {p['note']}", look, p["form"])


def plant_sensitive_victims(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng = "access.sensitive_victims", b.rng
    form = p["form"]
    if form == "specialist_role_peers":
        wd = b.work_days(i, 0, b.D - 1)
        if not len(wd) or not p.get("records"):
            return
        days = b.pick(wd, len(p["records"]))
        b.lookups(i, days, np.array(p["records"][: len(days)]), (P_INV, P_INT), -1, (VIEW,))
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"a {p['role']} officer posted to a team of other roles: {len(days)} different victim/witness "
            "records of sexual or domestic cases across cases, each once, as the force's other officers "
            "doing that work",
            look,
            form,
        )
        return
    if form == "busy_officer":
        # several times the peers' lookups of every kind, victim records among them in the usual share:
        # a volume outlier (a planted access.volume_outlier case), not an interest in victims; a clean
        # force plants no case of any detector, so none of these either
        w, gi = b.w, int(b.gi[i])
        if w.clean:
            return
        f = float(rng.uniform(4, 6))
        b.vol[i, :] = f * ROLE_LOOKUPS[w.role[gi]] * w.unit_busy[w.unit[gi]] / w.lam[gi]
        b.skew[i, :] = 1.4
        b.row(
            det,
            i,
            0,
            b.D - 1,
            f"about {f:.0f} times the lookups of their peers, of every kind of record: victim records "
            "among them in the usual share",
            look,
            form,
        )
        b.row(
            "access.volume_outlier",
            i,
            0,
            b.D - 1,
            f"about {f:.0f} times the lookups of their unit and rank peers for the whole period, with no "
            "spike (planted as an access.sensitive_victims busy_officer look-alike)",
            form="sustained",
        )
        return
    if form == "public_protection_unit":
        b.row(
            det,
            i,
            p["ws"],
            p["we"],
            "a safeguarding unit: every member reviews victim records across cases",
            look,
            form,
        )
        return
    wd = b.work_days(i, p["ws"], p["we"])
    if not len(wd) or not p.get("records"):
        return
    recs = np.array(p["records"])
    if form == "own_cases":
        k = int(rng.integers(8, 16))
        days = np.sort(rng.choice(wd, k))
        b.lookups(i, days, rng.choice(recs, k), (P_INV,), p["case"], (VIEW, UPDATE))
        note = (
            f"{k} views of victim and witness records of their own assigned "
            f"{CASE_TYPES[b.w.c_type[p['case']]]} case {b.w.c_ids[p['case']]}"
        )
    elif form in ("breadth", "non_sensitive_records"):
        days = b.pick(wd, len(recs))
        recs = rng.permutation(recs)[: len(days)]
        b.lookups(i, days, recs, (P_INT, P_ADM, P_INC), -1, (VIEW, SEARCH))
        what = "sexual or domestic victim/witness" if form == "breadth" else "non-sensitive"
        note = f"{len(days)} different {what} records outside their cases, each opened once over {int(days[-1] - days[0]) + 1} days"
    elif form == "chance_rereads":
        # one record read three times in one sitting; two read again on a day weeks later; one once
        if len(wd) < 2 or len(recs) < 4:
            return
        first, mid, later = int(wd[0]), int(wd[len(wd) // 2]), int(wd[-1])
        days = np.array([first, first, mid, mid, mid, mid, later, later])
        b.lookups(i, days, recs[[1, 2, 0, 0, 0, 3, 1, 2]], (P_INT, P_ADM), -1, (VIEW,))
        note = (
            f"{len(days)} views of 4 victim/witness records of sexual or domestic cases they are not "
            f"assigned to: one read three times on one day, two read again {later - first} days later, "
            "one once"
        )
    else:  # repeated, few_records
        reps = rng.integers(2, 5, len(recs)) if form == "repeated" else np.full(len(recs), 2)
        recs = np.repeat(recs, reps)
        k = len(recs)
        days = np.sort(rng.choice(wd, k))
        b.lookups(i, days, rng.permutation(recs), (P_INT, P_ADM), -1, (VIEW,))
        note = (
            f"{k} views of {len(p['records'])} victim/witness records of sexual or domestic cases "
            "they are not assigned to"
        )
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


def plant_off_duty(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng, w = "access.off_duty", b.rng, b.w
    form = p["form"]
    rest = (b.duty == REST) & (b.pay != ONCALL) & ~b.rdw & b.active

    def evening(k: int) -> np.ndarray:
        # mostly evenings, some in the day, some late at night
        t = rng.integers(1080, 1420, k)
        day = rng.random(k) < 0.3
        t[day] = rng.integers(600, 960, int(day.sum()))
        return t

    def lookups(dd: np.ndarray, minutes: Any, purposes: tuple[int, ...] = (P_INC, P_INT)) -> None:
        b.acc_add(
            np.full(len(dd), i),
            dd,
            minutes,
            rng.choice(w.ops_pool, len(dd)),
            rng.choice(np.array([SEARCH, VIEW]), len(dd)),
            rng.choice(np.array(purposes), len(dd)),
            -1,
            -1,
        )

    if form in ("on_call", "within_grace"):
        if form == "on_call":
            days = b.pick(b.within(i, p["ws"], p["we"], rest & b.free_rest), 3)
            if not len(days):
                return
            b.pay[i, days] = ONCALL
            dd = np.repeat(days, rng.integers(2, 4, len(days)))
            lookups(dd, rng.integers(480, 1320, len(dd)), (P_INC, P_ADM))
            note = f"lookups while on call on {len(days)} rest days (rostered on_call)"
        else:
            days = b.pick(b.work_days(i, p["ws"], p["we"]), int(rng.integers(3, 6)))
            if not len(days):
                return
            lookups(days, b.W_e[i, days] + rng.integers(5, 30, len(days)), (P_ADM,))
            note = f"lookups within 30 minutes after the end of a shift on {len(days)} days"
        b.row(det, i, int(days[0]), int(days[-1]), note, look, form)
        return
    if form == "night_shift_past_midnight":
        nights = b.work & (b.duty == NIGHT)
        nights[:, :-1] &= b.duty[:, 1:] == REST
        days = b.pick(b.within(i, p["ws"], p["we"], nights), int(rng.integers(2, 5)))
        if not len(days):
            return
        dd = np.repeat(days, rng.integers(2, 4, len(days)))
        lookups(dd, rng.integers(1500, 1770, len(dd)))
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]) + 1,
            "lookups between 01:00 and 05:30 in night shifts that began at 22:00 the day before a rest day",
            look,
            form,
        )
        return
    if form == "overtime_recorded":
        days = b.pick(b.within(i, p["ws"], p["we"], b.free_rest & ~b.rdw), int(rng.integers(2, 4)))
        if not len(days):
            return
        b.rest_day_working(np.full(len(days), i), days, cby_self=True)
        for d in days:
            s, e = b.rdw_s[(i, int(d))]
            b.set_work(i, int(d), s, e, int(w.site[b.gi[i]]))
        dd = np.repeat(days, rng.integers(2, 4, len(days)))
        lookups(dd, b.W_s[i, dd] + rng.random(len(dd)) * (b.W_e[i, dd] - b.W_s[i, dd]))
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"lookups on {len(days)} rest days, each during rest-day working recorded in the roster",
            look,
            form,
        )
        return
    if form in ("after_hours", "shift_extended", "on_call_evening", "late_shift", "occasional_late_lookup"):
        plant_evenings(b, i, p, look)
        return
    if form == "not_on_duty_system":
        days = b.pick(b.work_days(i, p["ws"], p["we"]), int(rng.integers(2, 5)))
        if not len(days):
            return
        dd = np.repeat(days, rng.integers(2, 4, len(days)))
        lookups(dd, rng.integers(1110, 1290, len(dd)))
        b.row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            "a member of staff with no shift rows at all: evening lookups, off duty cannot be told",
            look,
            form,
        )
        return
    if form == "no_duty_row":
        ws, we = p["ws"], p["we"]
        b.norow[i, ws : we + 1] |= rest[i, ws : we + 1]
        days = b.pick(b.within(i, ws, we, rest & ~b.after_night), int(rng.integers(2, 6)))
        what = "days with no duty row at all"
    elif form == "leave_or_sick":
        days = b.absent_days(i, p["ws"], p["we"], int(rng.integers(2, 6)))
        what = "days of their own annual leave or sickness"
    else:
        days = b.pick(b.within(i, p["ws"], p["we"], rest & ~b.after_night), int(rng.integers(2, 6)))
        what = "rest days"
    if not len(days):
        return
    dd = np.repeat(days, rng.integers(2, 5, len(days)))
    lookups(dd, evening(len(dd)))
    b.row(
        det,
        i,
        int(days[0]),
        int(days[-1]),
        f"{len(dd)} lookups on {len(days)} {what}, outside any duty or on-call period",
        look,
        form,
    )


def plant_evenings(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    """``access.off_duty`` on duty days: lookups hours after an early or day shift
    (``after_hours``), and the look-alikes that explain evening lookups on a duty day: the shift
    extended by recorded overtime (``shift_extended``), an on-call evening (``on_call_evening``),
    a late shift that day (``late_shift``), and a late lookup now and then
    (``occasional_late_lookup``)."""
    det, rng, w = "access.off_duty", b.rng, b.w
    form, gi = p["form"], int(b.gi[i])
    early = b.work & np.isin(b.duty, (EARLY, DAY)) & ~b.ext & ~b.rdw & ~b.quiet & (b.W_e <= 1080)

    def lookups(dd: np.ndarray, lo: np.ndarray, hi: np.ndarray, purposes: tuple[int, ...]) -> None:
        b.acc_add(
            np.full(len(dd), i),
            dd,
            lo + rng.random(len(dd)) * (hi - lo),
            rng.choice(w.ops_pool, len(dd)),
            rng.choice(np.array([SEARCH, VIEW]), len(dd)),
            rng.choice(np.array(purposes), len(dd)),
            -1,
            -1,
        )

    if form == "occasional_late_lookup":  # one late evening early in the period, one late in it
        half = b.D // 2
        days = np.r_[
            b.pick(b.within(i, 0, half // 2, early), 1),
            b.pick(b.within(i, half + half // 2, b.D - 1, early), 1),
        ]
        if len(days) < 2:
            return
        lookups(days, np.maximum(b.W_e[i, days] + 240, 1200), np.full(len(days), 1410), (P_INT, P_INC))
        note = (
            f"a single late lookup hours after an early shift on 2 days {int(days[1] - days[0])} days apart"
        )
    elif form == "late_shift":
        days = b.pick(
            b.within(i, p["ws"], p["we"], b.work & (b.duty == LATE) & ~b.quiet), int(rng.integers(3, 6))
        )
        if not len(days):
            return
        dd = np.repeat(days, rng.integers(1, 3, len(days)))
        lookups(dd, np.full(len(dd), 1260), np.minimum(b.W_e[i, dd] - 10, 1420), (P_INC, P_INT))
        note = f"lookups between 21:00 and the end of a late shift on {len(days)} days"
    else:
        days = b.pick(b.within(i, p["ws"], p["we"], early), int(rng.integers(3, 6)))
        if len(days) < 3:
            return
        dd = np.repeat(days, rng.integers(1, 4, len(days)))
        if form == "after_hours":
            lookups(dd, np.maximum(b.W_e[i, dd] + 240, 1200), np.full(len(dd), 1410), (P_INT, P_INC))
            note = (
                f"{len(dd)} lookups between 20:00 and 23:30 on {len(days)} days of an early or day duty, "
                "hours after it ended, with no overtime or on-call period recorded"
            )
        elif form == "shift_extended":
            end = b.e[i, days]
            length = rng.choice(np.array([240, 270, 300]), len(days))
            cat = w.cal.ts(days, end) + 60 * rng.integers(0, 45, len(days))
            appr = w.approver[gi]
            b.ot_add(
                i,
                days,
                end,
                end + length,
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
            b.W_e[i, days] = end + length
            b.b_out[i, days] = end + length + rng.integers(0, 20, len(days))
            lo = b.e[i, dd] + 150
            lookups(dd, lo, b.W_e[i, dd] - 5, (P_INV, P_INC))
            note = (
                f"lookups hours after the rostered end of the shift on {len(days)} days, each inside "
                "overtime recorded straight after it"
            )
        else:  # on_call_evening
            start = np.maximum(b.W_e[i, days] + 60, 1080)
            cat = w.cal.ts(days, 0) - 86400 * rng.integers(3, 15, len(days))
            b.ot_add(
                i, days, start, 1430, REST, ONCALL, -1, WORKED, w.clerk[gi], cat, w.approver[gi], cat + 3600
            )
            lo = np.maximum(b.W_e[i, dd] + 60, 1080) + 5
            lookups(dd, lo, np.full(len(dd), 1420), (P_INC, P_ADM))
            note = f"evening lookups after the day's shift on {len(days)} days, each inside an on-call row for that evening"
    b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


def plant_volume_outlier(b: Block, i: int, p: dict[str, Any], look: bool) -> None:
    det, rng, w = "access.volume_outlier", b.rng, b.w
    form = p["form"]
    gi = int(b.gi[i])
    if form == "busy_unit":
        b.row(
            det,
            i,
            0,
            b.D - 1,
            "in a busy unit: lookups about twice the force rate, in line with unit and role peers",
            look,
            form,
        )
    elif form == "new_starter":
        s0 = int(w.start_day[gi])
        b.vol[i, s0 : s0 + 21] = 0.3
        b.row(
            det,
            i,
            s0,
            b.D - 1,
            "joined during the period: a few quiet weeks, then the usual rate",
            look,
            form,
        )
    elif form == "return_from_leave":
        if "back" not in p:
            return
        b.row(det, i, p["ws"], p["we"], "back from weeks of annual leave at the usual rate", look, form)
    elif form in ("specialist_role", "custody_supervisors"):
        wd = b.work_days(i, 0, b.D - 1)
        if not len(wd):
            return
        hours = (b.W_e[i, wd] - b.W_s[i, wd]) / 480
        dd = np.repeat(wd, rng.poisson(max(p["rate"] - float(w.lam[gi]), 0.0) * hours))
        purposes = (P_CUST, P_INV) if form == "custody_supervisors" else (P_INV, P_INT)
        b.lookups(i, dd, rng.choice(w.ops_pool, len(dd)), purposes, -1, (SEARCH, VIEW))
        b.row(
            det,
            i,
            0,
            b.D - 1,
            f"a {p['role'].strip()} posted to a unit of other roles: about {p['rate']:.0f} lookups per 8 hours "
            "on duty, several times their unit's rate, as the force's other officers in that role",
            look,
            form,
        )
    elif form == "small_unit":
        b.row(
            det,
            i,
            0,
            b.D - 1,
            "in a unit of two or three specialists (too few peers), steady at their own rate",
            look,
            form,
        )
    elif form == "sustained":
        peer = ROLE_LOOKUPS[w.role[gi]] * w.unit_busy[w.unit[gi]]
        f = float(rng.uniform(4, 6))
        b.vol[i, :] = f * peer / w.lam[gi]
        b.skew[i, :] = 1.4
        b.row(
            det,
            i,
            0,
            b.D - 1,
            f"about {f:.0f} times the lookups of their unit and rank peers for the whole period, with no spike",
            form=form,
        )
    else:
        f = float(rng.uniform(5, 8))
        b.vol[i, p["ws"] : p["we"] + 1] = f
        b.skew[i, p["ws"] : p["we"] + 1] = 1.0
        b.row(
            det,
            i,
            p["ws"],
            p["we"],
            f"about {f:.0f} times their usual lookups, over many more distinct records, beyond unit and role peers",
            form=form,
        )


# --------------------------------------------------------------------------- access.no_purpose's closed cases

CLOSED_LATE = 923
"""The random stream of :func:`late_closed_case` (``[seed, 923]``); its lookups are drawn on
``[seed, 924, block]`` (:func:`plant_closed_case`)."""
CLOSED_LATE_LOOKUPS = 924
CLOSED_FORMS = ("closed_case", "closed_case_own_records", "quoted_while_closing")
"""``access.no_purpose``'s ``closed_case`` and its look-alikes, planned by :func:`late_closed_case`."""


def late_closed_case(w: World) -> None:
    """``access.no_purpose``'s ``closed_case`` (as many officers as each of the card's forms
    would have, at least one) and its look-alikes ``closed_case_own_records`` and
    ``quoted_while_closing`` (``kl`` each), planned after every other plan (after
    :func:`synthetic.roster.late_short_attendance`) on a random stream of their own, so that
    every other plan of a seed's force is as it was. Each officer (on the duty system, not the
    team that often leaves the code out, in no other plan) is given a case closed in the
    period that neither they nor anyone :meth:`_Relations.related` to them was ever assigned
    to (up to twelve such cases, the first whose days the officer works enough of taken), and
    the days its enquiries fall in: from eight days to three weeks after the case closed, over
    up to 85 days (``closed_case``, ``closed_case_own_records``), or the seven days after it
    closed (``quoted_while_closing``). The plans are in ``w.closed_late`` (officer to plan:
    the cases with their days, form, ``look``)."""
    det = "access.no_purpose"
    w.closed_late = {}
    if not w.events:
        return
    with world_stream(w, CLOSED_LATE):
        rel = _Relations(w)
        ok = _quotes_codes(w)
        todo = [] if w.clean else [("closed_case", False)] * max(1, round(w.k / len(FORMS[det])))
        todo += [(form, True) for form in CLOSED_FORMS[1:] for _ in range(w.kl)]
        quotable = (w.c_type != 3) & (w.c_type != 4)  # not sexual or domestic (sensitive_victims' cases)
        for form, look in todo:
            for gi in take_spare(w, 1, ok):
                near = np.isin(w.ca["off"], sorted(rel.related(gi)))
                theirs = np.unique(w.ca["case"][near])
                late = form != "quoted_while_closing"
                last = w.days - 40 if late else w.days - 8
                cases = np.flatnonzero(quotable & (w.c_closed >= 0) & (w.c_closed <= last))
                cases = np.setdiff1d(cases, theirs)
                if not len(cases):
                    continue
                spans = []  # a few cases, each with its days: the first the officer works enough of is quoted
                for c in w.rng.permutation(cases)[:12].tolist():
                    d0 = int(w.c_closed[c]) + (int(w.rng.integers(8, 22)) if late else 1)
                    d1 = min(w.days - 1, d0 + (int(w.rng.integers(30, 86)) if late else 6))
                    spans.append((int(c), d0, d1))
                w.closed_late[gi] = {"cases": spans, "form": form, "look": look}


def plant_closed_case(b: Block) -> None:
    """The lookups of :func:`late_closed_case`'s plans (on the block's stream of its own), one
    enquiry (a record on a day) per working day, each coded (INV, now and then INT) and quoting
    the closed case:

    - ``closed_case``: 4 or 5 enquiries of records of no case (people, vehicles, addresses);
    - ``closed_case_own_records``: 3 or 4 enquiries of the case's own records (of no
      sensitivity): a closed case reviewed;
    - ``quoted_while_closing``: 3 or 4 enquiries of records of no case in the seven days after
      it closed (within grace_days of its closing)."""
    det, rng, w = "access.no_purpose", b.rng, b.w
    for i, _gi, p in b.mine(getattr(w, "closed_late", {})):
        form, look = str(p["form"]), bool(p["look"])
        k = int(rng.integers(4, 6)) if form == "closed_case" else int(rng.integers(3, 5))
        need = 4 if form == "closed_case" else 3
        found = [(c, d0, d1) for c, d0, d1 in p["cases"] if len(b.work_days(i, d0, d1)) >= need]
        if not found:
            continue
        c, d0, d1 = found[0]
        days = b.pick(b.work_days(i, d0, d1), k)
        if form == "closed_case_own_records":
            rec = np.array([_case_record(w, rng, c) for _ in days], dtype=np.int64)
        else:
            rec = rng.choice(w.ops_pool, len(days), replace=False)
        b.lookups(i, days, rec, (P_INV, P_INV, P_INV, P_INT), c, (SEARCH, VIEW))
        ref, closed = str(w.c_ids[c]), w.cal.iso(int(w.c_closed[c]))
        if form == "closed_case":
            note = (
                f"{len(days)} enquiries with a real purpose code quoting {ref}, a case closed on {closed} that "
                "neither they, their unit colleagues nor anyone they line-manage were ever assigned to, of "
                "records of no case: a closed case borrowed as the purpose"
            )
        elif form == "closed_case_own_records":
            note = (
                f"{len(days)} enquiries quoting {ref}, a case closed on {closed} that they were never on, of "
                "the case's own records: a closed case reviewed"
            )
        else:
            note = (
                f"{len(days)} enquiries quoting {ref}, a case not theirs, in the week after it closed on "
                f"{closed}: the last checks of a case being closed"
            )
        b.row(det, i, int(days[0]), int(days[-1]), note, look, form)


# --------------------------------------------------------------------------- how each form and look-alike is planted

PLANTING: dict[str, Planting] = {
    "access.no_purpose": Planting(
        forms={
            "missing_code": Stage.PLAN,  # and a variant spread over 60-90 days, late (late_no_purpose)
            "placeholder_code": Stage.PLAN,
            "case_not_theirs": Stage.LATE,
            "case_code_without_case": Stage.LATE,
            "sensitive_record": Stage.LATE,
            "closed_case": Stage.LATE,  # planned last (late_closed_case)
        },
        lookalikes={
            "own_case_no_code": Stage.OWN,
            "system_without_codes": Stage.PLAN,
            "few_missing": Stage.PLAN,
            "background_uncoded": Stage.SIDE,
            "coded_lookups": Stage.PLAN,
            "uncoded_tail": Stage.SIDE,
            "team_case_review": Stage.LATE,
            "code_often_without_case": Stage.LATE,
            "sensitive_with_purpose": Stage.LATE,
            "one_sensitive_slip": Stage.LATE,
            "closed_case_own_records": Stage.LATE,  # planned last (late_closed_case)
            "quoted_while_closing": Stage.LATE,  # planned last (late_closed_case)
        },
        window=30,
        plant=plant_no_purpose,
    ),
    "access.personal_link": Planting(
        forms={
            "same_address": Stage.PLAN,
            "same_phone": Stage.PLAN,
            "surname_postcode": Stage.PLAN,
            "declared_associate": Stage.LATE,  # planned last (late_personal_link)
        },
        lookalikes={
            "associate_namesake": Stage.LATE,  # planned last (late_personal_link)
            "namesake_street": Stage.PLAN,
            "different_flat": Stage.PLAN,
            "same_surname_elsewhere": Stage.PLAN,
            "switchboard_phone": Stage.SIDE,
        },
        window=60,
        plant=plant_personal_link,
    ),
    "access.sensitive_victims": Planting(
        forms={"repeated": Stage.PLAN, "breadth": Stage.PLAN},
        lookalikes={
            "own_cases": Stage.OWN,
            "public_protection_unit": Stage.OWN,
            "few_records": Stage.PLAN,
            "chance_rereads": Stage.SIDE,
            "non_sensitive_records": Stage.PLAN,
            "busy_officer": Stage.PLAN,
            "specialist_role_peers": Stage.SIDE,
        },
        window=60,
        plant=plant_sensitive_victims,
    ),
    "access.off_duty": Planting(
        forms={
            "rest_day_row": Stage.PLAN,
            "leave_or_sick": Stage.PLAN,
            "no_duty_row": Stage.PLAN,
            "after_hours": Stage.PLAN,
        },
        lookalikes={
            "on_call": Stage.PLAN,
            "within_grace": Stage.PLAN,
            "night_shift_past_midnight": Stage.PLAN,
            "overtime_recorded": Stage.PLAN,
            "not_on_duty_system": Stage.PLAN,
            "shift_extended": Stage.PLAN,
            "on_call_evening": Stage.PLAN,
            "late_shift": Stage.PLAN,
            "occasional_late_lookup": Stage.PLAN,
        },
        window=45,
        plant=plant_off_duty,
    ),
    "access.volume_outlier": Planting(
        forms={
            "spike": Stage.PLAN,
            "heavy_day": Stage.LATE,  # planned last (late_volume_outlier)
            "bulk_export": Stage.LATE,  # planned last (late_volume_outlier)
            "sustained": Stage.PLAN,
        },
        lookalikes={
            "busy_unit": Stage.PLAN,
            "new_starter": Stage.OWN,
            "return_from_leave": Stage.PLAN,
            "team_operation": Stage.LATE,  # planned last (late_volume_outlier)
            "export_role": Stage.LATE,  # planned last (late_volume_outlier)
            "small_unit": Stage.OWN,
            "specialist_role": Stage.SIDE,
            "custody_supervisors": Stage.SIDE,
        },
        window=30,
        plant=plant_volume_outlier,
    ),
}
"""How the access detectors' forms and look-alikes are planted (stages: :mod:`synthetic.catalogue`)."""
