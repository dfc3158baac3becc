"""What the access detectors share.

Beside this module, the SQL fragments that several of them fill into their queries
(:func:`~queries.detectors.base.query_file`):

- ``common.lookups.sql``: the ``lookups`` CTE, every lookup with its record and whether it
  is of the officer's own case (give or take ``$grace_days``), filtered by ``{{where}}``
  (access.no_purpose, access.sensitive_victims);
- ``common.densest.sql``: per officer, the trailing ``$window_days`` window holding most of
  the rows of ``{{hits}}`` (rows with officer_id, ts, access_id), and the rows in it
  (access.no_purpose, access.sensitive_victims).
"""

from __future__ import annotations

from queries.detectors.base import Param

GRACE = Param(
    "grace_days", int, 7, "days before or after a case assignment that still count as the officer's case"
)
