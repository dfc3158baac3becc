"""Planted cases and look-alikes of the network detectors (``queries.detectors.network``):
``network.crew``, ``network.hidden_link``.

========================== ============================================= ==========================================
detector                   planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
network.crew               3–4 colleagues of one unit named together on  3 colleagues co-assigned to a case viewing
                           4–5 complaints and viewing the same sensitive its records; two named on one complaint;
                           records outside their cases (one group_id);   a safeguarding unit triaging the same
                           6–9 named in changing twos, threes and fours  victims' records; a busy unit named
                           on more complaints than members; two PCs of   together at random in pairs and threes;
                           two teams approving each other's overtime,    a sergeant approving their own team's
                           three in a ring, or a sergeant and a PC       claims on the same days, or covering
                           approving each other's rest-day working, the  another team's overtime, one way
                           sergeant also two more PCs' on those days
network.hidden_link        4 hops: officer –address– relative –phone–    8 hops: officer –address– relative
                           flagged person; officer –phone– contact       –phone– contact –address– flagged person;
                           –address– flagged; or co-member (declared) of two colleagues living together who have
                           a company with a flagged person (2 hops once  declared it; six giving a switchboard; an
                           persons are resolved on membership lists);    officer and their line manager with the
                           two colleagues sharing a home (or the line    team's mailbox on the force's domain; two
                           manager's), a personal phone or e-mail, or a  namesakes in one postcode, other houses
                           person at one's home using the other's phone
========================== ============================================= ==========================================
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synthetic.catalogue import Planting, Stage
from synthetic.common import (
    BASIC,
    DAY,
    EARLY,
    FORENAMES,
    FRONTLINE,
    LATE,
    OVERTIME,
    P_INT,
    P_INV,
    SURNAMES,
    VIEW,
    WORKED,
    _postcodes,
    world_stream,
)

if TYPE_CHECKING:
    from synthetic.events import Block
    from synthetic.world import People, World


# --------------------------------------------------------------------------- the plan, with the world


def plan_crews(w: World) -> None:
    """The crews of ``network.crew`` (forms ``co_complaints``, ``co_views``, ``large_crew``):
    officers of one unit."""
    for kind in w.forms("network.crew", max(3, round(0.0015 * w.n))):
        size = {"co_complaints": (3, 5), "co_views": (3, 6), "large_crew": (10, 14)}[kind]
        grp = w.groups(1, w.pattern == FRONTLINE if kind != "large_crew" else None, size)
        w.crews += [(x, kind) for x in grp]


def plan_hidden_links(w: World) -> None:
    for form in w.forms("network.hidden_link", max(w.k, 3)):
        for gi in w.take(1):
            w.plants["network.hidden_link"][gi] = {"form": form}


def plan_teams(w: World) -> None:
    """Teams for the ``network.crew`` look-alikes of this module's own (a joint operation's
    co-views, a single shared complaint, a loose chain, a whole team named together)."""
    g = max(3, round(0.0015 * w.n))
    for kind in (
        "joint_operation_coviews",
        "single_shared_complaint",
        "loose_chain",
        "team_complaints",
    ):
        size = {"team_complaints": (8, 13), "loose_chain": (4, 6)}.get(kind, (3, 5))
        for team in w.groups(max(2, g // 2), None, size):
            if kind == "joint_operation_coviews":
                w.crew_looks.append(team)
            else:
                w.team_looks.append((team, kind))


def joint_operation_cases(w: World) -> list[tuple[int, int, int]]:
    """Cases for the ``joint_operation_coviews`` teams (three colleagues of one unit co-assigned
    to a case): (officer in charge, day opened, case type) each."""
    rng, days = w.rng, w.days
    extra = []
    for grp in w.crew_looks:
        d0 = int(rng.integers(0, max(1, days - 30)))
        extra.append((grp[0], d0, int(rng.choice([3, 4, 2]))))
    return extra


def link_persons(w: World, people: People) -> None:
    """The people in between an officer and a flagged person (``network.hidden_link``)."""
    person, relative, ocg = people.person, people.relative, people.ocg
    o_phone, rows = people.o_phone, people.rows
    rng = w.rng
    for gi, p in w.plants["network.hidden_link"].items():
        if p["form"] == "relative_phone":
            g = person(flags=ocg())
            r = relative(gi, None, 0.8)
            rows[r]["phone"] = rows[g]["phone"]
            w.link_person[("hidden", gi)] = [r, g]
        elif p["form"] == "contact_address":
            g = person(flags=ocg())
            c = person(phone=str(o_phone[gi]), address=rows[g]["address"], postcode=rows[g]["postcode"])
            w.link_person[("hidden", gi)] = [c, g]
        else:
            g = person(flags=ocg())
            w.link_person[("hidden", gi)] = [g]
    for gi, p in w.looks["network.hidden_link"].items():
        form = p["form"]
        if form == "too_far":
            g = person(flags=ocg())
            r = relative(gi, None, 0.8)
            c = person(address=rows[g]["address"], postcode=rows[g]["postcode"])
            rows[c]["phone"] = rows[r]["phone"]
            w.link_person[("hidden_la", gi)] = [r, c, g]
        elif form == "hub_address":
            # a hostel: the officer's contact lives among many, one of them flagged
            hub, hub_pc = str(w.address(1)[0]), str(_postcodes(rng, 1)[0])
            c = person(address=hub, postcode=hub_pc, phone=str(o_phone[gi]))
            many = [person(address=hub, postcode=hub_pc) for _ in range(int(rng.integers(14, 31)))]
            g = person(address=hub, postcode=hub_pc, flags=ocg())
            w.link_person[("hidden_la", gi)] = [c, g, *many]
        elif form == "declared_association":
            g = person(flags=ocg())
            r = relative(gi, None, 0.8)
            rows[r]["phone"] = rows[g]["phone"]
            w.extra_decl.append({"officer_id": w.ids[gi], "kind": "association", "person_id": g})
            w.link_person[("hidden_la", gi)] = [r, g]
        else:  # namesake_street: the contact's address line is the flagged person's, in another postcode
            g = person(flags=ocg())
            c = person(
                phone=str(o_phone[gi]), address=rows[g]["address"], postcode=str(_postcodes(rng, 1)[0])
            )
            w.link_person[("hidden_la", gi)] = [c, g]


def hidden_link_truth(w: World) -> None:
    """The truth rows of ``network.hidden_link`` (cases and look-alikes); a business's register
    and declarations for the ``business`` form."""
    start, end = w.cal.iso(0), w.as_of.isoformat()
    pid = w.linked_id
    for gi, p in w.plants["network.hidden_link"].items():
        who = w.link_person[("hidden", gi)]
        if p["form"] == "relative_phone":
            note = f"4 hops: same address as {pid(who[0])}, who shares a phone with {pid(who[1])} (ocg)"
        elif p["form"] == "contact_address":
            note = f"4 hops: {pid(who[0])} gives the officer's phone and lives with {pid(who[1])} (ocg)"
        else:
            org = f"B{900 + len(w.extra_orgs):03d}"
            w.extra_orgs.append(
                {
                    "org_id": org,
                    "name": f"{w.p_surname[w.linked_base + who[0]]} Holdings Ltd",
                    "kind": "business",
                }
            )
            w.extra_members.append({"org": org, "officer": gi, "person": who[0]})
            w.extra_decl.append({"officer_id": w.ids[gi], "kind": "business_interest", "org_id": org})
            note = f"2 hops: declared co-member of {org} with {pid(who[0])} (ocg); the person resolves by name and date of birth"
        w.row("network.hidden_link", gi, start, end, note, form=p["form"])
    for gi, p in w.looks["network.hidden_link"].items():
        who = w.link_person[("hidden_la", gi)]
        form = p["form"]
        if form == "too_far":
            r, c, g = who
            note = f"6 hops, beyond the limit: same address as {pid(r)}, phone shared with {pid(c)}, who lives with {pid(g)} (ocg)"
        elif form == "hub_address":
            note = f"{pid(who[0])} gives the officer's phone and lives in a hostel of {len(who)} people, one of them {pid(who[1])} (ocg)"
        elif form == "declared_association":
            note = f"same address as {pid(who[0])}, who shares a phone with {pid(who[1])} (ocg); the officer declared the association"
            for d in w.extra_decl:
                if d.get("person_id") == who[1] and d["officer_id"] == w.ids[gi]:
                    d["person_id"] = pid(who[1])
        else:
            note = f"{pid(who[0])} gives the officer's phone; their address line is that of {pid(who[1])} (ocg) in another postcode"
        w.row("network.hidden_link", gi, start, end, note, look=True, form=form)


def crew_plans(w: World) -> None:
    """Crews: the same sensitive records viewed by members within days of each other; the
    ``joint_operation_coviews`` teams' case records."""
    rng, days = w.rng, w.days
    for g, (grp, kind) in enumerate(w.crews):
        recs: list[int] = []
        n_rec = {
            "co_complaints": 0,
            "co_views": int(rng.integers(4, 7)),
            "large_crew": int(rng.integers(3, 6)),
        }[kind]
        for _ in range(n_rec):
            pool = w.sens_pool if rng.random() < 0.6 or not len(w.intel_pool) else w.intel_pool
            recs += w.not_assigned(grp[0], pool, 1)
        recs = [r for r in recs if all(int(w.r_case[r]) not in w.assigned.get(o, set()) for o in grp)]
        plan_days = sorted(int(x) for x in rng.integers(0, max(1, days - 7), len(recs)))
        for o in grp:
            # in a large crew most, not all, members view each record
            keep = [j for j in range(len(recs)) if kind != "large_crew" or rng.random() < 0.75]
            w.crew_plan[o] = {
                "group": f"crew-{g + 1:04d}",
                "records": [recs[j] for j in keep],
                "days": [plan_days[j] for j in keep],
                "all_days": plan_days,
                "form": kind,
            }
    for g, (grp, c) in enumerate(zip(w.crew_looks, w.crew_look_case, strict=True)):
        recs_c = np.arange(w.case_rec_start[c], w.case_rec_start[c] + w.case_rec_n[c])
        for o in grp:
            w.crew_look_plan[o] = {
                "group": f"team-{g + 1:04d}",
                "case": c,
                "records": [int(x) for x in recs_c],
                "ws": int(w.c_opened[c]),
                "we": min(days - 1, int(w.c_opened[c]) + 20),
            }


