"""Roster (duty management) detectors, in SQL on the event store. One module per
detector, its query beside it."""

from __future__ import annotations

from queries.detectors.roster.overtime_overlap import OVERTIME_OVERLAP
from queries.detectors.roster.retro_claim import RETRO_CLAIM
from queries.detectors.roster.self_approval import SELF_APPROVAL

__all__ = ["OVERTIME_OVERLAP", "RETRO_CLAIM", "SELF_APPROVAL"]
