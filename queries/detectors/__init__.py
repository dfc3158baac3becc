"""The detector registry."""

from __future__ import annotations

from queries.detectors.access import NO_PURPOSE, OFF_DUTY, PERSONAL_LINK, SENSITIVE_VICTIMS, VOLUME_OUTLIER
from queries.detectors.association import UNDECLARED_LINK, UNDECLARED_MEMBERSHIP
from queries.detectors.attendance import BADGE_ONLY, BELOW_THRESHOLD
from queries.detectors.base import FLAG_COLUMNS, Detector, DetectorError
from queries.detectors.network import CREW, HIDDEN_LINK
from queries.detectors.roster import OVERTIME_OVERLAP, RETRO_CLAIM, SELF_APPROVAL

DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        UNDECLARED_MEMBERSHIP,
        UNDECLARED_LINK,
        SELF_APPROVAL,
        RETRO_CLAIM,
        OVERTIME_OVERLAP,
        BELOW_THRESHOLD,
        BADGE_ONLY,
        NO_PURPOSE,
        PERSONAL_LINK,
        SENSITIVE_VICTIMS,
        OFF_DUTY,
        VOLUME_OUTLIER,
        CREW,
        HIDDEN_LINK,
    )
}

__all__ = ["DETECTORS", "FLAG_COLUMNS", "Detector", "DetectorError", "get"]


def get(name: str) -> Detector:
    try:
        return DETECTORS[name]
    except KeyError:
        raise DetectorError(f"unknown detector {name!r}; known: {', '.join(sorted(DETECTORS))}") from None