def crew_complaints(w: World, complaint: Callable[..., None]) -> None:
    """Crews named together again and again (``co_complaints``, ``large_crew``) or tied by
    co-views only (``co_views``); the look-alike teams' complaints (``complaint`` adds one:
    day, officers named, category)."""
    rng, days = w.rng, w.days
    for g, (grp, kind) in enumerate(w.crews):
        plan = w.crew_plan.get(grp[0], {"all_days": [], "records": []})
        when: list[int] = []
        if kind == "co_complaints":
            m = int(rng.integers(5, 7))
            when = sorted(int(x) for x in rng.integers(0, days, m))
            for j, d in enumerate(when):
                named = grp if j < 3 else [o for q, o in enumerate(grp) if q != j % len(grp)]
                complaint(d, named)
            note = f"named together on {m} complaints"
        elif kind == "large_crew":
            m = int(rng.integers(7, 11))
            when = sorted(int(x) for x in rng.integers(0, days, m))
            for d in when:
                named = sorted(
                    int(x) for x in rng.choice(grp, int(rng.integers(4, min(8, len(grp)) + 1)), replace=False)
                )
                complaint(d, named)
            note = (
                f"a crew of {len(grp)} named together in changing combinations on {m} complaints and viewing "
                f"the same {len(plan['records'])} sensitive records outside their cases"
            )
        else:
            note = f"viewed the same {len(plan['records'])} sensitive records outside their cases within days of each other"
        all_days = when + list(plan["all_days"]) + [d + 7 for d in plan["all_days"]]
        if not all_days:
            continue
        d0, d1 = min(all_days), min(days - 1, max(all_days))
        for o in grp:
            w.row(
                "network.crew",
                o,
                max(0, d0 - 30),
                d1,
                note,
                group=f"crew-{g + 1:04d}",
                form=kind,
            )
    for g, (grp, c_case) in enumerate(zip(w.crew_looks, w.crew_look_case, strict=True)):
        for o in grp:
            w.row(
                "network.crew",
                o,
                int(w.c_opened[c_case]),
                min(days - 1, int(w.c_opened[c_case]) + 20),
                f"co-assigned to case {w.c_ids[c_case]} and viewing its records together",
                group=f"team-{g + 1:04d}",
                look=True,
                form="joint_operation_coviews",
            )
    for g, (grp, kind) in enumerate(w.team_looks):
        if kind == "single_shared_complaint":
            when = [int(rng.integers(0, days))]
            complaint(when[0], grp[: int(rng.integers(2, len(grp) + 1))])
            note = "named together on a single complaint"
        elif kind == "loose_chain":
            # neighbours in a chain share complaints; no three are tied together
            when = []
            for a, b in itertools.pairwise(grp):
                for d in sorted(int(x) for x in rng.integers(0, days, int(rng.integers(3, 5)))):
                    complaint(d, [a, b])
                    when.append(d)
            note = "pairs of colleagues in a chain, each pair named together on three or four complaints"
        else:
            m = int(rng.integers(3, 5))
            when = sorted(int(x) for x in rng.integers(0, days, m))
            for d in when:
                complaint(d, list(grp), "use of force")
            note = f"a public-order team of {len(grp)} named together as a whole team on {m} complaints"
        for o in grp:
            w.row(
                "network.crew",
                o,
                max(0, min(when) - 30),
                min(days - 1, max(when)),
                note,
                group=f"look-{kind}-{g + 1:04d}",
                look=True,
                form=kind,
            )


