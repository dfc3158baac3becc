"""The source contract (``shared/contract/sources.md``, version 1) declared as data.

Each table lists its columns with type, whether required, enum values and foreign
keys. The reader validates every row against this; the docs table is generated from it.

>>> TABLES["officers"].key
'officer_id'
>>> TABLES["shifts"].column("duty_type").enum[:3]
('early', 'late', 'night')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColType = Literal["id", "str", "date", "ts", "enum", "number", "list"]


@dataclass(frozen=True)
class Column:
    """One column of a source table.

    Parameters
    ----------
    name : str
        The column's header in the source file.
    type : {"id", "str", "date", "ts", "enum", "number", "list"}, default "str"
        What the reader parses it as (``ts``: a timestamp).
    required : bool, default False
        Whether every row must have a value.
    enum : tuple of str, optional
        The allowed values of an ``enum`` column.
    ref : str, optional
        Foreign key: ``"table.column"`` this column points to.

    See Also
    --------
    C : The short builder the table declarations use.

    Examples
    --------
    >>> TABLES["units"].column("parent_unit_id")
    Column(name='parent_unit_id', type='id', required=False, enum=(), ref='units.unit_id')
    """

    name: str
    type: ColType = "str"
    required: bool = False
    enum: tuple[str, ...] = ()
    ref: str | None = None
    """Foreign key: ``"table.column"`` this column points to."""


@dataclass(frozen=True)
class Table:
    """One source table: its columns, key and kind.

    Parameters
    ----------
    name : str
        The table's name (its source file is named after it).
    columns : tuple of Column
        Its columns, in contract order.
    key : str or tuple of str, optional
        The column (or columns) that identify a row.
    kind : {"entity", "event"}, default "entity"
        ``entity`` tables feed the graph; ``event`` tables the event store
        (:mod:`graph.events`).
    time_order : (str, str), optional
        ``(start, end)``: ``end`` must be after ``start`` when both are present.

    Examples
    --------
    >>> t = TABLES["badge_events"]
    >>> t.kind, t.key, t.names[:3]
    ('event', 'event_id', ['event_id', 'officer_id', 'site_id'])
    """

    name: str
    columns: tuple[Column, ...]
    key: str | tuple[str, ...] | None = None
    kind: Literal["entity", "event"] = "entity"
    time_order: tuple[str, str] | None = None
    """``(start, end)``: ``end`` must be after ``start`` when both are present."""

    def column(self, name: str) -> Column:
        """The column of that name.

        Parameters
        ----------
        name : str
            A column name.

        Returns
        -------
        Column
            The column's declaration.

        Raises
        ------
        KeyError
            If the table has no such column.

        Examples
        --------
        >>> TABLES["officers"].column("staff_type").enum
        ('officer', 'staff', 'special', 'pcso')
        >>> TABLES["officers"].column("shoe_size")
        Traceback (most recent call last):
        ...
        KeyError: "officers has no column 'shoe_size'"
        """
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        """Every column name, in contract order.

        Returns
        -------
        list of str

        Examples
        --------
        >>> TABLES["cases"].names
        ['case_ref', 'opened', 'closed', 'case_type']
        """
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """The names of the required columns.

        Returns
        -------
        list of str

        Examples
        --------
        >>> TABLES["cases"].required
        ['case_ref', 'opened']
        """
        return [c.name for c in self.columns if c.required]

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The key as a tuple of column names (empty when the table has no key).

        Returns
        -------
        tuple of str

        Examples
        --------
        >>> TABLES["cases"].key_columns
        ('case_ref',)
        >>> TABLES["assignments"].key_columns
        ('officer_id', 'unit_id', 'start_date')
        """
        if self.key is None:
            return ()
        return (self.key,) if isinstance(self.key, str) else self.key


