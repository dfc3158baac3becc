"""Attendance detectors, in SQL on the event store. One module per detector, its query
beside it.

Days are local days (the ingest's ``LINKWATCH_TIMEZONE``). A *rostered office day* is a
worked ``day``/``early``/``late``/``night``/``training`` duty with a site; duties with
no site (home working, court) are not office days. A remote session is *from outside
the office networks* when its ``source_ip`` is known and starts with none of the
``office_networks`` prefixes (a session with no address is evidence of nothing).
"""

from __future__ import annotations

from queries.detectors.attendance.badge_only import BADGE_ONLY
from queries.detectors.attendance.below_threshold import BELOW_THRESHOLD

__all__ = ["BADGE_ONLY", "BELOW_THRESHOLD"]
