"""``network.crew``: groups of officers tied by repeated co-complaints, named together in
changing combinations on many complaints, or viewing the same sensitive records outside
their cases and outside their work.

The queries it runs, each in a file beside this module: ``crew.complaints.cypher``
(officers named together on a complaint), ``crew.units.cypher`` (every officer's unit),
``crew.coviews.sql`` (co-views of sensitive records, on the event store) and
``crew.case_assignments.sql`` (whether there are case assignments at all). The groups are
found with NetworkX (:func:`crew_ties`, :func:`_crew_rows`).

Worked examples: ``tests/examples/network.crew/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx

from queries.detectors.access import common as access_common
from queries.detectors.access.common import ROLE_FAMILY_SQL
from queries.detectors.base import (
    DetectContext,
    Detector,
    Form,
    Input,
    LookAlike,
    MethodCard,
    Param,
    evidence_json,
    flag_id,
    forms_item,
    query_file,
    severity_of,
    ts,
)
from queries.detectors.network.common import BACKEND

CREW_COMPLAINTS = query_file(__file__, "crew.complaints.cypher")
CREW_UNITS = query_file(__file__, "crew.units.cypher")
CREW_COVIEWS = query_file(
    __file__,
    "crew.coviews.sql",
    job=query_file(access_common.__file__, "common.job.sql", family=ROLE_FAMILY_SQL),
)
CREW_CASE_ASSIGNMENTS = query_file(__file__, "crew.case_assignments.sql")
CREW_APPROVALS = query_file(__file__, "crew.approvals.sql")

CREW_INPUTS = (
    Input(
        "complaint_subjects",
        "officers named in complaints (NAMED_IN)",
        cypher="MATCH (o:Officer)-[r:NAMED_IN]->(c:Complaint) WHERE r.retired_at IS NULL RETURN count(r) AS n",
    ),
    Input.rows("system_access"),
    Input.rows(
        "g_records",
        "sensitivity IN ('victim', 'witness', 'vip')",
        name="sensitive_records",
        description="victim, witness and VIP records (the default sensitivities)",
    ),
    Input.rows("g_case_assignments", name="case_assignments", description="case assignments (ON_CASE)"),
    Input.rows(
        "shifts",
        "approved_by IS NOT NULL AND approved_by <> officer_id",
        name="approvals",
        description="shifts approved by another officer (the claims' approvers)",
    ),
)


def incidents(named: Mapping[str, set[str]], day: Mapping[str, str]) -> dict[str, str]:
    """Each complaint's incident: complaints about the same day (``day``: the incident date,
    else the date received) that name an officer in common are one incident (several people
    complaining about one arrest, one shift), known by its first complaint id. Officers named
    together on one incident worked it together; it counts once, however many complain.

    >>> incidents({"C1": {"A", "B"}, "C2": {"B", "C"}, "C3": {"A", "B"}, "C4": {"D"}},
    ...           {"C1": "2025-01-05", "C2": "2025-01-05", "C3": "2025-02-01", "C4": "2025-01-05"})
    {'C1': 'C1', 'C2': 'C1', 'C3': 'C3', 'C4': 'C4'}
    """
    parent = {c: c for c in named}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    first: dict[tuple[str, str], str] = {}  # (day, officer): a complaint of that day naming them
    for c in sorted(named):
        if not day.get(c):
            continue
        for o in sorted(named[c]):
            other = first.setdefault((day[c], o), c)
            a, b = root(other), root(c)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {c: root(c) for c in sorted(named)}


def crew_ties(ctx: DetectContext, p: Mapping[str, Any]) -> nx.Graph:
    """The weighted officer tie graph: repeated co-complaints, counted by incident (complaints
    about one incident count once, :func:`incidents`; complaints naming more than
    ``max_named`` officers are a whole team's and tie no pair) and co-views of the same
    sensitive records outside their cases, within ``coview_days`` of each other, by officers
    for whom such looks are not their unit's routine work. The incidents naming 2..max_named
    officers (``named``), their complaints (``complaints_of``) and the complaints' dates
    (``received``) ride along as graph attributes."""
    g = nx.Graph()
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    since, until = str(p["since"] or ""), str(p["until"] or "")
    named: dict[str, set[str]] = {}
    day: dict[str, str] = {}
    rows = []
    for r in ctx.store.query(CREW_COMPLAINTS):
        received = str(r["received"] or "")[:10]
        if (since and received and received < since) or (until and received and received > until):
            continue
        rows.append(r)
        named.setdefault(r["complaint_id"], set()).update((r["a"], r["b"]))
        day[r["complaint_id"]] = str(r["incident"] or "")[:10] or received
    # a complaint about a whole team's operation ties no pair
    small = {c: m for c, m in named.items() if len(m) <= p["max_named"]}
    incident = incidents(small, day)
    for r in rows:
        if r["complaint_id"] not in small:
            continue
        e = pairs.setdefault(
            (r["a"], r["b"]), {"complaints": [], "incidents": set(), "dates": [], "records": []}
        )
        e["complaints"].append(r["complaint_id"])
        e["incidents"].add(incident[r["complaint_id"]])
        if r["received"] is not None:
            e["dates"].append(r["received"])
    if ctx.events is not None and p["use_access"] and _has_case_assignments(ctx):
        for r in ctx.sql(CREW_COVIEWS, p):
            e = pairs.setdefault(
                (r["a"], r["b"]), {"complaints": [], "incidents": set(), "dates": [], "records": []}
            )
            e["records"] = list(r["records"])
            e["dates"] += [r["first_ts"], r["last_ts"]]
    weak = nx.Graph()  # pairs named together on two incidents (or co-viewing): not a tie, not strangers
    for (a, b), e in sorted(pairs.items()):
        co, cv = len(e["incidents"]), len(e["records"])
        if co + cv >= 2:
            weak.add_edge(a, b, incidents=co)
        if co >= p["min_co_complaints"] or cv >= p["min_co_views"] or (co >= 2 and cv >= 1):
            dates = [_as_date(d) for d in e["dates"] if d is not None]
            g.add_edge(
                a,
                b,
                weight=co + cv,
                complaints=sorted(set(e["complaints"])),
                incident_ids=sorted(e["incidents"]),
                records=sorted(e["records"]),
                first=min(dates) if dates else None,
                last=max(dates) if dates else None,
            )
    g.graph["weak"] = weak
    by_incident: dict[str, set[str]] = {}
    complaints_of: dict[str, list[str]] = {}
    for c, i in sorted(incident.items()):
        by_incident.setdefault(i, set()).update(small[c])
        complaints_of.setdefault(i, []).append(c)
    g.graph["named"] = {i: m for i, m in sorted(by_incident.items()) if 2 <= len(m) <= p["max_named"]}
    g.graph["complaints_of"] = complaints_of
    g.graph["received"] = {
        r["complaint_id"]: _as_date(r["received"]) for r in rows if r["received"] is not None
    }
    return g


def _has_case_assignments(ctx: DetectContext) -> bool:
    """Without case assignments a co-view outside the officers' cases cannot be told from
    case work, so co-views are not used (the run reports co_views unchecked)."""
    rows = ctx.sql(CREW_CASE_ASSIGNMENTS, {})
    return bool(rows and rows[0]["n"])


def _as_date(v: Any) -> Any:
    return v.date() if hasattr(v, "date") and callable(v.date) else v


def _density(g: nx.Graph, members: set[str]) -> float:
    n = len(members)
    return 2 * g.subgraph(members).number_of_edges() / (n * (n - 1)) if n > 1 else 0.0


def _core(g: nx.Graph, members: set[str], p: Mapping[str, Any]) -> set[str]:
    """The dense core of ``members``: peel the member with the fewest ties (then the least
    tie weight) until the rest is tied at ``min_density`` and every member is tied to, or
    named at least twice with, two others of the group (so a chain A-B-C is no crew; empty
    when fewer than ``min_size`` remain)."""
    m = set(members)
    weak = g.graph.get("weak", nx.Graph())
    while len(m) >= p["min_size"]:
        s = g.subgraph(m)
        known = {x: set(s[x]) | (set(weak[x]) & m if x in weak else set()) for x in m}
        if _density(g, m) >= p["min_density"] and all(len(k) >= 2 for k in known.values()):
            return m
        m.remove(min(sorted(m), key=lambda x: (s.degree(x), len(known[x]), s.degree(x, weight="weight"))))
    return set()


def _split(g: nx.Graph, members: set[str], p: Mapping[str, Any]) -> list[set[str]]:
    """Dense groups of ``members``. Up to ``max_size``: its dense core, and the cores of what
    is left over. Larger: Louvain communities (at ``resolution``), each split again; a part
    that will not split keeps its dense core only when that is at most ``max_size`` (a whole
    team tied densely, larger than any crew, is dropped)."""
    if len(members) <= p["max_size"]:
        core = _core(g, members, p)
        if not core:
            return []
        rest = members - core
        return [core, *(_split(g, rest, p) if len(rest) >= p["min_size"] else [])]
    # a subgraph view lists its nodes in set order, which changes from run to run with
    # Python's string hashing: Louvain gets a copy built in sorted order, so every run splits alike
    h = nx.Graph()
    h.add_nodes_from(sorted(members))
    h.add_weighted_edges_from(
        sorted((min(a, b), max(a, b), d["weight"]) for a, b, d in g.subgraph(members).edges(data=True))
    )
    parts = nx.community.louvain_communities(h, weight="weight", resolution=p["resolution"], seed=0)
    if len(parts) == 1:
        core = _core(g, members, p)
        return [core] if core and len(core) <= p["max_size"] else []
    return [x for part in sorted(parts, key=min) for x in _split(g, set(part), p)]


def _grow(g: nx.Graph, members: set[str], p: Mapping[str, Any]) -> set[str]:
    """``members`` and the officers named (or co-viewing) at least twice with at least
    ``min_join_share`` of them: a crew member whose ties to the rest fall just short of
    repeated ties still belongs to it (most joining first, up to ``max_size``)."""
    weak = g.graph.get("weak", nx.Graph())
    links: dict[str, int] = {}
    for x in members:
        for y in weak.adj.get(x, {}):
            if y not in members:
                links[y] = links.get(y, 0) + 1
    grown = set(members)
    for y, k in sorted(links.items(), key=lambda t: (-t[1], t[0])):
        if k >= max(2, p["min_join_share"] * len(members)) and len(grown) < p["max_size"]:
            grown.add(y)
    return grown


def _peel(members: set[str], named: list[set[str]]) -> set[str]:
    """``members`` less, again and again, anyone named on fewer than two complaints together
    with others of the group, or named with fewer than two different others of it (so one
    complaint naming a team, a pair named together, or a chain A-B, B-C is no group)."""
    m = set(members)
    while True:
        count: dict[str, int] = {}
        mates: dict[str, set[str]] = {}
        for s in named:
            inside = s & m
            if len(inside) >= 2:
                for o in inside:
                    count[o] = count.get(o, 0) + 1
                    mates.setdefault(o, set()).update(inside - {o})
        drop = {o for o in m if count.get(o, 0) < 2 or len(mates.get(o, ())) < 2}
        if not drop:
            return m
        m -= drop


def _named_groups(named: list[set[str]], p: Mapping[str, Any]) -> list[tuple[set[str], int]]:
    """Groups of officers named together in changing combinations: the connected groups
    left by :func:`_peel` on the officers named together on any complaint, with the
    complaints naming two or more of each; kept when they have min_size..max_size
    members, at least min_group_complaints such complaints (min_complaints_per_member per
    member) and at least two naming three or more of them (named as a group, not in pairs)."""
    h = nx.Graph()
    for s in named:
        h.add_edges_from(itertools.combinations(sorted(s), 2))
    out = []
    todo = [set(c) for c in sorted(nx.connected_components(h), key=min)]
    while todo:
        core = _peel(todo.pop(0), named)
        parts = [set(c) for c in sorted(nx.connected_components(h.subgraph(core)), key=min)]
        if len(parts) > 1:
            todo = parts + todo
            continue
        if not p["min_size"] <= len(core) <= p["max_size"]:
            continue
        o = sum(1 for s in named if len(s & core) >= 2)
        three = sum(1 for s in named if len(s & core) >= 3)
        if o >= max(p["min_group_complaints"], p["min_complaints_per_member"] * len(core)) and three >= 2:
            out.append((core, o))
    return out


def _small_groups(named: list[set[str]], p: Mapping[str, Any]) -> list[tuple[set[str], int]]:
    """Small tight groups: min_size..small_size officers, every pair of them named together on
    at least two incidents, and no one else named so with all of them (a maximal clique of
    repeated pairs: inside a whole team named together again and again, a trio is no crew of
    its own), with at least min_small_incidents incidents naming two or more of them; the
    tightest first.

    >>> named = [{"A", "B", "C"}, {"A", "B"}, {"B", "C"}, {"A", "C", "X"}, {"A", "X"}]
    >>> [(sorted(g), o) for g, o in _small_groups(named, {"min_size": 3, "small_size": 4, "min_small_incidents": 4})]
    [(['A', 'B', 'C'], 4)]
    """
    count: dict[tuple[str, str], int] = {}
    for s in named:
        for ab in itertools.combinations(sorted(s), 2):
            count[ab] = count.get(ab, 0) + 1
    h = nx.Graph()
    h.add_edges_from(sorted(ab for ab, n in count.items() if n >= 2))
    out = []
    for clique in nx.find_cliques(h):
        core = set(clique)
        if not p["min_size"] <= len(core) <= p["small_size"]:
            continue
        o = sum(1 for s in named if len(s & core) >= 2)
        if o >= p["min_small_incidents"]:
            out.append((core, o))
    return sorted(out, key=lambda t: (-t[1], len(t[0]), sorted(t[0])))


GroupFinder = Callable[[list[set[str]], Mapping[str, Any]], list[tuple[set[str], int]]]


def _reshuffled(
    named: list[set[str]],
    pop: list[str],
    p: Mapping[str, Any],
    cache: dict[tuple[str, tuple[str, ...]], list[list[tuple[int, int]]]],
    find: GroupFinder,
) -> list[list[tuple[int, int]]]:
    """The groups ``find`` (:func:`_named_groups` or :func:`_small_groups`) finds (their sizes
    and incidents naming two or more of them) in each of ``reshuffles`` reshuffles of the
    incidents naming two or more officers of ``pop`` (each names as many of them as it did,
    drawn at random; seeded, so every run and store gives the same)."""
    key = (find.__name__, tuple(pop))
    if key not in cache:
        inside = set(pop)
        sizes = [len(s & inside) for s in named if len(s & inside) >= 2]
        rng = random.Random(0)
        best = []
        for _ in range(p["reshuffles"]):
            fake = [set(rng.sample(pop, k)) for k in sizes]
            best.append([(len(c), o) for c, o in find(fake, p)])
        cache[key] = best
    return cache[key]


def _dominated(runs: list[list[tuple[int, int]]], k: int, o: int) -> float:
    """The share of reshuffles that make a group at least as tight as ``k`` officers named
    together on ``o`` complaints (no more officers, at least as many complaints)."""
    return sum(any(k2 <= k and o2 >= o for k2, o2 in run) for run in runs) / max(1, len(runs))


def _diffuse_crews(
    g: nx.Graph, units: Mapping[str, str], p: Mapping[str, Any], find: GroupFinder
) -> list[dict[str, Any]]:
    """Groups named together on many incidents that their own units' incidents, reshuffled
    at random, seldom match (see the card; ``units``: every officer's unit, "" for none):
    ``find`` is :func:`_named_groups` (crews named in changing combinations, no pair often:
    officers named on at least min_join_incidents of the group's incidents join it) or
    :func:`_small_groups` (small tight crews, taken as found)."""
    named = list(g.graph.get("named", {}).values())
    ids = list(g.graph.get("named", {}))
    by_unit: dict[str, list[str]] = {}
    for officer, u in sorted(units.items()):
        if u:
            by_unit.setdefault(u, []).append(officer)
    cache: dict[tuple[str, tuple[str, ...]], list[list[tuple[int, int]]]] = {}
    out = []
    for core, o in find(named, p):
        homes = sorted({units.get(m) or "" for m in core})
        # the members' units (an officer with no unit: the whole force)
        pop = sorted(set(units) if "" in homes else {x for u in homes for x in by_unit[u]} | core)
        null = _reshuffled(named, pop, p, cache, find)
        chance = _dominated(null, len(core), o)
        if chance > p["max_chance"]:
            continue  # the unit's complaints at random often make as tight a group: a busy unit, not a crew
        own = [c for c, s in zip(ids, named, strict=True) if len(s & core) >= 2]
        joined: list[str] = []
        if find is _named_groups:
            # named with the group on one incident is working a shift with it, not membership
            times: dict[str, int] = {}
            for c in own:
                for x in g.graph["named"][c] - core:
                    times[x] = times.get(x, 0) + 1
            joined = sorted(x for x, k in times.items() if k >= p["min_join_incidents"])
        if len(core) + len(joined) > p["max_size"]:
            joined = []  # no room: the group as found
        complaints = sorted(c for i in own for c in g.graph["complaints_of"][i])
        out.append(
            {
                "kind": "small" if find is _small_groups else "diffuse",
                "core": core,
                "members": sorted(core | set(joined)),
                "incidents": own,
                "complaints": complaints,
                "joined": joined,
                "unit_complaints": sum(1 for s in named if len(s & set(pop)) >= 2),
                "chance": chance,
                "units": [u for u in homes if u],
                "named": {c: sorted(g.graph["named"][c]) for c in own},
                "received": {c: g.graph["received"].get(c) for c in complaints},
            }
        )
    return out


def _crew_rows(ctx: DetectContext, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    g = crew_ties(ctx, p)
    out: list[dict[str, Any]] = []
    for comp in sorted(nx.connected_components(g), key=min):
        for core in _split(g, set(comp), p):
            s = g.subgraph(core)
            ties = [d for _, _, d in s.edges(data=True)]
            events = {i for d in ties for i in d["incident_ids"]}
            viewed = sum(1 for d in ties if d["records"]) / (len(core) * (len(core) - 1) / 2)
            # a crew is tied across many different incidents (or by co-views, each an act of
            # its own); a team named together as a team rests on the same few incidents
            if viewed < p["min_density"] and len(events) < p["min_complaints_per_member"] * len(core):
                continue
            members = _grow(g, core, p)
            weak = g.graph["weak"]
            joined = sorted(members - core)
            out.append(
                {
                    "members": sorted(members),
                    "joined": [(j, sorted(set(weak[j]) & core)) for j in joined],
                }
            )
    units = {r["officer_id"]: r["unit_id"] or "" for r in ctx.store.query(CREW_UNITS)}
    if p["diffuse"]:
        for d in _diffuse_crews(g, units, p, _named_groups):
            # a group found both ways is one crew: the tied crew takes in the named group's members
            host = next((r for r in out if set(r["members"]) & d["core"]), None)
            if host is not None:
                union = sorted(set(host["members"]) | set(d["members"]))
                if len(union) > p["max_size"] or len(union) == len(host["members"]):
                    continue  # too large to be one crew, or nothing the tied crew lacks
                host["members"] = union
                host["diffuse"] = d
            else:
                out.append({"members": d["members"], "joined": [], "diffuse": d})
    if p["small"]:
        for d in _diffuse_crews(g, units, p, _small_groups):
            if any(set(r["members"]) & d["core"] for r in out):
                continue  # part of a crew found already (or of a tighter small crew)
            out.append({"members": d["members"], "joined": [], "diffuse": d})
    for r in out:
        s = g.subgraph(r["members"])
        r["ties"] = sorted((min(a, b), max(a, b), e) for a, b, e in s.edges(data=True))
    if ctx.events is not None and p["approvals"]:
        out += approval_groups(ctx.sql(CREW_APPROVALS, p), p)
    return out


def approval_groups(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Groups of officers who approve one another's claims (``rows``: claims approved by
    another officer, per claimant, approver and whether the approver is in the claimant's line
    of management, from ``crew.approvals.sql``): the strongly connected parts of the approval
    graph whose every edge is at least ``min_approvals`` claims (two approving each other, or
    a ring; a line of management alone never closes a loop, so every such part holds an
    approval given outside it), with the officers whose claims a member approved as often,
    outside their line, and who claimed on at least ``min_shared_days`` of the same days as
    the group.

    >>> rows = [{"claimant": a, "approver": b, "in_chain": a == "A", "n": 3, "shifts": [f"{a}{b}{k}" for k in range(3)],
    ...          "days": ["d1", "d2", "d3"], "first_ts": None, "last_ts": None}
    ...         for a, b in (("A", "B"), ("B", "A"), ("C", "A"), ("D", "E"))]
    >>> p = {"min_approvals": 2, "min_shared_days": 3, "max_size": 15}
    >>> [(g["core"], g["joined"]) for g in approval_groups(rows, p)]
    [(['A', 'B'], ['C'])]
    """
    g = nx.DiGraph()
    days: dict[str, set[Any]] = {}
    for r in sorted(rows, key=lambda r: (r["approver"], r["claimant"], r["in_chain"])):
        days.setdefault(r["claimant"], set()).update(r["days"] or ())
        if r["n"] >= p["min_approvals"]:
            g.add_edge(r["approver"], r["claimant"], **r)
    out = []
    for scc in sorted(nx.strongly_connected_components(g), key=min):
        if len(scc) < 2 or len(scc) > p["max_size"]:
            continue  # a whole department approving across its sergeants is a practice, not a crew
        together = set().union(*(days.get(m, set()) for m in scc))
        joined = {
            x
            for m in scc
            for x in g.successors(m)
            if x not in scc
            and not g.edges[m, x]["in_chain"]
            and len(days.get(x, set()) & together) >= p["min_shared_days"]
        }
        if len(scc) + len(joined) > p["max_size"]:
            joined = set()
        members = scc | joined
        edges = [
            (a, b, d) for a, b, d in sorted(g.subgraph(members).edges(data=True)) if a in scc or b in scc
        ]
        stamps = [d[k] for _, _, d in edges for k in ("first_ts", "last_ts") if d[k] is not None]
        out.append(
            {
                "kind": "approvals",
                "core": sorted(scc),
                "joined": sorted(joined),
                "members": sorted(members),
                "edges": [
                    {
                        "approver": a,
                        "claimant": b,
                        "n": d["n"],
                        "in_chain": bool(d["in_chain"]),
                        "shifts": list(d["shifts"]),
                    }
                    for a, b, d in edges
                ],
                "first": min(stamps, default=None),
                "last": max(stamps, default=None),
                "shared_days": {x: len(days.get(x, set()) & together) for x in sorted(joined)},
            }
        )
    return out


def _group_flags(
    gid: str,
    members: list[str],
    score: float,
    first: Any,
    last: Any,
    explanation: str,
    evidence: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One flag per member of a group, sharing its id, score, window, explanation and evidence."""
    return [
        {
            "flag_id": flag_id("network.crew", gid, m),
            "detector": "network.crew",
            "officer_id": m,
            "group_id": gid,
            "score": round(score, 4),
            "severity": severity_of(score),
            "window_start": ts(first),
            "window_end": ts(last),
            "explanation": explanation,
            "evidence": evidence_json(evidence),
        }
        for m in members
    ]


def _approval_flags(groups: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for r in groups:
        members, core = r["members"], r["core"]
        gid = "crew-" + hashlib.sha256(("approvals|" + "|".join(members)).encode()).hexdigest()[:12]
        claims = sum(e["n"] for e in r["edges"])
        score = min(0.9, 0.45 + 0.025 * claims)
        forms = ["reciprocal_approval" if len(core) == 2 else "approval_ring"]
        if r["joined"]:
            forms.append("claims_together")
        pairs = "; ".join(
            f"{e['approver']} approved {e['n']} of {e['claimant']}'s"
            + (" (in their line of management)" if e["in_chain"] else "")
            for e in r["edges"]
        )
        how = "approve each other's" if len(core) == 2 else f"approve one another's in a ring of {len(core)}"
        head = (
            f"One of {len(members)} officers ({', '.join(members)}): {', '.join(core)} {how} overtime and "
            f"rest-day working claims, approvals that a line of management alone never makes "
            f"({pairs} claims)"
        )
        if r["joined"]:
            head += "; " + ", ".join(
                f"{x} claimed on {r['shared_days'][x]} of the same days and was approved by the group"
                for x in r["joined"]
            )
        evidence = [
            *({"table": "shifts", "key": k} for e in r["edges"] for k in e["shifts"]),
            *({"approved": [e["approver"], e["claimant"]], "claims": e["n"]} for e in r["edges"]),
            *({"joined": x, "shared_days": r["shared_days"][x]} for x in r["joined"]),
            forms_item(forms),
        ]
        out += _group_flags(gid, members, score, r["first"], r["last"], head + ".", evidence)
    return out


def _crew_forms(r: dict[str, Any], p: Mapping[str, Any]) -> list[str]:
    ties = [d for _, _, d in r["ties"]]
    forms = []
    if any(len(d["complaints"]) >= 2 for d in ties):
        forms.append("co_complaints")
    if any(d["records"] for d in ties):
        forms.append("co_views")
    if r.get("diffuse"):
        forms.append("small_crew" if r["diffuse"]["kind"] == "small" else "diffuse_complaints")
    if len(r["members"]) >= p["large_size"]:
        forms.append("large_crew")
    return forms


def _diffuse_text(d: dict[str, Any], p: Mapping[str, Any]) -> str:
    """The named-together evidence of a group, in words."""
    pairs: dict[tuple[str, str], int] = {}
    for c in d["incidents"]:
        for ab in itertools.combinations(sorted(set(d["named"][c]) & d["core"]), 2):
            pairs[ab] = pairs.get(ab, 0) + 1
    units = " and ".join(d["units"]) if d["units"] else "the force"
    tight = round(d["chance"] * p["reshuffles"])
    n, k = len(d["incidents"]), len(d["complaints"])
    on = (
        f"{n} different incidents ({k} complaints: {', '.join(d['complaints'])})"
        if k > n
        else (f"{n} different complaints ({', '.join(d['complaints'])})")
    )
    chance = (
        f"reshuffling the officers named on the {d['unit_complaints']} incidents naming several "
        f"officers of {units} at random made a group as tight (as few officers on as many "
        f"incidents) in {tight} of {p['reshuffles']} tries"
    )
    if d["kind"] == "small":
        return (
            f"a small crew, every pair of them named together on at least two different incidents "
            f"and no one else named so with all of them, on {on} naming two or more of them "
            f"({len(pairs)} pairs, named together {min(pairs.values(), default=0)} to "
            f"{max(pairs.values(), default=0)} times); {chance}"
        )
    text = (
        f"named together in changing combinations on {on}, each of them on at least two of these "
        f"with at least two others of the group ({len(pairs)} different pairs, none named together "
        f"more than {max(pairs.values(), default=0)} times); {chance}"
    )
    if d["joined"]:
        text += (
            f"; {', '.join(d['joined'])} named on at least {p['min_join_incidents']} of these incidents "
            "alongside two or more of them"
        )
    return text


def _incident_count(r: dict[str, Any]) -> int:
    """The different incidents behind a crew's ties (complaints about one incident count once)."""
    return len({i for _, _, e in r["ties"] for i in e.get("incident_ids", ())})


def _crew_flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = _approval_flags([r for r in rows if r.get("kind") == "approvals"], p)
    for r in (r for r in rows if r.get("kind") != "approvals"):
        members, ties = r["members"], r["ties"]
        d = r.get("diffuse")
        gid = "crew-" + hashlib.sha256("|".join(members).encode()).hexdigest()[:12]
        complaints = sorted(
            {c for _, _, e in ties for c in e["complaints"]} | set(d["complaints"] if d else ())
        )
        records = sorted({x for _, _, e in ties for x in e["records"]})
        dates = [e[k] for _, _, e in ties for k in ("first", "last") if e.get(k) is not None]
        if d:
            dates += [d["received"][c] for c in d["complaints"] if d["received"].get(c) is not None]
        weight = sum(e["weight"] for _, _, e in ties) + (len(d["incidents"]) if d else 0)
        density = 2 * len(ties) / (len(members) * (len(members) - 1))
        score = min(1.0, 0.4 + 0.3 * density + 0.02 * weight)
        forms = _crew_forms(r, p)
        evidence = [
            *({"table": "complaints", "key": c} for c in complaints),
            *({"table": "records", "key": x} for x in records),
            *(
                {"tie": [a, b], "weight": e["weight"], "complaints": e["complaints"], "records": e["records"]}
                for a, b, e in ties
            ),
            *({"joined": j, "named_twice_with": w} for j, w in r.get("joined", [])),
            *(
                [
                    {
                        "group": sorted(d["core"]),
                        "kind": d["kind"],
                        "complaints": d["complaints"],
                        "incidents": len(d["incidents"]),
                        "named_alongside_two": d["joined"],
                        "unit_complaints": d["unit_complaints"],
                        "reshuffles": p["reshuffles"],
                        "as_tight": round(d["chance"] * p["reshuffles"]),
                    }
                ]
                if d
                else []
            ),
            forms_item(forms),
        ]
        what = []
        if "co_complaints" in forms:
            by_ties = {c for _, _, e in ties for c in e["complaints"]}
            what.append(
                f"named together again and again on {len(by_ties)} different complaints"
                + (f" about {n} different incidents" if (n := _incident_count(r)) < len(by_ties) else "")
            )
        if "co_views" in forms:
            what.append(
                f"viewing the same {len(records)} sensitive records outside their own cases, "
                f"within {p['coview_days']} days of each other"
            )
        group = (
            f"a large group of {len(members)} officers"
            if "large_crew" in forms
            else f"{len(members)} officers"
        )
        share = (
            f"({round(100 * density)}% of all possible pairs): "
            + " and ".join(what)
            + (
                f"; {len(r['joined'])} of them named at least twice with most of the others"
                if r.get("joined")
                else ""
            )
        )
        head = f"One of {group} ({', '.join(members)})"
        if not d:
            head += f" tied by {len(ties)} repeated ties {share}"
        else:
            head += ": " + _diffuse_text(d, p)
            if ties:
                head += f"; {len(ties)} {'pair' if len(ties) == 1 else 'pairs'} of them tied {share}"
        out += _group_flags(
            gid,
            members,
            score,
            min(dates) if dates else None,
            max(dates) if dates else None,
            head + ".",
            evidence,
        )
    return out


CREW = Detector(
    name="network.crew",
    card=MethodCard(
        purpose=(
            "Find groups of officers tied by repeated co-complaints, named together in changing "
            "combinations on many complaints, viewing the same sensitive records outside their "
            "cases and outside their work, or approving one another's overtime and rest-day "
            "working claims."
        ),
        reads=(
            "complaint_subjects (NAMED_IN) and complaints",
            "officers (unit) and assignments (role), for the unit's complaints and viewing norm",
            "system_access with records and case assignments (when the event store is there)",
            "shifts (claimant, approved_by, pay code, day) and officers' line managers, for approvals",
        ),
        logic=(
            "Complaints are counted by incident: complaints about the same day (incident date, else "
            "the date received) that name an officer in common are one incident (several people "
            "complaining about one arrest, one shift), counted once however many complain. "
            "Build a weighted tie graph: two officers are tied when named together on at least "
            "min_co_complaints different incidents (a complaint naming more than max_named "
            "officers is about a whole team's operation and ties no pair), or when they viewed at "
            "least min_co_views of the same sensitive records (sensitivities: victim, witness and "
            "VIP records; restricted intelligence is read across cases by intelligence staff as "
            "their work, so it does not count) outside their own cases within coview_days of each "
            "other, or with two co-complaints and one such co-view. A single shared complaint or "
            "shared case work never ties. Co-viewing ties only outside the officers' work: an "
            "officer whose unit, or whose role in it (at least min_peers colleagues either way), "
            "reads such records across cases as its job (the median colleague opened at least "
            "routine_records of them, and routine_per_week a week over the period, outside their "
            "own cases: a safeguarding unit triaging victims), or whose role says their kind of work is "
            "one of routine_work (public protection: words in the role, as access.sensitive_victims "
            "reads them; a response officer attached to a public protection unit is not), ties no "
            "one by their looks, and is "
            "not counted among a record's viewers; a record opened by more than max_viewers other "
            "officers (more than the largest crew) is of general interest and ties no one. "
            "Each connected group of ties is a candidate; one "
            "larger than max_size is split with Louvain communities "
            "(networkx.community.louvain_communities, weight = co-complaints + co-views, at the "
            "given resolution), again until small enough; a part that will not split is a large "
            "team, not a crew, unless its dense core fits max_size. Every candidate is peeled to "
            "its dense core (the member with fewest ties is removed until the tie density, ties / "
            "possible ties, is at least min_density; what is peeled off is tried again as a group "
            "of its own), so a dozen-strong crew inside a loose web of colleagues is kept whole. A "
            "crew has min_size..max_size officers, and its ties rest on many different events: at "
            "least min_complaints_per_member distinct complaints per member, unless co-views (each "
            "an act of its own) tie it at min_density (a team named together as a team rests on "
            "the same few complaints). An officer named on at least two different incidents (or "
            "co-viewing) with each of at least min_join_share of a crew's members joins it. "
            "A crew named in changing twos, threes and fours (diffuse_complaints) has few repeated "
            "pairs, so a second search looks at the group, not the pair (when diffuse): officers "
            "named together on any complaint (naming at most max_named) are peeled, again and "
            "again, of anyone named with others of the group on fewer than two complaints, or with "
            "fewer than two different others (a pair named together, a chain, or one complaint "
            "naming a whole team is no group); each connected part left is a group when it has "
            "min_size..max_size members (a larger web is a busy unit, not a crew), at least "
            "min_group_complaints complaints naming two or more of them (and "
            "min_complaints_per_member per member), and at least two naming three or more of them "
            "(named together as a group, not only in pairs). It must also be unlike its unit: the "
            "complaints naming two or more officers of the members' units (the force, for an "
            "officer with no unit) are reshuffled at random among those units' officers, each "
            "naming as many as it did, reshuffles times (seeded, so every run gives the same), and "
            "at most max_chance of the reshuffles may make a group as tight (no more officers, at "
            "least as many such complaints): where everyone in a unit is named with everyone, a "
            "group named together is what the unit's complaints make anyway. The reshuffled "
            "complaints include the crew's own, so a crew that draws most of its unit's complaints "
            "is judged against that, not removed by it (the reason a pairwise unit baseline, the "
            "co-complaints expected of two officers of one unit, is not used for ties). An officer "
            "named on at least min_join_incidents of the group's incidents alongside two or more of "
            "its members joins it (one shared incident is a shift worked together, not "
            "membership); a group that shares members with a crew found by ties joins that crew (up "
            "to max_size). A small crew (small_crew, when small) is too small for either: three or "
            "four (min_size..small_size) officers, every pair of them named together on at least two "
            "different incidents and no one else named so with all of them (a maximal clique of "
            "such pairs, so a trio inside a whole team named together is not one), on at least "
            "min_small_incidents incidents naming two or more of them; it must be unlike its unit in "
            "the same way (the unit's incidents reshuffled make as tight a small group in at most "
            "max_chance of the tries) and share no member with a crew found otherwise; no one "
            "joins it. One flag per member, sharing a group id. On real co-complaint data a "
            "single global partition buries small groups in their unit's large community; "
            "thresholding the ties first and splitting only what is too big does not. "
            "Approvals (when approvals and the event store is there): the claims of pay codes in "
            "claim_codes (overtime, rest-day working, bank holiday, on call) approved by another "
            "officer make a directed graph, approver to claimant, with an edge where one approved "
            "at least min_approvals of the other's claims. Its strongly connected parts "
            "(networkx.strongly_connected_components) of two officers (reciprocal_approval: you "
            "sign mine, I sign yours) or more (approval_ring) are groups: a line of management "
            "approves downwards only, so a loop always holds an approval given outside the "
            "claimant's line (not their line manager, nor that manager's line manager), which is "
            "how the group was made. An officer whose claims a member approved as often, outside "
            "their own line, and who claimed on at least min_shared_days of the same days as the "
            "group joins it (claims_together: rest days worked together, signed off within the "
            "group). A part larger than max_size is a department's practice, not a crew. One flag "
            "per member, sharing a group id."
        ),
        false_positives=(
            "A team that works every job together and draws complaints as a team (for example "
            "a public-order unit): complaints naming more than max_named officers tie no pair, "
            "and a group must rest on many different complaints.",
            "Colleagues on an unrecorded joint operation viewing the same victims.",
            "A long-standing response team whose members are often named together on complaints "
            "about the same incidents: on real data many crews found are such teams, a list for "
            "a human to review, not findings.",
            "A crew inside a unit whose job is reading victims' records across cases is not found "
            "by its co-views; a group named in changing combinations inside a busy unit's web of "
            "more than max_size officers is not found by that search.",
        ),
        scoring=(
            "score = 0.4 + 0.3 x tie density + 0.02 x (total tie weight + the incidents naming "
            "two or more of a group named in changing combinations or of a small crew), at most 1. "
            "Approval groups: 0.45 + 0.025 x the claims approved within the group, at most 0.9."
        ),
        forms=(
            Form(
                "co_complaints",
                "Officers named together again and again on different complaints (at least "
                "min_co_complaints each pair), densely tied as a group.",
                ("team_complaints", "single_shared_complaint", "loose_chain"),
                ("complaint_subjects",),
            ),
            Form(
                "co_views",
                "Officers viewing the same sensitive records outside their own cases within days of "
                "each other (at least min_co_views records each pair), with no complaint needed; "
                "officers of any units, a dozen at once opening the same few records.",
                ("joint_operation_coviews", "loose_chain", "safeguarding_unit_coviews"),
                ("system_access", "sensitive_records", "case_assignments"),
            ),
            Form(
                "large_crew",
                "A crew of large_size..max_size officers (the crew documented in the Chicago data has "
                "about a dozen) densely tied across many different complaints or records.",
                ("team_complaints", "loose_chain"),
            ),
            Form(
                "small_crew",
                "Three or four officers, every pair of them named together on two or more different "
                "incidents over time, on at least min_small_incidents incidents in all (a trio on four "
                "or five complaints), too few for repeated ties or a group named in changing "
                "combinations, and seldom so in their unit's complaints at random.",
                (
                    "single_shared_complaint",
                    "loose_chain",
                    "team_complaints",
                    "busy_unit_complaints",
                    "joiner_one_incident",
                ),
                ("complaint_subjects",),
            ),
            Form(
                "diffuse_complaints",
                "A group named together in changing twos, threes and fours across many complaints, "
                "hardly ever the same pair twice and seldom with anyone else: each member is named "
                "on at least two of the group's complaints with at least two others of it, and the "
                "unit's complaints at random seldom make so tight a group.",
                (
                    "single_shared_complaint",
                    "loose_chain",
                    "team_complaints",
                    "busy_unit_complaints",
                    "joiner_one_incident",
                ),
                ("complaint_subjects",),
            ),
            Form(
                "reciprocal_approval",
                "Two officers approve each other's overtime or rest-day working, at least min_approvals "
                "claims each way, at least one way outside the claimant's line of management (a PC "
                "signing an inspector's overtime, two PCs of different teams).",
                ("sergeant_approves_own_team", "acting_sergeant_one_way"),
                ("approvals",),
            ),
            Form(
                "approval_ring",
                "Three or more officers approve one another's claims in a loop (A signs B's, B signs "
                "C's, C signs A's), no pair both ways.",
                ("sergeant_approves_own_team", "acting_sergeant_one_way"),
                ("approvals",),
            ),
            Form(
                "claims_together",
                "Officers who claim rest-day working or overtime on the same days as a group that "
                "approves its own, signed off by one of it outside their line of management.",
                ("acting_sergeant_one_way", "sergeant_approves_own_team"),
                ("approvals",),
            ),
        ),
        lookalikes=(
            LookAlike(
                "sergeant_approves_own_team",
                "A sergeant approves many overtime claims of the PCs they line-manage, on the same days, "
                "and the inspector approves the sergeant's: a line of management, one way.",
            ),
            LookAlike(
                "acting_sergeant_one_way",
                "A sergeant covers an absent colleague and approves that team's overtime: outside the "
                "claimants' line, but no one in the team approves the sergeant's claims.",
            ),
            LookAlike(
                "team_complaints",
                "A public-order team named together as a whole team on the same few complaints "
                "(every complaint names everyone).",
            ),
            LookAlike("single_shared_complaint", "Officers named together on one complaint only."),
            LookAlike(
                "joint_operation_coviews",
                "Officers co-assigned to a case viewing its victim records together.",
            ),
            LookAlike(
                "loose_chain",
                "Pairs tied in a chain (A-B, B-C, C-D, ...), each pair repeatedly, but not a dense group.",
            ),
            LookAlike(
                "safeguarding_unit_coviews",
                "A safeguarding unit whose members all read the same victims' records across cases "
                "as their job (triage): their co-views are their work.",
            ),
            LookAlike(
                "joiner_one_incident",
                "Two officers often named together, and a colleague named with them only on complaints "
                "about one incident (several complainants, one shift) or on one complaint: working a "
                "shift with them is no membership, and a pair is no crew.",
            ),
            LookAlike(
                "busy_unit_complaints",
                "A small, busy unit whose officers are named together in every combination on many "
                "complaints: reshuffled at random, its complaints make as tight a group.",
            ),
        ),
    ),
    params=(
        Param("min_co_complaints", int, 3, "complaints naming both officers that make a tie"),
        Param(
            "max_named",
            int,
            15,
            "complaints naming more officers (a whole team's, larger than any crew) tie no pair",
        ),
        Param("min_co_views", int, 2, "shared sensitive records outside their cases that make a tie"),
        Param(
            "coview_days", int, 7, "co-views count when the two first views are this many days apart at most"
        ),
        Param(
            "max_viewers",
            int,
            15,
            "sensitive records opened by more officers outside their routine (more than the largest crew) are ignored",
        ),
        Param(
            "routine_per_week",
            float,
            1.0,
            "sensitive records of others' cases a week that the median peer opens, for such looks to be routine work",
        ),
        Param(
            "routine_records",
            int,
            10,
            "and at least this many over the period (a handful in a short export is no routine)",
        ),
        Param(
            "routine_work",
            list,
            ["public protection"],
            "kinds of work (see access.sensitive_victims) whose looks at victim records across cases are "
            "the job, whatever the count",
        ),
        Param("min_peers", int, 3, "colleagues of the same unit and role (else unit) that make a peer group"),
        Param(
            "sensitivities",
            list,
            ["victim", "witness", "vip"],
            "record sensitivities that count",
        ),
        Param("min_size", int, 3, "smallest crew"),
        Param("large_size", int, 9, "a crew of at least this many officers is a large crew"),
        Param("max_size", int, 15, "groups larger than this are split into communities"),
        Param("resolution", float, 1.0, "Louvain resolution for splitting large components"),
        Param("min_density", float, 0.6, "ties among the members / possible ties, for a crew"),
        Param(
            "min_complaints_per_member",
            float,
            0.6,
            "distinct complaints behind a group's ties, per member (unless co-views tie it densely)",
        ),
        Param(
            "min_join_share",
            float,
            0.5,
            "an officer named at least twice with this share of a crew's members joins it",
        ),
        Param(
            "diffuse",
            bool,
            True,
            "also find groups named together in changing combinations on many complaints (no pair often)",
        ),
        Param(
            "min_group_complaints",
            int,
            5,
            "incidents naming two or more of such a group, at least",
        ),
        Param(
            "min_join_incidents",
            int,
            2,
            "incidents of such a group an officer must be named on (alongside two or more of it) to join it",
        ),
        Param(
            "small",
            bool,
            True,
            "also find small tight crews: every pair named together on two or more incidents",
        ),
        Param("small_size", int, 4, "largest small crew"),
        Param(
            "min_small_incidents",
            int,
            4,
            "incidents naming two or more of a small crew, at least",
        ),
        Param("reshuffles", int, 200, "random reshuffles of the unit's complaints to compare a group with"),
        Param(
            "max_chance",
            float,
            0.05,
            "most share of reshuffles that may make a group as tight (as few officers, as many complaints)",
        ),
        Param("use_access", bool, True, "use co-views from the event store when it is there"),
        Param("approvals", bool, True, "also find officers approving one another's claims (event store)"),
        Param(
            "claim_codes",
            list,
            ["overtime", "rest_day_worked", "bank_holiday", "on_call"],
            "pay codes of the claims whose approvers count",
        ),
        Param("min_approvals", int, 2, "claims one officer approved of another's that make an approval tie"),
        Param(
            "min_shared_days",
            int,
            3,
            "days an officer approved by the group claimed on alongside the member who approved them, to join it",
        ),
        Param("since", str, "", "only complaints received on or after this date (YYYY-MM-DD; empty: all)"),
        Param("until", str, "", "only complaints received on or before this date (YYYY-MM-DD; empty: all)"),
        BACKEND,
    ),
    to_flags=_crew_flags,
    python=_crew_rows,
    cypher="\n\n".join((CREW_COMPLAINTS, CREW_UNITS)),
    sql="\n\n".join((CREW_COVIEWS, CREW_APPROVALS)),
    uses_events=True,
    inputs=CREW_INPUTS,
)
