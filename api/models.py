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
