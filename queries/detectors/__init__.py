"""The detector registry."""

from __future__ import annotations

from queries.detectors.association import UNDECLARED_MEMBERSHIP
from queries.detectors.base import FLAG_COLUMNS, Detector, DetectorError

DETECTORS: dict[str, Detector] = {d.name: d for d in (UNDECLARED_MEMBERSHIP,)}

__all__ = ["DETECTORS", "FLAG_COLUMNS", "Detector", "DetectorError", "get"]


def get(name: str) -> Detector:
    try:
        return DETECTORS[name]
    except KeyError:
        raise DetectorError(f"unknown detector {name!r}; known: {', '.join(sorted(DETECTORS))}") from None