def late_complaints(
    w: World, named: list[tuple[int, list[int]]], incident: list[int] | None = None
) -> list[str]:
    """Complaints received on the given days naming the given officers, appended (about
    incidents on the ``incident`` days when given, else one to 29 days before)."""
    rng, cal = w.rng, w.cal
    co, cs = w.tables["complaints"], w.tables["complaint_subjects"]
    ids = [f"CP{len(co) + j + 1:07d}" for j in range(len(named))]
    days = np.array([d for d, _ in named], dtype=np.int64)
    cats = [str(rng.choice(["use of force", "incivility", "conduct", "improper disclosure"])) for _ in named]
    before = (
        days - np.array(incident, dtype=np.int64) if incident is not None else rng.integers(1, 30, len(days))
    )
    w.tables["complaints"] = pd.concat(
        [
            co,
            pd.DataFrame(
                {
                    "complaint_id": ids,
                    "received_date": cal.dates(days),
                    "incident_date": cal.dates(days - before),
                    "category": cats,
                    "source": "public",
                }
            ),
        ],
        ignore_index=True,
    )
    allegation = {
        "incivility": "rude or dismissive manner",
        "use of force": "excessive force during arrest",
        "conduct": "conduct unbecoming",
        "improper disclosure": "disclosed information without authority",
    }
    subj = pd.DataFrame(
        [
            {
                "complaint_id": c,
                "officer_id": w.ids[o],
                "allegation": allegation[cat],
                "finding": str(rng.choice(["no case to answer", "not upheld", "upheld"])),
            }
            for c, cat, (_, who) in zip(ids, cats, named, strict=True)
            for o in who
        ]
    )
    w.tables["complaint_subjects"] = pd.concat([cs, subj], ignore_index=True)
    return ids


def late_diffuse_crew(w: World) -> None:
    """A crew of one unit's frontline officers named together in changing twos, threes and
    fours (those named least so far first), so every member is on two or more complaints
    and hardly any pair twice. Its members may be planted for other detectors (a complaint
    takes nothing from them), not for this one."""
    rng, days = w.rng, w.days
    crews = {x for grp in [g for g, _ in w.crews + w.team_looks] + w.crew_looks for x in grp}
    ok = (w.pattern == FRONTLINE) & (w.start_day <= 0)
    ok[list(crews)] = False
    size = int(rng.integers(6, 10))
    for u in rng.permutation(len(w.unit_busy)).tolist():
        cand = np.flatnonzero(ok & (w.unit == u))
        if len(cand) < size:
            continue
        grp = sorted(int(x) for x in rng.choice(cand, size, replace=False))
        m = len(grp) + int(rng.integers(2, 5))
        when = sorted(int(x) for x in rng.integers(0, days, m))
        times = dict.fromkeys(grp, 0)
        named = []
        for d in when:
            pick = sorted(grp, key=lambda o: (times[o], rng.random()))[: int(rng.choice([2, 3, 3, 4]))]
            for o in pick:
                times[o] += 1
            named.append((d, sorted(pick)))
        late_complaints(w, named)
        w.late_crew = grp
        for o in grp:
            w.row(
                "network.crew",
                o,
                max(0, when[0] - 30),
                when[-1],
                f"a crew of {len(grp)} named together in changing twos, threes and fours on {m} complaints",
                group=f"crew-{len(w.crews) + 1:04d}",
                form="diffuse_complaints",
            )
        return


def late_busy_unit(w: World) -> None:
    """The busy unit (:func:`busy_unit`), then, each on a random stream of its own so that
    everything planted after them stays as it was, a small crew (not in a clean force,
    :func:`small_crew`) and a pair with colleagues who worked one incident with it
    (:func:`joiner_one_incident`)."""
    avoid = {busy_unit(w)}
    with world_stream(w, 708):
        if not w.clean:
            avoid.add(small_crew(w, avoid))
    with world_stream(w, 709):
        joiner_one_incident(w, avoid)


def _crew_officers(w: World) -> set[int]:
    """Officers in any group planted for ``network.crew`` so far (crews and look-alikes)."""
    groups = [g for g, _ in w.crews + w.team_looks] + w.crew_looks
    groups += [getattr(w, "late_crew", []), getattr(w, "ppu_members", [])]
    return {int(x) for grp in groups for x in grp}


def _quiet_unit(w: World, avoid: set[int | None], need: int, least: int) -> tuple[int, np.ndarray] | None:
    """A unit (none of ``avoid``, not the diffuse crew's or the safeguarding unit's) with at
    least ``least`` frontline officers in post, ``need`` of them in no planted crew group;
    those officers."""
    used = _crew_officers(w)
    ok = (w.pattern == FRONTLINE) & (w.start_day <= 0)
    inpost = ok.copy()
    ok[sorted(used)] = False
    taken = {int(w.unit[x]) for x in [*getattr(w, "late_crew", []), *getattr(w, "ppu_members", [])]}
    for u in w.rng.permutation(len(w.unit_busy)).tolist():
        if u in avoid or u in taken:
            continue
        cand = np.flatnonzero(ok & (w.unit == u))
        if len(cand) >= need and int((inpost & (w.unit == u)).sum()) >= least:
            return u, cand
    return None


def small_crew(w: World, avoid: set[int | None]) -> int | None:
    """A crew of three frontline officers of one unit named together on four or five
    complaints about different incidents weeks apart: the first names all three, the rest
    go round the pairs, so every pair is named together two or three times (too few for
    repeated ties of three, too few for a group named in changing combinations); its unit."""
    rng, days = w.rng, w.days
    found = _quiet_unit(w, avoid, 3, 12)
    if found is None:
        return None
    unit, cand = found
    grp = sorted(int(x) for x in rng.choice(cand, 3, replace=False))
    m = int(rng.integers(4, 6))
    when = sorted(int(x) for x in rng.choice(np.arange(3, days), m, replace=False))
    a, b, c = grp
    rounds = [[a, b, c], [a, b], [b, c], [a, c], [[a, b], [b, c], [a, c]][int(rng.integers(0, 3))]]
    named = [(d, sorted(rounds[j])) for j, d in enumerate(when)]
    late_complaints(w, named, [d - 2 for d in when])  # each about its own incident
    for o in grp:
        w.row(
            "network.crew",
            o,
            max(0, when[0] - 30),
            when[-1],
            f"a small crew of three named together on {m} complaints about different incidents, every "
            "pair two or three times",
            group="crew-small-0001",
            form="small_crew",
        )
    return unit


