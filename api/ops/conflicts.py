"""Conflict checks: may this person review, sign off or decide about these officers?

One check (:func:`check_independent`) used by assignment, transitions, decisions,
sign-off, unmasking and the deciding of challenges. A person may not act about:

- themselves;
- anyone above or below them in the line-management chain (``REPORTS_TO``, followed
  to its end in both directions);
- anyone in their own unit (``IN_UNIT``; ``conflicts.same_unit`` in ``graph/review.yaml``);
- anyone they share an organisation with, as a listed member (``MEMBER_OF``) or by a
  declaration about it (``DECLARED`` → ``ABOUT``) (``conflicts.declared_association``).

It reads the ingested HR data with the same plain Cypher on both stores (one hop at a
time, current records only), so it answers the same on the embedded store and Neo4j.
The person is known by the officer id their token names (``Principal.officer_id``);
without one nothing can be checked, and the check refuses.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.meta import PermissionDenied, Principal
from graph.review import POLICY
from graph.store import GraphStore

MAX_CHAIN = 50
"""The longest line-management chain followed (a loop in the HR data ends it sooner)."""

_MANAGER = (
    "MATCH (a:Officer)-[r:REPORTS_TO]->(m:Officer) WHERE a.officer_id = $o AND r.retired_at IS NULL "
    "RETURN m.officer_id AS m"
)
_UNITS = (
    "MATCH (a:Officer)-[r:IN_UNIT]->(u:Unit) WHERE a.officer_id = $o AND r.retired_at IS NULL "
    "RETURN u.unit_id AS u"
)
_MEMBER_ORGS = (
    "MATCH (a:Officer)-[r:MEMBER_OF]->(g:Organisation) WHERE a.officer_id = $o AND r.retired_at IS NULL "
    "RETURN g.org_id AS g"
)
_DECLARED_ORGS = (
    "MATCH (a:Officer)-[r:DECLARED]->(d:Declaration)-[s:ABOUT]->(g:Organisation) "
    "WHERE a.officer_id = $o AND r.retired_at IS NULL AND s.retired_at IS NULL RETURN g.org_id AS g"
)
_OFFICER = "MATCH (a:Officer) WHERE a.officer_id = $o AND a.retired_at IS NULL RETURN a.officer_id AS o"
HOW_TO_NAME = (
    "make their token with --officer-id (linkwatch token create --officer-id ID); "
    "on the command line pass --officer-id"
)


class Conflicted(PermissionDenied):
    """The person may not act about this officer (the message says why)."""


def _column(store: GraphStore, cypher: str, officer_id: str) -> set[str]:
    return {str(next(iter(r.values()))) for r in store.query(cypher, {"o": officer_id})}


def managers(store: GraphStore, officer_id: str) -> list[str]:
    """Everyone above ``officer_id`` in the line-management chain, nearest first."""
    chain: list[str] = []
    at = {officer_id}
    while at and len(chain) < MAX_CHAIN:
        above = set().union(*(_column(store, _MANAGER, o) for o in at)) - set(chain) - {officer_id}
        chain.extend(sorted(above))
        at = above
    return chain


def organisations(store: GraphStore, officer_id: str) -> set[str]:
    """The organisations an officer is a listed member of or has declared."""
    return _column(store, _MEMBER_ORGS, officer_id) | _column(store, _DECLARED_ORGS, officer_id)


def conflicts(store: GraphStore, person: str, subject: str) -> list[str]:
    """Why ``person`` (an officer id) may not act about ``subject``; empty if nothing stops them."""
    if person == subject:
        return [f"officer {subject} is yourself"]
    reasons = []
    if subject in managers(store, person):
        reasons.append(f"officer {subject} is above you in the line-management chain")
    if person in managers(store, subject):
        reasons.append(f"officer {subject} is below you in the line-management chain")
    if POLICY.same_unit_conflict:
        shared = _column(store, _UNITS, person) & _column(store, _UNITS, subject)
        if shared:
            reasons.append(f"officer {subject} is in your unit ({', '.join(sorted(shared))})")
    if POLICY.association_conflict:
        orgs = organisations(store, person) & organisations(store, subject)
        if orgs:
            reasons.append(
                f"you and officer {subject} are members of (or declared) the same organisation "
                f"({', '.join(sorted(orgs))})"
            )
    return reasons


def check_independent(store: GraphStore, who: Principal, subjects: Iterable[str], acting: str) -> str:
    """``who``'s officer id, if they may act (``acting``: "review this case" …) about
    every one of ``subjects``; :class:`Conflicted` (or :class:`PermissionDenied` when
    they cannot be checked) saying why not.

    A person whose token names no officer id, or one that is not in the HR data, cannot
    be checked and is refused."""
    person = (who.officer_id or "").strip()
    if not person:
        raise PermissionDenied(
            f"officer_id: {who.user} cannot {acting}: their token names no officer id, "
            f"so conflicts of interest cannot be checked; {HOW_TO_NAME}"
        )
    if not store.query(_OFFICER, {"o": person}):
        raise PermissionDenied(
            f"officer_id: {person} (the officer id {who.user}'s token names) is not in the HR data, "
            "so conflicts of interest cannot be checked"
        )
    for subject in sorted(set(subjects)):
        reasons = conflicts(store, person, subject)
        if reasons:
            raise Conflicted(f"conflict of interest: {who.user} may not {acting}: {'; '.join(reasons)}")
    return person
