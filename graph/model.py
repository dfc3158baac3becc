"""The graph data model, declared once as data.

Every node label and relationship type that linkwatch writes is declared here, with its
key and typed properties. The DDL for both stores (Ladybug tables, Neo4j constraints and
indexes) and the Neo4j load Cypher are generated from these declarations, so the two
stores cannot drift apart (see ``tests/test_model.py`` for the golden strings).

Every node and relationship also carries the provenance columns in
:data:`PROVENANCE`: when the row was first and last seen, the ingest run that last
wrote it, the source file and line it came from, a content hash used to detect changes,
and ``retired_at`` for rows that disappeared from a newer export (evidence is marked,
never deleted).

Examples
--------
>>> OFFICER.uid("007")
'Officer:007'
>>> MODEL.node("Officer").key
'officer_id'
>>> sorted(t.type for t in MODEL.relationships)[:3]
['ABOUT', 'ACCESSED', 'APPROVED_SHIFTS_OF']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from graph.errors import UnknownName

PropType = Literal["string", "int", "float", "bool", "date", "timestamp", "string[]"]

LADYBUG_TYPES: dict[str, str] = {
    "string": "STRING",
    "int": "INT64",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "string[]": "STRING[]",
}


@dataclass(frozen=True)
class Prop:
    """One typed property.

    Parameters
    ----------
    name : str
        The property's name (a column of the source table, or derived).
    type : {"string", "int", "float", "bool", "date", "timestamp", "string[]"}
        Its type, mapped to each store's (:data:`LADYBUG_TYPES`, Neo4j's import types).
    index : bool, default False
        Ask for a lookup index on this property (Neo4j range index; Ladybug has none
        beyond the primary key, so it is ignored there).
    protected : bool, default False
        A protected characteristic (e.g. gender, ethnicity): never read by a detector.
    source : str, optional
        The contract column it is loaded from when that differs from ``name``.

    Examples
    --------
    >>> Prop("date_of_birth", "date")
    Prop(name='date_of_birth', type='date', index=False, protected=False, source=None)
    >>> Prop("name", source="full_name").column
    'full_name'
    """

    name: str
    type: PropType = "string"
    index: bool = False
    protected: bool = False
    """Protected characteristic (e.g. gender, ethnicity): never read by a detector."""
    source: str | None = None
    """The source table's column this property is loaded from (``None``: the column of
    the same name), for nodes and relationships loaded straight from a contract table."""

    @property
    def column(self) -> str:
        """The source column (:attr:`source`, else the property's own name)."""
        return self.source or self.name


PROVENANCE: tuple[Prop, ...] = (
    Prop("first_seen", "timestamp"),
    Prop("last_seen", "timestamp"),
    Prop("run_id", "string"),
    Prop("source_file", "string"),
    Prop("source_line", "int"),
    Prop("row_hash", "string"),
    Prop("retired_at", "timestamp"),
    Prop("extra", "string"),
)
"""Columns every node and relationship carries. ``extra`` holds unknown source columns
as JSON so nothing is dropped silently."""


@dataclass(frozen=True)
class NodeSchema:
    """A node label: its natural key and typed properties.

    Every node also has ``uid`` = ``"<Label>:<key>"``, unique across the whole graph,
    which is the id the API, the visualisation and the path finder use.

    Parameters
    ----------
    label : str
        The node label (and the Ladybug table's name).
    key : str
        The property holding the natural key (it is in ``props``).
    props : tuple of Prop
        The declared properties (``uid`` and :data:`PROVENANCE` are added).
    description : str, optional
        What a node of this label is (for the generated docs).
    source_table : str, optional
        The source contract table it is loaded from (``None``: derived).
    caption : tuple of str, optional
        The properties that name a node for people (pages, search hits, exports).

    Examples
    --------
    >>> OFFICER.label, OFFICER.key, OFFICER.caption
    ('Officer', 'officer_id', ('forenames', 'surname', 'rank'))
    """

    label: str
    key: str
    props: tuple[Prop, ...]
    description: str = ""
    source_table: str | None = None
    caption: tuple[str, ...] = ()
    """The properties that name a node for people (pages, search hits, exports)."""

    def uid(self, key_value: object) -> str:
        """The node's id across the whole graph, ``Label:key``.

        Parameters
        ----------
        key_value : object
            The natural key (formatted with ``str``).

        Returns
        -------
        str
            ``"<Label>:<key>"``.

        Examples
        --------
        >>> UNIT.uid("U1")
        'Unit:U1'
        """
        return f"{self.label}:{key_value}"

    def uids(self, keys: Any) -> Any:
        """:meth:`uid` of every key in a pandas Series (vectorised).

        Parameters
        ----------
        keys : pandas.Series
            Natural keys (any type: each is made text).

        Returns
        -------
        pandas.Series
            The uids, same index.

        Examples
        --------
        >>> import pandas as pd
        >>> UNIT.uids(pd.Series(["U1", 7])).tolist()
        ['Unit:U1', 'Unit:7']
        """
        return self.label + ":" + keys.astype(str)

    @property
    def all_props(self) -> tuple[Prop, ...]:
        """``uid`` first, then the declared properties, then provenance.

        Returns
        -------
        tuple of Prop
            Every column of a node of this label, in table order.

        Examples
        --------
        >>> [p.name for p in UNIT.all_props][:5]
        ['uid', 'unit_id', 'name', 'parent_unit_id', 'site_id']
        """
        return (Prop("uid", "string"), *self.props, *PROVENANCE)

    @property
    def prop_names(self) -> list[str]:
        """The names of :attr:`all_props`, in order.

        Returns
        -------
        list of str

        Examples
        --------
        >>> UNIT.prop_names[-2:]
        ['retired_at', 'extra']
        """
        return [p.name for p in self.all_props]


@dataclass(frozen=True)
class Link:
    """How a contract table's row makes a relationship, cartography-style: the columns
    holding the keys of its two ends (and, for parallel relationships, the column that
    tells them apart). Its properties' source columns are the properties' own
    (:attr:`Prop.source`).

    >>> Link("officer_id", "unit_id", discriminator="start_date").columns
    ('officer_id', 'unit_id', 'start_date')
    """

    src: str
    dst: str
    discriminator: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The source columns the link reads (ends, then the discriminator)."""
        return (self.src, self.dst) + ((self.discriminator,) if self.discriminator else ())


@dataclass(frozen=True)
class RelSchema:
    """A relationship type with its allowed end labels and typed properties.

    Relationships have no natural key in either store, so each carries ``key``: a
    deterministic id built from its ends and a discriminator, which makes loads
    idempotent.  ``src`` and ``dst`` repeat the end nodes' uids so that a relationship
    read on its own (in a query result) says what it joins, the same way on both
    stores.  ``valid_from`` / ``valid_to`` name the properties that bound the
    relationship in real-world time (used by time-window filters).

    Parameters
    ----------
    type : str
        The relationship type (and the Ladybug table's name).
    ends : tuple of (str, str)
        The (start label, end label) pairs it may join.
    props : tuple of Prop, optional
        The declared properties (``key``, ``src``, ``dst`` and :data:`PROVENANCE`
        are added).
    description : str, optional
        What a relationship of this type means (for the generated docs).
    source_table : str, optional
        The source contract table it is derived from (``None``: derived otherwise).
    valid_from, valid_to : str, optional
        The properties that bound it in real-world time.

    Examples
    --------
    >>> r = MODEL.rel("MEMBER_OF")
    >>> r.ends, r.valid_from, r.valid_to
    ((('Officer', 'Organisation'), ('Person', 'Organisation')), 'since', 'until')
    """

    type: str
    ends: tuple[tuple[str, str], ...]
    props: tuple[Prop, ...] = ()
    description: str = ""
    source_table: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    link: Link | None = None
    """How a row of ``source_table`` makes one (the transform is generated from it);
    ``None`` for relationships derived by a process of their own (resolution, name
    matching, aggregation), which the description names."""

    @property
    def all_props(self) -> tuple[Prop, ...]:
        """``key``, ``src`` and ``dst`` first, then the declared properties, then provenance.

        Returns
        -------
        tuple of Prop
            Every column of a relationship of this type, in table order.

        Examples
        --------
        >>> [p.name for p in MODEL.rel("NAMED_IN").all_props][:5]
        ['key', 'src', 'dst', 'allegation', 'finding']
        """
        return (Prop("key", "string"), Prop("src"), Prop("dst"), *self.props, *PROVENANCE)

    @property
    def prop_names(self) -> list[str]:
        """The names of :attr:`all_props`, in order.

        Returns
        -------
        list of str

        Examples
        --------
        >>> MODEL.rel("IN_UNIT").prop_names[:4]
        ['key', 'src', 'dst', 'first_seen']
        """
        return [p.name for p in self.all_props]


@dataclass(frozen=True)
class GraphModel:
    """The whole data model: every node label and relationship type (:data:`MODEL`).

    Parameters
    ----------
    nodes : tuple of NodeSchema
        The node labels, in declaration order.
    relationships : tuple of RelSchema
        The relationship types, in declaration order.

    Raises
    ------
    ValueError
        If a relationship names an end label that is not declared.

    Examples
    --------
    >>> m = GraphModel(nodes=(UNIT,), relationships=(RelSchema("PART_OF", (("Unit", "Unit"),)),))
    >>> m.labels, m.rel_types
    (['Unit'], ['PART_OF'])
    """

    nodes: tuple[NodeSchema, ...]
    relationships: tuple[RelSchema, ...]
    _by_label: dict[str, NodeSchema] = field(init=False, repr=False, compare=False)
    _by_type: dict[str, RelSchema] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_label", {n.label: n for n in self.nodes})
        object.__setattr__(self, "_by_type", {r.type: r for r in self.relationships})
        for rel in self.relationships:
            for a, b in rel.ends:
                if a not in self._by_label or b not in self._by_label:
                    raise ValueError(f"{rel.type}: unknown end label in {(a, b)}")

    def node(self, label: str) -> NodeSchema:
        """The declaration of a node label.

        Parameters
        ----------
        label : str
            A node label.

        Returns
        -------
        NodeSchema
            The label's declaration.

        Raises
        ------
        UnknownName
            If the label is not declared (the message lists the known ones).

        Examples
        --------
        >>> MODEL.node("Site").key
        'site_id'
        """
        try:
            return self._by_label[label]
        except KeyError:
            raise UnknownName(f"unknown node label {label!r}; known: {sorted(self._by_label)}") from None

    def rel(self, rel_type: str) -> RelSchema:
        """The declaration of a relationship type.

        Parameters
        ----------
        rel_type : str
            A relationship type.

        Returns
        -------
        RelSchema
            The type's declaration.

        Raises
        ------
        UnknownName
            If the type is not declared (the message lists the known ones).

        Examples
        --------
        >>> MODEL.rel("REPORTS_TO").ends
        (('Officer', 'Officer'),)
        >>> MODEL.rel("KNOWS")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.UnknownName: unknown relationship type 'KNOWS'; known: ['ABOUT', ...]
        """
        try:
            return self._by_type[rel_type]
        except KeyError:
            raise UnknownName(
                f"unknown relationship type {rel_type!r}; known: {sorted(self._by_type)}"
            ) from None

    @property
    def labels(self) -> list[str]:
        """Every node label, in declaration order.

        Returns
        -------
        list of str

        Examples
        --------
        >>> MODEL.labels[:3]
        ['Officer', 'Unit', 'Site']
        """
        return [n.label for n in self.nodes]

    @property
    def rel_types(self) -> list[str]:
        """Every relationship type, in declaration order.

        Returns
        -------
        list of str

        Examples
        --------
        >>> MODEL.rel_types[:3]
        ['IN_UNIT', 'REPORTS_TO', 'PART_OF']
        """
        return [r.type for r in self.relationships]

    def uid(self, label: str, key_value: object) -> str:
        """``Label:key`` of a node of a declared label.

        Parameters
        ----------
        label : str
            A declared node label.
        key_value : object
            The node's natural key.

        Returns
        -------
        str
            The node's uid.

        Raises
        ------
        UnknownName
            If the label is not declared.

        Examples
        --------
        >>> MODEL.uid("Person", "P1")
        'Person:P1'
        """
        return self.node(label).uid(key_value)

    @property
    def captions(self) -> dict[str, tuple[str, ...]]:
        """Label -> the properties that caption its nodes.

        Returns
        -------
        dict of str to tuple of str
            Only labels that declare a caption.

        Examples
        --------
        >>> MODEL.captions["Officer"]
        ('forenames', 'surname', 'rank')
        """
        return {n.label: n.caption for n in self.nodes if n.caption}

    @property
    def protected(self) -> frozenset[str]:
        """Protected characteristics (e.g. gender, ethnicity).

        Never read by a detector, never shown on the pages.

        Returns
        -------
        frozenset of str
            Names of the properties declared ``protected``.

        Examples
        --------
        >>> sorted(MODEL.protected)
        ['ethnicity', 'gender']
        """
        return frozenset(p.name for n in self.nodes for p in n.props if p.protected)

    @property
    def hidden(self) -> frozenset[str]:
        """Properties the pages do not show.

        Protected characteristics and the bookkeeping columns ``row_hash`` and ``extra``.

        Returns
        -------
        frozenset of str

        Examples
        --------
        >>> sorted(MODEL.hidden)
        ['ethnicity', 'extra', 'gender', 'row_hash']
        """
        return self.protected | {"row_hash", "extra"}

    def label_of_uid(self, uid: str) -> str:
        """The label encoded in a uid; raises :class:`UnknownName` for an unknown label.

        Parameters
        ----------
        uid : str
            A node id, ``Label:key``.

        Returns
        -------
        str
            The label.

        Raises
        ------
        UnknownName
            If ``uid`` has no ``:`` or its label is not declared.

        Examples
        --------
        >>> MODEL.label_of_uid("Organisation:L1")
        'Organisation'
        >>> MODEL.label_of_uid("L1")
        Traceback (most recent call last):
        ...
        graph.errors.UnknownName: not a linkwatch id (expected 'Label:key'): 'L1'
        """
        label, sep, _ = uid.partition(":")
        if not sep:
            raise UnknownName(f"not a linkwatch id (expected 'Label:key'): {uid!r}")
        self.node(label)
        return label


# ---------------------------------------------------------------------------------
# The declarations
# ---------------------------------------------------------------------------------

OFFICER = NodeSchema(
    "Officer",
    caption=("forenames", "surname", "rank"),
    key="officer_id",
    source_table="officers",
    description="An officer or member of staff (HR record).",
    props=(
        Prop("officer_id", index=True),
        Prop("surname", index=True),
        Prop("forenames"),
        Prop("rank"),
        Prop("staff_type"),
        Prop("unit_id"),
        Prop("work_pattern"),
        Prop("start_date", "date"),
        Prop("end_date", "date"),
        Prop("line_manager_id"),
        Prop("date_of_birth", "date"),
        Prop("home_postcode"),
        Prop("home_address"),
        Prop("phone"),
        Prop("email"),
        Prop("gender", protected=True),
        Prop("ethnicity", protected=True),
    ),
)

UNIT = NodeSchema(
    "Unit",
    caption=("name",),
    key="unit_id",
    source_table="units",
    description="An organisational unit.",
    props=(Prop("unit_id", index=True), Prop("name"), Prop("parent_unit_id"), Prop("site_id")),
)

SITE = NodeSchema(
    "Site",
    caption=("name",),
    key="site_id",
    source_table="sites",
    description="A building: office, station, custody suite.",
    props=(Prop("site_id", index=True), Prop("name"), Prop("kind"), Prop("postcode")),
)

ORGANISATION = NodeSchema(
    "Organisation",
    caption=("name", "kind"),
    key="org_id",
    source_table="organisations",
    description="An outside organisation: lodge, business, club, charity, party.",
    props=(Prop("org_id", index=True), Prop("name", index=True), Prop("kind"), Prop("postcode")),
)

MEMBERSHIP = NodeSchema(
    "Membership",
    caption=("member_forenames", "member_surname"),
    key="membership_id",
    source_table="memberships",
    description="One entry of an outside membership list (a lodge roll, a company register), "
    "kept as evidence whether or not it resolves to an officer.",
    props=(
        Prop("membership_id", index=True),
        Prop("org_id"),
        Prop("member_surname"),
        Prop("member_forenames"),
        Prop("member_date_of_birth", "date"),
        Prop("member_postcode"),
        Prop("since", "date"),
        Prop("until", "date"),
        Prop("source"),
    ),
)

DECLARATION = NodeSchema(
    "Declaration",
    caption=("kind", "status"),
    key="declaration_id",
    source_table="declarations",
    description="An entry of the register of interests / notifiable associations.",
    props=(
        Prop("declaration_id", index=True),
        Prop("officer_id"),
        Prop("kind"),
        Prop("org_id"),
        Prop("org_name"),
        Prop("person_id"),
        Prop("declared_at", "date"),
        Prop("valid_until", "date"),
        Prop("status"),
    ),
)

PERSON = NodeSchema(
    "Person",
    caption=("forenames", "surname"),
    key="person_id",
    source_table="persons",
    description="A person who appears in police records (not staff).",
    props=(
        Prop("person_id", index=True),
        Prop("surname", index=True),
        Prop("forenames"),
        Prop("date_of_birth", "date"),
        Prop("postcode"),
        Prop("address"),
        Prop("phone"),
        Prop("nominal_flags", "string[]"),
    ),
)

CASE = NodeSchema(
    "CaseFile",
    caption=("case_ref",),
    key="case_ref",
    source_table="cases",
    description="An investigation or case (label CaseFile: CASE is a Cypher keyword).",
    props=(Prop("case_ref", index=True), Prop("opened", "date"), Prop("closed", "date"), Prop("case_type")),
)

RECORD = NodeSchema(
    "Record",
    caption=("record_type", "record_id"),
    key="record_id",
    source_table="records",
    description="A record held in a police system (person, vehicle, crime, intelligence, address).",
    props=(
        Prop("record_id", index=True),
        Prop("record_type"),
        Prop("person_id"),
        Prop("case_ref"),
        Prop("sensitivity"),
        Prop("offence_category"),
    ),
)

COMPLAINT = NodeSchema(
    "Complaint",
    caption=("complaint_id",),
    key="complaint_id",
    source_table="complaints",
    description="A complaint about conduct (public or internal).",
    props=(
        Prop("complaint_id", index=True),
        Prop("received_date", "date"),
        Prop("incident_date", "date"),
        Prop("category"),
        Prop("source"),
    ),
)

IDENTIFIER = NodeSchema(
    "Identifier",
    caption=("kind", "value"),
    key="identifier_id",
    description="A cleaned identifier value (address, phone, postcode + surname) shared by two or "
    "more officers or persons: entities that share it are linked through it. `holders` counts "
    "them: a value on very many records (a switchboard number, a hostel) identifies no one.",
    props=(Prop("identifier_id", index=True), Prop("kind"), Prop("value"), Prop("holders", "int")),
)

FLAG = NodeSchema(
    "Flag",
    caption=("detector", "officer_id"),
    key="flag_id",
    description="A detector's flag: a prompt for human assessment, never a verdict. Its status "
    "is not kept here: it lives in people's assessments (the metadata store), joined to the "
    "flag wherever it is read.",
    props=(
        Prop("flag_id", index=True),
        Prop("detector", index=True),
        Prop("officer_id"),
        Prop("group_id"),
        Prop("score", "float"),
        Prop("severity"),
        Prop("window_start", "timestamp"),
        Prop("window_end", "timestamp"),
        Prop("explanation"),
        Prop("evidence"),
    ),
)

INGEST_RUN = NodeSchema(
    "IngestRun",
    key="run_id",
    description="One ingest run and its manifest (files, checksums, counts, timings).",
    props=(
        Prop("started_at", "timestamp"),
        Prop("finished_at", "timestamp"),
        Prop("source_dir"),
        Prop("manifest"),
    ),
)

MODEL = GraphModel(
    nodes=(
        OFFICER,
        UNIT,
        SITE,
        ORGANISATION,
        MEMBERSHIP,
        DECLARATION,
        PERSON,
        CASE,
        RECORD,
        COMPLAINT,
        IDENTIFIER,
        FLAG,
        INGEST_RUN,
    ),
    relationships=(
        RelSchema(
            "IN_UNIT",
            (("Officer", "Unit"),),
            source_table="officers",
            link=Link("officer_id", "unit_id"),
            description="The officer's current unit (officers.unit_id).",
        ),
        RelSchema(
            "REPORTS_TO",
            (("Officer", "Officer"),),
            source_table="officers",
            link=Link("officer_id", "line_manager_id"),
            description="Line management (officers.line_manager_id).",
        ),
        RelSchema(
            "PART_OF",
            (("Unit", "Unit"),),
            source_table="units",
            link=Link("unit_id", "parent_unit_id"),
            description="Unit hierarchy (units.parent_unit_id).",
        ),
        RelSchema(
            "BASED_AT",
            (("Unit", "Site"),),
            source_table="units",
            link=Link("unit_id", "site_id"),
            description="A unit's site (units.site_id).",
        ),
        RelSchema(
            "LISTED_IN",
            (("Membership", "Organisation"),),
            source_table="memberships",
            link=Link("membership_id", "org_id"),
            description="A membership-list entry belongs to the organisation's list.",
            props=(Prop("since", "date"), Prop("until", "date")),
            valid_from="since",
            valid_to="until",
        ),
        RelSchema(
            "MEMBER_OF",
            (("Officer", "Organisation"), ("Person", "Organisation")),
            source_table="memberships",
            description="A membership-list entry resolved to an officer (or to a person in police "
            "records, resolved the same way), with the match "
            "score, the fields that matched, the method, each field's match weight (JSON) and "
            "the candidates considered (JSON).",
            props=(
                Prop("membership_id"),
                Prop("score", "float"),
                Prop("matched_on", "string[]"),
                Prop("method"),
                Prop("since", "date"),
                Prop("until", "date"),
                Prop("match_weights"),
                Prop("candidates"),
            ),
            valid_from="since",
            valid_to="until",
        ),
        RelSchema(
            "RESOLVED_TO",
            (("Membership", "Officer"), ("Membership", "Person")),
            source_table="memberships",
            description="Which officer (or person in police records) a membership-list entry was resolved to.",
            props=(
                Prop("score", "float"),
                Prop("matched_on", "string[]"),
                Prop("method"),
                Prop("match_weights"),
            ),
        ),
        RelSchema(
            "DECLARED",
            (("Officer", "Declaration"),),
            source_table="declarations",
            link=Link("officer_id", "declaration_id"),
            description="The officer made this declaration.",
        ),
        RelSchema(
            "ABOUT",
            (("Declaration", "Organisation"),),
            source_table="declarations",
            description="What a declaration is about: by org_id, or, when only org_name was given, "
            "by the one organisation the name plainly means (ingest/orgnames.py; never one of two). "
            "matched_by: org_id or org_name; method: org_id, exact_name, normalised_name (legal forms, "
            "'&', 'No.', abbreviations, words that only say a lodge is masonic), reordered_words, "
            "close_spelling (one word a letter off), lodge_number_left_out (a lodge named without its "
            "number, when one lodge has that name).",
            props=(Prop("matched_by"), Prop("method")),
        ),
        RelSchema(
            "ASSIGNED_TO",
            (("Officer", "Unit"),),
            source_table="assignments",
            link=Link("officer_id", "unit_id", discriminator="start_date"),
            description="Posting history: the officer was in this unit from start_date to end_date.",
            props=(Prop("start_date", "date"), Prop("end_date", "date"), Prop("rank"), Prop("role")),
            valid_from="start_date",
            valid_to="end_date",
        ),
        RelSchema(
            "ON_CASE",
            (("Officer", "CaseFile"),),
            source_table="case_assignments",
            link=Link("officer_id", "case_ref", discriminator="start_date"),
            description="The officer was assigned to the case.",
            props=(Prop("role"), Prop("start_date", "date"), Prop("end_date", "date")),
            valid_from="start_date",
            valid_to="end_date",
        ),
        RelSchema(
            "CONCERNS",
            (("Record", "Person"),),
            source_table="records",
            link=Link("record_id", "person_id"),
            description="The person a record is about.",
        ),
        RelSchema(
            "IN_CASE",
            (("Record", "CaseFile"),),
            source_table="records",
            link=Link("record_id", "case_ref"),
            description="The case a record belongs to.",
        ),
        RelSchema(
            "NAMED_IN",
            (("Officer", "Complaint"),),
            source_table="complaint_subjects",
            link=Link("officer_id", "complaint_id"),
            description="The officer is named in the complaint.",
            props=(Prop("allegation"), Prop("finding")),
        ),
        RelSchema(
            "HAS_IDENTIFIER",
            (("Officer", "Identifier"), ("Person", "Identifier")),
            description="The entity carries this identifier value (derived from officers and persons).",
            props=(Prop("field"),),
        ),
        RelSchema(
            "ACCESSED",
            (("Officer", "Record"),),
            source_table="system_access",
            description="Aggregated system access: how often the officer looked at the record, "
            "when first and last, in which systems, how many times without a purpose code or "
            "outside the officer's own cases, and why the pair is a link (`reasons`). By default "
            "only notable pairs are links (see `LINKWATCH_ACCESS_LINKS`); every lookup stays in "
            "the event store.",
            props=(
                Prop("count", "int"),
                Prop("first_at", "timestamp"),
                Prop("last_at", "timestamp"),
                Prop("systems", "string[]"),
                Prop("no_purpose", "int"),
                Prop("outside_case", "int"),
                Prop("reasons", "string[]"),
            ),
            valid_from="first_at",
            valid_to="last_at",
        ),
        RelSchema(
            "ATTENDED",
            (("Officer", "Site"),),
            source_table="badge_events",
            description="Aggregated badge swipes: days the officer swiped at the site, first and last.",
            props=(Prop("days", "int"), Prop("first_at", "timestamp"), Prop("last_at", "timestamp")),
            valid_from="first_at",
            valid_to="last_at",
        ),
        RelSchema(
            "ROSTERED_AT",
            (("Officer", "Site"),),
            source_table="shifts",
            description="Aggregated worked shifts at a site: count, hours, first and last.",
            props=(
                Prop("shifts", "int"),
                Prop("hours", "float"),
                Prop("first_at", "timestamp"),
                Prop("last_at", "timestamp"),
            ),
            valid_from="first_at",
            valid_to="last_at",
        ),
        RelSchema(
            "APPROVED_SHIFTS_OF",
            (("Officer", "Officer"),),
            source_table="shifts",
            description="Aggregated shift approvals: the approver approved this many of the "
            "officer's shifts (paid_extra: overtime, rest day worked, bank holiday). A loop is "
            "self-approval.",
            props=(
                Prop("count", "int"),
                Prop("paid_extra", "int"),
                Prop("first_at", "timestamp"),
                Prop("last_at", "timestamp"),
            ),
            valid_from="first_at",
            valid_to="last_at",
        ),
        RelSchema(
            "EDITED_ROSTER_OF",
            (("Officer", "Officer"),),
            source_table="roster_changes",
            description="Aggregated roster edits: the editor changed this many of the officer's shifts.",
            props=(Prop("count", "int"), Prop("first_at", "timestamp"), Prop("last_at", "timestamp")),
            valid_from="first_at",
            valid_to="last_at",
        ),
        RelSchema(
            "FLAGS",
            (("Flag", "Officer"),),
            description="The subject of a flag.",
        ),
        RelSchema(
            "EVIDENCE",
            (
                ("Flag", "Membership"),
                ("Flag", "Organisation"),
                ("Flag", "Declaration"),
                ("Flag", "Officer"),
                ("Flag", "Person"),
                ("Flag", "Record"),
                ("Flag", "Complaint"),
            ),
            description="Graph records that support a flag.",
        ),
    ),
)


def caption(node: dict[str, Any], *, with_id: bool = True) -> str:
    """A short human caption of a node.

    Its label's caption properties (:attr:`GraphModel.captions`), then its id; a node
    with none of them set is captioned by its id alone.

    Parameters
    ----------
    node : dict
        A node as the stores return one: ``id``, ``labels``, ``properties``.
    with_id : bool, default True
        Add the id in brackets after the caption.

    Returns
    -------
    str
        The caption.

    Examples
    --------
    >>> n = {"id": "Officer:7", "labels": ["Officer"], "properties": {"surname": "Ash", "forenames": "Ann"}}
    >>> caption(n), caption(n, with_id=False)
    ('Ann Ash (Officer:7)', 'Ann Ash')
    >>> caption({"id": "Unit:U9", "labels": ["Unit"], "properties": {}})
    'Unit:U9'
    """
    p = node.get("properties") or {}
    label = node["labels"][0] if node.get("labels") else ""
    parts = [str(p[k]) for k in MODEL.captions.get(label, ()) if p.get(k) not in (None, "")]
    if not parts:
        return str(node["id"])
    return f"{' '.join(parts)} ({node['id']})" if with_id else " ".join(parts)