def C(  # noqa: N802 - a one-letter builder keeps the table declarations readable
    name: str, type: ColType = "str", *, req: bool = False, enum: str = "", ref: str | None = None
) -> Column:
    """A :class:`Column`, written short (the table declarations use it).

    Parameters
    ----------
    name : str
        The column's name.
    type : {"id", "str", "date", "ts", "enum", "number", "list"}, default "str"
        Its type.
    req : bool, default False
        Whether it is required.
    enum : str, optional
        The allowed values, separated by ``|``.
    ref : str, optional
        Foreign key, ``"table.column"``.

    Returns
    -------
    Column
        The column's declaration.

    Examples
    --------
    >>> C("direction", "enum", req=True, enum="in|out")
    Column(name='direction', type='enum', required=True, enum=('in', 'out'), ref=None)
    """
    return Column(name, type, req, tuple(enum.split("|")) if enum else (), ref)


TABLE_LIST: tuple[Table, ...] = (
    Table(
        "sites",
        (
            C("site_id", "id", req=True),
            C("name", req=True),
            C("kind", "enum", req=True, enum="office|station|custody|other"),
            C("postcode"),
        ),
        key="site_id",
    ),
    Table(
        "units",
        (
            C("unit_id", "id", req=True),
            C("name", req=True),
            C("parent_unit_id", "id", ref="units.unit_id"),
            C("site_id", "id", ref="sites.site_id"),
        ),
        key="unit_id",
    ),
    Table(
        "officers",
        (
            C("officer_id", "id", req=True),
            C("surname"),
            C("forenames"),
            C("rank"),
            C("staff_type", "enum", req=True, enum="officer|staff|special|pcso"),
            C("unit_id", "id", ref="units.unit_id"),
            C("work_pattern", "enum", enum="office|hybrid|frontline"),
            C("start_date", "date"),
            C("end_date", "date"),
            C("line_manager_id", "id", ref="officers.officer_id"),
            C("date_of_birth", "date"),
            C("home_postcode"),
            C("home_address"),
            C("phone"),
            C("email"),
            C("gender"),
            C("ethnicity"),
        ),
        key="officer_id",
        time_order=("start_date", "end_date"),
    ),
    Table(
        "assignments",
        (
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C("unit_id", "id", req=True, ref="units.unit_id"),
            C("start_date", "date", req=True),
            C("end_date", "date"),
            C("rank"),
            C("role"),
        ),
        key=("officer_id", "unit_id", "start_date"),
        time_order=("start_date", "end_date"),
    ),
    Table(
        "shifts",
        (
            C("shift_id", "id", req=True),
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C("start", "ts", req=True),
            C("end", "ts", req=True),
            C(
                "duty_type",
                "enum",
                req=True,
                enum="early|late|night|day|rest_day|annual_leave|sick|training|court",
            ),
            C("pay_code", "enum", req=True, enum="basic|overtime|rest_day_worked|bank_holiday|on_call"),
            C("site_id", "id", ref="sites.site_id"),
            C("status", "enum", req=True, enum="planned|worked|cancelled"),
            C("created_by", "id", ref="officers.officer_id"),
            C("created_at", "ts"),
            C("approved_by", "id", ref="officers.officer_id"),
            C("approved_at", "ts"),
            C("hours_claimed", "number"),
        ),
        key="shift_id",
        kind="event",
        time_order=("start", "end"),
    ),
    Table(
        "roster_changes",
        (
            C("change_id", "id", req=True),
            C("shift_id", "id", req=True, ref="shifts.shift_id"),
            C("changed_by", "id", req=True, ref="officers.officer_id"),
            C("changed_at", "ts", req=True),
            C("field", req=True),
            C("old_value"),
            C("new_value"),
            C("reason"),
        ),
        key="change_id",
        kind="event",
    ),
    Table(
        "badge_events",
        (
            C("event_id", "id", req=True),
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C("site_id", "id", req=True, ref="sites.site_id"),
            C("reader_id"),
            C("ts", "ts", req=True),
            C("direction", "enum", req=True, enum="in|out"),
        ),
        key="event_id",
        kind="event",
    ),
    Table(
        "remote_sessions",
        (
            C("session_id", "id", req=True),
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C("start", "ts", req=True),
            C("end", "ts"),
            C("client", "enum", enum="vpn|vdi|other"),
            C("source_ip"),
        ),
        key="session_id",
        kind="event",
        time_order=("start", "end"),
    ),
    Table(
        "persons",
        (
            C("person_id", "id", req=True),
            C("surname"),
            C("forenames"),
            C("date_of_birth", "date"),
            C("postcode"),
            C("address"),
            C("phone"),
            C("nominal_flags", "list"),
        ),
        key="person_id",
    ),
    Table(
        "cases",
        (
            C("case_ref", "id", req=True),
            C("opened", "date", req=True),
            C("closed", "date"),
            C("case_type"),
        ),
        key="case_ref",
        time_order=("opened", "closed"),
    ),
    Table(
        "records",
        (
            C("record_id", "id", req=True),
            C("record_type", "enum", req=True, enum="person|vehicle|crime|intel|address"),
            C("person_id", "id", ref="persons.person_id"),
            C("case_ref", "id", ref="cases.case_ref"),
            C("sensitivity", "enum", enum="none|victim|witness|suspect|vip|restricted"),
            C("offence_category"),
        ),
        key="record_id",
    ),
    Table(
        "system_access",
        (
            C("access_id", "id", req=True),
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C("system", req=True),
            C("action", "enum", req=True, enum="search|view|update|print|export"),
            C("record_id", "id", req=True, ref="records.record_id"),
            C("ts", "ts", req=True),
            C("site_id", "id", ref="sites.site_id"),
            C("purpose_code"),
            C("case_ref", "id", ref="cases.case_ref"),
        ),
        key="access_id",
        kind="event",
    ),
    Table(
        "case_assignments",
        (
            C("case_ref", "id", req=True, ref="cases.case_ref"),
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C("role"),
            C("start_date", "date", req=True),
            C("end_date", "date"),
        ),
        key=("case_ref", "officer_id", "start_date"),
        time_order=("start_date", "end_date"),
    ),
    Table(
        "organisations",
        (
            C("org_id", "id", req=True),
            C("name", req=True),
            C("kind", "enum", req=True, enum="freemasonry|business|political|club|charity|religious|other"),
            C("postcode"),
        ),
        key="org_id",
    ),
    Table(
        "memberships",
        (
            C("membership_id", "id", req=True),
            C("org_id", "id", req=True, ref="organisations.org_id"),
            C("member_surname", req=True),
            C("member_forenames", req=True),
            C("member_date_of_birth", "date"),
            C("member_postcode"),
            C("since", "date"),
            C("until", "date"),
            C("source", req=True),
        ),
        key="membership_id",
        time_order=("since", "until"),
    ),
    Table(
        "declarations",
        (
            C("declaration_id", "id", req=True),
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C(
                "kind",
                "enum",
                req=True,
                enum="membership|business_interest|secondary_employment|association|gift",
            ),
            C("org_id", "id", ref="organisations.org_id"),
            C("org_name"),
            C("person_id", "id", ref="persons.person_id"),
            C("declared_at", "date", req=True),
            C("valid_until", "date"),
            C("status", "enum", req=True, enum="approved|pending|rejected"),
        ),
        key="declaration_id",
        time_order=("declared_at", "valid_until"),
    ),
    Table(
        "complaints",
        (
            C("complaint_id", "id", req=True),
            C("received_date", "date", req=True),
            C("incident_date", "date"),
            C("category"),
            C("source", "enum", enum="public|internal"),
        ),
        key="complaint_id",
    ),
    Table(
        "complaint_subjects",
        (
            C("complaint_id", "id", req=True, ref="complaints.complaint_id"),
            C("officer_id", "id", req=True, ref="officers.officer_id"),
            C("allegation"),
            C("finding"),
        ),
        key=("complaint_id", "officer_id"),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in TABLE_LIST}
"""All contract tables by name, in dependency order (referenced tables first)."""
