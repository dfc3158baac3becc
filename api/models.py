"""Wire models (separate from storage)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Node(BaseModel):
    id: str = Field(examples=["Officer:100003"])
    labels: list[str]
    properties: dict[str, Any] | None = None


class Edge(BaseModel):
    id: str
    type: str = Field(examples=["MEMBER_OF"])
    source: str
    target: str
    properties: dict[str, Any] | None = None


class GraphOut(BaseModel):
    """Nodes by id and edges: the one shape every graph response uses."""

    nodes: dict[str, Node]
    edges: list[Edge]
    truncated: bool = False


class PathsOut(BaseModel):
    paths: list[GraphOut]


class Health(BaseModel):
    status: str
    store: str


class FlagOut(BaseModel):
    flag_id: str
    detector: str
    officer_id: str
    group_id: str | None = None
    score: float
    severity: str
    window_start: str | None = None
    window_end: str | None = None
    explanation: str
    evidence: list[dict[str, Any]]
    status: str | None = None


class ErrorOut(BaseModel):
    detail: str


class QueryParamOut(BaseModel):
    name: str
    type: str = Field(examples=["string"])
    required: bool
    default: Any = None
    example: Any = None
    description: str = ""


class SavedQueryOut(BaseModel):
    """A saved query of the library (the Cypher only in the one-query view)."""

    id: str = Field(examples=["LW-0004"])
    name: str = Field(examples=["organisation-members"])
    category: str
    description: str
    revision: int
    result: str = Field(examples=["table"])
    parameters: list[QueryParamOut]
    cypher: str | None = None


class QueryRunIn(BaseModel):
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"org_id": "L1", "min_score": 0.95}])
    purpose: str | None = Field(None, examples=["complaint PSD-7 review"])
    case_ref: str | None = Field(None, examples=["PSD-7"])
    max_rows: int = Field(1000, ge=1, le=10_000)


class QueryRunOut(BaseModel):
    query: str = Field(examples=["LW-0004"])
    result: str
    params: dict[str, Any]
    rows: list[dict[str, Any]] | None = None
    count: int | None = None
    graph: GraphOut | None = None
    truncated: bool = False
