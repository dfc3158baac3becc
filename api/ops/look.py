"""Who is looking and why: the one path from a token to a person, the permission matrix,
and the one writer of every look's audit record.

Every operation takes a :class:`Look`. The doors make it: the HTTP API and the pages
from the token a request carries (:func:`authenticate`, :func:`authorize`), the command
line for the local user (:func:`cli_look`). An operation asks the look for the purpose
it needs (:meth:`Look.need_purpose`) and records itself through :meth:`Look.record`, so
every door audits the same way by construction.

>>> allowed("analyst", "cypher.adhoc"), allowed("investigator", "cypher.adhoc")
(True, False)
>>> look = Look(Principal("ivy", "investigator"), None, None)
>>> look.need_purpose("a search")
Traceback (most recent call last):
...
graph.audit.PurposeRequired: a search needs a stated purpose: send the X-Purpose header (and X-Case-Ref), or ?purpose=…&case_ref=…; it is recorded in the audit log
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from graph.audit import AuditLog, PurposeRequired, current_user
from graph.errors import LinkwatchError
from graph.meta import ROLES, MetaStore, PermissionDenied, Principal

PERMISSIONS: dict[str, str] = {
    "graph.read": "search, read entities, neighbourhoods and paths, open pages",
    "flags.read": "list and read flags with their evidence",
    "flags.assess": "record an assessment (status and note) of a flag",
    "queries.run": "run saved queries",
    "queries.save": "create, update and delete one's own saved queries",
    "cypher.adhoc": "run ad-hoc read-only Cypher",
    "export": "export subgraphs and query results (JSON, CSV, GraphML)",
    "audit.read": "read, verify and export the audit log",
    "tokens.manage": "create, list and revoke API tokens",
    "cases.review": "open review cases, move them through their stages, propose outcomes, unmask a case's subject when assigned",
    "cases.signoff": "sign off a serious outcome proposed by someone else",
    "subject.report": "produce a subject's access report",
    "challenges.lodge": "lodge a challenge for a subject (against a flag or a source fact)",
    "challenges.decide": "decide a challenge (independent of the case's reviewers)",
}

MATRIX: dict[str, frozenset[str]] = {
    "investigator": frozenset(
        {"graph.read", "flags.read", "flags.assess", "queries.run", "export", "cases.review"}
    ),
    "analyst": frozenset(
        {"graph.read", "flags.read", "queries.run", "queries.save", "cypher.adhoc", "export"}
    ),
    "auditor": frozenset({"flags.read", "audit.read"}),
    "admin": frozenset(set(PERMISSIONS) - {"cases.signoff", "challenges.decide"}),
    "appropriate_authority": frozenset(
        {"graph.read", "flags.read", "flags.assess", "cases.review", "cases.signoff", "challenges.decide"}
    ),
    "subject_access": frozenset({"subject.report", "challenges.lodge"}),
}
"""Who may do what. Investigators explore, assess and review cases; analysts write
queries; auditors read the log and the flags (for fairness reviews) but not the graph;
appropriate authorities review, sign off serious outcomes and decide challenges; the
subject-access role produces a subject's report and lodges challenges; admins run the
deployment (they do not sign off outcomes or decide challenges)."""

assert set(MATRIX) == set(ROLES)

CLI_ROLE = "cli"
"""The role the command line's looks are recorded with (it has an admin's reach: it has
the data folder anyway)."""


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` has ``permission`` (the command line has every permission)."""
    if role == CLI_ROLE:
        return permission in PERMISSIONS
    return permission in MATRIX.get(role, frozenset())


def authenticate(meta: MetaStore, token: str | None) -> Principal | None:
    """The person a token speaks for (``None`` for no token, or an unknown, revoked or
    expired one): the one authentication path of every door."""
    token = (token or "").strip()
    return meta.authenticate(token) if token else None


def authorize(who: Principal, permission: str) -> Principal:
    """``who``, when their role has ``permission``; :class:`PermissionDenied` otherwise."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if not allowed(who.role, permission):
        raise PermissionDenied(
            f"role {who.role!r} may not {PERMISSIONS[permission]} (needs permission {permission!r})"
        )
    return who


def clean_reason(v: str | None) -> str | None:
    """A stated purpose or case reference as recorded: trimmed, at most 500 characters."""
    v = (v or "").strip()
    return v[:500] or None


@dataclass(frozen=True)
class Look:
    """One look: who is looking, why (purpose and case reference), and through which door
    (``via``: ``api`` for HTTP and the pages; the command line records none)."""

    who: Principal
    purpose: str | None
    case_ref: str | None
    via: str | None = None
    how_to_give_purpose: str = (
        "send the X-Purpose header (and X-Case-Ref), or ?purpose=…&case_ref=…; "
        "it is recorded in the audit log"
    )

    @property
    def acting(self) -> Principal:
        """Whose rights the look acts with: the command line acts as an admin (it has the
        data folder anyway), everyone else as themselves."""
        if self.who.role == CLI_ROLE:
            return Principal(self.who.user, "admin", officer_id=self.who.officer_id)
        return self.who

    def need_purpose(self, what: str) -> str:
        """The stated purpose, or :class:`~graph.audit.PurposeRequired` saying how to give one."""
        if not self.purpose:
            raise PurposeRequired(f"{what} needs a stated purpose: {self.how_to_give_purpose}")
        return self.purpose

    def with_reason(self, purpose: str | None, case_ref: str | None) -> Look:
        """This look with a purpose and case given for one operation (a request body's)."""
        return dataclasses.replace(
            self,
            purpose=clean_reason(purpose) or self.purpose,
            case_ref=clean_reason(case_ref) or self.case_ref,
        )

    def record(
        self,
        log: AuditLog,
        action: str,
        what: str,
        *,
        params: dict[str, Any] | None = None,
        result_size: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Append this look's record to the audit log (the one writer of looks)."""
        if self.via is not None:
            extra["via"] = self.via
        return log.record(
            who=self.who.user,
            role=self.who.role,
            action=action,
            what=what,
            purpose=self.purpose,
            case_ref=self.case_ref,
            params=params,
            result_size=result_size,
            **extra,
        )

    def record_failure(
        self, log: AuditLog, what: str, *, params: dict[str, Any], status: int | str, error: str, **extra: Any
    ) -> None:
        """Record a look that failed (a failed look is still a look). A failure of the
        audit log itself is logged, never raised over the failure being answered."""
        try:
            self.record(log, "failed", what, params=params, status=status, error=error[:2000], **extra)
        except (LinkwatchError, OSError, sqlite3.Error) as e:
            logging.getLogger("linkwatch.audit").error(
                "a failed look (%s, %s) could not be recorded in the audit log: %s", what, status, e
            )


def api_look(who: Principal, purpose: str | None, case_ref: str | None) -> Look:
    """The look of an HTTP request or a page (recorded ``via: api``)."""
    return Look(who, clean_reason(purpose), clean_reason(case_ref), via="api")


def cli_look(purpose: str | None = None, case_ref: str | None = None) -> Look:
    """The look of the command line: the local user, role ``cli``; the purpose from
    ``--purpose`` or ``LINKWATCH_PURPOSE``."""
    why = (purpose or os.environ.get("LINKWATCH_PURPOSE") or "").strip() or None
    return Look(
        Principal(current_user(), CLI_ROLE),
        why,
        case_ref,
        how_to_give_purpose=(
            "pass --purpose 'why you are looking' (and --case CASE-REF), or set LINKWATCH_PURPOSE; "
            "it is recorded in the audit log"
        ),
    )