def joiner_one_incident(w: World, avoid: set[int | None]) -> None:
    """Two frontline officers of one unit named together on four complaints, a colleague
    named with them on two complaints about one incident (two complainants, the same
    incident date) and another named with them once (look-alike: no crew)."""
    rng, days = w.rng, w.days
    found = _quiet_unit(w, avoid, 4, 8)
    if found is None or days < 20:
        return
    _, cand = found
    pair_a, pair_b, joiner, once = (int(x) for x in rng.choice(cand, 4, replace=False))
    pair = sorted([pair_a, pair_b])
    when = sorted(int(x) for x in rng.choice(np.arange(3, days - 10), 5, replace=False))
    named = [(d, pair) for d in when[:4]]
    incident = [d - 2 for d in when[:4]]
    day = when[4]  # one arrest: two people complain about it a week apart
    named += [(day, sorted([*pair, joiner])), (day + 7, sorted([*pair, joiner]))]
    incident += [day - 2, day - 2]
    d_once = int(rng.integers(3, days))
    named.append((d_once, sorted([*pair, once])))
    incident.append(d_once - 2)
    late_complaints(w, named, incident)
    notes = {
        pair_a: "one of a pair named together on four complaints; a pair is no crew",
        pair_b: "one of a pair named together on four complaints; a pair is no crew",
        joiner: "named with a pair on two complaints about one incident (one arrest, two complainants)",
        once: "named with a pair on one complaint",
    }
    for o, note in notes.items():
        w.row(
            "network.crew",
            o,
            max(0, min(when[0], d_once) - 30),
            min(days - 1, max(day + 7, d_once)),
            note,
            group="look-joiner_one_incident",
            look=True,
            form="joiner_one_incident",
        )


