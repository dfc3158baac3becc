"""``association.undeclared_membership``: officers on an outside membership list of an
organisation policy requires them to declare, with no approved, current declaration
about it on the register.

Query beside this module: ``undeclared_membership.cypher`` (the same text on both stores);
the register's cases are judged in Python (:func:`_membership_cases`).

Worked examples: ``tests/examples/association.undeclared_membership/``, one folder per form and
look-alike of the card (run on both stores by ``tests/test_examples.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from graph.model import MODEL
from queries.detectors.association.common import counted
from queries.detectors.base import Detector, Form, Input, LookAlike, MethodCard, Param, query_file
from queries.detectors.common import officer_flags

NAME = "association.undeclared_membership"

CYPHER = query_file(__file__, "undeclared_membership.cypher")

PENDING_FACTOR = 0.6
LAPSED_FACTOR = 0.8

NO_DECLARATION = "no_declaration"
NOT_APPROVED = "declaration_not_approved"
LAPSED = "lapsed_declaration"


def _date(v: Any) -> dt.date | None:
    """A date from either store (``date``, ``datetime`` or ISO text); ``None`` for none."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def data_as_of(rows: list[dict[str, Any]], given: str = "") -> dt.date | None:
    """The "today" of a lapsed declaration: ``as_of`` when given, else the latest date the
    registers show (the latest membership start or end on any list, or the latest
    declaration made). The run's own date is not used: an export is read later than it
    was made, and a declaration valid at the export would read as lapsed; it only caps a
    date from the future (a typo on a list).

    >>> data_as_of([{"listed_since": dt.date(2024, 5, 1), "listed_until": None,
    ...              "last_declared": dt.date(2025, 1, 2)}])
    datetime.date(2025, 1, 2)
    >>> data_as_of([], "2025-06-30")
    datetime.date(2025, 6, 30)
    """
    if given:
        return _date(given)
    dates = [
        d
        for r in rows[:1]
        for d in (_date(r.get("listed_since")), _date(r.get("listed_until")), _date(r.get("last_declared")))
        if d is not None
    ]
    # a date after the run's own day is a typo, not the day of the export
    return min(max(dates), dt.datetime.now(dt.UTC).date()) if dates else None


def corroborated(matched_on: Any, match_weights: Any) -> bool:
    """Whether a list entry resolved to an officer agrees with them on more than a name: the
    date of birth, or the same postcode (the same sector or district is only the same area).
    A name alone, however well it matches, is as likely a namesake: a long list (a political
    party's members) holds many people of a common name.

    >>> corroborated(["surname", "forenames", "date_of_birth"], None)
    True
    >>> w = '[{"field": "postcode", "level": "%s", "weight": 4.1}]'
    >>> corroborated(["surname", "forenames", "postcode"], w % "exact")
    True
    >>> corroborated(["surname", "forenames", "postcode"], w % "same sector"), corroborated(["surname", "forenames"], None)
    (False, False)
    """
    fields = {str(f) for f in (matched_on or [])}
    if "date_of_birth" in fields:
        return True
    if "postcode" not in fields:
        return False
    try:
        levels = {str(x["field"]): str(x["level"]) for x in json.loads(str(match_weights))}
    except (ValueError, TypeError, KeyError):
        return True  # a resolver that keeps no levels: a postcode it matched on is the postcode
    return levels.get("postcode", "exact") == "exact"


