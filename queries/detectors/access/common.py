"""What the access detectors share.

Beside this module, the SQL fragments that several of them fill into their queries
(:func:`~queries.detectors.base.query_file`):

- ``common.lookups.sql``: the ``lookups`` CTE, every lookup with its record, the case it
  quotes itself (``quoted_case``) and whether it is of the officer's own case (give or take
  ``$grace_days``), filtered by ``{{where}}``
  (access.no_purpose, access.sensitive_victims);
- ``common.densest.sql``: per officer, the trailing ``$window_days`` window holding most of
  the rows of ``{{hits}}`` (rows with officer_id, ts, access_id), and the rows in it
  (access.sensitive_victims; access.no_purpose finds two windows at once in its own query);
- ``common.job.sql``: the ``job`` CTE, every officer's unit, rank, role now and kind of work
  (:data:`JOB_FAMILIES`, filled in as :data:`FAMILY_SQL`), for peers doing the same job
  (access.sensitive_victims, access.volume_outlier);
- ``common.duty_rows.sql``: each shift row's kind and the end its claimed hours reach
  (access.off_duty, in its stage and in its whole query).
"""

from __future__ import annotations

from queries.detectors.base import Param

GRACE = Param(
    "grace_days", int, 7, "days before or after a case assignment that still count as the officer's case"
)


JOB_FAMILIES: dict[str, str] = {
    "custody": r"custody|detention|detainee|gaoler|jailer|bridewell|\bcells?\b|\bddo\b",
    "public protection": (
        r"public protection|safeguard|sapphire|\bsoit\b|\bsois\b|sexual offen|\brasso\b|\brape\b"
        r"|domestic (abuse|violence)|\bda car\b|\bdau\b|\bdvu\b|\bmash\b|\bcait\b|\bppu\b|\bmarac\b"
        r"|child (abuse|protection|exploitation)|\bcse\b|vulnerab|\bmosovo\b|\bviso\b|jigsaw"
    ),
    "intelligence": r"intel|researcher|analyst|\bfib\b|crimint",
}
"""Kinds of work whose roles go by many names, each found by words (a regular expression,
lower case) in the officer's role and their unit's name, in this order: a "Researcher" in
the "Sapphire" unit does public protection work; a "Custody Sergeant" posted to a response
team does custody work. Officers of one kind are peers doing the same job even where their
role names differ ("SOIT", "Domestic Abuse Car", "Safeguarding Officer")."""


def _family_sql(*, unit_name: bool = True) -> str:
    text = "lower(coalesce(j.role, '') || ' | ' || coalesce(u.name, ''))" if unit_name else "lower(j.role)"
    whens = " ".join(
        f"WHEN regexp_matches({text}, '{pattern}') THEN '{name}'" for name, pattern in JOB_FAMILIES.items()
    )
    return f"CASE {whens} END"


FAMILY_SQL = _family_sql()
"""SQL: the officer's kind of work (:data:`JOB_FAMILIES`), NULL when none; for ``common.job.sql``."""
ROLE_FAMILY_SQL = _family_sql(unit_name=False)
"""SQL: the kind of work the officer's role alone says (not their unit's name: a response
officer attached to a public protection unit does response work); for ``common.job.sql``."""
