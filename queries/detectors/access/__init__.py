"""System-access detectors, in SQL on the event store (every lookup is there; the graph
holds only notable officer-record pairs). One module per detector, its query beside it.

An officer's *own case* lookup is one whose case (the lookup's ``case_ref``, else the
record's) the officer is assigned to on that day, give or take ``grace_days``.
"""

from __future__ import annotations

from queries.detectors.access.no_purpose import NO_PURPOSE
from queries.detectors.access.off_duty import OFF_DUTY
from queries.detectors.access.personal_link import PERSONAL_LINK
from queries.detectors.access.sensitive_victims import SENSITIVE_VICTIMS
from queries.detectors.access.volume_outlier import VOLUME_OUTLIER

__all__ = ["NO_PURPOSE", "OFF_DUTY", "PERSONAL_LINK", "SENSITIVE_VICTIMS", "VOLUME_OUTLIER"]
