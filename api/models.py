"""Wire models (separate from storage)."""

from __future__ import annotations

import datetime as dt
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
    source: str = Field("library", examples=["library"], description="library or user")
    owner: str | None = None
    share_users: list[str] | None = None
    share_roles: list[str] | None = None


class QueryRunIn(BaseModel):
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"org_id": "L1", "min_score": 0.95}])
    purpose: str | None = Field(None, examples=["complaint PSD-7 review"])
    case_ref: str | None = Field(None, examples=["PSD-7"])
    max_rows: int = Field(1000, ge=1, le=10_000)
    strict: bool = Field(False, description="413 instead of a truncated result when there are more rows")


class QueryRunOut(BaseModel):
    query: str = Field(examples=["LW-0004"])
    result: str
    params: dict[str, Any]
    rows: list[dict[str, Any]] | None = None
    count: int | None = None
    graph: GraphOut | None = None
    truncated: bool = False


class SearchHit(BaseModel):
    id: str = Field(examples=["Officer:100003"])
    label: str
    caption: str = Field(examples=["Ash Ann (100003)"])
    matched: str = Field(description="the field that matched", examples=["surname"])


class Assignment(BaseModel):
    unit: str
    unit_name: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    rank: str | None = None
    role: str | None = None


class EntityOut(BaseModel):
    """An entity with its properties, provenance, flags and relationship counts."""

    id: str
    labels: list[str]
    properties: dict[str, Any]
    provenance: dict[str, Any]
    relationships: dict[str, int] = Field(description="relationships by type (both directions)")
    flags: list[FlagOut] = Field(
        default_factory=list, description="open and assessed flags about the officer"
    )
    assignments: list[Assignment] = Field(default_factory=list, description="unit history (officers)")


class FlagPage(BaseModel):
    items: list[FlagOut]
    total: int
    skip: int
    limit: int


class AssessmentIn(BaseModel):
    status: str = Field(examples=["under_review"])
    note: str | None = Field(None, max_length=4000, examples=["Rosters checked with the unit; see PSD-7."])


class AssessmentOut(BaseModel):
    seq: int
    flag_id: str
    status: str
    note: str | None
    who: str
    role: str
    at: str


class FlagDetail(FlagOut):
    retired_at: str | None = Field(None, description="when the detector stopped raising it (ISO 8601)")
    retired_reason: str | None = Field(None, examples=["retired after correction 3"])
    card: dict[str, Any] = Field(description="the detector's method card")
    assessments: list[AssessmentOut] = Field(default_factory=list)
    evidence_tables: list[dict[str, Any]] = Field(
        default_factory=list,
        description="the evidence grouped by kind (a source table, path, group, tie, forms): "
        "each {kind, columns, rows}, one row shape per kind",
    )


class SavedQueryIn(BaseModel):
    """A user-saved query: the library's file format plus sharing."""

    name: str = Field(examples=["my-lodge-members"], pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    category: str = Field("user", examples=["association"])
    description: str = Field(examples=["Members of one lodge"])
    result: str = Field("table", examples=["table"])
    parameters: list[dict[str, Any]] = Field(
        default_factory=list, examples=[[{"name": "org_id", "type": "string", "example": "L1"}]]
    )
    cypher: str = Field(
        examples=["MATCH (o:Officer)-[:MEMBER_OF]->(:Organisation {org_id: $org_id}) RETURN o"]
    )
    cypher_embedded: str | None = None
    share_users: list[str] | None = Field(None, examples=[["bob"]])
    share_roles: list[str] | None = Field(None, examples=[["investigator"]])


class CypherIn(BaseModel):
    cypher: str = Field(examples=["MATCH (o:Officer {rank: $rank}) RETURN o.officer_id AS id LIMIT 20"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"rank": "PC"}])
    max_rows: int = Field(1000, ge=1, le=10_000)
    strict: bool = Field(False, description="413 instead of a truncated result when there are more rows")


class CypherOut(BaseModel):
    rows: list[dict[str, Any]]
    truncated: bool
    graph: GraphOut | None = None


class TokenIn(BaseModel):
    user: str = Field(examples=["ann"])
    role: str = Field(examples=["investigator"])
    note: str | None = None
    expires_days: int | None = Field(None, ge=1, le=3650)
    officer_id: str | None = Field(None, description="the user's own officer id in the HR data")