def _membership_cases(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One case per resolved membership that the register does not cover (see the card)."""
    as_of = data_as_of(rows, str(p.get("as_of") or ""))
    by_m: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        by_m.setdefault((str(r["officer_id"]), str(r["membership_id"])), []).append(r)
    cases = []
    for (_oid, _mid), rs in sorted(by_m.items()):
        r = rs[0]
        if not corroborated(r.get("matched_on"), r.get("match_weights")):
            continue  # a name alone: as likely a namesake (see corroborated)
        since, until = _date(r.get("since")), _date(r.get("until"))
        start, end = _date(r.get("officer_start")), _date(r.get("officer_end"))
        if until is not None and start is not None and until < start:
            continue  # left before joining the force: nothing to declare
        if since is not None and end is not None and since > end:
            continue  # joined after leaving the force
        decls = sorted(
            (
                (str(x["declaration_id"]), str(x.get("status") or ""), _date(x.get("valid_until")))
                for x in rs
                if x.get("declaration_id") is not None
            ),
        )
        # the day the membership must be covered to: its end, else "today"
        cover_to = min(until, as_of) if until is not None and as_of is not None else until or as_of
        approved = [d for d in decls if d[1] == "approved"]
        current = [d for d in approved if d[2] is None or cover_to is None or d[2] >= cover_to]
        if current:
            continue  # declared and approved, and still valid
        pending = [d for d, s, _ in decls if s == "pending"]
        rejected = [d for d, s, _ in decls if s not in ("approved", "pending")]
        forms: list[str] = []
        window_start = since
        if approved:
            forms.append(LAPSED)
            lapsed_on = max(d[2] for d in approved if d[2] is not None)
            window_start = max(since, lapsed_on) if since is not None else lapsed_on
        if pending or rejected:
            forms.append(NOT_APPROVED)
        if not forms:
            forms.append(NO_DECLARATION)
        fields = ", ".join(f.replace("_", " ") for f in (r["matched_on"] or []))
        head = (
            f"Listed as a member of {r['org_name']} ({r['org_kind']})"
            + (f" since {since}" if since else "")
            + (f" until {until}" if until else "")
            + f", matched to this officer on {fields}; "
        )
        if LAPSED in forms:
            d_id, _, d_to = max((d for d in approved if d[2] is not None), key=lambda d: (d[2], d[0]))
            tail = (
                f"their approved declaration {d_id} about it lapsed on {d_to} while the membership "
                + (f"went on to {until}" if until else f"continued (the registers run to {as_of})")
                + ", and no current approved declaration is on the register"
            )
            if pending:
                tail += f"; a renewal ({', '.join(pending)}) is pending approval"
        elif pending:
            tail = (
                f"their declaration {', '.join(pending)} about it is still pending approval, "
                "so no approved declaration is on the register"
            )
        elif rejected:
            tail = "no approved declaration about this organisation is on the register: their " + ", ".join(
                f"declaration {d} was {s or 'not approved'}" for d, s, _ in decls
            )
        else:
            tail = "no approved declaration about this organisation is on the register: they made none"
        named = sorted(
            {
                (str(x["declaration_id"]), str(x["declared_name"]), str(x["about_method"]).replace("_", " "))
                for x in rs
                if x.get("declaration_id") is not None and x.get("about_method") not in (None, "org_id")
            }
        )
        if named:
            tail += "; " + "; ".join(f"{d} names it '{n}' (linked by {m})" for d, n, m in named)
        factor = (PENDING_FACTOR if pending else 1.0) * (
            LAPSED_FACTOR if LAPSED in forms and not pending else 1.0
        )
        cases.append(
            {
                **r,
                "window_start": window_start,
                "window_end": until,
                "_forms": forms,
                "_score": float(r["score"]) * factor,
                "_explanation": head + tail + ".",
                "_evidence": [
                    {"table": "memberships", "key": r["membership_id"]},
                    {"table": "officers", "key": r["officer_id"]},
                    {"table": "organisations", "key": r["org_id"]},
                    *({"table": "declarations", "key": d} for d, _, _ in decls),
                    {
                        "path": [
                            MODEL.uid("Officer", r["officer_id"]),
                            "MEMBER_OF",
                            MODEL.uid("Organisation", r["org_id"]),
                        ],
                        "membership_id": r["membership_id"],
                    },
                ],
            }
        )
    return cases


def _flags(rows: list[dict[str, Any]], p: Mapping[str, Any]) -> list[dict[str, Any]]:
    return officer_flags(
        NAME,
        _membership_cases(rows, p),
        score=lambda r: r["_score"],
        explain=lambda r: r["_explanation"],
        evidence=lambda r: r["_evidence"],
        id_parts=lambda r: (r["officer_id"], r["membership_id"]),
        forms=lambda r: r["_forms"],
    )


UNDECLARED_MEMBERSHIP = Detector(
    name=NAME,
    card=MethodCard(
        purpose=(
            "Find officers who appear on an outside membership list (a lodge roll, a company "
            "register) of an organisation that policy requires them to declare, while no "
            "approved, current declaration about that organisation is on the register."
        ),
        reads=(
            "memberships (resolved to officers: MEMBER_OF with match score and fields, since, until)",
            "organisations (kind)",
            "declarations (status, valid_until, and the organisation each is about)",
            "officers (start_date, end_date)",
        ),
        logic=(
            "For every resolved membership link whose match score is at least min_score, of an "
            "organisation whose kind is in kinds, and that agrees with the officer on more than a "
            "name (the date of birth, or the same postcode; a name alone, or a name and the same "
            "postcode area, is as likely a namesake on a long list and is not flagged), gather the "
            "same officer's declarations about "
            "the same organisation (linked by org_id, or, when only org_name was given, by the one "
            "organisation the name plainly means, as an investigator would read it: the exact "
            "cleaned name, else the name without legal forms (Ltd, Limited, PLC, LLP), with '&' as "
            "'and', 'No.' before a number dropped and common abbreviations written out, else the "
            "same words in another order, else one word of five letters or more a letter off, "
            "numbers always the same, else, for a lodge or chapter, the same words with its number "
            "left out on one side ('Lodge of St John' for 'St John Lodge No. 123'; words that only "
            "say a lodge is masonic, 'Freemasons - ', '(masonic)', are dropped from its name); a "
            "name that fits two organisations at the first step that "
            "finds any links to neither, and the step is kept on the link). A membership that "
            "ended before the officer's "
            "start_date (or began after their end_date) needs no declaration. It is covered by "
            "an approved declaration with no valid_until, or one valid to the day the membership "
            "ended or, for a membership that goes on, to 'today'. 'Today' is the as_of parameter "
            "when given, else the latest date the registers show (the latest start or end of any "
            "membership-list entry, or the latest declaration made; at most the day of the run), "
            "not the day of the run itself: an export read months later would make declarations "
            "that were valid when it was made look lapsed. "
            "An uncovered membership is flagged as one of three forms: no declaration at all; "
            "declarations that are only pending or rejected; or approved declarations that have "
            "all lapsed. Retired (no longer exported) records are ignored."
        ),
        false_positives=(
            "The membership list is wrong or out of date (the person left the organisation).",
            "The match is a different person with the same name and date of birth, or the same "
            "name and postcode (a list entry with neither is not flagged).",
            "The declaration was made on paper or under a name that fits no organisation, or "
            "two (initials, a trading name, a former name): it does not link to this organisation.",
            "A declaration is pending only because approval is slow.",
            "A lapsed declaration whose renewal is held outside the register.",
        ),
        scoring=(
            "score = the membership match score (1.0 for an exact match), times "
            f"{PENDING_FACTOR} when a declaration about the organisation is pending, times "
            f"{LAPSED_FACTOR} when an approved declaration has lapsed (and none is pending). "
            "severity: high at score >= 0.8, medium >= 0.5, low below."
        ),
        forms=(
            Form(
                NO_DECLARATION,
                "A member of a notifiable organisation with no declaration about it at all.",
                (
                    "declared_approved",
                    "namesake_other_dob",
                    "namesake_name_only",
                    "club_membership",
                    "left_before_joining",
                    "declared_by_name_variant",
                ),
                needs=("memberships",),
            ),
            Form(
                NOT_APPROVED,
                "A member whose only declarations about the organisation are pending or rejected.",
                ("declared_approved", "namesake_other_dob"),
                needs=("memberships", "declarations"),
            ),
            Form(
                LAPSED,
                "A member whose approved declaration about the organisation lapsed (valid_until "
                "passed) while the membership went on, with no current one.",
                ("declared_approved", "left_before_joining"),
                needs=("memberships", "declarations", "declaration_expiry"),
            ),
        ),
        lookalikes=(
            LookAlike(
                "declared_approved",
                "A member with an approved declaration about the organisation, with no end date or "
                "one still to come.",
            ),
            LookAlike(
                "namesake_other_dob",
                "A list entry with an officer's name but another date of birth and postcode: not "
                "resolved to the officer.",
            ),
            LookAlike(
                "namesake_name_only",
                "A list entry (a political party's members) that agrees with an officer on the name "
                "only, with no date of birth and no postcode, or a postcode only in the same area: a "
                "namesake as likely as the officer; not flagged without a date of birth or the same "
                "postcode.",
            ),
            LookAlike(
                "club_membership",
                "A member of an organisation of a kind policy does not require to be declared "
                "(a sports club).",
            ),
            LookAlike(
                "left_before_joining",
                "A membership that ended before the officer's start date.",
            ),
            LookAlike(
                "declared_by_name_variant",
                "An approved declaration that names the organisation in free text, written another "
                "way ('Ashworth Security Services Limited' for 'Ashworth Security Services Ltd', "
                "'Rose & Crown Lodge 1234' for 'Rose and Crown Lodge No. 1234', 'Freemasons - Lodge "
                "of St John' or 'Lodge of St John (masonic)' for 'St John Lodge No. 123').",
            ),
        ),
    ),
    params=(
        Param("min_score", float, 0.9, "lowest membership match score that counts"),
        Param(
            "kinds",
            list,
            ["freemasonry", "business", "political"],
            "organisation kinds that policy requires officers to declare",
        ),
        Param(
            "as_of",
            str,
            "",
            "'today' for lapsed declarations (YYYY-MM-DD); empty: the latest date the registers show",
        ),
    ),
    to_flags=_flags,
    cypher=CYPHER,
    inputs=(
        Input(
            "memberships",
            "membership-list entries",
            cypher=counted("MATCH (m:Membership) WHERE m.retired_at IS NULL"),
        ),
        Input(
            "declarations",
            "entries of the register of interests",
            cypher=counted("MATCH (d:Declaration) WHERE d.retired_at IS NULL"),
        ),
        Input(
            "declaration_expiry",
            "declarations with a valid_until date",
            cypher=counted("MATCH (d:Declaration) WHERE d.retired_at IS NULL AND d.valid_until IS NOT NULL"),
        ),
        Input(
            "officer_start_dates",
            "officers with a start_date",
            cypher=counted("MATCH (o:Officer) WHERE o.retired_at IS NULL AND o.start_date IS NOT NULL"),
        ),
    ),
)
