"""The detector framework: a detector is declared once, with its method card.

A detector's declaration holds everything a reviewer needs (purpose, data read, logic
in plain words, parameters and defaults, known innocent explanations, protected
characteristics it never uses, how score and severity are set) next to its
implementation (Neo4j Cypher, with an embedded variant only where the dialects
differ, plus a pure function that turns the query rows into flags).

Flags follow the source contract's flags export; ``flag_id`` is a hash of the detector
and the evidence keys, so the same inputs give the same ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graph.errors import LinkwatchError
from graph.store import GraphStore

FLAG_COLUMNS = [
    "flag_id",
    "detector",
    "officer_id",
    "group_id",
    "score",
    "severity",
    "window_start",
    "window_end",
    "explanation",
    "evidence",
]
PROTECTED = ("gender", "ethnicity")


class DetectorError(LinkwatchError):
    """Unknown detector or bad detector parameters."""


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    default: Any
    description: str


@dataclass(frozen=True)
class MethodCard:
    purpose: str
    reads: tuple[str, ...]
    logic: str
    false_positives: tuple[str, ...]
    scoring: str
    never_uses: tuple[str, ...] = PROTECTED


@dataclass(frozen=True)
class Detector:
    name: str
    card: MethodCard
    params: tuple[Param, ...]
    cypher: str
    to_flags: Callable[[list[dict[str, Any]], Mapping[str, Any]], list[dict[str, Any]]]
    cypher_embedded: str | None = None
    evidence_labels: tuple[str, ...] = field(default=())

    @property
    def family(self) -> str:
        return self.name.split(".")[0]

    def resolve_params(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        given = dict(given or {})
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise DetectorError(
                f"{self.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(p.name for p in self.params)}"
            )
        out = {}
        for p in self.params:
            v = given.get(p.name, p.default)
            try:
                out[p.name] = p.type(v) if not isinstance(v, p.type) else v
            except (TypeError, ValueError) as e:
                raise DetectorError(f"{self.name}: parameter {p.name} must be {p.type.__name__}") from e
        return out

    def run(self, store: GraphStore, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run on a store; flags as a frame with :data:`FLAG_COLUMNS` (sorted by id)."""
        p = self.resolve_params(params)
        rows = store.query(self.cypher, p, embedded=self.cypher_embedded)
        flags = self.to_flags(rows, p)
        df = pd.DataFrame(flags, columns=FLAG_COLUMNS)
        return df.sort_values("flag_id").reset_index(drop=True)


def flag_id(detector: str, *parts: object) -> str:
    """Stable id: the detector name and a hash of the evidence keys.

    >>> flag_id("association.undeclared_membership", "100001", "M1")
    'association.undeclared_membership:2922f880ee28ae9f'
    """
    h = hashlib.sha256("\x1f".join([detector, *map(str, parts)]).encode()).hexdigest()[:16]
    return f"{detector}:{h}"


def severity_of(score: float) -> str:
    return "high" if score >= 0.8 else "medium" if score >= 0.5 else "low"


def ts(v: dt.date | dt.datetime | None) -> str:
    """ISO 8601 timestamp (UTC, ``Z``) for the flags export; empty for none."""
    if v is None:
        return ""
    if not isinstance(v, dt.datetime):
        v = dt.datetime.combine(v, dt.time(), dt.UTC)
    return v.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def evidence_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, sort_keys=True, separators=(",", ":"))