class TokenOut(BaseModel):
    token_id: str
    user: str
    role: str
    expires_at: str | None = None
    token: str | None = Field(None, description="the secret, shown once")
    created_at: str | None = None
    created_by: str | None = None
    revoked_at: str | None = None
    last_used_at: str | None = None
    note: str | None = None


class AuditPage(BaseModel):
    items: list[dict[str, Any]]
    total: int
    skip: int
    limit: int


class AuditVerifyOut(BaseModel):
    ok: bool
    records: int
    problems: list[str]
    head: dict[str, Any] | None = Field(
        None, description="the last record's seq and hash: keep it elsewhere to compare later"
    )


# ---- review cases and challenges (issue 14) ---------------------------------------------


class CaseIn(BaseModel):
    subjects: list[str] = Field(
        default_factory=list, description="the subject officers' ids (default: the flags' officers)"
    )
    flags: list[str] = Field(default_factory=list, description="flag ids, each about a subject")
    reviewer: str | None = Field(None, description="the assigned reviewer's user name (default: you)")
    due_date: dt.date | None = Field(None, description="default: in the policy's case_due_days")
    notes: str | None = Field(None, max_length=8000)
    evidence: list[str] = Field(
        default_factory=list, description="evidence items: graph node ids (Record:R1) or document references"
    )


class TransitionIn(BaseModel):
    to: str = Field(examples=["triage"])
    reason: str | None = Field(None, max_length=8000, examples=["Rota and badge data disagree on 3 days."])


class DecisionIn(BaseModel):
    outcome: str = Field(examples=["misconduct_meeting"])
    reason: str | None = Field(None, max_length=8000)
    reason_kind: str | None = Field(
        None, description="no_further_action: innocent_explanation, source_data_wrong or other"
    )
    explanation: str | None = Field(
        None, description="innocent_explanation: one of the detectors' known innocent explanations"
    )


class SignoffIn(BaseModel):
    approve: bool = True
    reason: str | None = Field(None, max_length=8000)


class UnmaskIn(BaseModel):
    reason: str | None = Field(None, max_length=2000)
    subject_id: str | None = Field(None, description="one subject of a group case (default: every subject)")


class CaseOut(BaseModel):
    case_ref: str = Field(examples=["RC-2026-0001"])
    stage: str
    subjects: list[str]
    flags: list[str]
    evidence: list[str]
    reviewer: str
    reviewer_officer_id: str | None = None
    due_date: str
    days_left: int
    overdue: bool
    notes: str | None = None
    opened_by: str
    opened_role: str
    opened_at: str
    outcome: str | None = None
    outcome_label: str | None = None
    outcome_status: str | None = Field(None, description="proposed (awaiting sign-off) or decided")
    open_challenges: list[str] = Field(default_factory=list, description="open challenges pausing escalation")
    unmasked_by: list[dict[str, Any]] = Field(default_factory=list)
    retired_flags: dict[str, str] = Field(
        default_factory=dict,
        description="the case's flags that retired, with why (retired after correction N)",
    )
    transitions: list[dict[str, Any]] = Field(default_factory=list)
    decisions: list[dict[str, Any]] = Field(default_factory=list)
    signoffs: list[dict[str, Any]] = Field(default_factory=list)


class ChallengeIn(BaseModel):
    text: str | None = Field(None, max_length=8000, examples=["I was on approved leave on 2026-03-04"])
    flag_id: str | None = None
    table: str | None = Field(None, examples=["shifts"])
    row_key: str | None = Field(None, examples=["S-1042"])
    field: str | None = Field(None, examples=["duty_type"])
    claimed_value: str | None = Field(None, examples=["annual_leave"])
    subject_id: str | None = Field(None, description="the subject (the subject-access role names them)")


class ChallengeDecisionIn(BaseModel):
    upheld: bool
    reason: str | None = Field(None, max_length=8000)


class ChallengeOut(BaseModel):
    challenge_id: str = Field(examples=["CH-2026-0001"])
    subject_id: str
    against: str
    flag_id: str | None = None
    source_table: str | None = None
    row_key: str | None = None
    field: str | None = None
    claimed_value: str | None = None
    held_value: str | None = None
    text: str
    lodged_by: str
    lodged_role: str
    lodged_at: str
    due_date: str
    days_left: int
    overdue: bool
    state: str
    decided_by: str | None = None
    decided_role: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None
    correction: dict[str, Any] | None = None