def busy_unit(w: World) -> int | None:
    """A busy unit: its officers named together at random in pairs and threes, about three
    complaints for every two officers, everyone with everyone (a web, no crew); the unit."""
    rng, days = w.rng, w.days
    taken = {
        int(w.unit[x])
        for grp in [g for g, _ in w.crews + w.team_looks] + w.crew_looks + [getattr(w, "late_crew", [])]
        for x in grp
    }
    sizes = np.bincount(w.unit[w.start_day <= 0], minlength=len(w.unit_busy))
    for u in rng.permutation(len(sizes)).tolist():
        if u in taken or not 20 <= sizes[u] <= 40:
            continue
        members = [int(x) for x in np.flatnonzero((w.unit == u) & (w.start_day <= 0))]
        named = [
            (
                int(rng.integers(0, days)),
                sorted(int(x) for x in rng.choice(members, int(rng.choice([2, 2, 3])), replace=False)),
            )
            for _ in range(len(members) * 3 // 2)
        ]
        late_complaints(w, named)
        count: dict[int, list[int]] = {}
        for d, who in named:
            for o in who:
                count.setdefault(o, []).append(d)
        for o, ds in sorted(count.items()):
            if len(ds) >= 2:
                w.row(
                    "network.crew",
                    o,
                    max(0, min(ds) - 30),
                    max(ds),
                    f"one of a busy unit of {len(members)} named together at random in pairs and threes "
                    f"on {len(named)} complaints",
                    group="look-busy_unit_complaints",
                    look=True,
                    form="busy_unit_complaints",
                )
        return int(u)
    return None


def late_triage(w: World) -> None:
    """The safeguarding unit triages new victims across cases: about two records a week,
    the same records for every member, most members opening each within days."""
    rng, days = w.rng, w.days
    members = getattr(w, "ppu_members", [])
    if not members:
        return
    theirs = set().union(*(w.assigned.get(o, set()) for o in members))
    cand = [int(r) for r in w.sens_pool if int(w.r_case[r]) not in theirs]
    if not cand:
        return
    n = min(len(cand), max(10, 2 * days // 7))
    triage = [int(x) for x in rng.choice(cand, n, replace=False)]
    on = sorted(int(x) for x in rng.integers(0, max(1, days - 3), n))
    for gi in members:
        keep = [j for j in range(n) if rng.random() < 0.8]
        w.triage_plan[gi] = {"records": [triage[j] for j in keep], "days": [on[j] for j in keep]}
        w.row(
            "network.crew",
            gi,
            0,
            days - 1,
            f"a safeguarding unit of {len(members)} triaging the same {n} victims' records across cases, "
            "each member opening most of them within days of the others",
            group="look-safeguarding_unit_coviews",
            look=True,
            form="safeguarding_unit_coviews",
        )


def chain_start(w: World, gi: int) -> tuple[dict[str, Any], str]:
    """A relative at the officer's address (often their surname), and the officer's id."""
    o = w.officer(gi)
    sur = str(o["surname"]) if w.rng.random() < 0.8 else None
    return w.late_person(sur, str(o["home_address"]), str(o["home_postcode"])), str(o["officer_id"])


def late_two_intermediaries(w: World) -> None:
    """Two people in between: officer - address - relative - phone - contact - address -
    flagged person (6 steps)."""
    start, end = w.cal.iso(0), w.as_of.isoformat()
    for _ in range(max(1, w.k // 3)):
        for gi in w.take(1, w.pattern == FRONTLINE):
            g = w.late_person(flags=w.ocg())
            r, _oid = chain_start(w, gi)
            c = w.late_person(address=g["address"], postcode=g["postcode"], phone=r["phone"])
            w.row(
                "network.hidden_link",
                gi,
                start,
                end,
                f"6 hops: same address as {r['person_id']}, phone shared with {c['person_id']}, who lives "
                f"with {g['person_id']} (ocg)",
                form="two_intermediaries",
            )


def late_too_far(w: World) -> None:
    """The too_far look-alikes, three people in between (8 steps): the contact who shares
    the relative's phone moves out of the flagged person's home, to live with someone who
    shares the flagged person's phone."""
    persons = w.tables["persons"].copy()
    for gi, p in sorted(w.looks["network.hidden_link"].items()):
        if p["form"] != "too_far":
            continue
        r, c, g = (str(w.p_ids[w.linked_base + j]) for j in w.link_person[("hidden_la", gi)])
        at = persons["person_id"] == c
        address, postcode = str(w.address(1)[0]), str(_postcodes(w.rng, 1)[0])
        persons.loc[at, "address"], persons.loc[at, "postcode"] = address, postcode
        phone = persons.loc[persons["person_id"] == g, "phone"].iloc[0]
        d = w.late_person(address=address, postcode=postcode, phone=str(phone))
        for row in w.look_rows:
            if (row["detector"], row["officer_id"], row["form"]) == (
                "network.hidden_link",
                w.ids[gi],
                "too_far",
            ):
                row["note"] = (
                    f"8 hops, beyond the limit: same address as {r}, phone shared with {c}, who lives with "
                    f"{d['person_id']}, who shares a phone with {g} (ocg)"
                )
    w.tables["persons"] = persons


def late_large_organisation(w: World) -> None:
    """The officer is a declared member of a lodge whose roll lists thirty members of the
    public and someone who lives with a flagged person."""
    rng, cal = w.rng, w.cal
    start, end = cal.iso(0), w.as_of.isoformat()
    orgs, mem, decl = [], [], []
    for j, gi in enumerate(w.take(w.kl, w.pattern == FRONTLINE)):
        g = w.late_person(flags=w.ocg())
        mate = w.late_person(address=g["address"], postcode=g["postcode"])
        o = w.officer(gi)
        org = f"LX{j + 1:03d}"
        orgs.append(
            {
                "org_id": org,
                "name": f"{mate['surname']} Lodge No. {4100 + j}",
                "kind": "freemasonry",
                "postcode": str(_postcodes(rng, 1)[0]),
            }
        )
        since = cal.start - dt.timedelta(days=int(rng.integers(400, 4000)))
        listed = [
            (o["surname"], o["forenames"], o["date_of_birth"], o["home_postcode"]),
            (mate["surname"], mate["forenames"], mate["date_of_birth"], mate["postcode"]),
        ] + [
            (
                str(rng.choice(SURNAMES)),
                str(rng.choice(FORENAMES)),
                cal.start - dt.timedelta(days=int(rng.integers(25 * 365, 80 * 365))),
                str(_postcodes(rng, 1)[0]),
            )
            for _ in range(30)
        ]
        for n, (sur, fore, dob, pcode) in enumerate(listed):
            mem.append(
                {
                    "membership_id": f"HL{j + 1:03d}{n:02d}",
                    "org_id": org,
                    "member_surname": sur,
                    "member_forenames": fore,
                    "member_date_of_birth": dob,
                    "member_postcode": pcode,
                    "since": since - dt.timedelta(days=int(rng.integers(0, 3000))) if n > 1 else since,
                    "until": None,
                    "source": "roll-2025",
                }
            )
        decl.append(
            {
                "declaration_id": f"DL{j + 1:05d}",
                "officer_id": w.ids[gi],
                "kind": "membership",
                "org_id": org,
                "org_name": None,
                "person_id": None,
                "declared_at": since + dt.timedelta(days=int(rng.integers(1, 60))),
                "valid_until": None,
                "status": "approved",
            }
        )
        w.row(
            "network.hidden_link",
            gi,
            start,
            end,
            f"declared member of {org}, a lodge of {len(listed)} on its roll, as is {mate['person_id']}, who "
            f"lives with {g['person_id']} (ocg)",
            look=True,
            form="large_organisation",
        )
    for name, rows in (("organisations", orgs), ("memberships", mem), ("declarations", decl)):
        if rows:
            t = w.tables[name]
            w.tables[name] = pd.concat([t, pd.DataFrame(rows).reindex(columns=t.columns)], ignore_index=True)


def late_ties(w: World) -> None:
    """With events, approval groups (:func:`late_approvals`), then ties between colleagues
    (:func:`late_colleagues`), each on a random stream of its own, after every other plan
    (:meth:`~synthetic.world.World._tie_plans`)."""
    if w.events:
        with world_stream(w, 712):
            late_approvals(w)
    with world_stream(w, 711):
        late_colleagues(w)


# ---- network.hidden_link: ties between colleagues (late plans)


def late_colleagues(w: World) -> None:
    """``network.hidden_link``'s undeclared ties between two officers (not in a clean force):
    one moves into the other's home (``colleague_home``: other units, other surnames; or the
    line manager's, ``line_manager``), they give one personal phone or e-mail
    (``colleague_contact``), or a person in police records lives at one's address and uses the
    other's phone (``colleague_via_person``); and the look-alikes: two who live together and
    have each declared the other (``declared_colleague``), six who give a station switchboard
    (``switchboard_phone``), an officer and their line manager with the team's mailbox on the
    force's domain (``team_mailbox``), two namesakes in one postcode, other houses
    (``same_postcode_other_house``). The officers are in no other plan, hold no membership and
    live where no one in police records does."""
    rng, det = w.rng, "network.hidden_link"
    start, end = w.cal.iso(0), w.as_of.isoformat()
    off = w.tables["officers"].copy()
    persons = w.tables["persons"]
    held = {f"{a}|{p}" for a, p in zip(persons["address"], persons["postcode"], strict=True)}
    home = (off["home_address"].astype(str) + "|" + off["home_postcode"].astype(str)).to_numpy(object)
    mem = w.tables["memberships"]
    listed = set(
        mem["member_surname"].astype(str).str.casefold()
        + "|"
        + mem["member_forenames"].astype(str).str.casefold()
    )
    names = (
        off["surname"].astype(str).str.casefold() + "|" + off["forenames"].astype(str).str.casefold()
    ).to_numpy(object)
    ok = ~w.used & ~pd.Series(home).isin(held).to_numpy() & ~pd.Series(names).isin(listed).to_numpy()
    ok &= (
        ~pd.Series(w.ids)
        .isin({str(r["officer_id"]) for r in [*w.truth_rows, *w.look_rows] if r["detector"] == det})
        .to_numpy()
    )
    unit, sur = w.unit, off["surname"].to_numpy(object)

    def pick(mask: np.ndarray) -> int | None:
        cand = np.flatnonzero(mask & ok)
        if not len(cand):
            return None
        x = int(rng.choice(cand))
        ok[x] = False
        w.used[x] = True
        return x

    def pair(mask: np.ndarray | None = None) -> tuple[int, int] | None:
        """Two officers of different units, with different surnames, neither the other's line manager."""
        a = pick(np.ones(w.n, bool) if mask is None else mask)
        if a is None:
            return None
        b = pick((unit != unit[a]) & (sur != sur[a]) & (w.manager != a) & (np.arange(w.n) != w.manager[a]))
        return None if b is None else (a, b)

    def move_in(b: int, a: int) -> None:
        off.loc[b, ["home_address", "home_postcode"]] = off.loc[
            a, ["home_address", "home_postcode"]
        ].to_numpy()

    def row(who: tuple[int, ...], note: str, form: str, look: bool = False) -> None:
        for x in who:
            w.row(det, x, start, end, note, look=look, form=form)

    pc = w.level == 0  # PCs line-manage no one, so a later team mailbox never takes their e-mail
    if not w.clean:
        if (ab := pair()) is not None:
            move_in(ab[1], ab[0])
            row(
                ab,
                f"{w.ids[ab[0]]} and {w.ids[ab[1]]}, of two units, live at one address; neither declared it",
                "colleague_home",
            )
        for j in range(2):
            if (ab := pair(pc)) is None:
                continue
            a, b = ab
            if j == 0:
                off.loc[[b], "phone"] = off.loc[[a], "phone"].to_numpy()
                what = "phone number"
            else:
                mail = f"{str(sur[a]).lower()}.family{int(rng.integers(10, 99))}@mail.example"
                off.loc[[a, b], "email"] = mail
                what = "personal e-mail address (not the force's domain)"
            row(ab, f"{w.ids[a]} and {w.ids[b]} give one {what}; neither declared it", "colleague_contact")
        if (ab := pair()) is not None:
            a, b = ab
            o = off.loc[a]
            q = w.late_person(
                address=str(o["home_address"]),
                postcode=str(o["home_postcode"]),
                phone=str(off.loc[b, "phone"]),
            )
            row(
                ab,
                f"{q['person_id']} lives at {w.ids[a]}'s address and gives {w.ids[b]}'s phone",
                "colleague_via_person",
            )
        boss = w.manager
        m_ok = np.zeros(w.n, bool)
        m_ok[boss[boss >= 0]] = True
        m_ok &= ok
        x = pick((boss >= 0) & m_ok[np.maximum(boss, 0)])
        if x is not None:
            m = int(boss[x])
            ok[m], w.used[m] = False, True
            move_in(x, m)
            row(
                (x, m),
                f"{w.ids[x]} lives at the address of their line manager {w.ids[m]}; neither declared it",
                "line_manager",
            )
    # look-alikes
    if (ab := pair()) is not None:
        a, b = ab
        move_in(b, a)
        rows: list[dict[str, Any]] = []
        for me, other in ((a, b), (b, a)):
            o = off.loc[other]
            rows.append(
                {
                    "declaration_id": f"DC{len(rows) + 1:05d}",
                    "officer_id": w.ids[me],
                    "kind": "association",
                    "org_id": None,
                    "org_name": f"Personal relationship with colleague {o['forenames']} {o['surname']} ({o['officer_id']})",
                    "person_id": None,
                    "declared_at": w.cal.start - dt.timedelta(days=int(rng.integers(30, 900))),
                    "valid_until": None,
                    "status": "approved",
                }
            )
        t = w.tables["declarations"]
        w.tables["declarations"] = pd.concat(
            [t, pd.DataFrame(rows).reindex(columns=t.columns)], ignore_index=True
        )
        row(
            ab,
            f"{w.ids[a]} and {w.ids[b]} live together; each declared the relationship, naming the other",
            "declared_colleague",
            True,
        )
    board = [x for x in (pick(w.pattern == FRONTLINE) for _ in range(6)) if x is not None]
    off.loc[board, "phone"] = str(w.phone(1)[0])
    row(
        tuple(board),
        f"{len(board)} officers give one station switchboard number as their phone",
        "switchboard_phone",
        True,
    )
    # the roster's shared team mailboxes (roster.self_approval's look-alike: an officer and
    # their line manager, planned before) are this look-alike too; else one of its own
    boss = w.manager
    cases = {str(r["officer_id"]) for r in w.truth_rows if r["detector"] == det}
    shared = [
        (int(x), int(boss[x]))
        for x, p in sorted(w.side_looks["roster.self_approval"].items())
        if p["form"] == "shared_team_mailbox"
        and boss[x] == w.approver[x]
        and not {w.ids[x], w.ids[boss[x]]} & cases
    ]
    for x, m in shared:
        row(
            (x, m),
            f"{w.ids[x]} and their line manager {w.ids[m]} have the team's mailbox on the force's domain",
            "team_mailbox",
            True,
        )
    x = None if shared else pick(pc & (boss >= 0) & ok[np.maximum(boss, 0)])
    if x is not None:
        m = int(boss[x])
        ok[m], w.used[m] = False, True
        off.loc[[x, m], "email"] = f"team.{str(off.loc[m, 'unit_id']).lower()}@police.example"
        row(
            (x, m),
            f"{w.ids[x]} and their line manager {w.ids[m]} have the team's mailbox on the force's domain",
            "team_mailbox",
            True,
        )
    for s in rng.permutation(pd.unique(sur[ok])).tolist():
        same = np.flatnonzero(ok & (sur == s))
        first = off.loc[same, "forenames"].astype(str).str.split(" ").str[0].to_numpy(object)
        if len(same) < 2 or first[0] == first[1]:
            continue
        a, b = int(same[0]), int(same[1])
        street = re.match(r"(\d+) (.*)", str(off.loc[a, "home_address"]))
        if street is None:
            continue
        ok[[a, b]], w.used[[a, b]] = False, True
        n = int(street.group(1))
        off.loc[b, "home_address"] = f"{n + 1 if n < 300 else n - 1} {street.group(2)}"
        off.loc[[b], "home_postcode"] = off.loc[[a], "home_postcode"].to_numpy()
        row(
            (a, b),
            f"{w.ids[a]} and {w.ids[b]} share a surname and a postcode, in other houses",
            "same_postcode_other_house",
            True,
        )
        break
    w.tables["officers"] = off


# ---- network.crew: officers approving one another's claims (late plans)


def _rest_days(w: World, key: int, ws: int, we: int) -> np.ndarray:
    """The rest days in ``ws..we`` on which extra duty can be booked, of officers with one
    ``key`` (they have the same: frontline officers by their place in the rota, whose first
    rest day follows the second night; -1, everyone else, at weekends and on bank holidays)."""
    d = np.arange(ws, we + 1)
    if key >= 0:
        return d[(d + key) % 10 >= 7]
    return d[(w.cal.weekday[d] >= 5) | w.cal.holiday[d]]


def _claim(w: World, gi: int, by: int, ws: int, we: int, days: np.ndarray | None = None, k: int = 4) -> None:
    """Plan ``k`` claims of officer ``gi`` approved by ``by``: overtime after their own shifts
    in ``ws..we``, or rest-day working on those of ``days`` that are free in the block."""
    w.claim_plan.setdefault(gi, []).append(
        {"by": by, "ws": ws, "we": we, "days": None if days is None else [int(d) for d in days], "k": k}
    )


def late_approvals(w: World) -> None:
    """``network.crew``'s approval groups (not in a clean force) and their look-alikes: two
    PCs of two teams approving each other's overtime (``reciprocal_approval``), three in a
    ring (``approval_ring``), a sergeant and a PC of another team approving each other's
    rest-day working on the same days, the sergeant also approving two more PCs of other
    teams who claim on those days (``claims_together``); a sergeant approving their own
    team's rest-day working on the same days (``sergeant_approves_own_team``) and a sergeant
    covering another team's overtime, one way (``acting_sergeant_one_way``). The claims are
    planted block by block (:func:`plant_approvals`)."""
    w.claim_plan = {}
    rng, det = w.rng, "network.crew"
    # no one in a crew or crew look-alike already (a crew named on complaints takes no one)
    crew = {str(r["officer_id"]) for r in [*w.truth_rows, *w.look_rows] if r["detector"] == det}
    free = w.is_officer & (w.start_day <= 0) & ~w.no_shifts & ~pd.Series(w.ids).isin(crew).to_numpy()
    pc, sgt = free & ~w.used & (w.level == 0), free & ~w.used & (w.level == 1)
    g = max(1, round(0.001 * w.n))
    key = np.where(w.pattern == FRONTLINE, w.rota, -1)
    boss = np.where(w.manager >= 0, w.manager[np.maximum(w.manager, 0)], -1)

    def pick(mask: np.ndarray, k: int, units: set[int] | None = None) -> list[int]:
        """``k`` of ``mask``, each of another unit (none of ``units``); marked used."""
        seen = set(units or ())
        out: list[int] = []
        for x in rng.permutation(np.flatnonzero(mask)).tolist():
            if int(w.unit[x]) not in seen:
                out.append(int(x))
                seen.add(int(w.unit[x]))
            if len(out) == k:
                break
        if len(out) < k:
            return []
        w.used[out] = True
        mask[out] = False
        return out

    def rows(who: list[int], ws: int, we: int, note: str, group: str, form: str, look: bool = False) -> None:
        for x in who:
            w.row(det, x, ws, we, note, group=group, look=look, form=form)

    n_group = 0
    for form in () if w.clean else ("reciprocal_approval", "approval_ring", "claims_together"):
        for _ in range(g):
            ws, we = w.window(det, 60)
            n_group += 1
            group = f"crew-approvals-{n_group:04d}"
            if form != "claims_together":
                ring = pick(pc, 2 if form == "reciprocal_approval" else 3)
                for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                    _claim(w, b, a, ws, we)  # a approves b's
                if len(ring) == 2:
                    note = "two PCs of two teams approve each other's overtime, four claims each way"
                else:
                    note = (
                        "three PCs of three teams approve one another's overtime in a ring, four claims each"
                    )
                rows(ring, ws, we, note, group, form)
                continue
            for s in rng.permutation(np.flatnonzero(sgt)).tolist():
                same = pc & (key == key[s]) & (w.unit != w.unit[s]) & (w.manager != s) & (boss != s)
                rest = _rest_days(w, int(key[s]), ws, we)
                if same.sum() < 3 or len(rest) < 4:
                    continue
                trio = pick(same, 3, {int(w.unit[s])})
                if not trio:
                    continue
                sgt[s], w.used[s] = False, True
                p, *others = trio
                days = np.sort(rng.choice(rest, min(5, len(rest)), replace=False))
                _claim(w, p, s, ws, we, days)
                _claim(w, s, p, ws, we, days)
                for x in others:
                    _claim(w, x, s, ws, we, days)
                rows(
                    [s, p],
                    ws,
                    we,
                    f"a sergeant and a PC of another team approve each other's rest-day working on the same "
                    f"days; the sergeant also approves that of {len(others)} PCs of other teams on those days",
                    group,
                    "reciprocal_approval",
                )
                rows(
                    others,
                    ws,
                    we,
                    f"claims rest-day working on the days that {w.ids[s]} and {w.ids[p]} approve each other's, "
                    f"approved by {w.ids[s]}, not their line manager",
                    group,
                    form,
                )
                break
    # look-alikes: a line of management, one way (the sergeant may be planted for another
    # detector: approving their own team is what they do anyway)
    lead = free & (w.level == 1)
    for j in range(g):
        ws, we = w.window(det, 60)
        for s in rng.permutation(np.flatnonzero(lead)).tolist():
            team = np.flatnonzero(pc & (w.manager == s))
            if len(team) < 2:
                continue
            # rest-day working on the same days where two or more of the team rest alike, else
            # overtime after their own shifts
            keys, n_key = np.unique(key[team], return_counts=True)
            best = int(keys[np.argmax(n_key)]) if n_key.max() >= 2 else None
            mine = [int(x) for x in (team if best is None else team[key[team] == best])[:4]]
            together = None if best is None else _rest_days(w, best, ws, we)
            if together is not None:
                together = np.sort(rng.choice(together, min(5, len(together)), replace=False))
            own = bool(sgt[s])
            sgt[s], lead[s], pc[mine] = False, False, False
            w.used[[s, *mine]] = True
            for x in mine:
                _claim(w, x, s, ws, we, together)
            if own and best is not None and key[s] == best:
                _claim(w, s, int(w.approver[s]), ws, we, together)
            what = "overtime" if best is None else "rest-day working, on the same days"
            rows(
                [s, *mine],
                ws,
                we,
                f"a sergeant approves the {what} of {len(mine)} PCs they line-manage",
                f"look-approvals-own-team-{j + 1:04d}",
                "sergeant_approves_own_team",
                look=True,
            )
            break
    for j in range(g):
        ws, we = w.window(det, 30)
        for s in rng.permutation(np.flatnonzero(sgt)).tolist():
            other = pc & (w.unit != w.unit[s]) & (w.manager != s)
            units = np.unique(w.unit[other])
            u = next((int(u) for u in rng.permutation(units) if ((w.unit == u) & other).sum() >= 2), None)
            if u is None:
                continue
            pcs = sorted(int(x) for x in rng.choice(np.flatnonzero(other & (w.unit == u)), 2, replace=False))
            sgt[s] = False
            w.used[[s, *pcs]] = True
            pc[pcs] = False
            for x in pcs:
                _claim(w, x, s, ws, we, k=3)
            rows(
                [s, *pcs],
                ws,
                we,
                f"a sergeant covering another team approves the overtime of {len(pcs)} of its PCs; no one there "
                "approves the sergeant's",
                f"look-acting-sergeant-{j + 1:04d}",
                "acting_sergeant_one_way",
                look=True,
            )
            break


def business_registers(w: World) -> list[dict[str, Any]]:
    """The businesses of the ``business`` form (organisations added) and their registers'
    rows: the officer and the flagged person, both members."""
    rng, cal = w.rng, w.cal
    if w.extra_orgs:
        orgs = pd.DataFrame(w.extra_orgs)
        orgs["postcode"] = _postcodes(rng, len(orgs))
        w.tables["organisations"] = pd.concat([w.tables["organisations"], orgs], ignore_index=True)
    mem: list[dict[str, Any]] = []
    off = w.tables["officers"]
    p = w.persons_frame
    for k, m in enumerate(w.extra_members):
        o = off.iloc[m["officer"]]
        q = p.iloc[w.linked_base + m["person"]]
        since = cal.start - dt.timedelta(days=int(rng.integers(200, 3000)))
        for j, (s, f, d, pcode) in enumerate(
            (
                (o["surname"], o["forenames"], o["date_of_birth"], o["home_postcode"]),
                (q["surname"], q["forenames"], q["date_of_birth"], q["postcode"]),
            )
        ):
            mem.append(
                {
                    "membership_id": f"H{k:04d}{j}",
                    "org_id": m["org"],
                    "member_surname": s,
                    "member_forenames": f,
                    "member_date_of_birth": d,
                    "member_postcode": pcode,
                    "since": since,
                    "until": None,
                    "source": "register-2025",
                }
            )
    return mem


# --------------------------------------------------------------------------- in the events, block by block


def plant_crews(b: Block) -> None:
    """The crews' lookups of the same records; the joint operation teams' lookups of their case."""
    w = b.w
    for i, _gi, p in b.mine(w.crew_plan):
        plant_crew(b, i, p)
    for i, _gi, p in b.mine(w.crew_look_plan):
        plant_crew_look(b, i, p)


def plant_triage(b: Block) -> None:
    """The safeguarding unit's triage of new victims (``network.crew`` ``safeguarding_unit_coviews``)."""
    w = b.w
    for i, _gi, plan in b.mine(getattr(w, "triage_plan", {})):
        for rec, d in zip(plan["records"], plan["days"], strict=True):
            days = b.within(i, d, min(b.D - 1, d + 3), b.work & ~b.quiet)
            if len(days):
                b.lookups(i, days[:1], rec, (P_INV, P_INT), -1, (VIEW,))


def plant_crew(b: Block, i: int, p: dict[str, Any]) -> None:
    rng = b.rng
    for rec, d in zip(p["records"], p["days"], strict=True):
        days = b.within(i, d, min(b.D - 1, d + 6), b.work & ~b.quiet)
        if len(days):
            dd = np.full(int(rng.integers(1, 3)), days[0])
            b.lookups(i, dd, rec, (P_INT,), -1, (VIEW,))


def plant_crew_look(b: Block, i: int, p: dict[str, Any]) -> None:
    wd = b.work_days(i, p["ws"], p["we"])
    if len(wd):
        days = np.sort(b.rng.choice(wd, 4))
        b.lookups(i, days, np.array(p["records"][:2] * 2), (P_INV,), p["case"], (VIEW,))


def plant_approvals(b: Block) -> None:
    """The claims of ``network.crew``'s approval groups and look-alikes
    (:func:`late_approvals`): overtime after the officer's own shifts, or rest-day working on
    the planned days that are free rest days in the block, approved by the planned officer."""
    w, rng, cal = b.w, b.rng, b.w.cal
    for i, gi, plans in b.mine(getattr(w, "claim_plan", {})):
        for p in plans:
            if p["days"] is None:
                cand = b.work & (b.pay == BASIC) & np.isin(b.duty, (EARLY, LATE, DAY)) & ~b.remote
                cand &= ~b.ext & ~b.touched & (b.W_site >= 0)
                days = b.pick(b.within(i, p["ws"], p["we"], cand), p["k"])
                s = b.e[i, days]
                e = s + rng.choice(np.array([60, 90, 120, 180]), len(days))
                cat = cal.ts(days, s) + 60 * rng.integers(0, 45, len(days))
                aat = cat + rng.integers(7200, 72 * 3600, len(days))
                b.ot_add(
                    i, days, s, e, b.duty[i, days], OVERTIME, b.site[i, days], WORKED, gi, cat, p["by"], aat
                )
                b.ext[i, days] = True
                b.W_e[i, days] = e
                b.b_out[i, days] = e + rng.integers(0, 20, len(days))
            else:
                days = np.array(p["days"], dtype=np.int64)
                days = days[b.free_rest[i, days] & ~b.rdw[i, days] & ~b.touched[i, days] & ~b.work[i, days]]
                b.rest_day_working(np.full(len(days), i), days, cby_self=True, aby=p["by"])
                for d in days:
                    s, e = b.rdw_s[(i, int(d))]
                    b.set_work(i, int(d), s, e, int(w.site[gi]))
            b.touched[i, days] = True


# --------------------------------------------------------------------------- how each form and look-alike is planted

PLANTING: dict[str, Planting] = {
    "network.crew": Planting(
        forms={
            "co_complaints": Stage.PLAN,
            "co_views": Stage.PLAN,
            "large_crew": Stage.PLAN,
            "diffuse_complaints": Stage.LATE,
            "small_crew": Stage.LATE,
            "reciprocal_approval": Stage.LATE,
            "approval_ring": Stage.LATE,
            "claims_together": Stage.LATE,
        },
        lookalikes={
            "team_complaints": Stage.OWN,
            "single_shared_complaint": Stage.OWN,
            "joint_operation_coviews": Stage.OWN,
            "loose_chain": Stage.OWN,
            "safeguarding_unit_coviews": Stage.LATE,
            "busy_unit_complaints": Stage.LATE,
            "joiner_one_incident": Stage.LATE,
            "sergeant_approves_own_team": Stage.LATE,
            "acting_sergeant_one_way": Stage.LATE,
        },
    ),
    "network.hidden_link": Planting(
        forms={
            "relative_phone": Stage.PLAN,
            "contact_address": Stage.PLAN,
            "business": Stage.PLAN,
            "two_intermediaries": Stage.LATE,
            "colleague_home": Stage.LATE,
            "colleague_contact": Stage.LATE,
            "colleague_via_person": Stage.LATE,
            "line_manager": Stage.LATE,
        },
        lookalikes={
            "hub_address": Stage.PLAN,
            "declared_association": Stage.PLAN,
            "too_far": Stage.PLAN,
            "namesake_street": Stage.PLAN,
            "large_organisation": Stage.LATE,
            "declared_colleague": Stage.LATE,
            "switchboard_phone": Stage.LATE,
            "team_mailbox": Stage.LATE,
            "same_postcode_other_house": Stage.LATE,
        },
    ),
}
"""How the network detectors' forms and look-alikes are planted (stages: :mod:`synthetic.catalogue`)."""
