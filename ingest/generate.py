"""A synthetic force in the source-contract format, with known planted cases.

Everything here is invented: names are drawn from short lists of common words, dates,
addresses, phone numbers and postcodes are random, IP addresses come from the shared
address space ``100.64.0.0/10``. Deterministic for a seed.

Two entry points:

- :func:`generate` builds a force in memory. With ``days=0`` (the default) it writes the
  organisation-structure and association tables only (sites, units, officers,
  organisations, memberships, declarations) and the truth for
  ``association.undeclared_membership``, exactly as before. With ``days > 0`` it also
  simulates ``days`` days before ``as_of`` and returns every contract table.
- :func:`write_force` writes the same force to a folder, the event tables streamed in
  blocks of :data:`BLOCK` officers (Parquet through ``pyarrow.parquet.ParquetWriter``,
  or CSV appended block by block), so memory stays flat at any size.

Both also give ``truth.csv`` — the planted cases, one row per officer and detector
(``officer_id, detector, group_id, window_start, window_end, note``; a group case shares
a ``group_id``) — and ``lookalikes.csv`` in the same columns: innocent officers whose data
resembles a detector's pattern and who must **not** be flagged (for measuring precision).

Conventions a detector may rely on (they are what the contract's columns say):

- one ``shifts`` row per officer per day from the officer's ``start_date`` (rest days
  included, ``duty_type`` ``rest_day``, unless the force's ``rest_day_rows`` style is
  off, or for ``access.off_duty`` ``no_duty_row`` cases in their window), plus extra rows for overtime (``pay_code``
  ``overtime``) and rest-day working (``rest_day_worked``); leave, sickness and rest days
  span the whole local day; a working duty with an empty ``site_id`` is a remote (home)
  or court duty, so *rostered office days* are ``day``/``early``/``late``/``night``/
  ``training`` duties with a site; a ``cancelled`` row did not happen;
- ``roster_changes`` is the audit trail: every leave booking, sickness report, swap,
  correction and approval is one row, and ``shifts`` holds the values after the edits;
- badge swipes are at the officer's unit site; remote sessions come from the officer's
  home IP, except VDI sessions from an office network (``10.x``);
- ``system_access`` rows for case work carry ``case_ref`` and purpose ``INV``.

Timestamps are timezone-aware: UTC timestamp columns in Parquet (read natively by the
event store), local time with its offset (``+00:00``/``+01:00``) in CSV.

Both files have a ``form`` column: each planted case takes one of its detector's forms
(:data:`FORMS`) uniformly at random, every form once before any twice (so at least one
case per form), and every look-alike of :data:`LOOKALIKES` is planted for several officers
(about 0.3% of officers each, at least 2; 1 below 250 officers). Plants vary counts,
dates and times of day. ``clean=True`` plants no case at all (ordinary behaviour and
every look-alike), for measuring false flags.

Force-level styles (:data:`STYLES`, drawn from the seed unless given, returned by
:func:`write_force` and kept in ``Force.styles``): ``rest_day_rows`` — whether the duty
system writes rest-day rows. A few officers are not on the duty system at all (no
shift rows), one site has no badge readers, a system (``ANPR``) never records purpose
codes, and one small unit has too few officers for a peer rate.

The first version's cases and look-alikes (the table below) are still planted, now named
by their forms; the rest are described in :meth:`_Block._plant` and its ``_p_*`` methods.
Planted cases (about 0.5% of officers per detector, at least as many as it has forms;
event cases need ``days >= 28``), as the data shows them, and their innocent look-alikes:

========================== ============================================= ==========================================
detector                   planted                                       look-alike (not in the truth)
========================== ============================================= ==========================================
roster.self_approval       3–5 rest-day working rows with ``approved_by``  4–6 rest-day working rows requested by the
                           = the officer (and the audit row by them)     officer, approved by the line manager
roster.retro_claim         3–6 own finished shifts edited afterwards by  the line manager adds 1–2 h to finished
                           the officer: pay code to overtime, or hours   shifts with a reason; bank holidays put
                           +2–4; or one pay code to bank holiday on a    right by the clerk
                           normal day
roster.overtime_overlap    2–3 paid overtime rows inside their own leave recalled from leave (leave row cancelled,
                           or sickness, or inside their own shift, or    then worked with swipes and lookups);
                           rest-day working with no swipe and no lookup  overtime on a leave day cancelled before
attendance.below_threshold office/hybrid: swipes on 35–65% of rostered   weeks of sickness (no office days);
                           office days over ~90 days, VPN from home on   hybrid agreed remote days (no site)
                           most missed days
attendance.badge_only      in and out within 2–9 min with nothing else   VDI from the office network (10.x) while
                           that day; VPN from home while badged in;      badged in; quick station visit then a
                           swipes during own leave or sickness           shift of mobile lookups
association.undeclared_... (first version, see :func:`_structure`)
association.undeclared_link lives with, or shares a phone with, a person  lives with a flagged person under an
                           flagged ``ocg…``; no association declared     approved association declaration
access.no_purpose          10–20 lookups with no purpose code of records 6–10 views without a code of their own
                           of no case or of cases not theirs, ~30 days   assigned case's records
access.personal_link       3–8 lookups of a person at their address, on  lookups of people sharing only the
                           their phone, or with surname and postcode     surname
access.sensitive_victims   3–5 victim/witness records of sexual or       8–15 views of the victim records of their
                           domestic cases not theirs, each viewed 2–4x   own assigned sexual/domestic case
access.off_duty            2–5 evenings of lookups on rest or leave days lookups while rostered on call; lookups
                                                                         within 30 min after a shift ends
access.volume_outlier      5–8x their own rate over ~30 days, across     a busy unit (~2x the force rate for all
                           many more distinct records                    its members)
network.crew               3–4 colleagues of one unit named together on  3 colleagues co-assigned to a case viewing
                           4–5 complaints and viewing the same sensitive its records; two named on one complaint;
                           records outside their cases (one group_id);   a safeguarding unit triaging the same
                           6–9 named in changing twos, threes and fours  victims' records; a busy unit named
                           on more complaints than members               together at random in pairs and threes
network.hidden_link        4 hops: officer –address– relative –phone–    8 hops: officer –address– relative
                           flagged person; officer –phone– contact       –phone– contact –address– flagged person
                           –address– flagged; or co-member (declared) of
                           a company with a flagged person (2 hops once
                           persons are resolved on membership lists)
========================== ============================================= ==========================================
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from graph.contract import TABLES, Table

SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason "
    "Mitchell Rose Davis Rodriguez Cox Alexander Garden Campbell Johnston Moore Smyth O'Neill "
    "Doherty Stewart Quinn Murphy Graham Mclaughlin Hamilton Murray Hughes Robertson Thomson "
    "Scott Macdonald Reid Ross Young Watson Anderson Kelly Morrison Paterson Fraser Henderson "
    "Nowak Kowalski Singh Ahmed Ali Hussain Begum Chen Wang Okafor Adeyemi Mensah Silva Costa "
    "Fernandes Rossi Ferrari Müller Schmidt Dubois Moreau Lefèvre Nakamura Tanaka Kim Park "
    "Nguyen Tran Ivanov Popescu Horvat Novak Jensen Hansen Berg Lund Holm Fox Lamb Hart Nash "
    "Shaw Pike Rowe Dale Ford Hale Hurst Kemp Lane Mayo Nye Oakes Pratt Rudd Sykes Tate Vaughan"
).split()
FORENAMES = (
    "James John Robert Michael David William Richard Thomas Mark Paul Andrew Peter Stephen "
    "Daniel Christopher Matthew Anthony Gary Steven Ian Simon Neil Jonathan Kevin Lee Craig "
    "Mary Sarah Emma Claire Helen Laura Rachel Lisa Karen Nicola Rebecca Amy Louise Joanne "
    "Anne-Marie Zoë Siobhán Aoife Chloé Priya Aisha Fatima Mei Olu Kwame Ngozi Tomasz Agnieszka "
    "Jean-Paul Renée Ines Sofia Lucia Marco Hannah Jessica Katie Sophie Lucy Charlotte Megan "
    "Owen Rhys Gareth Dylan Callum Ross Euan Fraser Ewan Aidan Sean Ciaran Declan"
).split()
RANKS = np.array(["PC", "PC", "PC", "PC", "PS", "PS", "INSP", "CI", "SUPT", "CSUPT"])
LETTERS = "ABCDEFGHJKLMNPRSTUWY"
STREETS = (
    "High Church Station Mill Park Victoria Queen King Albert Manor Chapel Bridge School Green "
    "Grange Orchard Meadow Spring Hill Forest Beech Cedar Elm Oak Ash Willow Rowan Holly Hazel "
    "Larch Alder Poplar Birch Maple Lime Cherry Chestnut Heather Fern Moss Brook River Lake "
    "Castle Abbey Priory Market Wharf Quarry Forge Tannery Granary Dairy Farm Field Common "
    "Windmill Sandy Stony Long"
).split()
STREET_KINDS = ("Street", "Road", "Lane", "Avenue", "Close", "Drive", "Way", "Gardens", "Crescent", "Terrace")
TOWNS = (
    "Northbridge Eastwick Westmoor Southfield Ashby Bramford Castleton Dunmore Elmstead Fairholme "
    "Glenford Hartwell Ironbridge Kingsmere Longdale Marshfield Newbury Oakhampton Pennington "
    "Queensway Redhill Stonebridge Thornbury Upton Valley Walbrook Yarwood Ashcombe Brookside Calder"
).split()
ADDRESS_SPACE = 300 * len(STREETS) * len(STREET_KINDS) * len(TOWNS)
FLAGS_OCG = ("ocg", "ocg;drugs", "ocg;firearms", "ocg;violence", "ocg;drugs;weapons")
FLAGS_OTHER = ("violence", "drugs", "weapons", "firearms", "mental health", "escape risk")

BLOCK = 1000
"""Officers per block of simulated events (fixed, so streaming equals in memory)."""
TRUTH_COLUMNS = ["officer_id", "detector", "group_id", "window_start", "window_end", "form", "note"]
DETECTORS = (
    "roster.self_approval",
    "roster.retro_claim",
    "roster.overtime_overlap",
    "attendance.below_threshold",
    "attendance.badge_only",
    "association.undeclared_membership",
    "association.undeclared_link",
    "access.no_purpose",
    "access.personal_link",
    "access.sensitive_victims",
    "access.off_duty",
    "access.volume_outlier",
    "network.crew",
    "network.hidden_link",
)
"""Every detector a planted case is written for (the ``detector`` column of the truth)."""
FORMS: dict[str, tuple[str, ...]] = {
    "roster.self_approval": ("own_account", "second_account", "approved_by_edit"),
    "roster.retro_claim": ("pay_code_raised", "hours_added", "created_after_worked"),
    "roster.overtime_overlap": ("during_leave", "overlapping_duty", "no_attendance", "leave_in_audit_trail"),
    "attendance.below_threshold": (
        "absent_no_activity",
        "working_remotely_instead",
        "unrostered_office_worker",
    ),
    "attendance.badge_only": (
        "token_visit",
        "tap_and_go_home",
        "remote_while_badged_in",
        "swipe_during_absence",
    ),
    "association.undeclared_membership": ("no_declaration", "declaration_not_approved", "lapsed_declaration"),
    "association.undeclared_link": ("shared_address", "shared_phone"),
    "access.no_purpose": ("missing_code", "placeholder_code"),
    "access.personal_link": ("same_address", "same_phone", "surname_postcode"),
    "access.sensitive_victims": ("repeated", "breadth"),
    "access.off_duty": ("rest_day_row", "leave_or_sick", "no_duty_row"),
    "access.volume_outlier": ("spike", "sustained"),
    "network.crew": ("co_complaints", "co_views", "large_crew", "diffuse_complaints"),
    "network.hidden_link": ("relative_phone", "contact_address", "business", "two_intermediaries"),
}
"""The forms each detector's planted cases take (the ``form`` column of ``truth.csv``)."""
LOOKALIKES: dict[str, tuple[str, ...]] = {
    "roster.self_approval": (
        "manager_approved",
        "created_own_shift",
        "namesake_approver",
        "cancelled_self_approved",
        "shared_team_mailbox",
    ),
    "roster.retro_claim": (
        "supervisor_correction",
        "edit_before_end",
        "pay_lowered",
        "real_bank_holiday",
        "call_out_keyed_next_day",
        "one_late_claim",
    ),
    "roster.overtime_overlap": (
        "recall_from_leave",
        "extends_shift",
        "overtime_with_swipes",
        "single_unrecorded_duty",
    ),
    "attendance.below_threshold": (
        "long_sickness",
        "agreed_remote_days",
        "frontline_pattern",
        "site_without_readers",
        "at_threshold",
        "small_shortfall",
        "unrecorded_leave",
    ),
    "attendance.badge_only": (
        "quick_visit_then_work",
        "agreed_remote_day",
        "session_left_running",
        "cancelled_leave_swipe",
        "office_vdi_session",
    ),
    "association.undeclared_membership": (
        "declared_approved",
        "namesake_other_dob",
        "club_membership",
        "left_before_joining",
        "declared_by_name_variant",
    ),
    "association.undeclared_link": (
        "namesake_street",
        "declared_association",
        "unflagged_person",
        "different_flat",
        "switchboard_phone",
    ),
    "access.no_purpose": (
        "own_case_no_code",
        "system_without_codes",
        "few_missing",
        "coded_lookups",
        "background_uncoded",
    ),
    "access.personal_link": (
        "namesake_street",
        "different_flat",
        "same_surname_elsewhere",
        "switchboard_phone",
    ),
    "access.sensitive_victims": (
        "own_cases",
        "public_protection_unit",
        "few_records",
        "non_sensitive_records",
        "chance_rereads",
    ),
    "access.off_duty": (
        "on_call",
        "within_grace",
        "night_shift_past_midnight",
        "overtime_recorded",
        "not_on_duty_system",
    ),
    "access.volume_outlier": ("busy_unit", "new_starter", "return_from_leave", "small_unit"),
    "network.crew": (
        "team_complaints",
        "single_shared_complaint",
        "joint_operation_coviews",
        "loose_chain",
        "safeguarding_unit_coviews",
        "busy_unit_complaints",
    ),
    "network.hidden_link": (
        "hub_address",
        "declared_association",
        "too_far",
        "namesake_street",
        "large_organisation",
    ),
}
"""The innocent look-alikes planted for each detector (the ``form`` column of ``lookalikes.csv``)."""
SIDE_LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("access.no_purpose", "background_uncoded"),
    ("access.personal_link", "switchboard_phone"),
    ("access.sensitive_victims", "chance_rereads"),
)
"""Look-alikes planned and planted on random streams of their own, after everything else
(:meth:`_World._side_plans`, :meth:`_Block._plant_side`): added after the rest, they leave
every other row of a seed's force as it was."""
LATE_FORMS: frozenset[tuple[str, str]] = frozenset(
    {
        ("network.crew", "diffuse_complaints"),
        ("network.hidden_link", "two_intermediaries"),
        ("network.crew", "safeguarding_unit_coviews"),
        ("network.crew", "busy_unit_complaints"),
        ("association.undeclared_link", "switchboard_phone"),
        ("network.hidden_link", "large_organisation"),
    }
)
"""Forms and look-alikes planned and planted after the side look-alikes, on random streams of
their own (:meth:`_World._late_plans`, :meth:`_Block._plant_late`; their lookups join the side
look-alikes' after theirs): added later, they leave
every other row of a seed's force as it was."""
DUTY_SIDE_LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("roster.self_approval", "shared_team_mailbox"),
    ("roster.retro_claim", "call_out_keyed_next_day"),
    ("roster.retro_claim", "one_late_claim"),
    ("attendance.below_threshold", "small_shortfall"),
    ("attendance.below_threshold", "unrecorded_leave"),
)
"""Roster and attendance look-alikes planned and planted last, after :data:`LATE_FORMS`, on
random streams of their own (:meth:`_World._duty_plans`, :meth:`_Block._plant_duty`): the
officers every other plan picks stay the same (a block's emitted rows still get other
jitter, their draws depending on row counts, and shift rows change where
``unrecorded_leave`` takes an officer off the duty system)."""
PLACEHOLDER_CODES = ("N/A", "NA", "NONE", "-", "?", "X", "TEST", "OTHER", "MISC", "n/a", "none")
"""Purpose codes that carry no purpose (planted for ``access.no_purpose`` ``placeholder_code``)."""
CODELESS_SYSTEM = "ANPR"
"""A system whose screen asks for no purpose code: nobody ever records one on it."""
NO_CODE_SHARE = 0.01
"""Share of ordinary lookups on the other systems with no purpose code: a forgotten code
now and then, the background every force has (``access.no_purpose`` compares with it)."""

# contract enums, by position (checked against the contract below)
DUTY = ("early", "late", "night", "day", "rest_day", "annual_leave", "sick", "training", "court")
EARLY, LATE, NIGHT, DAY, REST, LEAVE, SICK, TRAINING, COURT = range(9)
PAY = ("basic", "overtime", "rest_day_worked", "bank_holiday", "on_call")
BASIC, OVERTIME, RDW, BANKHOL, ONCALL = range(5)
STATUS = ("planned", "worked", "cancelled")
PLANNED, WORKED, CANCELLED = range(3)
ACTIONS = ("search", "view", "update", "print", "export")
SEARCH, VIEW, UPDATE, PRINT, EXPORT = range(5)
RTYPES = ("person", "vehicle", "crime", "intel", "address")
R_PERSON, R_VEHICLE, R_CRIME, R_INTEL, R_ADDRESS = range(5)
SENS = ("none", "victim", "witness", "suspect", "vip", "restricted")
S_NONE, S_VICTIM, S_WITNESS, S_SUSPECT, S_VIP, S_RESTRICTED = range(6)
CLIENTS = ("vpn", "vdi", "other")
assert TABLES["shifts"].column("duty_type").enum == DUTY
assert TABLES["shifts"].column("pay_code").enum == PAY
assert TABLES["shifts"].column("status").enum == STATUS
assert TABLES["system_access"].column("action").enum == ACTIONS
assert TABLES["records"].column("record_type").enum == RTYPES
assert TABLES["records"].column("sensitivity").enum == SENS

FRONTLINE, OFFICE, HYBRID = range(3)
PATTERNS = ("frontline", "office", "hybrid")
ROLES = (
    "response",
    "neighbourhood",
    "investigation",
    "public protection",
    "intelligence",
    "support",
    "analyst",
)
RESPONSE, NEIGHBOURHOOD, INVESTIGATION, PUBPROT, INTELLIGENCE, SUPPORT, ANALYST = range(7)
UNIT_FUNCS = ("Response", "Neighbourhood", "CID", "Public Protection", "Intelligence", "Support")
RANK_NAMES = np.array(["PC", "PS", "INSP", "CI", "SUPT", "CSUPT"])
SYSTEMS = ("PNC", "PND", "CRIS", "CRIMINT", CODELESS_SYSTEM)
PURPOSES = ("INV", "INC", "STOP", "INT", "ADM", "CUST", *PLACEHOLDER_CODES)
P_INV, P_INC, P_STOP, P_INT, P_ADM, P_CUST = range(6)
P_PLACEHOLDER = np.arange(6, len(PURPOSES))
# purpose-code mix of operational (non-case) lookups by role
ROLE_PURPOSE = np.array(
    [
        [0.00, 0.55, 0.20, 0.05, 0.10, 0.10],
        [0.00, 0.35, 0.15, 0.25, 0.25, 0.00],
        [0.30, 0.10, 0.00, 0.30, 0.30, 0.00],
        [0.30, 0.10, 0.00, 0.30, 0.30, 0.00],
        [0.00, 0.00, 0.00, 0.80, 0.20, 0.00],
        [0.00, 0.10, 0.00, 0.10, 0.70, 0.10],
        [0.00, 0.00, 0.00, 0.70, 0.30, 0.00],
    ]
)
ROLE_LOOKUPS = np.array([5.0, 4.0, 2.5, 2.0, 6.0, 1.0, 4.0])
"""Operational (non-case) searches per 8 hours on duty, by role, before unit and personal factors."""
# system by record type: cumulative probabilities over SYSTEMS
SYSTEM_BY_TYPE = np.cumsum(
    np.array(
        [
            [0.5, 0.3, 0.2, 0.0],
            [0.95, 0.05, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
            [0.0, 0.6, 0.4, 0.0],
        ]
    ),
    axis=1,
)
CASE_TYPES = (
    "theft",
    "burglary",
    "assault",
    "domestic abuse",
    "sexual offence",
    "fraud",
    "drugs",
    "robbery",
    "public order",
    "criminal damage",
)
CASE_TYPE_P = (0.17, 0.11, 0.14, 0.13, 0.05, 0.10, 0.08, 0.04, 0.10, 0.08)
OFFENCE = (
    "theft",
    "burglary",
    "violence",
    "domestic",
    "sexual",
    "fraud",
    "drugs",
    "robbery",
    "public order",
    "criminal damage",
)
CA_ROLES = ("oic", "investigator", "attending", "supervisor")
REASONS = (
    "annual leave",
    "reported sick",
    "swap with colleague",
    "late finish - prisoner handover",
    "late finish - incident",
    "left early - appointment",
    "bank holiday",
    "overtime approved",
    "recalled to duty - operational need",
    "overtime cancelled",
    "amended",
    "rest day working",
)
(
    R_LEAVE,
    R_SICK,
    R_SWAP,
    R_PRISONER,
    R_INCIDENT,
    R_LEFT_EARLY,
    R_BANKHOL,
    R_OT_APPROVED,
    R_RECALL,
    R_OT_CANCELLED,
    R_AMENDED,
    R_RDW,
) = range(len(REASONS))
NULL = np.iinfo(np.int64).min
"""Missing timestamp (epoch seconds) inside the simulation."""
WINDOW = {
    "roster.self_approval": 60,
    "roster.retro_claim": 45,
    "roster.overtime_overlap": 60,
    "attendance.below_threshold": 90,
    "attendance.badge_only": 60,
    "access.no_purpose": 30,
    "access.personal_link": 60,
    "access.sensitive_victims": 60,
    "access.off_duty": 45,
    "access.volume_outlier": 30,
}
"""Length in days of the window each event-planted case is placed in (clipped to ``days``)."""
MIN_EVENT_DAYS = 28
"""Fewer simulated days than this: no event-planted cases (too little to show a pattern)."""

Progress = Callable[[str], None]


# --------------------------------------------------------------------------- output


def arrow_schema(table: Table, columns: list[str] | None = None) -> pa.Schema:
    """The Arrow schema for a contract table (ids and text as strings, dates as
    ``date32``, timestamps as UTC ``timestamp[s]``, numbers as ``float64``).

    ``columns`` restricts and orders the fields (unknown names become strings).

    >>> arrow_schema(TABLES["badge_events"]).field("ts").type
    TimestampType(timestamp[s, tz=UTC])
    """
    types = {"date": pa.date32(), "ts": pa.timestamp("s", tz="UTC"), "number": pa.float64()}
    kinds = {c.name: c.type for c in table.columns}
    names = columns if columns is not None else table.names
    return pa.schema([pa.field(c, types.get(kinds.get(c, "str"), pa.string())) for c in names])


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as local ISO 8601 with offset (``2025-06-01T07:00:00+01:00``)."""
    tz_cols = [c for c in df.columns if isinstance(df[c].dtype, pd.DatetimeTZDtype)]
    if not tz_cols:
        return df
    out = df.copy()
    for c in tz_cols:
        s = out[c].dt.tz_convert("Europe/London").dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        out[c] = s.str[:-2] + ":" + s.str[-2:]
    return out


def _remove_other_formats(directory: Path, name: str, keep: str) -> None:
    for suffix in (".csv", ".csv.gz", ".parquet"):
        p = directory / f"{name}{suffix}"
        if suffix != keep and p.exists():
            p.unlink()


@dataclass
class Force:
    """The generated tables (frames named after contract tables), the planted cases
    (``truth``) and the innocent look-alikes (same columns)."""

    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    lookalikes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TRUTH_COLUMNS))
    styles: dict[str, Any] = field(default_factory=dict)
    """The force-level styles the force was written in (see :func:`_styles`)."""

    def write(self, directory: Path, fmt: str = "csv") -> Path:
        """Write every table as ``<table>.csv`` (or ``.parquet`` with ``fmt="parquet"``),
        ``truth.csv`` and, when there are any, ``lookalikes.csv``.

        A file of the same table in the other format is removed (the ingest refuses a
        folder with two files for one table).
        """
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"unknown format {fmt!r} (csv or parquet)")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables.items():
            _remove_other_formats(directory, name, f".{fmt}")
            if fmt == "csv":
                _csv_frame(df).to_csv(directory / f"{name}.csv", index=False)
            else:
                schema = arrow_schema(TABLES[name], list(df.columns))
                table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
                pq.write_table(table, directory / f"{name}.parquet", compression="zstd")
        self.truth.to_csv(directory / "truth.csv", index=False)
        if len(self.lookalikes):
            self.lookalikes.to_csv(directory / "lookalikes.csv", index=False)
        return directory


# --------------------------------------------------------------------------- structure and memberships


def _postcode(rng: np.random.Generator) -> str:
    a = "".join(rng.choice(list(LETTERS), 2))
    return f"{a}{rng.integers(1, 20)} {rng.integers(1, 10)}{''.join(rng.choice(list(LETTERS), 2))}"


def _org_name_variant(name: str, k: int) -> str:
    """An organisation's name as an officer might write it on a declaration (the ``k``-th of
    the ways that fit): Limited for Ltd, '&' for 'and', no 'No.' before the number, Saint for
    St, else a leading 'The'."""
    ways = [(" Ltd", " Limited"), (" and ", " & "), ("No. ", ""), ("St ", "Saint ")]
    fits = [(a, b) for a, b in ways if a in name]
    if not fits:
        return "The " + name
    a, b = fits[k % len(fits)]
    return name.replace(a, b)


def _variant(rng: np.random.Generator, name: str) -> str:
    """How the same name may be written on an outside list (exact after cleaning)."""
    choice = int(rng.integers(0, 4))
    if choice == 0:
        return name.upper()
    if choice == 1:
        return name.lower()
    if choice == 2:
        return name.replace("-", " ").replace("'", "")
    return f" {name} "


def _structure(officers: int, seed: int, as_of: dt.date, clean: bool = False) -> Force:
    """Sites, units, officers, organisations, memberships, declarations and the
    undeclared-membership truth (the generator's first version, unchanged).

    Planted: *undeclared members* (on a lodge roll or company register with no approved
    declaration; the list entry differs only in case, accents, spacing or punctuation)
    and *pending declarations*. Look-alikes: declared members (approved, by id or by the
    organisation's name as free text), namesakes on a roll with another date of birth,
    members of clubs and charities (not notifiable), and list entries with no date of
    birth (cannot be resolved exactly).

    With ``clean`` the same draws are made, but every would-be planted member holds an
    approved declaration (a look-alike ``declared_approved``): no planted case.
    """
    rng = np.random.default_rng(seed)
    n_sites = max(2, officers // 150)
    sites = pd.DataFrame(
        {
            "site_id": [f"S{i:03d}" for i in range(n_sites)],
            "name": [f"Site {i}" for i in range(n_sites)],
            "kind": rng.choice(["office", "station", "station", "custody"], n_sites),
            "postcode": [_postcode(rng) for _ in range(n_sites)],
        }
    )
    n_units = max(3, officers // 30)
    units = pd.DataFrame(
        {
            "unit_id": [f"U{i:03d}" for i in range(n_units)],
            "name": [f"Unit {i}" for i in range(n_units)],
            "parent_unit_id": [None] + [f"U{int(rng.integers(0, max(1, i))):03d}" for i in range(1, n_units)],
            "site_id": rng.choice(sites["site_id"], n_units),
        }
    )
    # unique (surname, forenames, date of birth) so that exact matching has one truth
    ids = [f"{100000 + i}" for i in range(officers)]
    sur = rng.choice(SURNAMES, officers)
    fore = rng.choice(FORENAMES, officers)
    dob = [as_of - dt.timedelta(days=int(d)) for d in rng.integers(22 * 365, 60 * 365, officers)]
    start = [as_of - dt.timedelta(days=int(d)) for d in rng.integers(30, 25 * 365, officers)]
    unit_of = rng.choice(units["unit_id"], officers)
    off = pd.DataFrame(
        {
            "officer_id": ids,
            "surname": sur,
            "forenames": fore,
            "rank": rng.choice(RANKS, officers),
            "staff_type": rng.choice(["officer"] * 8 + ["staff", "pcso"], officers),
            "unit_id": unit_of,
            "work_pattern": rng.choice(["office", "hybrid", "frontline", "frontline"], officers),
            "start_date": start,
            "end_date": None,
            "line_manager_id": None,
            "date_of_birth": dob,
            "home_postcode": [_postcode(rng) for _ in range(officers)],
            "phone": [f"07{rng.integers(100000000, 999999999)}" for _ in range(officers)],
        }
    )
    off = off.drop_duplicates(["surname", "forenames", "date_of_birth"]).reset_index(drop=True)
    senior = off.index[off["rank"].isin(["INSP", "CI", "SUPT", "CSUPT"])].to_numpy()
    if len(senior):
        mgr = rng.choice(off.loc[senior, "officer_id"], len(off))
        off["line_manager_id"] = pd.Series(mgr).where(mgr != off["officer_id"].to_numpy(), None)

    org_specs = [
        ("L001", "Rose and Crown Lodge No. 1234", "freemasonry"),
        ("L002", "St Michael's Lodge", "freemasonry"),
        ("L003", "Lodge of Harmony", "freemasonry"),
        ("B001", "Northgate Security Services Ltd", "business"),
        ("B002", "Eastside Vehicle Recovery Ltd", "business"),
        ("P001", "Riverside Independents", "political"),
        ("C001", "Harbour Rugby Club", "club"),
        ("C002", "Police Benevolent Fund", "charity"),
    ]
    orgs = pd.DataFrame(
        {
            "org_id": [o[0] for o in org_specs],
            "name": [o[1] for o in org_specs],
            "kind": [o[2] for o in org_specs],
            "postcode": [_postcode(rng) for _ in org_specs],
        }
    )
    notifiable = orgs.loc[orgs["kind"].isin(["freemasonry", "business", "political"]), "org_id"].tolist()
    other = orgs.loc[~orgs["org_id"].isin(notifiable), "org_id"].tolist()

    n_members = max(12, len(off) // 10)
    member_idx = rng.choice(len(off), n_members, replace=False)
    roles = rng.choice(
        ["undeclared", "pending", "declared_id", "declared_name", "non_notifiable", "no_dob"],
        n_members,
        p=[0.3, 0.1, 0.25, 0.1, 0.15, 0.1],
    )
    if clean:
        roles = np.where(np.isin(roles, ["undeclared", "pending", "no_dob"]), "declared_id", roles)
    mem_rows: list[dict[str, object]] = []
    decl_rows: list[dict[str, object]] = []
    truth_rows: list[dict[str, object]] = []
    look_rows: list[dict[str, object]] = []
    look_notes = {
        "declared_id": "member of {org} with an approved declaration",
        "declared_name": "member of {org} with an approved declaration naming the organisation in free text, "
        "written another way",
        "non_notifiable": "member of {org}, not a notifiable kind of organisation",
    }
    for k, (i, role) in enumerate(zip(member_idx, roles, strict=True)):
        o = off.iloc[int(i)]
        org = str(rng.choice(other if role == "non_notifiable" else notifiable))
        since = as_of - dt.timedelta(days=int(rng.integers(60, 3000)))
        mem_rows.append(
            {
                "membership_id": f"M{k:05d}",
                "org_id": org,
                "member_surname": _variant(rng, str(o["surname"])),
                "member_forenames": _variant(rng, str(o["forenames"])),
                "member_date_of_birth": None if role == "no_dob" else o["date_of_birth"],
                "member_postcode": o["home_postcode"],
                "since": since,
                "until": None,
                "source": "roll-2025" if org.startswith("L") else "register-2025",
            }
        )
        if role in ("declared_id", "declared_name", "pending"):
            decl_rows.append(
                {
                    "declaration_id": f"D{k:05d}",
                    "officer_id": o["officer_id"],
                    "kind": "membership" if org.startswith(("L", "P")) else "business_interest",
                    "org_id": None if role == "declared_name" else org,
                    "org_name": _org_name_variant(str(orgs.set_index("org_id").loc[org, "name"]), k)
                    if role == "declared_name"
                    else None,
                    "declared_at": since + dt.timedelta(days=int(rng.integers(0, 60))),
                    "valid_until": None,
                    "status": "pending" if role == "pending" else "approved",
                }
            )
        if role in ("undeclared", "pending", "no_dob"):
            # a list entry without a date of birth still names the officer (name and home
            # postcode agree): a probabilistic resolver links it, so it is a planted case
            truth_rows.append(
                {
                    "officer_id": o["officer_id"],
                    "detector": "association.undeclared_membership",
                    "group_id": "",
                    "window_start": since.isoformat(),
                    "window_end": as_of.isoformat(),
                    "form": "declaration_not_approved" if role == "pending" else "no_declaration",
                    "note": f"member of {org} with "
                    + (
                        "a pending declaration"
                        if role == "pending"
                        else "no declaration, listed without a date of birth"
                        if role == "no_dob"
                        else "no declaration"
                    ),
                }
            )
        else:
            look_rows.append(
                {
                    "officer_id": o["officer_id"],
                    "detector": "association.undeclared_membership",
                    "group_id": "",
                    "window_start": since.isoformat(),
                    "window_end": as_of.isoformat(),
                    "form": {
                        "non_notifiable": "club_membership",
                        "declared_name": "declared_by_name_variant",
                    }.get(str(role), "declared_approved"),
                    "note": look_notes[str(role)].format(org=org),
                }
            )
    # namesakes: same name as an officer, another date of birth (must not match)
    for j, i in enumerate(rng.choice(len(off), max(3, n_members // 4), replace=False)):
        o = off.iloc[int(i)]
        mem_rows.append(
            {
                "membership_id": f"N{j:05d}",
                "org_id": str(rng.choice(notifiable)),
                "member_surname": str(o["surname"]),
                "member_forenames": str(o["forenames"]),
                "member_date_of_birth": o["date_of_birth"] - dt.timedelta(days=int(rng.integers(400, 9000))),
                "member_postcode": _postcode(rng),
                "since": as_of - dt.timedelta(days=int(rng.integers(60, 3000))),
                "until": None,
                "source": "roll-2025",
            }
        )
        look_rows.append(
            {
                "officer_id": o["officer_id"],
                "detector": "association.undeclared_membership",
                "group_id": "",
                "window_start": "",
                "window_end": as_of.isoformat(),
                "form": "namesake_other_dob",
                "note": f"a namesake with another date of birth is listed as N{j:05d}",
            }
        )
    # members of the public on the lists
    for j in range(n_members):
        mem_rows.append(
            {
                "membership_id": f"X{j:05d}",
                "org_id": str(rng.choice(orgs["org_id"])),
                "member_surname": str(rng.choice(SURNAMES)),
                "member_forenames": str(rng.choice(FORENAMES)),
                "member_date_of_birth": as_of - dt.timedelta(days=int(rng.integers(20 * 365, 80 * 365))),
                "member_postcode": _postcode(rng),
                "since": as_of - dt.timedelta(days=int(rng.integers(60, 9000))),
                "until": None,
                "source": "roll-2025",
            }
        )
    memberships = pd.DataFrame(mem_rows)
    # a public member who happens to share an officer's full identity would be a true
    # match the truth does not know about: drop such rows (they are vanishingly rare)
    key_o = set(
        zip(off["surname"].str.casefold(), off["forenames"].str.casefold(), off["date_of_birth"], strict=True)
    )
    is_public = memberships["membership_id"].str.startswith("X")
    clash = [
        bool(p) and (s.strip().casefold(), f.strip().casefold(), d) in key_o
        for p, s, f, d in zip(
            is_public,
            memberships["member_surname"],
            memberships["member_forenames"],
            memberships["member_date_of_birth"],
            strict=True,
        )
    ]
    memberships = memberships[~np.array(clash, dtype=bool)].reset_index(drop=True)
    truth = pd.DataFrame(truth_rows, columns=TRUTH_COLUMNS).sort_values("officer_id").reset_index(drop=True)
    lookalikes = _innocent(pd.DataFrame(look_rows, columns=TRUTH_COLUMNS), truth)
    return Force(
        {
            "sites": sites,
            "units": units,
            "officers": off,
            "organisations": orgs,
            "memberships": memberships,
            "declarations": pd.DataFrame(
                decl_rows,
                columns=[
                    "declaration_id",
                    "officer_id",
                    "kind",
                    "org_id",
                    "org_name",
                    "declared_at",
                    "valid_until",
                    "status",
                ],
            ),
        },
        truth,
        lookalikes,
    )


# --------------------------------------------------------------------------- calendar and helpers


def _easter(y: int) -> dt.date:
    """Easter Sunday (anonymous Gregorian algorithm).

    >>> _easter(2025)
    datetime.date(2025, 4, 20)
    """
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    return dt.date(y, (h + ell - 7 * m + 114) // 31, (h + ell - 7 * m + 114) % 31 + 1)


def _bank_holidays(y: int) -> set[dt.date]:
    """England and Wales bank holidays of year ``y`` (the regular ones, with substitute days).

    >>> sorted(d.isoformat() for d in _bank_holidays(2026))[-2:]
    ['2026-12-25', '2026-12-28']
    """

    def weekday_on_or_after(d: dt.date) -> dt.date:
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        return d

    def first_monday(month: int) -> dt.date:
        d = dt.date(y, month, 1)
        return d + dt.timedelta(days=(7 - d.weekday()) % 7)

    def last_monday(month: int) -> dt.date:
        d = dt.date(y + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        return d - dt.timedelta(days=d.weekday())

    easter = _easter(y)
    xmas, boxing = dt.date(y, 12, 25), dt.date(y, 12, 26)
    if xmas.weekday() == 5:
        xmas, boxing = dt.date(y, 12, 27), dt.date(y, 12, 28)
    elif xmas.weekday() == 6:
        xmas, boxing = dt.date(y, 12, 27), dt.date(y, 12, 26)
    elif boxing.weekday() == 5:
        boxing = dt.date(y, 12, 28)
    return {
        weekday_on_or_after(dt.date(y, 1, 1)),
        easter - dt.timedelta(days=2),
        easter + dt.timedelta(days=1),
        first_monday(5),
        last_monday(5),
        last_monday(8),
        xmas,
        boxing,
    }


@dataclass
class _Calendar:
    """The simulated days: local midnight (as epoch seconds of the naive date), the
    Europe/London UTC offset of each day, weekday and bank holidays."""

    start: dt.date
    days: int
    epoch: np.ndarray
    offset: np.ndarray
    weekday: np.ndarray
    holiday: np.ndarray

    @classmethod
    def make(cls, start: dt.date, days: int) -> _Calendar:
        tz = ZoneInfo("Europe/London")
        dates = [start + dt.timedelta(days=d) for d in range(days)]
        hol: set[dt.date] = set()
        for y in range(start.year, (start + dt.timedelta(days=days)).year + 1):
            hol |= _bank_holidays(y)
        offset = [dt.datetime.combine(x, dt.time(12), tz).utcoffset() or dt.timedelta(0) for x in dates]
        return cls(
            start,
            days,
            np.array([(x - dt.date(1970, 1, 1)).days * 86400 for x in dates], dtype=np.int64),
            np.array([int(o.total_seconds()) for o in offset], dtype=np.int64),
            np.array([x.weekday() for x in dates], dtype=np.int8),
            np.array([x in hol for x in dates], dtype=bool),
        )

    def ts(self, day: Any, minutes: Any) -> np.ndarray:
        """Epoch seconds (UTC) of local ``minutes`` after midnight of ``day`` (may pass 1440)."""
        d = np.asarray(day, dtype=np.int64)
        return (
            self.epoch[d]
            + np.round(np.asarray(minutes, dtype=np.float64) * 60).astype(np.int64)
            - self.offset[d]
        )

    def dates(self, day: Any, missing: Any = None) -> np.ndarray:
        """``datetime.date`` objects for day offsets (``None`` where ``missing``)."""
        d = np.asarray(day, dtype=np.int64)
        out = (np.datetime64(self.start, "D") + d.astype("timedelta64[D]")).astype(object)
        if missing is not None:
            out[np.asarray(missing, dtype=bool)] = None
        return out

    def iso(self, day: int) -> str:
        return (self.start + dt.timedelta(days=int(day))).isoformat()


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(owner, k)`` for ``counts[i]`` items per owner: owner index and position within it.

    >>> [a.tolist() for a in _expand(np.array([2, 0, 1]))]
    [[0, 0, 2], [0, 1, 0]]
    """
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - first[owner]


def _choose(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category code per draw, from the cumulative probabilities in row ``rows[j]`` of ``cum``.

    >>> _choose(np.random.default_rng(0), np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([0, 1, 1])).tolist()
    [1, 0, 0]
    """
    u = rng.random(len(rows))
    return np.minimum((u[:, None] > cum[rows]).sum(axis=1), cum.shape[1] - 1)


def _draw(rng: np.random.Generator, probs: tuple[float, ...] | list[float], k: int) -> np.ndarray:
    return rng.choice(len(probs), k, p=np.asarray(probs) / np.sum(probs))


def _postcodes(rng: np.random.Generator, k: int) -> np.ndarray:
    letters = np.array(list(LETTERS), dtype=object)
    a = letters[rng.integers(0, len(letters), (k, 4))]
    n1 = rng.integers(1, 20, k).astype(str).astype(object)
    n2 = rng.integers(1, 10, k).astype(str).astype(object)
    return a[:, 0] + a[:, 1] + n1 + " " + n2 + a[:, 2] + a[:, 3]


def _addresses(idx: np.ndarray) -> np.ndarray:
    """A distinct street address for each distinct index in ``[0, ADDRESS_SPACE)``."""
    idx = np.asarray(idx, dtype=np.int64)
    num, rest = idx % 300 + 1, idx // 300
    street, rest = rest % len(STREETS), rest // len(STREETS)
    kind, town = rest % len(STREET_KINDS), rest // len(STREET_KINDS)
    return (
        num.astype(str).astype(object)
        + " "
        + np.array(STREETS, dtype=object)[street]
        + " "
        + np.array(STREET_KINDS, dtype=object)[kind]
        + ", "
        + np.array(TOWNS, dtype=object)[town]
    )


def _random_ids(rng: np.random.Generator, prefix: str, n: int, digits: int) -> np.ndarray:
    """``n`` distinct ids such as ``P0481516`` in random order (an affine map modulo a prime)."""
    primes = {7: 9_999_991, 8: 99_999_989}
    m = primes[digits]
    if n > m:
        raise ValueError(f"too many ids for {digits} digits")
    a, b = int(rng.integers(1, m)), int(rng.integers(0, m))
    nums = (np.arange(n, dtype=np.int64) * a + b) % m
    return np.char.add(prefix, np.char.zfill(nums.astype(str), digits)).astype(object)


def _pa_ids(prefix: str, start: int, n: int, width: int = 9) -> pa.Array:
    nums = pc.cast(pa.array(np.arange(start, start + n, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, width, "0"), "")


def _take(values: pa.Array, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` with nulls where ``idx < 0``."""
    idx = np.asarray(idx, dtype=np.int64)
    return pc.take(values, pa.array(idx, mask=idx < 0))


def _ts_array(epoch: np.ndarray) -> pa.Array:
    epoch = np.asarray(epoch, dtype=np.int64)
    return pa.array(epoch, type=pa.timestamp("s", tz="UTC"), mask=epoch == NULL)


# --------------------------------------------------------------------------- the world: entities and plan


class _World:
    """Everything that is not an event: the entity tables of a simulated force, the
    per-officer parameters the event simulation needs, and the plan of planted cases
    and look-alikes (with the truth rows that do not depend on events)."""

    def __init__(
        self,
        base: Force,
        seed: int,
        as_of: dt.date,
        days: int,
        styles: dict[str, Any] | None = None,
        clean: bool = False,
    ) -> None:
        self.seed, self.as_of, self.days = seed, as_of, days
        self.styles = dict(styles or _styles(seed))
        self.clean = clean
        self.rng = np.random.default_rng([seed, 101])
        self.cal = _Calendar.make(as_of - dt.timedelta(days=days), days)
        self.tables: dict[str, pd.DataFrame] = dict(base.tables)
        self.truth_rows: list[dict[str, object]] = [
            {str(k): v for k, v in r.items()} for r in base.truth.to_dict("records")
        ]
        self.look_rows: list[dict[str, object]] = [
            {str(k): v for k, v in r.items()} for r in base.lookalikes.to_dict("records")
        ]
        self.plants: dict[str, dict[int, dict[str, Any]]] = {d: {} for d in DETECTORS}
        self.looks: dict[str, dict[int, dict[str, Any]]] = {d: {} for d in DETECTORS}
        self.side_looks: dict[str, dict[int, dict[str, Any]]] = {d: {} for d in DETECTORS}
        self.involved = set(base.truth["officer_id"]) | set(base.lookalikes["officer_id"])
        self.involved |= set(base.tables["declarations"]["officer_id"])
        self._officers()
        self._plan()
        self._persons()
        self._cases()
        self._records()
        self._access_plans()
        self._complaints()
        self._declarations()
        self._side_plans()
        self._late_plans()
        self._duty_plans()

    # ---- small utilities

    def _row(
        self,
        det: str,
        gi: int,
        d0: Any,
        d1: Any,
        note: str,
        group: str = "",
        look: bool = False,
        form: str = "",
    ) -> None:
        known = LOOKALIKES[det] if look else FORMS[det]
        assert form in known or (look and form), (det, form)
        row: dict[str, object] = {
            "officer_id": str(self.ids[gi]),
            "detector": det,
            "group_id": group,
            "window_start": d0 if isinstance(d0, str) else self.cal.iso(int(d0)),
            "window_end": d1 if isinstance(d1, str) else self.cal.iso(int(d1)),
            "form": form,
            "note": note,
        }
        (self.look_rows if look else self.truth_rows).append(row)

    def _window(self, det: str, length: int | None = None) -> tuple[int, int]:
        length = min(WINDOW[det] if length is None else length, self.days)
        ws = int(self.rng.integers(0, self.days - length + 1))
        return ws, ws + length - 1

    def _take(self, k: int, mask: np.ndarray | None = None) -> list[int]:
        ok = ~self.used if mask is None else (mask & ~self.used)
        cand = np.flatnonzero(ok)
        pick = self.rng.choice(cand, min(k, len(cand)), replace=False) if len(cand) else np.array([], int)
        self.used[pick] = True
        return sorted(int(x) for x in pick)

    def _address(self, k: int) -> np.ndarray:
        out = self.addr_pool[self.addr_next : self.addr_next + k]
        if len(out) < k:
            raise RuntimeError("address pool exhausted")
        self.addr_next += k
        return out

    def _phone(self, k: int) -> np.ndarray:
        out = self.phone_pool[self.phone_next : self.phone_next + k]
        if len(out) < k:
            raise RuntimeError("phone pool exhausted")
        self.phone_next += k
        return out

    # ---- officers, units, assignments

    def _officers(self) -> None:
        rng, cal = self.rng, self.cal
        off = self.tables["officers"].copy()
        units = self.tables["units"].copy()
        sites = self.tables["sites"]
        n = self.n = len(off)
        self.ids = off["officer_id"].to_numpy(object)
        self.ids_pa = pa.array(self.ids, type=pa.string())
        self.site_ids_pa = pa.array(sites["site_id"].to_numpy(object), type=pa.string())
        site_index = {s: i for i, s in enumerate(sites["site_id"])}
        unit_index = {u: i for i, u in enumerate(units["unit_id"])}
        nu = len(units)
        func = _draw(rng, (0.3, 0.2, 0.2, 0.1, 0.1, 0.1), nu)
        units["name"] = [f"{UNIT_FUNCS[f]} {i}" for i, f in enumerate(func)]
        self.unit_func = func
        self.unit_busy = np.where(rng.random(nu) < 0.12, rng.uniform(2.0, 2.6, nu), rng.uniform(0.8, 1.2, nu))
        unit = off["unit_id"].map(unit_index).to_numpy(np.int64).copy()
        self.unit = unit
        self.site = units["site_id"].map(site_index).to_numpy(np.int64)[unit]
        self.pattern = off["work_pattern"].map({p: i for i, p in enumerate(PATTERNS)}).to_numpy(np.int64)
        st = off["staff_type"].to_numpy(object)
        self.is_officer = st == "officer"
        lv = _draw(rng, (0.72, 0.16, 0.07, 0.03, 0.015, 0.005), n)
        lv[~self.is_officer] = 0
        self.level = lv
        rank = np.where(self.is_officer, RANK_NAMES[lv], np.where(st == "pcso", "PCSO", "Staff"))
        f = func[unit]
        fl = self.pattern == FRONTLINE
        role = np.full(n, RESPONSE)
        role[fl & (f == 1)] = NEIGHBOURHOOD
        role[~fl] = INVESTIGATION
        role[~fl & (f == 3)] = PUBPROT
        role[~fl & (f == 4)] = INTELLIGENCE
        role[st == "pcso"] = NEIGHBOURHOOD
        staff = st == "staff"
        role[staff] = np.where(f[staff] == 4, ANALYST, SUPPORT)
        self.role = role

        # line managers: the next rank up in the unit, else in the force
        manager = np.full(n, -1)
        pools = [np.flatnonzero(self.is_officer & (lv == k)) for k in range(6)]
        order = np.argsort(unit, kind="stable")
        cuts = np.flatnonzero(np.diff(unit[order])) + 1
        for members in np.split(order, cuts):
            lm = lv[members]
            for k in np.unique(lm):
                who = members[lm == k]
                higher = np.unique(lm[lm > k])
                if len(higher):
                    cand = members[lm == higher[0]]
                else:
                    up = [j for j in range(int(k) + 1, 6) if len(pools[j])]
                    if not up:
                        continue
                    cand = pools[up[0]]
                manager[who] = rng.choice(cand, len(who))
        self.manager = manager
        approver = manager.copy()
        seniors = np.flatnonzero(self.is_officer & (lv >= 2))
        if not len(seniors):
            seniors = np.arange(n)
        for i in np.flatnonzero(approver < 0):
            cand = seniors[seniors != i] if len(seniors) > 1 else np.array([(i + 1) % n])
            approver[i] = rng.choice(cand)
        self.approver = approver
        # a roster clerk (member of staff) per site
        staff_idx = np.flatnonzero(staff)
        clerk_of_site = np.full(len(sites), -1)
        for s in range(len(sites)):
            here = staff_idx[self.site[staff_idx] == s]
            if len(here):
                clerk_of_site[s] = rng.choice(here)
            elif len(staff_idx):
                clerk_of_site[s] = rng.choice(staff_idx)
        clerk = clerk_of_site[self.site]
        self.clerk = np.where(clerk >= 0, clerk, approver)

        start = pd.to_datetime(off["start_date"])
        self.start_day = ((start - pd.Timestamp(cal.start)).dt.days).to_numpy(np.int64)
        self.rota = (unit * 3 + rng.integers(0, 5, n) * 2) % 10
        self.day_start = rng.choice(np.array([450, 480, 510, 540, 570]), n)
        self.remote_wd = np.zeros((n, 7), dtype=bool)
        two = np.argsort(rng.random((n, 5)), axis=1)[:, :2]
        hyb = self.pattern == HYBRID
        self.remote_wd[np.repeat(np.flatnonzero(hyb), 2), two[hyb].ravel()] = True
        self.lam = ROLE_LOOKUPS[role] * self.unit_busy[unit] * rng.lognormal(0.0, 0.3, n)
        self.oncall_ok = self.is_officer & (lv >= 1)
        octets = rng.integers(0, 256, (n, 3))
        self.home_ip = (
            "100."
            + (64 + octets[:, 0] % 64).astype(str).astype(object)
            + "."
            + octets[:, 1].astype(str).astype(object)
            + "."
            + (1 + octets[:, 2] % 254).astype(str).astype(object)
        )
        self.client = (rng.random(n) < 0.3).astype(np.int64)

        # unique addresses and phones for officers and everyone in police records
        n_bg = max(2000, 8 * n)
        need = n + n_bg + 6 * n // 10 + 2000
        self.addr_pool = _addresses(rng.choice(ADDRESS_SPACE, need, replace=False))
        self.addr_next = 0
        taken = set(off["phone"])
        cand = ("07" + rng.integers(100000000, 999999999, 2 * need).astype(str).astype(object)).astype(object)
        _, first = np.unique(cand, return_index=True)
        cand = cand[np.sort(first)]
        self.phone_pool = cand[~pd.Series(cand).isin(taken).to_numpy()]
        self.phone_next = 0

        ascii_name = (
            (
                off["forenames"].str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
                + "."
                + off["surname"].str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
            )
            .str.lower()
            .str.replace(r"[^a-z.]", "", regex=True)
        )
        off["rank"] = rank
        off["line_manager_id"] = (
            pd.Series(self.ids[np.maximum(manager, 0)]).where(manager >= 0, None).to_numpy()
        )
        off["home_address"] = self._address(n)
        off["email"] = ascii_name + "." + off["officer_id"] + "@police.example"
        off["gender"] = rng.choice(np.array(["female", "male"]), n, p=[0.35, 0.65])
        off["ethnicity"] = rng.choice(
            np.array(["White", "Asian", "Black", "Mixed", "Other"]), n, p=[0.86, 0.06, 0.03, 0.03, 0.02]
        )
        self.tables["officers"] = off[TABLES["officers"].names]
        self.tables["units"] = units

        # assignments: the current posting and, for some, the one before
        since = np.maximum(self.start_day, -rng.integers(0, 6 * 365, n))
        prev = (rng.random(n) < 0.4) & (since - self.start_day > 60)
        other_unit = (unit + rng.integers(1, max(2, nu), n)) % nu
        unit_ids = units["unit_id"].to_numpy(object)
        role_names = np.array(ROLES, dtype=object)[role]
        cur = pd.DataFrame(
            {
                "officer_id": self.ids,
                "unit_id": unit_ids[unit],
                "start_date": cal.dates(since),
                "end_date": None,
                "rank": rank,
                "role": role_names,
            }
        )
        pi = np.flatnonzero(prev & (other_unit != unit))
        before = pd.DataFrame(
            {
                "officer_id": self.ids[pi],
                "unit_id": unit_ids[other_unit[pi]],
                "start_date": cal.dates(self.start_day[pi]),
                "end_date": cal.dates(since[pi] - 1),
                "rank": rank[pi],
                "role": role_names[pi],
            }
        )
        self.tables["assignments"] = pd.concat([before, cur], ignore_index=True).sort_values(
            ["officer_id", "start_date"], kind="stable", ignore_index=True
        )

    # ---- who is planted, where

    def _forms(self, det: str, k: int) -> list[str]:
        """``k`` forms of ``det``: each case's form is uniform at random, and every form
        comes once before any comes twice (rounds of random permutations)."""
        forms = [f for f in FORMS[det] if (det, f) not in LATE_FORMS]
        if det == "access.off_duty" and not self.styles["rest_day_rows"]:
            forms.remove("rest_day_row")  # a duty system that writes no rest-day rows
        out: list[str] = []
        while len(out) < k:
            out += [str(f) for f in self.rng.permutation(np.array(forms, dtype=object))]
        return out[:k]

    def _plan(self) -> None:
        rng, n = self.rng, self.n
        self.used = (self.start_day > 0) | pd.Series(self.ids).isin(self.involved).to_numpy()
        k = max(3, round(0.005 * n))
        self.k = k
        self.kl = kl = max(1 if n < 250 else 2, round(0.6 * k))
        """Officers per look-alike."""
        office_like = self.pattern != FRONTLINE
        office = self.pattern == OFFICE
        self.events = self.days >= MIN_EVENT_DAYS
        self.no_shifts = np.zeros(n, bool)
        """Officers with no shift rows at all (not on the duty system)."""
        self.readerless = -1
        self.crews: list[tuple[list[int], str]] = []
        self.crew_looks: list[list[int]] = []
        self.team_looks: list[tuple[list[int], str]] = []
        plant = not self.clean
        if self.events:
            self._special_units()
            unit_size = np.bincount(self.unit, minlength=len(self.unit_busy))[self.unit]
            masks: dict[tuple[str, str], np.ndarray] = {
                ("attendance.below_threshold", "absent_no_activity"): office_like,
                ("attendance.below_threshold", "working_remotely_instead"): office_like,
                ("attendance.below_threshold", "unrostered_office_worker"): office,
                ("access.volume_outlier", "sustained"): (unit_size >= 8) & (self.unit_busy[self.unit] < 1.5),
                ("roster.retro_claim", "created_after_worked"): office_like | (rng.random(n) < 0.5),
            }
            for det in FORMS["attendance.badge_only"]:
                masks[("attendance.badge_only", det)] = office_like
            for det in WINDOW:
                if not plant:
                    break
                for form in self._forms(det, max(k, len(FORMS[det]))):
                    for gi in self._take(1, masks.get((det, form))):
                        length = 120 if (det, form) == ("access.sensitive_victims", "breadth") else None
                        ws, we = self._window(det, length)
                        if (det, form) == ("access.volume_outlier", "sustained"):
                            ws, we = 0, self.days - 1
                        self.plants[det][gi] = {"ws": ws, "we": we, "form": form}
                        if form == "unrostered_office_worker":
                            self.no_shifts[gi] = True
                        if form == "second_account":
                            self.plants[det][gi]["alt"] = self._take(1, self.is_officer)
            if plant:
                for kind in self._forms("network.crew", max(3, round(0.0015 * n))):
                    size = {"co_complaints": (3, 5), "co_views": (3, 6), "large_crew": (10, 14)}[kind]
                    grp = self._groups(1, self.pattern == FRONTLINE if kind != "large_crew" else None, size)
                    self.crews += [(x, kind) for x in grp]
        # planted cases before look-alikes (a small force runs out of officers)
        if plant:
            for form in self._forms("association.undeclared_link", max(k, 2)):
                for gi in self._take(1):
                    self.plants["association.undeclared_link"][gi] = {"form": form}
            for form in self._forms("network.hidden_link", max(k, 3)):
                for gi in self._take(1):
                    self.plants["network.hidden_link"][gi] = {"form": form}
        self.member_plans: list[tuple[int, str]] = []
        n_first = int((self.tables["memberships"]["membership_id"].str.startswith("M")).sum())
        half = max(2, round(0.2 * n_first))
        if plant:
            self.member_plans += [(gi, "lapsed_declaration") for gi in self._take(half)]
            self.member_plans += [(gi, "rejected") for gi in self._take(max(1, half // 2))]
        if self.events:
            busy = self.unit_busy[self.unit] >= 2.0
            has_holiday = bool(self.cal.holiday.any())
            la_masks: dict[tuple[str, str], np.ndarray] = {
                ("attendance.below_threshold", "long_sickness"): office,
                ("attendance.below_threshold", "agreed_remote_days"): self.pattern == HYBRID,
                ("attendance.below_threshold", "frontline_pattern"): self.pattern == FRONTLINE,
                ("attendance.below_threshold", "at_threshold"): office,
                ("access.volume_outlier", "busy_unit"): busy,
                ("attendance.badge_only", "quick_visit_then_work"): self.pattern == FRONTLINE,
                ("attendance.badge_only", "agreed_remote_day"): self.pattern == HYBRID,
                ("attendance.badge_only", "session_left_running"): office_like,
                ("attendance.badge_only", "cancelled_leave_swipe"): office_like,
                ("attendance.badge_only", "office_vdi_session"): office_like,
                ("access.off_duty", "on_call"): self.oncall_ok,
                ("access.off_duty", "night_shift_past_midnight"): self.pattern == FRONTLINE,
                ("access.off_duty", "not_on_duty_system"): office & ~self.is_officer,
                ("roster.retro_claim", "real_bank_holiday"): self.pattern == FRONTLINE,
            }
            skip = {
                ("attendance.below_threshold", "site_without_readers"),  # made with the special units
                ("access.volume_outlier", "new_starter"),
                ("access.volume_outlier", "small_unit"),
                ("access.no_purpose", "own_case_no_code"),  # made with the cases
                ("access.sensitive_victims", "own_cases"),
                ("access.sensitive_victims", "public_protection_unit"),
                *SIDE_LOOKALIKES,  # planned last, on a stream of their own
                *LATE_FORMS,  # and these after them, on a stream of their own
                *DUTY_SIDE_LOOKALIKES,
            }
            if not has_holiday:
                skip.add(("roster.retro_claim", "real_bank_holiday"))
            for det in (*WINDOW, "association.undeclared_link"):
                for form in LOOKALIKES[det]:
                    if (det, form) in skip:
                        continue
                    for gi in self._take(kl, la_masks.get((det, form))):
                        ws, we = self._window(det) if det in WINDOW else (0, self.days - 1)
                        self.looks[det][gi] = {"ws": ws, "we": we, "form": form}
                        if form == "not_on_duty_system":
                            self.no_shifts[gi] = True
            # new starters: already in the force for part of the period only
            starters = np.flatnonzero(
                (self.start_day > 0)
                & (self.start_day < self.days - 45)
                & ~pd.Series(self.ids).isin(self.involved).to_numpy()
            )
            for gi in sorted(int(x) for x in rng.permutation(starters)[:kl]):
                self.looks["access.volume_outlier"][gi] = {
                    "ws": int(self.start_day[gi]),
                    "we": self.days - 1,
                    "form": "new_starter",
                }
            g = max(3, round(0.0015 * n))
            for kind in (
                "joint_operation_coviews",
                "single_shared_complaint",
                "loose_chain",
                "team_complaints",
            ):
                size = {"team_complaints": (8, 13), "loose_chain": (4, 6)}.get(kind, (3, 5))
                for team in self._groups(max(2, g // 2), None, size):
                    if kind == "joint_operation_coviews":
                        self.crew_looks.append(team)
                    else:
                        self.team_looks.append((team, kind))
        else:
            for det in ("association.undeclared_link",):
                for form in LOOKALIKES[det]:
                    if (det, form) in LATE_FORMS:
                        continue
                    for gi in self._take(kl):
                        self.looks[det][gi] = {"ws": 0, "we": max(0, self.days - 1), "form": form}
        for form in LOOKALIKES["network.hidden_link"]:
            if ("network.hidden_link", form) in LATE_FORMS:
                continue
            for gi in self._take(kl):
                self.looks["network.hidden_link"][gi] = {"form": form}
        # membership: lapsed and rejected declarations (planted), left before joining (look-alike)
        seasoned = (self.start_day < -400) & (self.start_day > -20 * 365)
        self.member_plans += [(gi, "left_before_joining") for gi in self._take(kl, seasoned)]
        self._accounts()

    def _accounts(self) -> None:
        """Second officer rows of one person (``second_account``) and approvers who share
        an officer's name but not the date of birth (``namesake_approver``)."""
        off = self.tables["officers"].copy()
        cols = ["surname", "forenames", "date_of_birth"]
        changed: list[int] = []
        for gi, p in sorted(self.plants["roster.self_approval"].items()):
            if p["form"] == "second_account":
                alt = p.get("alt") or []
                if not alt:
                    p["form"] = "own_account"
                    continue
                off.loc[alt[0], cols] = off.loc[gi, cols].to_numpy()
                p["alt"] = alt[0]
                changed.append(alt[0])
        for gi, p in sorted(self.looks["roster.self_approval"].items()):
            if p["form"] == "namesake_approver":
                a = int(self.approver[gi])
                if str(off.loc[a, "date_of_birth"]) == str(off.loc[gi, "date_of_birth"]):
                    p["form"] = "manager_approved"
                    continue
                off.loc[gi, ["surname", "forenames"]] = off.loc[a, ["surname", "forenames"]].to_numpy()
                changed.append(gi)
        if changed:
            name = (off.loc[changed, "forenames"] + "." + off.loc[changed, "surname"]).str.normalize("NFKD")
            name = name.str.encode("ascii", "ignore").str.decode("ascii").str.lower()
            off.loc[changed, "email"] = (
                name.str.replace(r"[^a-z.]", "", regex=True)
                + "."
                + off.loc[changed, "officer_id"]
                + "@police.example"
            )
        self.tables["officers"] = off

    def _special_units(self) -> None:
        """A site with no badge readers (its unit's officers never swipe) and a small
        specialist unit (too few peers for a peer rate)."""
        rng = self.rng
        sites, units = self.tables["sites"].copy(), self.tables["units"].copy()
        size = np.bincount(self.unit, minlength=len(units))
        office_like = self.pattern != FRONTLINE
        free = ~self.used
        cand = [
            u
            for u in rng.permutation(len(units)).tolist()
            if 6 <= size[u] <= 45 and int((office_like & free & (self.unit == u)).sum()) >= 3
        ]
        if cand:
            u = int(cand[0])
            s = len(sites)
            sites.loc[s] = {
                "site_id": f"S{s:03d}",
                "name": f"Site {s} (annexe)",
                "kind": "office",
                "postcode": str(_postcodes(rng, 1)[0]),
            }
            units.loc[u, "site_id"] = f"S{s:03d}"
            members = np.flatnonzero(self.unit == u)
            self.site[members] = s
            self.readerless = s
            self.used[members] = True
            la = [int(x) for x in members if office_like[x] and self.start_day[x] <= 0][: self.kl + 1]
            for gi in la:
                self.looks["attendance.below_threshold"][gi] = {
                    "ws": 0,
                    "we": self.days - 1,
                    "form": "site_without_readers",
                }
        # small unit: two or three specialists moved into a unit of their own
        pick = self._take(int(rng.integers(2, 4)), self.is_officer & (self.level == 0))
        if pick:
            nu = len(units)
            units.loc[nu] = {
                "unit_id": f"U{nu:03d}",
                "name": f"Dog Section {nu}",
                "parent_unit_id": str(units.loc[0, "unit_id"]),
                "site_id": str(sites.loc[int(self.site[pick[0]]), "site_id"]),
            }
            self.unit_busy = np.r_[self.unit_busy, 1.0]
            off = self.tables["officers"].copy()
            off.loc[pick, "unit_id"] = f"U{nu:03d}"
            self.tables["officers"] = off
            asg = self.tables["assignments"].copy()
            cur = asg["officer_id"].isin(self.ids[pick]) & asg["end_date"].isna()
            asg.loc[cur, "unit_id"] = f"U{nu:03d}"
            self.tables["assignments"] = asg
            self.unit[pick] = nu
            self.lam[pick] = self.lam[pick] * 1.8
            for gi in pick:
                self.looks["access.volume_outlier"][gi] = {"ws": 0, "we": self.days - 1, "form": "small_unit"}
        self.tables["sites"], self.tables["units"] = sites, units
        self.site_ids_pa = pa.array(sites["site_id"].to_numpy(object), type=pa.string())

    def _groups(self, g: int, mask: np.ndarray | None, size: tuple[int, int] = (3, 5)) -> list[list[int]]:
        """``g`` groups of ``size`` (low, high exclusive) unused officers from the same unit."""
        out: list[list[int]] = []
        ok = ~self.used if mask is None else (mask & ~self.used)
        for u in self.rng.permutation(len(self.unit_busy)):
            if len(out) >= g:
                break
            cand = np.flatnonzero(ok & (self.unit == u))
            k = int(self.rng.integers(*size))
            if len(cand) >= k:
                pick = sorted(int(x) for x in self.rng.choice(cand, k, replace=False))
                self.used[pick] = True
                ok[pick] = False
                out.append(pick)
        return out

    # ---- people in police records

    def _persons(self) -> None:
        rng, n = self.rng, self.n
        off = self.tables["officers"]
        o_sur = off["surname"].to_numpy(object)
        o_pc = off["home_postcode"].to_numpy(object)
        o_addr = off["home_address"].to_numpy(object).copy()
        o_phone = off["phone"].to_numpy(object)
        rows: list[dict[str, Any]] = []  # people linked to officers (or to planted links)

        def person(
            surname: str | None = None,
            address: str | None = None,
            postcode: str | None = None,
            phone: str | None = None,
            flags: str | None = None,
        ) -> int:
            if address is None:
                address, postcode = str(self._address(1)[0]), str(_postcodes(rng, 1)[0])
            rows.append(
                {
                    "surname": surname or str(rng.choice(SURNAMES)),
                    "forenames": str(rng.choice(FORENAMES)),
                    "dob": -int(rng.integers(18 * 365, 75 * 365)),
                    "postcode": postcode,
                    "address": address,
                    "phone": phone if phone is not None else str(self._phone(1)[0]),
                    "flags": flags,
                }
            )
            return len(rows) - 1

        def relative(gi: int, flags: str | None = None, same_name: float = 0.7) -> int:
            sur = str(o_sur[gi]) if rng.random() < same_name else None
            return person(sur, str(o_addr[gi]), str(o_pc[gi]), None, flags)

        ocg = lambda: str(rng.choice(FLAGS_OCG))  # noqa: E731
        self.link_person: dict[tuple[str, int], list[int]] = {}
        self.extra_decl: list[dict[str, Any]] = []
        self.extra_members: list[dict[str, Any]] = []
        self.extra_orgs: list[dict[str, Any]] = []

        def other_surname(gi: int) -> str:
            while True:
                sname = str(rng.choice(SURNAMES))
                if sname != str(o_sur[gi]):
                    return sname

        def flat_pair(gi: int) -> str:
            """Put the officer in one flat of their building; the address of another flat."""
            a, b = (int(x) for x in rng.choice(np.arange(1, 10), 2, replace=False))
            building = str(o_addr[gi])
            o_addr[gi] = f"Flat {a}, {building}"
            return f"Flat {b}, {building}"

        def elsewhere(gi: int) -> str:
            while True:
                pc = str(_postcodes(rng, 1)[0])
                if pc != str(o_pc[gi]):
                    return pc

        for gi, p in self.plants["association.undeclared_link"].items():
            if p["form"] == "shared_address":
                f = relative(gi, ocg(), 0.6)
                p["note"] = "lives at the same address as"
            else:
                f = person(phone=str(o_phone[gi]), flags=ocg())
                p["note"] = "shares a phone number with"
            self.link_person[("undeclared_link", gi)] = [f]
        for gi, p in self.looks["association.undeclared_link"].items():
            form = p["form"]
            if form == "declared_association":
                f = relative(gi, ocg(), 0.8)
            elif form == "unflagged_person":
                f = relative(gi, None, 0.8)
            elif form == "namesake_street":
                f = person(other_surname(gi), str(o_addr[gi]), elsewhere(gi), None, ocg())
            else:  # different_flat
                f = person(other_surname(gi), flat_pair(gi), str(o_pc[gi]), None, ocg())
            self.link_person[("undeclared_link_la", gi)] = [f]
        for gi, p in self.plants["network.hidden_link"].items():
            if p["form"] == "relative_phone":
                g = person(flags=ocg())
                r = relative(gi, None, 0.8)
                rows[r]["phone"] = rows[g]["phone"]
                self.link_person[("hidden", gi)] = [r, g]
            elif p["form"] == "contact_address":
                g = person(flags=ocg())
                c = person(phone=str(o_phone[gi]), address=rows[g]["address"], postcode=rows[g]["postcode"])
                self.link_person[("hidden", gi)] = [c, g]
            else:
                g = person(flags=ocg())
                self.link_person[("hidden", gi)] = [g]
        for gi, p in self.looks["network.hidden_link"].items():
            form = p["form"]
            if form == "too_far":
                g = person(flags=ocg())
                r = relative(gi, None, 0.8)
                c = person(address=rows[g]["address"], postcode=rows[g]["postcode"])
                rows[c]["phone"] = rows[r]["phone"]
                self.link_person[("hidden_la", gi)] = [r, c, g]
            elif form == "hub_address":
                # a hostel: the officer's contact lives among many, one of them flagged
                hub, hub_pc = str(self._address(1)[0]), str(_postcodes(rng, 1)[0])
                c = person(address=hub, postcode=hub_pc, phone=str(o_phone[gi]))
                many = [person(address=hub, postcode=hub_pc) for _ in range(int(rng.integers(14, 31)))]
                g = person(address=hub, postcode=hub_pc, flags=ocg())
                self.link_person[("hidden_la", gi)] = [c, g, *many]
            elif form == "declared_association":
                g = person(flags=ocg())
                r = relative(gi, None, 0.8)
                rows[r]["phone"] = rows[g]["phone"]
                self.extra_decl.append({"officer_id": self.ids[gi], "kind": "association", "person_id": g})
                self.link_person[("hidden_la", gi)] = [r, g]
            else:  # namesake_street: the contact's address line is the flagged person's, in another postcode
                g = person(flags=ocg())
                c = person(
                    phone=str(o_phone[gi]), address=rows[g]["address"], postcode=str(_postcodes(rng, 1)[0])
                )
                self.link_person[("hidden_la", gi)] = [c, g]
        for gi, p in self.plants["access.personal_link"].items():
            if p["form"] == "same_address":
                r = relative(gi)
            elif p["form"] == "same_phone":
                r = person(phone=str(o_phone[gi]))
            else:
                r = person(str(o_sur[gi]), postcode=str(o_pc[gi]), address=str(self._address(1)[0]))
            self.link_person[("personal", gi)] = [r]
        for gi, p in self.looks["access.personal_link"].items():
            if p["form"] == "namesake_street":
                r = person(other_surname(gi), str(o_addr[gi]), elsewhere(gi))
                self.link_person[("personal_la", gi)] = [r]
            elif p["form"] == "different_flat":
                r = person(other_surname(gi), flat_pair(gi), str(o_pc[gi]))
                self.link_person[("personal_la", gi)] = [r]
        if (o_addr != off["home_address"].to_numpy(object)).any():
            off = off.copy()
            off["home_address"] = o_addr
            self.tables["officers"] = off
        # background: relatives of officers in police records (not flagged), some declared
        linked_officers = {gi for (_, gi) in self.link_person}
        self.bg_relatives: list[tuple[int, int]] = []
        for g in np.flatnonzero(rng.random(n) < 0.06).tolist():
            if g not in linked_officers and not self.used[g]:
                self.bg_relatives.append((g, relative(g)))

        # the public: households at distinct addresses, associates sharing phones, OCG groups
        n_bg = max(2000, 8 * n)
        sizes = _draw(rng, (0.35, 0.3, 0.17, 0.13, 0.05), n_bg) + 1
        cum = np.cumsum(sizes)
        nh = int(np.searchsorted(cum, n_bg)) + 1
        sizes = sizes[:nh]
        sizes[-1] -= int(cum[nh - 1] - n_bg)
        hh = np.repeat(np.arange(nh), sizes)
        hh_sur = rng.choice(np.array(SURNAMES, dtype=object), nh)
        sur = np.where(
            rng.random(n_bg) < 0.75, hh_sur[hh], rng.choice(np.array(SURNAMES, dtype=object), n_bg)
        )
        addr = self._address(nh)[hh]
        pcode = _postcodes(rng, nh)[hh]
        phone = self._phone(n_bg).copy()
        phone[rng.random(n_bg) >= 0.8] = None
        flags = np.full(n_bg, None, dtype=object)
        n_ocg = max(3, n_bg // 500)
        members = rng.choice(n_bg, n_ocg * 6, replace=False).reshape(n_ocg, 6)
        size = rng.integers(3, 7, n_ocg)
        for c in range(n_ocg):
            m = members[c, : size[c]]
            flags[m] = rng.choice(np.array(FLAGS_OCG, dtype=object), len(m))
            if phone[m[0]] is None:
                phone[m[0]] = self._phone(1)[0]
            share_phone = rng.random(len(m) - 1) < 0.5
            phone[m[1:][share_phone]] = phone[m[0]]
            addr[m[1:][~share_phone]] = addr[m[0]]
            pcode[m[1:][~share_phone]] = pcode[m[0]]
        other = (rng.random(n_bg) < 0.01) & (flags == None)  # noqa: E711
        flags[other] = rng.choice(np.array(FLAGS_OTHER, dtype=object), int(other.sum()))
        assoc = np.flatnonzero(rng.random(n_bg) < 0.02)
        partner = rng.integers(0, n_bg, len(assoc))
        has = phone[partner] != None  # noqa: E711
        phone[assoc[has]] = phone[partner[has]]

        # nobody in the records shares an officer's (or a linked person's) surname and postcode
        # by chance: such a link must be planted or it would be an unknown true case
        def key(s: Any, p: Any) -> Any:
            return (
                pd.Series(s).str.casefold().to_numpy(object)
                + "|"
                + pd.Series(p).str.replace(" ", "").str.upper().to_numpy(object)
            )

        lk = pd.DataFrame(
            rows, columns=["surname", "forenames", "dob", "postcode", "address", "phone", "flags"]
        )
        keys = set(key(o_sur, o_pc)) | set(key(lk["surname"], lk["postcode"]))
        for _ in range(10):
            clash = pd.Series(key(sur, pcode)).isin(keys).to_numpy()
            if not clash.any():
                break
            sur[clash] = rng.choice(np.array(SURNAMES, dtype=object), int(clash.sum()))

        n_l = len(lk)
        total = n_bg + n_l
        self.n_bg = n_bg
        self.p_linked = np.r_[np.zeros(n_bg, bool), np.ones(n_l, bool)]
        all_flags = np.r_[flags, lk["flags"].to_numpy(object)]
        self.p_flagged = pd.Series(all_flags).notna().to_numpy()
        self.p_vip = np.r_[rng.random(n_bg) < 0.0005, np.zeros(n_l, bool)]
        self.p_household = np.r_[hh, -1 - np.arange(n_l)]
        self.p_surname = np.r_[sur, lk["surname"].to_numpy(object)]
        self.p_postcode = np.r_[pcode, lk["postcode"].to_numpy(object)]
        dob = np.r_[-rng.integers(16 * 365, 90 * 365, n_bg), lk["dob"].to_numpy(np.int64)]
        self.p_ids = _random_ids(rng, "P", total, 7)
        self.p_ids_pa = pa.array(self.p_ids, type=pa.string())
        persons = pd.DataFrame(
            {
                "person_id": self.p_ids,
                "surname": self.p_surname,
                "forenames": np.r_[
                    rng.choice(np.array(FORENAMES, dtype=object), n_bg), lk["forenames"].to_numpy(object)
                ],
                "date_of_birth": [self.as_of + dt.timedelta(days=int(d)) for d in dob],
                "postcode": self.p_postcode,
                "address": np.r_[addr, lk["address"].to_numpy(object)],
                "phone": np.r_[phone, lk["phone"].to_numpy(object)],
                "nominal_flags": all_flags,
            }
        )
        self.persons_frame = persons
        self.linked_base = n_bg  # linked person j is person n_bg + j
        self.p_dob = persons["date_of_birth"].to_numpy(object)

    # ---- cases and who works them

    def _cases(self) -> None:
        rng, n, days = self.rng, self.n, self.days
        inv = np.flatnonzero(
            self.is_officer & (self.pattern != FRONTLINE) & np.isin(self.role, [INVESTIGATION, PUBPROT])
        )
        if not len(inv):
            inv = (
                np.flatnonzero(self.pattern != FRONTLINE)
                if (self.pattern != FRONTLINE).any()
                else np.arange(n)
            )
        front = np.flatnonzero(self.pattern == FRONTLINE)
        if not len(front):
            front = np.arange(n)
        nc = max(20, round(2.0 * n * (days + 120) / 365))
        oic = rng.choice(inv, nc)
        opened = np.maximum(rng.integers(-120, days, nc), self.start_day[oic])
        keep = opened < days
        oic, opened = oic[keep], opened[keep]
        nc = len(oic)
        closed = opened + 14 + rng.exponential(75, nc).astype(np.int64)
        pp = self.role[oic] == PUBPROT
        ctype = _draw(rng, CASE_TYPE_P, nc)
        ctype[pp] = np.where(rng.random(int(pp.sum())) < 0.45, 4, 3)
        # look-alike group: three colleagues of one unit co-assigned to a case
        self.crew_look_case: list[int] = []
        extra = []
        for grp in self.crew_looks:
            d0 = int(rng.integers(0, max(1, days - 30)))
            extra.append((grp[0], d0, int(rng.choice([3, 4, 2]))))
        if extra:
            oic = np.r_[oic, [e[0] for e in extra]]
            opened = np.r_[opened, [e[1] for e in extra]]
            closed = np.r_[closed, [e[1] + 60 for e in extra]]
            ctype = np.r_[ctype, [e[2] for e in extra]]
            self.crew_look_case = list(range(nc, nc + len(extra)))
            nc += len(extra)
        self.c_type = ctype
        self.c_opened, self.c_closed = opened, closed
        self.c_ids = np.char.add("CR", np.char.zfill((np.arange(nc) + 10_000).astype(str), 7)).astype(object)
        self.c_ids_pa = pa.array(self.c_ids, type=pa.string())
        self.tables["cases"] = pd.DataFrame(
            {
                "case_ref": self.c_ids,
                "opened": self.cal.dates(opened),
                "closed": self.cal.dates(np.minimum(closed, days - 1), closed >= days),
                "case_type": np.array(CASE_TYPES, dtype=object)[ctype],
            }
        )
        cases = np.arange(nc)
        # investigator from the OIC's unit
        order = np.argsort(self.unit[inv], kind="stable")
        inv_sorted = inv[order]
        u_sorted = self.unit[inv_sorted]
        lo = np.searchsorted(u_sorted, self.unit[oic], "left")
        hi = np.searchsorted(u_sorted, self.unit[oic], "right")
        mate = inv_sorted[np.minimum(lo + (rng.random(nc) * (hi - lo)).astype(np.int64), len(inv_sorted) - 1)]
        parts = [
            (cases, oic, 0, opened, closed),
            (cases, mate, 1, opened + rng.integers(0, 10, nc), closed),
            (cases, rng.choice(front, nc), 2, opened, opened + 2),
            (cases, np.where(self.manager[oic] >= 0, self.manager[oic], oic), 3, opened, closed),
        ]
        wants = [np.ones(nc, bool), rng.random(nc) < 0.3, rng.random(nc) < 0.5, rng.random(nc) < 0.25]
        cols: dict[str, list[np.ndarray]] = {k: [] for k in ("case", "off", "role", "start", "end")}
        for (c, o, r, s, e), w in zip(parts, wants, strict=True):
            if r in (1, 3) and self.crew_look_case:
                w = w.copy()
                w[self.crew_look_case] = False
            for k, v in zip(cols, (c[w], o[w], np.full(int(w.sum()), r), s[w], e[w]), strict=True):
                cols[k].append(np.asarray(v))
        for lc, grp in zip(self.crew_look_case, self.crew_looks, strict=True):
            for mate_i in grp[1:]:
                for k, v in zip(cols, ([lc], [mate_i], [1], [opened[lc]], [closed[lc]]), strict=True):
                    cols[k].append(np.asarray(v))
        ca = {k: np.concatenate(v).astype(np.int64) for k, v in cols.items()}
        ok = (self.start_day[ca["off"]] <= ca["start"]) | (ca["role"] == 0)
        frame = pd.DataFrame(ca)[ok]
        frame = frame.drop_duplicates(["case", "off"], keep="first").sort_values(
            ["case", "role"], kind="stable"
        )
        self.ca = {k: frame[k].to_numpy(np.int64) for k in frame.columns}
        self.tables["case_assignments"] = pd.DataFrame(
            {
                "case_ref": self.c_ids[self.ca["case"]],
                "officer_id": self.ids[self.ca["off"]],
                "role": np.array(CA_ROLES, dtype=object)[self.ca["role"]],
                "start_date": self.cal.dates(self.ca["start"]),
                "end_date": self.cal.dates(np.minimum(self.ca["end"], days - 1), self.ca["end"] >= days),
            }
        )
        self.assigned: dict[int, set[int]] = {}
        for c, o in zip(self.ca["case"], self.ca["off"], strict=True):
            self.assigned.setdefault(int(o), set()).add(int(c))
        # look-alikes that need case work
        if self.events:
            oic_cases: dict[int, list[int]] = {}
            for c, o, r in zip(self.ca["case"], self.ca["off"], self.ca["role"], strict=True):
                if r == 0:
                    oic_cases.setdefault(int(o), []).append(int(c))
            self.oic_cases = oic_cases
            in_period = lambda c: self.c_opened[c] < days - 20 and self.c_closed[c] > 20  # noqa: E731
            has_case = np.zeros(n, bool)
            has_sens = np.zeros(n, bool)
            for o, cs in oic_cases.items():
                live = [c for c in cs if in_period(c)]
                has_case[o] = bool(live)
                has_sens[o] = any(self.c_type[c] in (3, 4) for c in live)
            for gi in self._take(self.kl, has_case):
                self.looks["access.no_purpose"][gi] = {"form": "own_case_no_code"}
            for gi in self._take(self.kl, has_sens & (self.role == PUBPROT)) or self._take(self.kl, has_sens):
                self.looks["access.sensitive_victims"][gi] = {"form": "own_cases"}
            # a safeguarding unit whose members all review victims across cases
            self.ppu_members: list[int] = []
            order = rng.permutation(len(self.unit_func))
            order = np.r_[order[self.unit_func[order] == 3], order[self.unit_func[order] == 2]]
            for u in order.tolist():
                members = np.flatnonzero((self.unit == u) & ~self.used & (self.pattern != FRONTLINE))
                if len(members) >= 3:
                    self.used[members] = True
                    self.ppu_members = [int(x) for x in members]
                    for gi in self.ppu_members[: self.kl]:
                        self.looks["access.sensitive_victims"][gi] = {
                            "ws": 0,
                            "we": days - 1,
                            "form": "public_protection_unit",
                        }
                    break

    # ---- records: nominals, vehicles, addresses, intelligence, case records

    def _records(self) -> None:
        rng = self.rng
        np_ = len(self.p_ids)
        bg = np.arange(self.n_bg)
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("type", "person", "case", "sens", "off")}

        def add(t: Any, person: Any, case: Any, sens: Any, off: Any) -> None:
            k = len(person)
            for key, v in zip(parts, (t, person, case, sens, off), strict=True):
                parts[key].append(np.broadcast_to(np.asarray(v, dtype=np.int64), (k,)).copy())

        sens = np.where(self.p_flagged, S_SUSPECT, np.where(self.p_vip, S_VIP, S_NONE))
        add(R_PERSON, np.arange(np_), -1, sens, -1)
        owners = bg[rng.random(self.n_bg) < 0.25]
        add(R_VEHICLE, owners, -1, S_NONE, -1)
        hh_first = np.flatnonzero(np.r_[True, np.diff(self.p_household[bg]) != 0])
        add(R_ADDRESS, hh_first[rng.random(len(hh_first)) < 0.15], -1, S_NONE, -1)
        flagged = np.flatnonzero(self.p_flagged)
        owner, _ = _expand(rng.integers(1, 5, len(flagged)))
        add(R_INTEL, flagged[owner], -1, S_RESTRICTED, -1)
        n_nominal = sum(len(x) for x in parts["person"])
        # case records, contiguous per case: crime, victims, witnesses, suspect, vehicle, address
        nc = len(self.c_ids)
        no_victim = np.isin(self.c_type, [6]) | (np.isin(self.c_type, [8]) & (rng.random(nc) < 0.5))
        counts = np.stack(
            [
                np.ones(nc, np.int64),
                np.where(no_victim, 0, 1),
                rng.integers(0, 3, nc),
                (rng.random(nc) < 0.7).astype(np.int64),
                (rng.random(nc) < 0.15).astype(np.int64),
                (rng.random(nc) < 0.25).astype(np.int64),
            ],
            axis=1,
        )
        total = counts.sum(axis=1)
        case, k = _expand(total)
        kind = (k[:, None] >= np.cumsum(counts, axis=1)[case]).sum(axis=1)
        rtype = np.array([R_CRIME, R_PERSON, R_PERSON, R_PERSON, R_VEHICLE, R_ADDRESS])[kind]
        csens = np.array([S_NONE, S_VICTIM, S_WITNESS, S_SUSPECT, S_NONE, S_NONE])[kind]
        who = rng.choice(bg, len(case))
        susp = (kind == 3) & (rng.random(len(case)) < 0.1)
        bg_flagged = np.flatnonzero(self.p_flagged[: self.n_bg])
        if len(bg_flagged):
            who[susp] = rng.choice(bg_flagged, int(susp.sum()))
        person = np.where(np.isin(kind, [1, 2, 3, 4]), who, -1)
        add(rtype, person, case, csens, self.c_type[case])
        self.case_rec_start = n_nominal + np.cumsum(total) - total
        self.case_rec_n = total

        r = {key: np.concatenate(v) for key, v in parts.items()}
        self.r_type, self.r_person, self.r_case, self.r_sens = r["type"], r["person"], r["case"], r["sens"]
        nr = len(self.r_type)
        self.r_ids = _random_ids(rng, "R", nr, 8)
        self.r_ids_pa = pa.array(self.r_ids, type=pa.string())
        linked = np.zeros(nr, bool)
        linked[self.r_person >= 0] = self.p_linked[self.r_person[self.r_person >= 0]]
        nominal = np.arange(nr) < n_nominal
        pool = np.flatnonzero(
            nominal
            & np.isin(self.r_type, [R_PERSON, R_VEHICLE, R_ADDRESS])
            & ~linked
            & (self.r_sens != S_VIP)
        )
        self.ops_pool = rng.permutation(pool)
        self.intel_pool = np.flatnonzero((self.r_type == R_INTEL) & ~linked)
        self.victim_pool = np.flatnonzero(np.isin(self.r_sens, [S_VICTIM, S_WITNESS]) & (self.r_case >= 0))
        sens_case = np.isin(self.c_type[np.maximum(self.r_case, 0)], [3, 4])
        self.sens_pool = self.victim_pool[sens_case[self.victim_pool]]
        self.records_by_person: dict[int, list[int]] = {}
        for ri in np.flatnonzero(linked):
            self.records_by_person.setdefault(int(self.r_person[ri]), []).append(int(ri))
        offence = np.array([None, *OFFENCE], dtype=object)
        self.tables["persons"] = self.persons_frame.iloc[
            rng.permutation(len(self.persons_frame))
        ].reset_index(drop=True)
        perm = rng.permutation(nr)
        self.tables["records"] = pd.DataFrame(
            {
                "record_id": self.r_ids[perm],
                "record_type": np.array(RTYPES, dtype=object)[self.r_type[perm]],
                "person_id": np.where(
                    self.r_person[perm] >= 0, self.p_ids[np.maximum(self.r_person[perm], 0)], None
                ),
                "case_ref": np.where(
                    self.r_case[perm] >= 0, self.c_ids[np.maximum(self.r_case[perm], 0)], None
                ),
                "sensitivity": np.array(SENS, dtype=object)[self.r_sens[perm]],
                "offence_category": offence[r["off"][perm] + 1],
            }
        )

    # ---- records chosen for planted lookups; truth for links

    def _not_assigned(self, gi: int, pool: np.ndarray, k: int) -> list[int]:
        mine = self.assigned.get(gi, set())
        out: list[int] = []
        for _ in range(50 * k):
            if len(out) >= k or not len(pool):
                break
            ri = int(self.rng.choice(pool))
            if int(self.r_case[ri]) not in mine and ri not in out:
                out.append(ri)
        return out

    def _access_plans(self) -> None:
        rng, cal, days = self.rng, self.cal, self.days
        start, end = cal.iso(0), self.as_of.isoformat()
        self.crew_plan: dict[int, dict[str, Any]] = {}
        self.crew_look_plan: dict[int, dict[str, Any]] = {}
        flags = self.persons_frame["nominal_flags"].to_numpy(object)
        pid = lambda j: str(self.p_ids[self.linked_base + j])  # noqa: E731
        fl = lambda j: flags[self.linked_base + j]  # noqa: E731
        for gi, p in self.plants["association.undeclared_link"].items():
            (f,) = self.link_person[("undeclared_link", gi)]
            self._row(
                "association.undeclared_link",
                gi,
                start,
                end,
                f"{p['note']} {pid(f)}, a person flagged '{fl(f)}'; no declared association",
                form=p["form"],
            )
        la_notes = {
            "declared_association": "lives with {p} (flagged '{f}'), an approved declared association",
            "unflagged_person": "lives with {p}, who is in police records but not flagged",
            "namesake_street": "{p} (flagged '{f}') has the officer's address line in another postcode",
            "different_flat": "{p} (flagged '{f}') lives in another flat of the officer's building",
        }
        for gi, p in self.looks["association.undeclared_link"].items():
            (f,) = self.link_person[("undeclared_link_la", gi)]
            if p["form"] == "declared_association":
                self.extra_decl.append(
                    {"officer_id": self.ids[gi], "kind": "association", "person_id": pid(f)}
                )
            self._row(
                "association.undeclared_link",
                gi,
                start,
                end,
                la_notes[p["form"]].format(p=pid(f), f=fl(f)),
                look=True,
                form=p["form"],
            )
        for gi, p in self.plants["network.hidden_link"].items():
            who = self.link_person[("hidden", gi)]
            if p["form"] == "relative_phone":
                note = f"4 hops: same address as {pid(who[0])}, who shares a phone with {pid(who[1])} (ocg)"
            elif p["form"] == "contact_address":
                note = f"4 hops: {pid(who[0])} gives the officer's phone and lives with {pid(who[1])} (ocg)"
            else:
                org = f"B{900 + len(self.extra_orgs):03d}"
                self.extra_orgs.append(
                    {
                        "org_id": org,
                        "name": f"{self.p_surname[self.linked_base + who[0]]} Holdings Ltd",
                        "kind": "business",
                    }
                )
                self.extra_members.append({"org": org, "officer": gi, "person": who[0]})
                self.extra_decl.append(
                    {"officer_id": self.ids[gi], "kind": "business_interest", "org_id": org}
                )
                note = f"2 hops: declared co-member of {org} with {pid(who[0])} (ocg); the person resolves by name and date of birth"
            self._row("network.hidden_link", gi, start, end, note, form=p["form"])
        for gi, p in self.looks["network.hidden_link"].items():
            who = self.link_person[("hidden_la", gi)]
            form = p["form"]
            if form == "too_far":
                r, c, g = who
                note = f"6 hops, beyond the limit: same address as {pid(r)}, phone shared with {pid(c)}, who lives with {pid(g)} (ocg)"
            elif form == "hub_address":
                note = f"{pid(who[0])} gives the officer's phone and lives in a hostel of {len(who)} people, one of them {pid(who[1])} (ocg)"
            elif form == "declared_association":
                note = f"same address as {pid(who[0])}, who shares a phone with {pid(who[1])} (ocg); the officer declared the association"
                for d in self.extra_decl:
                    if d.get("person_id") == who[1] and d["officer_id"] == self.ids[gi]:
                        d["person_id"] = pid(who[1])
            else:
                note = f"{pid(who[0])} gives the officer's phone; their address line is that of {pid(who[1])} (ocg) in another postcode"
            self._row("network.hidden_link", gi, start, end, note, look=True, form=form)
        if not self.events:
            return
        for gi, p in self.plants["access.personal_link"].items():
            (r,) = self.link_person[("personal", gi)]
            p["records"] = self.records_by_person.get(self.linked_base + r, [])
            p["note"] = {
                "same_address": "a relative at the officer's address",
                "same_phone": "a person giving the officer's phone number",
                "surname_postcode": "a person with the officer's surname and postcode",
            }[p["form"]] + f" ({pid(r)})"
        sur_of = (
            pd.Series(np.arange(self.n_bg))
            .groupby(pd.Series(self.p_surname[: self.n_bg]).str.casefold())
            .apply(list)
            .to_dict()
        )
        o_sur = self.tables["officers"]["surname"].to_numpy(object)
        o_pc = self.tables["officers"]["home_postcode"].to_numpy(object)
        pers_rec = np.full(len(self.p_ids), -1)
        pr = np.flatnonzero(self.r_type == R_PERSON)
        pers_rec[self.r_person[pr]] = pr
        for gi, p in self.looks["access.personal_link"].items():
            if ("personal_la", gi) in self.link_person:
                (r,) = self.link_person[("personal_la", gi)]
                p["records"] = self.records_by_person.get(self.linked_base + r, [])
                p["note"] = {
                    "namesake_street": "a person with the officer's address line in another postcode",
                    "different_flat": "a person in another flat of the officer's building (another surname)",
                }[p["form"]] + f" ({pid(r)})"
                continue
            same = [j for j in sur_of.get(str(o_sur[gi]).casefold(), []) if self.p_postcode[j] != o_pc[gi]]
            pick: list[int] = rng.choice(same, min(3, len(same)), replace=False).tolist() if same else []
            p["records"] = [int(pers_rec[j]) for j in pick if pers_rec[j] >= 0 and not self.p_flagged[j]]
            p["note"] = "people who only share the officer's surname (other postcode, address, phone)"
        for gi, p in self.plants["access.sensitive_victims"].items():
            if p["form"] == "breadth":
                p["records"] = self._not_assigned(gi, self.sens_pool, int(rng.integers(10, 19)))
            else:
                p["records"] = self._not_assigned(gi, self.sens_pool, int(rng.integers(3, 6)))
        for gi, p in self.looks["access.sensitive_victims"].items():
            if p["form"] == "few_records":
                p["records"] = self._not_assigned(gi, self.sens_pool, 2)
            elif p["form"] == "non_sensitive_records":
                pool = np.flatnonzero((self.r_case >= 0) & (self.r_sens == S_NONE))
                p["records"] = self._not_assigned(gi, pool, int(rng.integers(12, 21)))
        self.ppu_plan: dict[int, list[int]] = {}
        for gi in self.ppu_members:
            self.ppu_plan[gi] = self._not_assigned(gi, self.sens_pool, int(rng.integers(10, 22)))
        for gi, p in self.plants["access.no_purpose"].items():
            case_recs = self._not_assigned(gi, np.flatnonzero(self.r_case >= 0), 6)
            p["records"] = case_recs + [int(x) for x in rng.choice(self.ops_pool, 14)]
        for gi, p in self.looks["access.no_purpose"].items():
            if p["form"] == "own_case_no_code":
                cs = [
                    c
                    for c in self.oic_cases.get(gi, [])
                    if self.c_opened[c] < days - 20 and self.c_closed[c] > 20
                ]
                c = int(rng.choice(cs))
                p["case"] = c
                p["ws"], p["we"] = max(0, int(self.c_opened[c])), min(days - 1, int(self.c_closed[c]))
            elif p["form"] == "coded_lookups":
                p["records"] = self._not_assigned(gi, np.flatnonzero(self.r_case >= 0), 20)
            else:
                p["records"] = [int(x) for x in rng.choice(self.ops_pool, 20)]
        for gi, p in self.looks["access.sensitive_victims"].items():
            if p["form"] != "own_cases":
                continue
            cs = [
                c
                for c in self.oic_cases.get(gi, [])
                if self.c_type[c] in (3, 4) and self.c_opened[c] < days - 20 and self.c_closed[c] > 20
            ]
            c = int(rng.choice(cs))
            in_case = np.arange(self.case_rec_start[c], self.case_rec_start[c] + self.case_rec_n[c])
            p["case"] = c
            p["records"] = [int(x) for x in in_case[np.isin(self.r_sens[in_case], [S_VICTIM, S_WITNESS])]]
            p["ws"], p["we"] = max(0, int(self.c_opened[c])), min(days - 1, int(self.c_closed[c]))
        # crews: the same sensitive records viewed by members within days of each other
        for g, (grp, kind) in enumerate(self.crews):
            recs: list[int] = []
            n_rec = {
                "co_complaints": 0,
                "co_views": int(rng.integers(4, 7)),
                "large_crew": int(rng.integers(3, 6)),
            }[kind]
            for _ in range(n_rec):
                pool = self.sens_pool if rng.random() < 0.6 or not len(self.intel_pool) else self.intel_pool
                recs += self._not_assigned(grp[0], pool, 1)
            recs = [
                r for r in recs if all(int(self.r_case[r]) not in self.assigned.get(o, set()) for o in grp)
            ]
            plan_days = sorted(int(x) for x in rng.integers(0, max(1, days - 7), len(recs)))
            for o in grp:
                # in a large crew most, not all, members view each record
                keep = [j for j in range(len(recs)) if kind != "large_crew" or rng.random() < 0.75]
                self.crew_plan[o] = {
                    "group": f"crew-{g + 1:04d}",
                    "records": [recs[j] for j in keep],
                    "days": [plan_days[j] for j in keep],
                    "all_days": plan_days,
                    "form": kind,
                }
        for g, (grp, c) in enumerate(zip(self.crew_looks, self.crew_look_case, strict=True)):
            recs_c = np.arange(self.case_rec_start[c], self.case_rec_start[c] + self.case_rec_n[c])
            for o in grp:
                self.crew_look_plan[o] = {
                    "group": f"team-{g + 1:04d}",
                    "case": c,
                    "records": [int(x) for x in recs_c],
                    "ws": int(self.c_opened[c]),
                    "we": min(days - 1, int(self.c_opened[c]) + 20),
                }

    # ---- complaints

    def _side_plans(self) -> None:
        """The look-alikes of :data:`SIDE_LOOKALIKES`, on a random stream of their own (nothing
        chosen later depends on which officers they take)."""
        if not self.events:
            return
        saved, self.rng = self.rng, np.random.default_rng([self.seed, 303])
        try:
            masks = {("access.no_purpose", "background_uncoded"): self.lam >= np.quantile(self.lam, 0.9)}
            for det, form in SIDE_LOOKALIKES:
                for gi in self._take(self.kl, masks.get((det, form))):
                    ws, we = self._window(det)
                    self.side_looks[det][gi] = {"ws": ws, "we": we, "form": form}
            for p in self.side_looks["access.no_purpose"].values():
                p["records"] = [int(x) for x in self.rng.choice(self.ops_pool, 20)]
            for gi, p in self.side_looks["access.sensitive_victims"].items():
                p["records"] = self._not_assigned(gi, self.sens_pool, 4)
            self._switchboard()
        finally:
            self.rng = saved

    def _duty_plans(self) -> None:
        """The look-alikes of :data:`DUTY_SIDE_LOOKALIKES`, after everything else and on a
        random stream of their own."""
        if not self.events:
            return
        saved, self.rng = self.rng, np.random.default_rng([self.seed, 304])
        try:
            masks = {
                ("roster.self_approval", "shared_team_mailbox"): self.pattern == FRONTLINE,
                ("roster.retro_claim", "call_out_keyed_next_day"): self.pattern == FRONTLINE,
                ("roster.retro_claim", "one_late_claim"): self.pattern == FRONTLINE,
                ("attendance.below_threshold", "small_shortfall"): self.pattern == HYBRID,
                ("attendance.below_threshold", "unrecorded_leave"): self.pattern == OFFICE,
            }
            for det, form in DUTY_SIDE_LOOKALIKES:
                for gi in self._take(self.kl, masks[(det, form)]):
                    ws, we = self._window(det)
                    self.side_looks[det][gi] = {"ws": ws, "we": we, "form": form}
                    if form == "unrecorded_leave":  # no duty rows, so no leave rows either
                        self.no_shifts[gi] = True
            self._team_mailbox()
        finally:
            self.rng = saved

    def _team_mailbox(self) -> None:
        """``shared_team_mailbox``: the officer's and their approver's email on HR is the
        team mailbox (one first forename on both would be a second account: left out)."""
        off = self.tables["officers"].copy()
        looks = self.side_looks["roster.self_approval"]
        for gi in sorted(looks):
            a = int(self.approver[gi])
            first = [str(off.loc[x, "forenames"]).split(" ")[0].lower() for x in (gi, a)]
            if first[0] == first[1]:
                del looks[gi]
                continue
            off.loc[[gi, a], "email"] = f"team.{str(off.loc[a, 'unit_id']).lower()}@police.example"
        self.tables["officers"] = off

    def _switchboard(self) -> None:
        """The force switchboard: the phone listed for the switchboard_phone look-alikes, and
        given 'c/o' the force by 12 people in police records (unflagged, at addresses no flagged
        person shares), more than any detector's max_holders; each look-alike looks up one."""
        looks = self.side_looks["access.personal_link"]
        if not looks:
            return
        pf = self.persons_frame
        flagged = pf["nominal_flags"].notna().to_numpy()
        at = list(zip(pf["address"], pf["postcode"], strict=True))
        flagged_at = {a for a, f in zip(at, flagged, strict=True) if f}
        pers_rec = np.full(len(self.p_ids), -1)
        pr = np.flatnonzero(self.r_type == R_PERSON)
        pers_rec[self.r_person[pr]] = pr
        cand = [
            j for j in range(self.n_bg) if not flagged[j] and pers_rec[j] >= 0 and at[j] not in flagged_at
        ]
        if len(cand) < 12:
            return
        people = [int(j) for j in self.rng.choice(cand, 12, replace=False)]
        number = str(self._phone(1)[0])
        for name, col, ids in (
            ("persons", "person_id", {str(self.p_ids[j]) for j in people}),
            ("officers", "officer_id", {str(self.ids[gi]) for gi in looks}),
        ):
            t = self.tables[name].copy()
            t.loc[t[col].isin(ids), "phone"] = number
            self.tables[name] = t
        for p in looks.values():
            j = int(self.rng.choice(people))
            p["records"] = [int(pers_rec[j])]
            p["note"] = (
                f"a witness ({self.p_ids[j]}) who gave the force switchboard, the officer's listed number "
                "too, as 12 people in police records did"
            )

    def _complaints(self) -> None:
        rng, n, days, cal = self.rng, self.n, self.days, self.cal
        nc = max(5, round(0.25 * n * days / 365))
        w = np.where(self.pattern == FRONTLINE, 3.0, 1.0) * (self.start_day < days)
        primary = rng.choice(n, nc, p=w / w.sum())
        received = np.maximum(rng.integers(0, days, nc), np.minimum(self.start_day[primary] + 30, days - 1))
        order = np.argsort(self.unit, kind="stable")
        u_sorted = self.unit[order]
        lo = np.searchsorted(u_sorted, self.unit[primary], "left")
        hi = np.searchsorted(u_sorted, self.unit[primary], "right")
        subj = [primary]
        masks = [np.ones(nc, bool)]
        for p_extra in (0.3, 0.08):
            mate = order[lo + (rng.random(nc) * (hi - lo)).astype(np.int64)]
            subj.append(mate)
            masks.append((rng.random(nc) < p_extra) & (mate != primary))
        cid = np.arange(nc)
        cs = pd.DataFrame(
            {
                "c": np.concatenate([cid[m] for m in masks]),
                "o": np.concatenate([s[m] for s, m in zip(subj, masks, strict=True)]),
            }
        ).drop_duplicates()
        cs = cs[self.start_day[cs["o"].to_numpy()] <= received[cs["c"].to_numpy()]]
        cat = np.array(
            [
                "incivility",
                "use of force",
                "service failure",
                "discrimination",
                "improper disclosure",
                "conduct",
            ],
            dtype=object,
        )
        category = cat[_draw(rng, (0.3, 0.2, 0.25, 0.08, 0.05, 0.12), nc)]
        source = np.where(
            category == "conduct", "internal", np.where(rng.random(nc) < 0.9, "public", "internal")
        )
        complaints = {
            "received": list(received),
            "incident": list(received - rng.integers(0, 60, nc)),
            "category": list(category),
            "source": list(source),
        }
        subjects = list(zip(cs["c"].tolist(), cs["o"].tolist(), strict=True))

        # crews: named together again and again (co_complaints, large_crew), or tied by co-views only
        def complaint(d: int, named: list[int], cat: str | None = None) -> None:
            c = len(complaints["received"])
            for key, v in zip(
                complaints,
                (
                    d,
                    d - int(rng.integers(1, 30)),
                    cat or str(rng.choice(["use of force", "incivility", "conduct", "improper disclosure"])),
                    "public",
                ),
                strict=True,
            ):
                complaints[key].append(v)
            subjects.extend((c, o) for o in named)

        for g, (grp, kind) in enumerate(self.crews):
            plan = self.crew_plan.get(grp[0], {"all_days": [], "records": []})
            when: list[int] = []
            if kind == "co_complaints":
                m = int(rng.integers(5, 7))
                when = sorted(int(x) for x in rng.integers(0, days, m))
                for j, d in enumerate(when):
                    named = grp if j < 3 else [o for q, o in enumerate(grp) if q != j % len(grp)]
                    complaint(d, named)
                note = f"named together on {m} complaints"
            elif kind == "large_crew":
                m = int(rng.integers(7, 11))
                when = sorted(int(x) for x in rng.integers(0, days, m))
                for d in when:
                    named = sorted(
                        int(x)
                        for x in rng.choice(grp, int(rng.integers(4, min(8, len(grp)) + 1)), replace=False)
                    )
                    complaint(d, named)
                note = (
                    f"a crew of {len(grp)} named together in changing combinations on {m} complaints and viewing "
                    f"the same {len(plan['records'])} sensitive records outside their cases"
                )
            else:
                note = f"viewed the same {len(plan['records'])} sensitive records outside their cases within days of each other"
            all_days = when + list(plan["all_days"]) + [d + 7 for d in plan["all_days"]]
            if not all_days:
                continue
            d0, d1 = min(all_days), min(days - 1, max(all_days))
            for o in grp:
                self._row(
                    "network.crew",
                    o,
                    max(0, d0 - 30),
                    d1,
                    note,
                    group=f"crew-{g + 1:04d}",
                    form=kind,
                )
        for g, (grp, c_case) in enumerate(zip(self.crew_looks, self.crew_look_case, strict=True)):
            for o in grp:
                self._row(
                    "network.crew",
                    o,
                    int(self.c_opened[c_case]),
                    min(days - 1, int(self.c_opened[c_case]) + 20),
                    f"co-assigned to case {self.c_ids[c_case]} and viewing its records together",
                    group=f"team-{g + 1:04d}",
                    look=True,
                    form="joint_operation_coviews",
                )
        for g, (grp, kind) in enumerate(self.team_looks):
            if kind == "single_shared_complaint":
                when = [int(rng.integers(0, days))]
                complaint(when[0], grp[: int(rng.integers(2, len(grp) + 1))])
                note = "named together on a single complaint"
            elif kind == "loose_chain":
                # neighbours in a chain share complaints; no three are tied together
                when = []
                for a, b in itertools.pairwise(grp):
                    for d in sorted(int(x) for x in rng.integers(0, days, int(rng.integers(3, 5)))):
                        complaint(d, [a, b])
                        when.append(d)
                note = "pairs of colleagues in a chain, each pair named together on three or four complaints"
            else:
                m = int(rng.integers(3, 5))
                when = sorted(int(x) for x in rng.integers(0, days, m))
                for d in when:
                    complaint(d, list(grp), "use of force")
                note = f"a public-order team of {len(grp)} named together as a whole team on {m} complaints"
            for o in grp:
                self._row(
                    "network.crew",
                    o,
                    max(0, min(when) - 30),
                    min(days - 1, max(when)),
                    note,
                    group=f"look-{kind}-{g + 1:04d}",
                    look=True,
                    form=kind,
                )
        ncc = len(complaints["received"])
        ids = np.char.add("CP", np.char.zfill((np.arange(ncc) + 1).astype(str), 7)).astype(object)
        rec = np.array(complaints["received"], dtype=np.int64)
        self.tables["complaints"] = pd.DataFrame(
            {
                "complaint_id": ids,
                "received_date": cal.dates(rec),
                "incident_date": cal.dates(
                    np.maximum(np.array(complaints["incident"], dtype=np.int64), -365)
                ),
                "category": np.array(complaints["category"], dtype=object),
                "source": np.array(complaints["source"], dtype=object),
            }
        )
        sc = np.array([s[0] for s in subjects], dtype=np.int64)
        so = np.array([s[1] for s in subjects], dtype=np.int64)
        finding = np.array(["no case to answer", "not upheld", "upheld", "service level", None], dtype=object)
        allegation = {
            "incivility": "rude or dismissive manner",
            "use of force": "excessive force during arrest",
            "service failure": "failure to investigate",
            "discrimination": "discriminatory treatment",
            "improper disclosure": "disclosed information without authority",
            "conduct": "conduct unbecoming",
        }
        subj_frame = pd.DataFrame(
            {
                "complaint_id": ids[sc],
                "officer_id": self.ids[so],
                "allegation": [allegation[str(complaints["category"][c])] for c in sc],
                "finding": finding[_draw(rng, (0.35, 0.3, 0.08, 0.12, 0.15), len(sc))],
            }
        ).drop_duplicates(["complaint_id", "officer_id"])
        self.tables["complaint_subjects"] = subj_frame.sort_values(
            ["complaint_id", "officer_id"], ignore_index=True
        )

    # ---- forms and look-alikes added later (LATE_FORMS), on a random stream of their own

    def _late_plans(self) -> None:
        """The forms and look-alikes of :data:`LATE_FORMS`, after everything else and on a
        random stream of their own: the rest of a seed's force is as it was without them."""
        saved, self.rng = self.rng, np.random.default_rng([self.seed, 707])
        self.triage_plan: dict[int, dict[str, Any]] = {}
        self.late_persons: list[dict[str, Any]] = []
        try:
            if self.events:
                if not self.clean:
                    self._late_diffuse_crew()
                self._late_busy_unit()
                self._late_triage()
            if not self.clean:
                self._late_two_intermediaries()
            self._late_too_far()
            self._late_large_organisation()
            self._late_switchboard()
            if self.late_persons:
                persons = self.tables["persons"]
                late = pd.DataFrame(self.late_persons).reindex(columns=persons.columns)
                self.tables["persons"] = pd.concat([persons, late], ignore_index=True)
        finally:
            self.rng = saved

    def _late_person(
        self,
        surname: str | None = None,
        address: str | None = None,
        postcode: str | None = None,
        phone: str | None = None,
        flags: str | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        if address is None:
            address, postcode = str(self._address(1)[0]), str(_postcodes(rng, 1)[0])
        row = {
            "person_id": f"PX{len(self.late_persons) + 1:06d}",
            "surname": surname or str(rng.choice(SURNAMES)),
            "forenames": str(rng.choice(FORENAMES)),
            "date_of_birth": self.as_of - dt.timedelta(days=int(rng.integers(18 * 365, 75 * 365))),
            "postcode": postcode,
            "address": address,
            "phone": phone if phone is not None else str(self._phone(1)[0]),
            "nominal_flags": flags,
        }
        self.late_persons.append(row)
        return row

    def _ocg(self) -> str:
        return str(self.rng.choice(FLAGS_OCG))

    def _officer(self, gi: int) -> pd.Series:
        off = self.tables["officers"]
        return off.loc[off["officer_id"] == self.ids[gi]].iloc[0]

    def _late_complaints(self, named: list[tuple[int, list[int]]]) -> list[str]:
        """Complaints received on the given days naming the given officers, appended."""
        rng, cal = self.rng, self.cal
        co, cs = self.tables["complaints"], self.tables["complaint_subjects"]
        ids = [f"CP{len(co) + j + 1:07d}" for j in range(len(named))]
        days = np.array([d for d, _ in named], dtype=np.int64)
        cats = [
            str(rng.choice(["use of force", "incivility", "conduct", "improper disclosure"])) for _ in named
        ]
        self.tables["complaints"] = pd.concat(
            [
                co,
                pd.DataFrame(
                    {
                        "complaint_id": ids,
                        "received_date": cal.dates(days),
                        "incident_date": cal.dates(days - rng.integers(1, 30, len(days))),
                        "category": cats,
                        "source": "public",
                    }
                ),
            ],
            ignore_index=True,
        )
        allegation = {
            "incivility": "rude or dismissive manner",
            "use of force": "excessive force during arrest",
            "conduct": "conduct unbecoming",
            "improper disclosure": "disclosed information without authority",
        }
        subj = pd.DataFrame(
            [
                {
                    "complaint_id": c,
                    "officer_id": self.ids[o],
                    "allegation": allegation[cat],
                    "finding": str(rng.choice(["no case to answer", "not upheld", "upheld"])),
                }
                for c, cat, (_, who) in zip(ids, cats, named, strict=True)
                for o in who
            ]
        )
        self.tables["complaint_subjects"] = pd.concat([cs, subj], ignore_index=True)
        return ids

    def _late_diffuse_crew(self) -> None:
        """A crew of one unit's frontline officers named together in changing twos, threes and
        fours (those named least so far first), so every member is on two or more complaints
        and hardly any pair twice. Its members may be planted for other detectors (a complaint
        takes nothing from them), not for this one."""
        rng, days = self.rng, self.days
        crews = {x for grp in [g for g, _ in self.crews + self.team_looks] + self.crew_looks for x in grp}
        ok = (self.pattern == FRONTLINE) & (self.start_day <= 0)
        ok[list(crews)] = False
        size = int(rng.integers(6, 10))
        for u in rng.permutation(len(self.unit_busy)).tolist():
            cand = np.flatnonzero(ok & (self.unit == u))
            if len(cand) < size:
                continue
            grp = sorted(int(x) for x in rng.choice(cand, size, replace=False))
            m = len(grp) + int(rng.integers(2, 5))
            when = sorted(int(x) for x in rng.integers(0, days, m))
            times = dict.fromkeys(grp, 0)
            named = []
            for d in when:
                pick = sorted(grp, key=lambda o: (times[o], rng.random()))[: int(rng.choice([2, 3, 3, 4]))]
                for o in pick:
                    times[o] += 1
                named.append((d, sorted(pick)))
            self._late_complaints(named)
            self.late_crew = grp
            for o in grp:
                self._row(
                    "network.crew",
                    o,
                    max(0, when[0] - 30),
                    when[-1],
                    f"a crew of {len(grp)} named together in changing twos, threes and fours on {m} complaints",
                    group=f"crew-{len(self.crews) + 1:04d}",
                    form="diffuse_complaints",
                )
            return

    def _late_busy_unit(self) -> None:
        """A busy unit: its officers named together at random in pairs and threes, about three
        complaints for every two officers, everyone with everyone (a web, no crew)."""
        rng, days = self.rng, self.days
        taken = {
            int(self.unit[x])
            for grp in [g for g, _ in self.crews + self.team_looks]
            + self.crew_looks
            + [getattr(self, "late_crew", [])]
            for x in grp
        }
        sizes = np.bincount(self.unit[self.start_day <= 0], minlength=len(self.unit_busy))
        for u in rng.permutation(len(sizes)).tolist():
            if u in taken or not 20 <= sizes[u] <= 40:
                continue
            members = [int(x) for x in np.flatnonzero((self.unit == u) & (self.start_day <= 0))]
            named = [
                (
                    int(rng.integers(0, days)),
                    sorted(int(x) for x in rng.choice(members, int(rng.choice([2, 2, 3])), replace=False)),
                )
                for _ in range(len(members) * 3 // 2)
            ]
            self._late_complaints(named)
            count: dict[int, list[int]] = {}
            for d, who in named:
                for o in who:
                    count.setdefault(o, []).append(d)
            for o, ds in sorted(count.items()):
                if len(ds) >= 2:
                    self._row(
                        "network.crew",
                        o,
                        max(0, min(ds) - 30),
                        max(ds),
                        f"one of a busy unit of {len(members)} named together at random in pairs and threes "
                        f"on {len(named)} complaints",
                        group="look-busy_unit_complaints",
                        look=True,
                        form="busy_unit_complaints",
                    )
            return

    def _late_triage(self) -> None:
        """The safeguarding unit triages new victims across cases: about two records a week,
        the same records for every member, most members opening each within days."""
        rng, days = self.rng, self.days
        members = getattr(self, "ppu_members", [])
        if not members:
            return
        theirs = set().union(*(self.assigned.get(o, set()) for o in members))
        cand = [int(r) for r in self.sens_pool if int(self.r_case[r]) not in theirs]
        if not cand:
            return
        n = min(len(cand), max(10, 2 * days // 7))
        triage = [int(x) for x in rng.choice(cand, n, replace=False)]
        on = sorted(int(x) for x in rng.integers(0, max(1, days - 3), n))
        for gi in members:
            keep = [j for j in range(n) if rng.random() < 0.8]
            self.triage_plan[gi] = {"records": [triage[j] for j in keep], "days": [on[j] for j in keep]}
            self._row(
                "network.crew",
                gi,
                0,
                days - 1,
                f"a safeguarding unit of {len(members)} triaging the same {n} victims' records across cases, "
                "each member opening most of them within days of the others",
                group="look-safeguarding_unit_coviews",
                look=True,
                form="safeguarding_unit_coviews",
            )

    def _chain_start(self, gi: int) -> tuple[dict[str, Any], str]:
        """A relative at the officer's address (often their surname), and the officer's id."""
        o = self._officer(gi)
        sur = str(o["surname"]) if self.rng.random() < 0.8 else None
        return self._late_person(sur, str(o["home_address"]), str(o["home_postcode"])), str(o["officer_id"])

    def _late_two_intermediaries(self) -> None:
        """Two people in between: officer - address - relative - phone - contact - address -
        flagged person (6 steps)."""
        start, end = self.cal.iso(0), self.as_of.isoformat()
        for _ in range(max(1, self.k // 3)):
            for gi in self._take(1, self.pattern == FRONTLINE):
                g = self._late_person(flags=self._ocg())
                r, _oid = self._chain_start(gi)
                c = self._late_person(address=g["address"], postcode=g["postcode"], phone=r["phone"])
                self._row(
                    "network.hidden_link",
                    gi,
                    start,
                    end,
                    f"6 hops: same address as {r['person_id']}, phone shared with {c['person_id']}, who lives "
                    f"with {g['person_id']} (ocg)",
                    form="two_intermediaries",
                )

    def _late_too_far(self) -> None:
        """The too_far look-alikes, three people in between (8 steps): the contact who shares
        the relative's phone moves out of the flagged person's home, to live with someone who
        shares the flagged person's phone."""
        persons = self.tables["persons"].copy()
        for gi, p in sorted(self.looks["network.hidden_link"].items()):
            if p["form"] != "too_far":
                continue
            r, c, g = (str(self.p_ids[self.linked_base + j]) for j in self.link_person[("hidden_la", gi)])
            at = persons["person_id"] == c
            address, postcode = str(self._address(1)[0]), str(_postcodes(self.rng, 1)[0])
            persons.loc[at, "address"], persons.loc[at, "postcode"] = address, postcode
            phone = persons.loc[persons["person_id"] == g, "phone"].iloc[0]
            d = self._late_person(address=address, postcode=postcode, phone=str(phone))
            for row in self.look_rows:
                if (row["detector"], row["officer_id"], row["form"]) == (
                    "network.hidden_link",
                    self.ids[gi],
                    "too_far",
                ):
                    row["note"] = (
                        f"8 hops, beyond the limit: same address as {r}, phone shared with {c}, who lives with "
                        f"{d['person_id']}, who shares a phone with {g} (ocg)"
                    )
        self.tables["persons"] = persons

    def _late_large_organisation(self) -> None:
        """The officer is a declared member of a lodge whose roll lists thirty members of the
        public and someone who lives with a flagged person."""
        rng, cal = self.rng, self.cal
        start, end = cal.iso(0), self.as_of.isoformat()
        orgs, mem, decl = [], [], []
        for j, gi in enumerate(self._take(self.kl, self.pattern == FRONTLINE)):
            g = self._late_person(flags=self._ocg())
            mate = self._late_person(address=g["address"], postcode=g["postcode"])
            o = self._officer(gi)
            org = f"LX{j + 1:03d}"
            orgs.append(
                {
                    "org_id": org,
                    "name": f"{mate['surname']} Lodge No. {4100 + j}",
                    "kind": "freemasonry",
                    "postcode": str(_postcodes(rng, 1)[0]),
                }
            )
            since = cal.start - dt.timedelta(days=int(rng.integers(400, 4000)))
            listed = [
                (o["surname"], o["forenames"], o["date_of_birth"], o["home_postcode"]),
                (mate["surname"], mate["forenames"], mate["date_of_birth"], mate["postcode"]),
            ] + [
                (
                    str(rng.choice(SURNAMES)),
                    str(rng.choice(FORENAMES)),
                    cal.start - dt.timedelta(days=int(rng.integers(25 * 365, 80 * 365))),
                    str(_postcodes(rng, 1)[0]),
                )
                for _ in range(30)
            ]
            for n, (sur, fore, dob, pcode) in enumerate(listed):
                mem.append(
                    {
                        "membership_id": f"HL{j + 1:03d}{n:02d}",
                        "org_id": org,
                        "member_surname": sur,
                        "member_forenames": fore,
                        "member_date_of_birth": dob,
                        "member_postcode": pcode,
                        "since": since - dt.timedelta(days=int(rng.integers(0, 3000))) if n > 1 else since,
                        "until": None,
                        "source": "roll-2025",
                    }
                )
            decl.append(
                {
                    "declaration_id": f"DL{j + 1:05d}",
                    "officer_id": self.ids[gi],
                    "kind": "membership",
                    "org_id": org,
                    "org_name": None,
                    "person_id": None,
                    "declared_at": since + dt.timedelta(days=int(rng.integers(1, 60))),
                    "valid_until": None,
                    "status": "approved",
                }
            )
            self._row(
                "network.hidden_link",
                gi,
                start,
                end,
                f"declared member of {org}, a lodge of {len(listed)} on its roll, as is {mate['person_id']}, who "
                f"lives with {g['person_id']} (ocg)",
                look=True,
                form="large_organisation",
            )
        for name, rows in (("organisations", orgs), ("memberships", mem), ("declarations", decl)):
            if rows:
                t = self.tables[name]
                self.tables[name] = pd.concat(
                    [t, pd.DataFrame(rows).reindex(columns=t.columns)], ignore_index=True
                )

    def _late_switchboard(self) -> None:
        """A station switchboard: officers give it as their phone, and a dozen people in police
        records as their contact number, a flagged one among them."""
        board = self._take(self.kl, self.pattern == FRONTLINE)
        if not board:
            return
        number = str(self._phone(1)[0])
        off = self.tables["officers"].copy()
        off.loc[off["officer_id"].isin({self.ids[gi] for gi in board}), "phone"] = number
        self.tables["officers"] = off
        f = self._late_person(phone=number, flags=self._ocg())
        for _ in range(max(0, 12 - len(board))):
            self._late_person(phone=number)
        start, end = self.cal.iso(0), self.as_of.isoformat()
        for gi in board:
            self._row(
                "association.undeclared_link",
                gi,
                start,
                end,
                f"gives the station switchboard as their phone, as do a dozen others, among them "
                f"{f['person_id']} (flagged '{f['nominal_flags']}')",
                look=True,
                form="switchboard_phone",
            )

    # ---- declarations, organisations and memberships added by the simulation

    def _declarations(self) -> None:
        rng, cal = self.rng, self.cal
        rows: list[dict[str, Any]] = []
        for d in self.extra_decl:
            rows.append(
                {
                    "officer_id": d["officer_id"],
                    "kind": d["kind"],
                    "org_id": d.get("org_id"),
                    "org_name": None,
                    "person_id": d.get("person_id")
                    if not isinstance(d.get("person_id"), int | np.integer)
                    else str(self.p_ids[self.linked_base + int(d["person_id"])]),
                    "declared_at": cal.start - dt.timedelta(days=int(rng.integers(30, 900))),
                    "valid_until": None,
                    "status": "approved",
                }
            )
        for gi, j in self.bg_relatives:
            if rng.random() < 0.3:
                rows.append(
                    {
                        "officer_id": self.ids[gi],
                        "kind": "association",
                        "org_id": None,
                        "org_name": None,
                        "person_id": self.p_ids[self.linked_base + j],
                        "declared_at": cal.start - dt.timedelta(days=int(rng.integers(30, 2000))),
                        "valid_until": None,
                        "status": "approved",
                    }
                )
        n = self.n
        texts = {
            "secondary_employment": ("Private tutoring", "Sports coaching (amateur)", "Wedding photography"),
            "gift": ("Gift: bottle of wine from a victim's family", "Hospitality: charity dinner"),
        }
        for kind, names in texts.items():
            for gi in np.flatnonzero(rng.random(n) < 0.02).tolist():
                rows.append(
                    {
                        "officer_id": self.ids[gi],
                        "kind": kind,
                        "org_id": None,
                        "org_name": str(rng.choice(names)),
                        "person_id": None,
                        "declared_at": cal.start + dt.timedelta(days=int(rng.integers(0, max(1, self.days)))),
                        "valid_until": None,
                        "status": str(
                            rng.choice(["approved", "approved", "approved", "pending", "rejected"])
                        ),
                    }
                )
        extra = pd.DataFrame(rows, columns=TABLES["declarations"].names)
        extra["declaration_id"] = [f"DX{k:06d}" for k in range(len(extra))]
        base = self.tables["declarations"].copy()
        base["person_id"] = None
        self.tables["declarations"] = pd.concat([base, extra], ignore_index=True)[
            TABLES["declarations"].names
        ]
        if self.extra_orgs:
            orgs = pd.DataFrame(self.extra_orgs)
            orgs["postcode"] = _postcodes(rng, len(orgs))
            self.tables["organisations"] = pd.concat([self.tables["organisations"], orgs], ignore_index=True)
        mem = []
        off = self.tables["officers"]
        p = self.persons_frame
        for k, m in enumerate(self.extra_members):
            o = off.iloc[m["officer"]]
            q = p.iloc[self.linked_base + m["person"]]
            since = cal.start - dt.timedelta(days=int(rng.integers(200, 3000)))
            for j, (s, f, d, pcode) in enumerate(
                (
                    (o["surname"], o["forenames"], o["date_of_birth"], o["home_postcode"]),
                    (q["surname"], q["forenames"], q["date_of_birth"], q["postcode"]),
                )
            ):
                mem.append(
                    {
                        "membership_id": f"H{k:04d}{j}",
                        "org_id": m["org"],
                        "member_surname": s,
                        "member_forenames": f,
                        "member_date_of_birth": d,
                        "member_postcode": pcode,
                        "since": since,
                        "until": None,
                        "source": "register-2025",
                    }
                )
        det = "association.undeclared_membership"
        notifiable = ["L001", "L002", "L003", "B001", "B002", "P001"]
        for k, (gi, form) in enumerate(self.member_plans):
            o = off.iloc[gi]
            org = str(rng.choice(notifiable))
            start_date = o["start_date"]
            if form == "left_before_joining":
                until = start_date - dt.timedelta(days=int(rng.integers(20, 300)))
                since = until - dt.timedelta(days=int(rng.integers(300, 3000)))
            else:
                since = self.as_of - dt.timedelta(days=int(rng.integers(800, 4000)))
                until = None
            mem.append(
                {
                    "membership_id": f"W{k:05d}",
                    "org_id": org,
                    "member_surname": _variant(rng, str(o["surname"])),
                    "member_forenames": _variant(rng, str(o["forenames"])),
                    "member_date_of_birth": o["date_of_birth"],
                    "member_postcode": o["home_postcode"],
                    "since": since,
                    "until": until,
                    "source": "roll-2025" if org.startswith("L") else "register-2025",
                }
            )
            if form == "left_before_joining":
                self._row(
                    det,
                    gi,
                    since.isoformat(),
                    until.isoformat() if until else "",
                    f"was a member of {org} until {until}, before joining the force on {start_date}",
                    look=True,
                    form=form,
                )
                continue
            lapsed = form == "lapsed_declaration"
            valid_until = self.as_of - dt.timedelta(days=int(rng.integers(30, 400))) if lapsed else None
            extra_decl = {
                "declaration_id": f"DW{k:05d}",
                "officer_id": o["officer_id"],
                "kind": "membership" if org.startswith(("L", "P")) else "business_interest",
                "org_id": org,
                "org_name": None,
                "person_id": None,
                "declared_at": since + dt.timedelta(days=int(rng.integers(0, 60))),
                "valid_until": valid_until,
                "status": "approved" if lapsed else "rejected",
            }
            self.tables["declarations"] = pd.concat(
                [self.tables["declarations"], pd.DataFrame([extra_decl])], ignore_index=True
            )
            if lapsed:
                note = f"member of {org}; the approved declaration expired on {valid_until} and the membership continues"
            else:
                note = f"member of {org} with a rejected declaration"
            self._row(
                det,
                gi,
                (valid_until or since).isoformat(),
                self.as_of.isoformat(),
                note,
                form="lapsed_declaration" if lapsed else "declaration_not_approved",
            )
        if mem:
            self.tables["memberships"] = pd.concat(
                [self.tables["memberships"], pd.DataFrame(mem)], ignore_index=True
            )


# --------------------------------------------------------------------------- events, one block of officers at a time

FIELDS = ("duty_type", "pay_code", "hours_claimed", "approved_by", "status")
F_DUTY, F_PAY, F_HOURS, F_APPROVED, F_STATUS = range(5)
EVENT_TABLES = ("shifts", "roster_changes", "badge_events", "remote_sessions", "system_access")
ID_PREFIX = {
    "shifts": "SH",
    "roster_changes": "RC",
    "badge_events": "BE",
    "remote_sessions": "RS",
    "system_access": "SA",
}


def _length(*values: Any) -> int:
    """The common length of arrays given with scalars (0 if any array is empty).

    >>> _length(3, np.arange(4), 1.5), _length(np.arange(0), 2), _length(7)
    (4, 0, 1)
    """
    sizes = [np.size(v) for v in values if np.ndim(v) > 0]
    return 0 if 0 in sizes else max(sizes, default=1)


def _num(v: Any) -> np.ndarray:
    return np.char.mod("%g", np.atleast_1d(np.asarray(v, dtype=np.float64))).astype(object)


class _Block:
    """The events of officers ``a`` to ``b`` over every simulated day.

    The roster is built as officer × day grids (duty, times, site, pay code, hours);
    background edits and overtime come next, then the evidence grids (where and when
    the officer is at work, swiping, logged on remotely, looking things up). Planted
    cases and look-alikes change those grids or add rows; the tables are emitted last.
    """

    def __init__(self, w: _World, a: int, b: int, bno: int) -> None:
        self.w, self.a, self.b = w, a, b
        self.n, self.D = b - a, w.days
        self.gi = np.arange(a, b)
        self.rng = np.random.default_rng([w.seed, 202, bno])
        self.bno = bno
        self.truth: list[dict[str, object]] = []
        self.ot: list[dict[str, np.ndarray]] = []
        self.n_ot = 0
        self.chg: list[dict[str, np.ndarray]] = []
        self.acc: list[dict[str, np.ndarray]] = []
        self.side_acc: list[dict[str, np.ndarray]] = []
        self.badge: list[dict[str, np.ndarray]] = []
        self.rs: list[dict[str, np.ndarray]] = []
        self._roster()
        self._background()
        self._evidence()
        self._plant()
        self._plant_side()
        self._plant_late()
        self._plant_duty()

    # ---- helpers

    def _mine(self, plan: dict[int, dict[str, Any]]) -> list[tuple[int, int, dict[str, Any]]]:
        return [(gi - self.a, gi, p) for gi, p in sorted(plan.items()) if self.a <= gi < self.b]

    def _in(self, i: int, ws: int, we: int, mask: np.ndarray) -> np.ndarray:
        return ws + np.flatnonzero(mask[i, ws : we + 1])

    def _pick(self, days: np.ndarray, k: int) -> np.ndarray:
        return np.sort(self.rng.choice(days, min(k, len(days)), replace=False)) if len(days) else days

    def _row(self, det: str, i: int, d0: int, d1: int, note: str, look: bool = False, form: str = "") -> None:
        self.w._row(det, int(self.gi[i]), d0, d1, note, look=look, form=form)

    def _chg_add(self, rows: Any, by: Any, at: Any, fld: int, old: Any, new: Any, reason: Any) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        k = len(rows)
        if not k:
            return

        def full(v: Any, dtype: Any) -> np.ndarray:
            return np.broadcast_to(np.asarray(v, dtype=dtype), (k,)).copy()

        self.chg.append(
            {
                "row": rows,
                "by": full(by, np.int64),
                "at": full(at, np.int64),
                "field": full(fld, np.int64),
                "old": full(old, object),
                "new": full(new, object),
                "reason": full(reason, np.int64),
            }
        )

    def _ot_add(
        self,
        i: Any,
        d: Any,
        s: Any,
        e: Any,
        duty: Any,
        pay: Any,
        site: Any,
        status: Any,
        cby: Any,
        cat: Any,
        aby: Any,
        aat: Any,
        appr_by: Any = None,
    ) -> np.ndarray:
        """Overtime rows; returns their row keys (for roster changes). The approval's audit
        row is made by the approver, or by ``appr_by`` (someone entering it for them)."""
        cols = dict(
            zip(
                ("i", "d", "s", "e", "duty", "pay", "site", "status", "cby", "cat", "aby", "aat"),
                (i, d, s, e, duty, pay, site, status, cby, cat, aby, aat),
                strict=True,
            )
        )
        k = _length(*cols.values())
        part = {c: np.broadcast_to(np.asarray(v, dtype=np.int64), (k,)).copy() for c, v in cols.items()}
        self.ot.append(part)
        keys = self.n * self.D + self.n_ot + np.arange(k)
        self.n_ot += k
        ids = self.w.ids
        ok = part["aby"] >= 0
        by = part["aby"] if appr_by is None else np.broadcast_to(np.asarray(appr_by, dtype=np.int64), (k,))
        reason = R_OT_APPROVED if appr_by is None else -1
        self._chg_add(
            keys[ok], by[ok], part["aat"][ok], F_APPROVED, None, ids[np.maximum(part["aby"], 0)][ok], reason
        )
        return keys

    def _acc_add(
        self,
        i: Any,
        d: Any,
        minutes: Any,
        rec: Any,
        action: Any,
        purpose: Any,
        site: Any,
        case: Any,
        system: Any = -1,
    ) -> None:
        k = _length(i, d, minutes, rec, action, purpose, site, case)
        if not k:
            return
        i = np.broadcast_to(np.asarray(i, dtype=np.int64), (k,)).copy()
        self.acc.append(
            {
                "i": i,
                "ts": self.w.cal.ts(np.broadcast_to(d, (k,)), minutes) + self.rng.integers(0, 60, k),
                **{
                    c: np.broadcast_to(np.asarray(v, dtype=np.int64), (k,)).copy()
                    for c, v in (
                        ("rec", rec),
                        ("action", action),
                        ("purpose", purpose),
                        ("site", site),
                        ("case", case),
                        ("system", system),
                    )
                },
            }
        )

    def _when(self, i: int, days: np.ndarray) -> np.ndarray:
        """A random minute inside the officer's working interval on each of ``days``."""
        s, e = self.W_s[i, days], self.W_e[i, days]
        return s + self.rng.random(len(days)) * np.maximum(e - s, 1)

    def _sites(self, i: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Where a lookup is made from: the duty's site, or nowhere (mobile) for frontline."""
        site = self.W_site[i, days].copy()
        mobile = (self.w.pattern[self.gi[i]] == FRONTLINE) & (self.rng.random(len(i)) < 0.45)
        site[mobile] = -1
        return site

    def _set_work(self, i: int, d: int, s: int, e: int, site: int) -> None:
        """Evidence of a worked duty on a day that had none (rest or cancelled leave)."""
        self.work[i, d] = True
        self.W_s[i, d], self.W_e[i, d], self.W_site[i, d] = s, e, site
        if site >= 0:
            self.badge_day[i, d] = True
            self.b_site[i, d] = site
            self.b_in[i, d] = s - int(self.rng.integers(3, 21))
            self.b_out[i, d] = e + int(self.rng.integers(0, 26))

    def _absent_days(self, i: int, ws: int, we: int, k: int, leave_only: bool = False) -> np.ndarray:
        """Up to ``k`` days of the officer's own planned leave (or sickness) in ``ws..we``;
        when there are fewer than two, working days there become annual leave, booked ahead
        (audit row by the officer, approved by the line manager), with no evidence of work."""
        w, rng, cal, gi = self.w, self.rng, self.w.cal, int(self.gi[i])
        absent = (self.leave if leave_only else self.leave | self.sick) & (self.status == PLANNED)
        have = self._pick(self._in(i, ws, we, absent & ~self.after_night), k)
        if len(have) >= min(k, 2):
            return have
        cand = self.working & ~self.touched & ~self.rdw & ~self.ext & np.isin(self.duty, (EARLY, LATE, DAY))
        days = self._pick(self._in(i, ws, we, cand & ~self.after_night), k - len(have))
        dn = np.array(DUTY, dtype=object)
        for d in days:
            d = int(d)
            self.duty[i, d], self.leave[i, d], self.status[i, d], self.site[i, d] = LEAVE, True, PLANNED, -1
            self.working[i, d] = self.work[i, d] = self.badge_day[i, d] = self.remote_sess[i, d] = False
            self.W_site[i, d] = -1
            self.touched[i, d] = True
            at = cal.ts(d, 600) - int(rng.integers(7, 60)) * 86400
            self._chg_add(i * self.D + d, gi, at, F_DUTY, dn[self.orig[i, d]], "annual_leave", R_LEAVE)
            self.aby[i, d], self.aat[i, d] = w.approver[gi], at + int(rng.integers(3600, 86400))
        return np.sort(np.r_[have, days]).astype(np.int64)

    # ---- the roster

    def _roster(self) -> None:
        w, rng, n, nd, cal, gi = self.w, self.rng, self.n, self.D, self.w.cal, self.gi
        pat = w.pattern[gi]
        dd = np.arange(nd)
        act = self.active = dd[None, :] >= w.start_day[gi][:, None]
        duty = np.full((n, nd), REST, dtype=np.int64)
        fl = pat == FRONTLINE
        rota = np.array([EARLY, EARLY, LATE, LATE, NIGHT, NIGHT, REST, REST, REST, REST])
        if fl.any():
            duty[fl] = rota[(dd[None, :] + w.rota[gi][fl][:, None]) % 10]
        weekday_work = (cal.weekday < 5) & ~cal.holiday
        duty[~fl] = np.where(weekday_work, DAY, REST)[None, :]
        s = np.zeros((n, nd), dtype=np.int64)
        e = np.full((n, nd), 1440, dtype=np.int64)
        for code, (t0, t1) in ((EARLY, (420, 1020)), (LATE, (840, 1440)), (NIGHT, (1320, 1860))):
            s[duty == code], e[duty == code] = t0, t1
        ds = np.broadcast_to(w.day_start[gi][:, None], (n, nd))
        s = np.where(duty == DAY, ds, s)
        e = np.where(duty == DAY, ds + 510, e)
        remote = np.zeros((n, nd), dtype=bool)
        hyb = pat == HYBRID
        if hyb.any():
            remote[hyb] = w.remote_wd[gi][hyb][:, cal.weekday]
        remote |= (pat == OFFICE)[:, None] & (rng.random((n, nd)) < 0.03)
        self.orig, self.s0 = duty.copy(), s.copy()
        workday = np.isin(duty, (EARLY, LATE, NIGHT, DAY)) & act
        # annual leave: blocks of days and single days
        owner, _ = _expand(rng.poisson(3.0 * nd / 365, n))
        st, ln = rng.integers(-10, nd, len(owner)), rng.integers(4, 13, len(owner))
        o2, k2 = _expand(ln)
        day, own = st[o2] + k2, owner[o2]
        ok = (day >= 0) & (day < nd)
        leave = np.zeros((n, nd), dtype=bool)
        leave[own[ok], day[ok]] = True
        leave |= rng.random((n, nd)) < 4 / 365
        leave &= workday
        # sickness: short spells, a few long ones
        owner, _ = _expand(rng.poisson(1.2 * nd / 365, n))
        st = rng.integers(0, nd, len(owner))
        ln = np.where(
            rng.random(len(owner)) < 0.05, rng.integers(14, 61, len(owner)), rng.geometric(0.45, len(owner))
        )
        o2, k2 = _expand(ln)
        day, own = st[o2] + k2, owner[o2]
        ok = day < nd
        sick = np.zeros((n, nd), dtype=bool)
        sick[own[ok], day[ok]] = True
        # look-alike (attendance.below_threshold): an office worker off sick for weeks
        self.long_sick: list[tuple[int, int, int]] = []
        for i, _gi, p in self._mine(w.looks["attendance.below_threshold"]):
            if p["form"] != "long_sickness":
                continue
            length = min(int(rng.integers(30, 46)), p["we"] - p["ws"] + 1)
            d0 = p["ws"] + int(rng.integers(0, p["we"] - p["ws"] - length + 2))
            sick[i, d0 : d0 + length] = True
            leave[i, d0 : d0 + length] = False
            self.long_sick.append((i, d0, d0 + length - 1))
        # look-alike (access.volume_outlier): back from a long leave at the usual rate
        for i, _gi, p in self._mine(w.looks["access.volume_outlier"]):
            if p["form"] != "return_from_leave" or nd < 60:
                continue
            length = int(rng.integers(28, 43))
            d0 = int(rng.integers(0, max(1, nd - length - 30)))
            leave[i, d0 : d0 + length] |= workday[i, d0 : d0 + length]
            sick[i, d0 : d0 + length] = False
            p["ws"], p["we"] = max(0, d0 - 14), nd - 1
            p["back"] = d0 + length
        # not on the duty system: no leave or sickness rows either
        ns = w.no_shifts[gi]
        leave[ns], sick[ns] = False, False
        sick &= workday & ~leave
        duty[leave], duty[sick] = LEAVE, SICK
        self.leave, self.sick = leave, sick
        # training and court
        r = rng.random((n, nd))
        cand = np.isin(duty, (EARLY, LATE, DAY)) & ~remote & act
        tr = cand & (r < 0.012)
        court = cand & (r >= 0.012) & (r < 0.018) & w.is_officer[gi][:, None]
        duty[tr], duty[court] = TRAINING, COURT
        s[tr], e[tr], s[court], e[court] = 540, 1020, 570, 990
        # rest days span the day; leave and sickness keep the times of the duty they replace
        s[duty == REST], e[duty == REST] = 0, 1440
        remote &= duty == DAY
        working = np.isin(duty, (EARLY, LATE, NIGHT, DAY, TRAINING, COURT)) & act
        pay = np.zeros((n, nd), dtype=np.int64)
        pay[working & fl[:, None] & cal.holiday[None, :] & np.isin(duty, (EARLY, LATE, NIGHT))] = BANKHOL
        oncall = (duty == REST) & act & w.oncall_ok[gi][:, None] & (rng.random((n, nd)) < 0.06)
        pay[oncall] = ONCALL
        kind = np.where(np.isin(duty, (LEAVE, SICK)), self.orig, duty)
        hours = np.select(
            [np.isin(kind, (EARLY, LATE)), kind == NIGHT, np.isin(kind, (DAY, TRAINING)), kind == COURT],
            [10.0, 9.0, 8.0, 7.0],
            np.nan,
        )
        self.duty, self.s, self.e, self.remote, self.working, self.pay, self.hours = (
            duty,
            s,
            e,
            remote,
            working,
            pay,
            hours,
        )
        self.site = np.where(working & ~remote & (duty != COURT), w.site[gi][:, None], -1)
        self.status = np.where(working, WORKED, PLANNED)
        self.aby = np.full((n, nd), -1, dtype=np.int64)
        self.aat = np.full((n, nd), NULL, dtype=np.int64)
        self.touched = leave | sick
        self.rdw = np.zeros((n, nd), dtype=bool)
        night = self.orig == NIGHT
        after_night = np.zeros((n, nd), dtype=bool)
        after_night[:, 1:] = night[:, :-1]
        self.after_night = after_night
        self.free_rest = (duty == REST) & act & (pay != ONCALL) & ~after_night
        """Rest days on which extra duty can be booked (not on call, not straight after a night)."""

    def _background(self) -> None:
        """Innocent edits (leave, sickness, swaps, corrections) and approved overtime."""
        w, rng, n, nd, cal, gi = self.w, self.rng, self.n, self.D, self.w.cal, self.gi
        duty, pay = self.duty, self.pay
        dn = np.array(DUTY, dtype=object)
        key = lambda i, d: i * nd + d  # noqa: E731
        i, d = np.nonzero(self.leave)
        at = cal.ts(d, 600) - rng.integers(7, 91, len(i)) * 86400 + rng.integers(0, 28800, len(i))
        self._chg_add(key(i, d), gi[i], at, F_DUTY, dn[self.orig[i, d]], "annual_leave", R_LEAVE)
        self.aby[i, d] = w.approver[gi[i]]
        self.aat[i, d] = at + rng.integers(3600, 3 * 86400, len(i))
        i, d = np.nonzero(self.sick)
        by = np.where(rng.random(len(i)) < 0.7, w.approver[gi[i]], w.clerk[gi[i]])
        at = cal.ts(d, self.s0[i, d] - rng.integers(30, 150, len(i)))
        self._chg_add(key(i, d), by, at, F_DUTY, dn[self.orig[i, d]], "sick", R_SICK)
        # swaps between early and late, agreed before the shift
        fl = (w.pattern[gi] == FRONTLINE)[:, None]
        sw = self.working & fl & np.isin(duty, (EARLY, LATE)) & (rng.random((n, nd)) < 0.02)
        i, d = np.nonzero(sw)
        old = duty[i, d]
        new = np.where(old == EARLY, LATE, EARLY)
        at = cal.ts(d, self.s[i, d]) - rng.integers(1, 15, len(i)) * 86400
        duty[i, d] = new
        self.s[i, d] = np.where(new == EARLY, 420, 840)
        self.e[i, d] = np.where(new == EARLY, 1020, 1440)
        by = np.where(rng.random(len(i)) < 0.6, gi[i], w.clerk[gi[i]])
        self._chg_add(key(i, d), by, at, F_DUTY, dn[old], dn[new], R_SWAP)
        self.touched |= sw
        # bank holidays first entered as basic, put right by the clerk after the shift
        bh = (pay == BANKHOL) & (rng.random((n, nd)) < 0.15)
        i, d = np.nonzero(bh)
        at = cal.ts(d, self.e[i, d]) + rng.integers(1, 6, len(i)) * 86400
        by = np.where(w.clerk[gi[i]] == gi[i], w.approver[gi[i]], w.clerk[gi[i]])
        self._chg_add(key(i, d), by, at, F_PAY, "basic", "bank_holiday", R_BANKHOL)
        self.touched |= bh
        # late finishes added by the line manager; early finishes taken off by the officer
        r = rng.random((n, nd))
        up = self.working & ~self.touched & (self.duty != COURT) & (r < 0.006)
        down = self.working & ~self.touched & (r >= 0.006) & (r < 0.009)
        for mask, by_mgr in ((up, True), (down, False)):
            i, d = np.nonzero(mask)
            old = self.hours[i, d]
            delta = rng.choice(np.array([1.0, 1.5, 2.0]), len(i)) if by_mgr else -np.ones(len(i))
            self.hours[i, d] = old + delta
            by = w.approver[gi[i]] if by_mgr else gi[i]
            reason = np.where(rng.random(len(i)) < 0.5, R_PRISONER, R_INCIDENT) if by_mgr else R_LEFT_EARLY
            at = cal.ts(d, self.e[i, d]) + rng.integers(3600, 48 * 3600, len(i))
            self._chg_add(key(i, d), by, at, F_HOURS, _num(old), _num(old + delta), reason)
            self.touched |= mask
        # overtime: staying on after the shift, approved afterwards by the line manager
        self.ext_end = self.e.copy()
        pat = w.pattern[gi]
        p_ext = np.array([0.05, 0.015, 0.01])[pat][:, None]
        ext = (
            self.working
            & np.isin(duty, (EARLY, LATE, NIGHT, DAY))
            & ~self.remote
            & (rng.random((n, nd)) < p_ext)
        )
        i, d = np.nonzero(ext)
        length = rng.choice(np.array([60, 90, 120, 180, 240]), len(i))
        s = self.e[i, d]
        cat = cal.ts(d, s) + 60 * rng.integers(0, 45, len(i))  # entered when the overtime is agreed
        self._ot_add(
            i,
            d,
            s,
            s + length,
            duty[i, d],
            OVERTIME,
            self.site[i, d],
            WORKED,
            gi[i],
            cat,
            w.approver[gi[i]],
            cat + rng.integers(7200, 72 * 3600, len(i)),
        )
        self.ext_end[i, d] = s + length
        self.ext = ext
        # rest-day working, booked and approved in advance
        p_rdw = np.array([0.04, 0.01, 0.01])[pat][:, None]
        rdw = self.free_rest & (rng.random((n, nd)) < p_rdw)
        ri, rd = np.nonzero(rdw)
        self._rdw(ri, rd, cby_self=rng.random(len(ri)) < 0.5)

    def _rdw(
        self,
        i: np.ndarray,
        d: np.ndarray,
        cby_self: Any,
        aby: Any = None,
        quick: bool = False,
        appr_by: Any = None,
        status: int = WORKED,
    ) -> np.ndarray:
        """Rest-day working rows on (rest) days ``d``; marks them worked for the evidence."""
        w, rng, cal, gi = self.w, self.rng, self.w.cal, self.gi
        k = len(i)
        front = w.pattern[gi[i]] == FRONTLINE
        s = np.where(front, 420, 480)
        e = np.where(front, 1020, 990)
        cat = cal.ts(d, 0) - rng.integers(3, 22, k) * 86400 + rng.integers(28800, 61200, k)
        cby = np.where(cby_self, gi[i], w.clerk[gi[i]])
        aby = w.approver[gi[i]] if aby is None else aby
        aat = cat + (rng.integers(600, 3 * 3600, k) if quick else rng.integers(3600, 48 * 3600, k))
        pay = np.where(cal.holiday[d], BANKHOL, RDW)
        keys = self._ot_add(
            i, d, s, e, np.where(front, EARLY, DAY), pay, w.site[gi[i]], status, cby, cat, aby, aat, appr_by
        )
        if status != WORKED:
            return keys
        self.rdw[i, d] = True
        self.rdw_s = getattr(self, "rdw_s", {})
        for ii, dd, ss, ee in zip(i, d, s, e, strict=True):
            self.rdw_s[(int(ii), int(dd))] = (int(ss), int(ee))
        return keys

    # ---- evidence: presence, remote log-ons, lookups

    def _evidence(self) -> None:
        w, rng, n, nd, gi = self.w, self.rng, self.n, self.D, self.gi
        self.work = self.working.copy()
        self.W_s = self.s.copy()
        self.W_e = np.maximum(self.e, self.ext_end)
        self.W_site = self.site.copy()
        self.badge_day = self.work & (self.W_site >= 0) & (rng.random((n, nd)) >= 0.02)
        self.b_site = self.W_site.copy()
        jitter = np.where(self.duty == DAY, rng.normal(0, 12, (n, nd)), -rng.integers(3, 21, (n, nd)))
        self.b_in = (self.W_s + jitter).astype(np.int64)
        self.b_out = self.W_e + rng.integers(0, 26, (n, nd))
        for (i, d), (s, e) in sorted(getattr(self, "rdw_s", {}).items()):
            self._set_work(i, d, s, e, int(w.site[gi[i]]))
        self.lunch = self.badge_day & (self.duty == DAY) & (rng.random((n, nd)) < 0.25)
        self.only_in = self.badge_day & (rng.random((n, nd)) < 0.01)
        self.remote_sess = self.work & self.remote & (rng.random((n, nd)) >= 0.01)
        self.quiet = np.zeros((n, nd), dtype=bool)
        self.no_evening = self.ext.copy()
        self.vol = np.ones((n, nd))
        self.skew = np.full((n, nd), 2.2)
        self.norow = np.zeros((n, nd), dtype=bool)
        """Cells whose duty row is not written (set by plants; the force style is applied at emit)."""

    # ---- planted cases and look-alikes

    def _plant_side(self) -> None:
        """The look-alikes of :data:`SIDE_LOOKALIKES`, on a random stream of their own, their
        lookups kept apart (``side_acc``) until emitted: the block's other rows are as before."""
        w = self.w
        saved = self.rng, self.acc
        self.rng, self.acc = np.random.default_rng([w.seed, 404, self.bno]), self.side_acc
        try:
            for det, fn in (
                ("access.no_purpose", self._p_no_purpose),
                ("access.personal_link", self._p_personal),
                ("access.sensitive_victims", self._p_sensitive),
            ):
                for i, _gi, p in self._mine(w.side_looks[det]):
                    fn(i, p, True)
        finally:
            self.rng, self.acc = saved

    def _plant_duty(self) -> None:
        """The look-alikes of :data:`DUTY_SIDE_LOOKALIKES`, last, on a random stream of their own."""
        w = self.w
        saved = self.rng
        self.rng = np.random.default_rng([w.seed, 407, self.bno])
        try:
            for det, fn in (
                ("roster.self_approval", self._p_self_approval),
                ("roster.retro_claim", self._p_retro),
                ("attendance.below_threshold", self._p_below),
            ):
                for i, _gi, p in self._mine(w.side_looks[det]):
                    if (det, p["form"]) in DUTY_SIDE_LOOKALIKES:
                        fn(i, p, True)
        finally:
            self.rng = saved

    def _plant_late(self) -> None:
        """The lookups of :data:`LATE_FORMS` (the safeguarding unit's triage), on a random
        stream of their own, kept with the side look-alikes' (``side_acc``) after theirs: the
        block's other rows, theirs included, are as before."""
        w = self.w
        saved = self.rng, self.acc
        self.rng, self.acc = np.random.default_rng([w.seed, 808, self.bno]), self.side_acc
        try:
            for i, _gi, plan in self._mine(getattr(w, "triage_plan", {})):
                for rec, d in zip(plan["records"], plan["days"], strict=True):
                    days = self._in(i, d, min(self.D - 1, d + 3), self.work & ~self.quiet)
                    if len(days):
                        self._lookups(i, days[:1], rec, (P_INV, P_INT), -1, (VIEW,))
        finally:
            self.rng, self.acc = saved

    def _plant(self) -> None:
        w = self.w
        for i, d0, d1 in self.long_sick:
            self._row(
                "attendance.below_threshold",
                i,
                d0,
                d1,
                f"off sick for {d1 - d0 + 1} days: no rostered office days, no swipes (not below policy)",
                look=True,
                form="long_sickness",
            )
        for det, fn in (
            ("roster.self_approval", self._p_self_approval),
            ("roster.retro_claim", self._p_retro),
            ("roster.overtime_overlap", self._p_overlap),
            ("attendance.below_threshold", self._p_below),
            ("attendance.badge_only", self._p_badge_only),
            ("access.no_purpose", self._p_no_purpose),
            ("access.personal_link", self._p_personal),
            ("access.sensitive_victims", self._p_sensitive),
            ("access.off_duty", self._p_off_duty),
            ("access.volume_outlier", self._p_volume),
        ):
            for i, _gi, p in self._mine(w.plants[det]):
                fn(i, p, False)
            for i, _gi, p in self._mine(w.looks[det]):
                fn(i, p, True)
        for i, _gi, p in self._mine(w.crew_plan):
            self._p_crew(i, p)
        for i, _gi, p in self._mine(w.crew_look_plan):
            self._p_crew_look(i, p)
        ppu: dict[int, list[int]] = getattr(w, "ppu_plan", {})
        for i, _gi, recs in self._mine(ppu):  # type: ignore[arg-type]
            wd = self._work_days(i, 0, self.D - 1)
            if len(wd) and recs:
                days = self._pick(wd, len(recs))
                self._lookups(i, days, np.array(list(recs)[: len(days)]), (P_INV, P_INT), -1, (VIEW,))

    def _p_self_approval(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng = "roster.self_approval", self.rng
        form = p["form"]
        rest = self.free_rest & ~self.rdw
        days = self._pick(self._in(i, p["ws"], p["we"], rest), int(rng.integers(2, 6)) + look)
        if len(days) < 2:
            return
        ii = np.full(len(days), i)
        gi = int(self.gi[i])
        w = self.w
        if form == "cancelled_self_approved":
            keys = self._rdw(ii, days, cby_self=True, aby=gi, quick=True, status=CANCELLED)
            at = self.w.cal.ts(days, 0) - rng.integers(1, 5, len(days)) * 86400
            self._chg_add(keys, w.clerk[gi], at, F_STATUS, "planned", "cancelled", R_OT_CANCELLED)
            self._row(
                det,
                i,
                int(days[0]),
                int(days[-1]),
                f"approved their own rest-day working {len(days)} times, every one cancelled before the day",
                look,
                form,
            )
            return
        if look:
            self._rdw(ii, days, cby_self=form != "manager_approved")
            note = {
                "manager_approved": f"rest-day working {len(days)} times, booked by the roster clerk and approved by the line manager",
                "created_own_shift": f"requested rest-day working {len(days)} times; each approved by the line manager",
                "namesake_approver": f"rest-day working {len(days)} times approved by a line manager who shares the officer's name (another date of birth)",
                "shared_team_mailbox": f"requested rest-day working {len(days)} times; each approved by the line manager, whose email on HR is the team mailbox the officer's record has too",
            }[form]
        elif form == "second_account":
            alt = int(p["alt"])
            self._rdw(ii, days, cby_self=True, aby=alt, quick=bool(rng.random() < 0.5))
            note = (
                f"rest-day working {len(days)} times approved by officer {w.ids[alt]}, a second officer row of the "
                "same person (same name and date of birth)"
            )
        elif form == "approved_by_edit":
            self._rdw(ii, days, cby_self=True, quick=True, appr_by=gi)
            note = f"entered the line manager's approval on their own rest-day working {len(days)} times (the audit trail shows the officer set approved_by)"
        else:
            self._rdw(ii, days, cby_self=True, aby=gi, quick=True)
            note = f"approved their own rest-day working {len(days)} times (approved_by is the officer)"
        for d in days:
            s, e = self.rdw_s[(i, int(d))]
            self._set_work(i, int(d), s, e, int(w.site[gi]))
        self._row(det, i, int(days[0]), int(days[-1]), note, look, form)

    def _p_retro(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng, cal, w = "roster.retro_claim", self.rng, self.w.cal, self.w
        gi = int(self.gi[i])
        form = p["form"]
        cand = self.working & (self.pay == BASIC) & np.isin(self.duty, (EARLY, LATE, NIGHT, DAY))
        cand &= ~self.touched & ~cal.holiday[None, :] & ~self.ext
        if form == "real_bank_holiday":
            hol = (
                self.working & cal.holiday[None, :] & np.isin(self.duty, (EARLY, LATE, NIGHT)) & ~self.touched
            )
            days = self._pick(self._in(i, 0, self.D - 1, hol), 2)
            if not len(days):
                return
            self.pay[i, days] = BANKHOL
            at = cal.ts(days, self.e[i, days]) + rng.integers(3600, 4 * 86400, len(days))
            self._chg_add(i * self.D + days, gi, at, F_PAY, "basic", "bank_holiday", R_BANKHOL)
            self.touched[i, days] = True
            self._row(
                det,
                i,
                int(days[0]),
                int(days[-1]),
                f"set the bank-holiday pay code on {len(days)} of their own shifts after they ended; each was a bank holiday",
                look,
                form,
            )
            return
        if form in ("call_out_keyed_next_day", "one_late_claim"):
            self._retro_ordinary(i, p, form)
            return
        single = form == "pay_code_raised" and not look and rng.random() < 0.25
        n_days = (
            1 if single else int(rng.integers(2, 7) if form != "created_after_worked" else rng.integers(2, 5))
        )
        days = self._pick(self._in(i, p["ws"], p["we"], cand), n_days)
        if not len(days):
            return
        keys = i * self.D + days
        at = cal.ts(days, self.e[i, days]) + rng.integers(3600, 6 * 86400, len(days))
        if form == "supervisor_correction":
            old = self.hours[i, days]
            new = old + rng.choice(np.array([1.0, 1.5, 2.0]), len(days))
            self.hours[i, days] = new
            self._chg_add(keys, w.approver[gi], at, F_HOURS, _num(old), _num(new), R_PRISONER)
            note = (
                f"line manager added hours to {len(days)} finished shifts, each with a reason (late finish)"
            )
        elif form == "edit_before_end":
            old = self.hours[i, days]
            new = old + rng.choice(np.array([1.0, 2.0]), len(days))
            self.hours[i, days] = new
            before = cal.ts(days, self.s[i, days]) + rng.integers(1800, 5 * 3600, len(days))
            self._chg_add(keys, gi, before, F_HOURS, _num(old), _num(new), R_OT_APPROVED)
            note = f"raised the hours of {len(days)} of their own shifts while the shifts were still running"
        elif form == "pay_lowered":
            old = self.hours[i, days]
            new = old - rng.choice(np.array([1.0, 2.0]), len(days))
            self.hours[i, days] = new
            self._chg_add(keys, gi, at, F_HOURS, _num(old), _num(new), -1)
            note = f"lowered the hours of {len(days)} of their own finished shifts"
        elif form == "created_after_worked":
            length = 60 * rng.integers(2, 5, len(days))
            s = self.e[i, days]
            # keyed in days after the hours they claim, again and again (a habit, not a backlog),
            # and before the export is taken
            cat = cal.ts(days, s + length) + rng.integers(4 * 86400, 21 * 86400, len(days))
            cat = np.minimum(cat, cal.ts(self.D - 1, 1439))
            approved = rng.random(len(days)) < 0.5
            aby = np.where(approved, w.approver[gi], -1)
            aat = np.where(approved, cat + rng.integers(3600, 3 * 86400, len(days)), NULL)
            self._ot_add(
                i,
                days,
                s,
                s + length,
                self.duty[i, days],
                OVERTIME,
                self.site[i, days],
                WORKED,
                gi,
                cat,
                aby,
                aat,
            )
            self.ext[i, days] = True
            note = f"created {len(days)} overtime rows for themselves after the hours they claim had ended"
        elif single:
            self.pay[i, days] = BANKHOL
            self._chg_add(keys, gi, at, F_PAY, "basic", "bank_holiday", -1)
            note = (
                "changed the pay code of their own finished shift to bank holiday on a day that was not one"
            )
        elif form == "pay_code_raised":
            self.pay[i, days] = OVERTIME
            reason = np.where(rng.random(len(days)) < 0.3, R_AMENDED, -1)
            self._chg_add(keys, gi, at, F_PAY, "basic", "overtime", reason)
            note = f"changed the pay code of {len(days)} of their own shifts to overtime after they ended"
        else:  # hours_added
            old = self.hours[i, days]
            new = old + rng.choice(np.array([2.0, 2.5, 3.0, 4.0]), len(days))
            self.hours[i, days] = new
            reason = np.where(rng.random(len(days)) < 0.3, R_AMENDED, -1)
            self._chg_add(keys, gi, at, F_HOURS, _num(old), _num(new), reason)
            note = f"added hours to {len(days)} of their own shifts after they ended"
        self.touched[i, days] = True
        self._row(det, i, int(days[0]), int(days[-1]), note, look, form)

    def _retro_ordinary(self, i: int, p: dict[str, Any], form: str) -> None:
        """Look-alikes of ``created_after_worked``: a call-out on a rest day keyed in by the
        officer the next morning, or one overtime claim keyed in a week late; each approved
        by the line manager."""
        det, rng, cal, w = "roster.retro_claim", self.rng, self.w.cal, self.w
        gi = int(self.gi[i])
        if form == "call_out_keyed_next_day":
            cand = self.free_rest & ~self.rdw & ~self.touched
            days = self._pick(self._in(i, p["ws"], p["we"], cand), 1)
            if not len(days):
                return
            s = rng.integers(1080, 1170, 1)  # called out between 18:00 and 19:30 for 2 to 3 hours
            e = s + 60 * rng.integers(2, 4, 1)
            cat = cal.ts(days, e) + rng.integers(9 * 3600, 14 * 3600, 1)  # the next morning
            duty, site = np.full(1, DAY), np.full(1, int(w.site[gi]))
            self.rdw[i, days] = True
            note = "called out on a rest day; keyed the overtime in themself the next morning, approved by the line manager"
        else:
            cand = self.working & (self.pay == BASIC) & np.isin(self.duty, (EARLY, LATE, DAY))
            cand &= ~self.touched & ~self.ext
            days = self._pick(self._in(i, p["ws"], p["we"], cand), 1)
            if not len(days):
                return
            s = self.e[i, days]
            e = s + 60 * rng.integers(1, 3, 1)
            cat = cal.ts(days, e) + rng.integers(4 * 86400, 10 * 86400, 1)  # a backlog: days later
            duty, site = self.duty[i, days], self.site[i, days]
            self.ext[i, days] = True
            note = "stayed on after a shift; keyed the overtime in themself days later (once), approved by the line manager"
        aat = cat + rng.integers(3600, 2 * 86400, 1)
        self._ot_add(i, days, s, e, duty, OVERTIME, site, WORKED, gi, cat, w.approver[gi], aat)
        self.touched[i, days] = True
        self._row(det, i, int(days[0]), int(days[-1]), note, True, form)

    def _p_overlap(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng, cal, w = "roster.overtime_overlap", self.rng, self.w.cal, self.w
        gi = int(self.gi[i])
        ws, we = p["ws"], p["we"]
        appr = w.approver[gi]
        form = p["form"]
        if form == "recall_from_leave":
            days = self._absent_days(i, ws, we, 2, leave_only=True)
            if not len(days):
                return
            d = int(days[0])
            self.status[i, d] = CANCELLED
            self._chg_add(
                i * self.D + d,
                appr,
                cal.ts(d, 600) - 86400 * int(rng.integers(1, 4)),
                F_STATUS,
                "planned",
                "cancelled",
                R_RECALL,
            )
            self.rdw[i, d] = False
            self._rdw(np.array([i]), np.array([d]), cby_self=False)
            s, e = self.rdw_s[(i, d)]
            self._set_work(i, d, s, e, int(w.site[gi]))
            note = "recalled from annual leave (leave cancelled) and worked that day, with swipes and lookups"
            if len(days) > 1:
                d2 = int(days[1])
                k2 = self._ot_add(
                    i,
                    d2,
                    480,
                    960,
                    DAY,
                    OVERTIME,
                    int(w.site[gi]),
                    CANCELLED,
                    gi,
                    cal.ts(d2, 0) - 20 * 86400,
                    appr,
                    cal.ts(d2, 0) - 19 * 86400,
                )
                self._chg_add(
                    k2,
                    w.clerk[gi],
                    cal.ts(d2, 0) - 10 * 86400,
                    F_STATUS,
                    "planned",
                    "cancelled",
                    R_OT_CANCELLED,
                )
                note += "; an overtime duty on another leave day was cancelled beforehand"
            self._row(det, i, d, int(days[-1]), note, look, form)
            return
        if form in ("overtime_with_swipes", "single_unrecorded_duty"):
            k = 1 if form == "single_unrecorded_duty" else int(rng.integers(2, 4))
            days = self._pick(self._in(i, ws, we, self.free_rest & ~self.rdw), k)
            if not len(days):
                return
            if form == "overtime_with_swipes":
                self._rdw(np.full(len(days), i), days, cby_self=True)
                for d in days:
                    s, e = self.rdw_s[(i, int(d))]
                    self._set_work(i, int(d), s, e, int(w.site[gi]))
                note = f"rest-day working on {len(days)} days, with swipes and lookups each day"
            else:
                cat = cal.ts(days, 0) - rng.integers(2, 10, len(days)) * 86400
                front = w.pattern[gi] == FRONTLINE
                self._ot_add(
                    i,
                    days,
                    420 if front else 480,
                    1020 if front else 990,
                    EARLY if front else DAY,
                    RDW,
                    int(w.site[gi]),
                    WORKED,
                    w.clerk[gi],
                    cat,
                    appr,
                    cat + 7200,
                )
                note = "one rest-day working duty with no swipe or lookup that day"
            self._row(det, i, int(days[0]), int(days[-1]), note, look, form)
            return
        if form == "extends_shift":
            cand = (
                self.work
                & np.isin(self.duty, (EARLY, LATE, DAY))
                & ~self.ext
                & ~self.remote
                & (self.W_site >= 0)
            )
            days = self._pick(self._in(i, ws, we, cand), int(rng.integers(2, 4)))
            if not len(days):
                return
            length = rng.choice(np.array([60, 90, 120, 180]), len(days))
            s = self.e[i, days]
            cat = cal.ts(days, s) + 60 * rng.integers(0, 45, len(days))
            self._ot_add(
                i,
                days,
                s,
                s + length,
                self.duty[i, days],
                OVERTIME,
                self.site[i, days],
                WORKED,
                gi,
                cat,
                appr,
                cat + 7200,
            )
            self.ext[i, days] = True
            self.W_e[i, days] = s + length
            self.b_out[i, days] = s + length + rng.integers(0, 20, len(days))
            note = f"overtime straight after their own shift on {len(days)} days, badged out at the end of it"
            self._row(det, i, int(days[0]), int(days[-1]), note, look, form)
            return
        k = int(rng.integers(2, 4))
        if form == "leave_in_audit_trail":
            ldays = self._absent_days(i, ws, we, int(rng.integers(1, 3)), leave_only=True)
            if len(ldays):
                dn = np.array(DUTY, dtype=object)
                for d in ldays:
                    d = int(d)
                    orig = int(self.orig[i, d])
                    self.duty[i, d], self.leave[i, d], self.status[i, d] = orig, False, WORKED
                    self.site[i, d] = -1 if self.remote[i, d] else int(w.site[gi])
                    at = cal.ts(d, self.e[i, d]) + int(rng.integers(1, 10)) * 86400
                    reason = R_AMENDED if rng.random() < 0.2 else -1
                    self._chg_add(i * self.D + d, gi, at, F_DUTY, "annual_leave", dn[orig], reason)
                    ot_len = 60 * int(rng.integers(2, 5))
                    s = int(self.e[i, d])
                    cat = cal.ts(d, s) + 60 * int(rng.integers(0, 40))
                    self._ot_add(
                        i,
                        d,
                        s,
                        s + ot_len,
                        orig,
                        OVERTIME,
                        int(w.site[gi]),
                        WORKED,
                        gi,
                        cat,
                        appr,
                        cat + 7200,
                    )
                    self.touched[i, d] = True
                self._row(
                    det,
                    i,
                    int(ldays[0]),
                    int(ldays[-1]),
                    f"overtime claimed on {len(ldays)} days of booked annual leave; the officer later changed each day from annual leave back to a duty, with no reason",
                    look,
                    form,
                )
                return
            form = "during_leave"
        if form == "during_leave":
            days = self._absent_days(i, ws, we, k)
            if not len(days):
                form = "no_attendance"
        if form == "overlapping_duty":
            days = self._pick(
                self._in(i, ws, we, self.working & np.isin(self.duty, (EARLY, LATE, DAY)) & ~self.ext), k
            )
            if not len(days):
                form = "no_attendance"
        if form == "no_attendance":
            days = self._pick(self._in(i, ws, we, self.free_rest & ~self.rdw), k)
        if not len(days):
            return
        cat = cal.ts(days, 0) - rng.integers(2, 10, len(days)) * 86400
        aat = cat + rng.integers(3600, 30 * 3600, len(days))
        if form == "during_leave":
            s = self.s[i, days] + 60 * rng.integers(0, 3, len(days))
            self._ot_add(
                i,
                days,
                s,
                s + 60 * rng.integers(4, 8, len(days)),
                DAY,
                OVERTIME,
                int(w.site[gi]),
                WORKED,
                gi,
                cat,
                appr,
                aat,
            )
            note = f"paid overtime on {len(days)} days of their own annual leave or sickness"
        elif form == "overlapping_duty":
            s = self.s[i, days] + 60 * rng.integers(1, 4, len(days))
            other = (int(w.site[gi]) + 1) % len(w.tables["sites"])
            self._ot_add(
                i,
                days,
                s,
                s + 60 * rng.integers(3, 6, len(days)),
                DAY,
                OVERTIME,
                other,
                WORKED,
                gi,
                cat,
                appr,
                aat,
            )
            note = f"paid overtime overlapping their own rostered shift on {len(days)} days"
        else:
            front = w.pattern[gi] == FRONTLINE
            self._ot_add(
                i,
                days,
                420 if front else 480,
                1020 if front else 990,
                EARLY if front else DAY,
                RDW,
                int(w.site[gi]),
                WORKED,
                np.where(rng.random(len(days)) < 0.5, gi, w.clerk[gi]),
                cat,
                appr,
                aat,
            )
            note = f"paid rest-day working on {len(days)} days with no swipe or lookup at all that day"
        self._row(det, i, int(days[0]), int(days[-1]), note, look, form)

    def _drop_swipes(self, i: int, days: np.ndarray, share: float, remote: float) -> tuple[int, int]:
        """Badge in on about ``share`` of ``days``; a home log-on on ``remote`` of the others."""
        rng = self.rng
        present = days[self.badge_day[i, days]]
        target = round(len(days) * share)
        drop = self._pick(present, max(0, len(present) - target))
        self.badge_day[i, drop] = False
        self.lunch[i, drop] = False
        home = drop[rng.random(len(drop)) < remote]
        self.remote_sess[i, home] = True
        self.W_site[i, drop] = -1
        self.quiet[i, np.setdiff1d(drop, home)] = True
        return int(self.badge_day[i, days].sum()), len(home)

    def _p_below(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng = "attendance.below_threshold", self.rng
        form = p["form"]
        if form in ("long_sickness", "agreed_remote_days", "site_without_readers"):
            if form == "long_sickness":
                return  # the long sickness is made with the roster
            note = {
                "agreed_remote_days": "hybrid worker: agreed remote days are duties with no site; badged in on the office days",
                "site_without_readers": "works at a site with no badge readers: nobody there ever swipes",
            }[form]
            self._row(det, i, p["ws"], p["we"], note, look, form)
            return
        if form == "frontline_pattern":
            days = self._in(i, p["ws"], p["we"], self.work & (self.W_site >= 0))
            if len(days) < 10:
                return
            x, _ = self._drop_swipes(i, days, float(rng.uniform(0.35, 0.6)), 0.0)
            self.quiet[i, days] = False
            self._row(
                det,
                i,
                int(days[0]),
                int(days[-1]),
                f"frontline officer on patrol: badged in on {x} of {len(days)} shifts",
                look,
                form,
            )
            return
        office = self.work & (self.duty == DAY) & (self.W_site >= 0)
        days = self._in(i, p["ws"], p["we"], office)
        if len(days) < 10:
            return
        if form in ("at_threshold", "small_shortfall", "unrecorded_leave"):
            # just over the policy; a day or two under it; away on untraced days (leave recorded nowhere)
            lo, hi = {"at_threshold": (0.84, 0.88)}.get(form, (0.65, 0.8))
            share = float(rng.uniform(lo, hi))
            if form == "small_shortfall":  # one or two days more than the 20% the policy allows
                n = len(days)
                share = (n - n // 5 - int(rng.integers(1, 3))) / n
            remote = 0.0 if form == "unrecorded_leave" else 0.5
            x, _ = self._drop_swipes(i, days, share, remote)
            note = {
                "at_threshold": f"badged in on {x} of {len(days)} rostered office days, just above the policy",
                "small_shortfall": f"badged in on {x} of {len(days)} rostered office days, a day or two under the policy",
                "unrecorded_leave": f"no duty rows; badged in on {x} of {len(days)} weekdays, the others leave no trace at all (leave recorded nowhere)",
            }[form]
            self._row(det, i, int(days[0]), int(days[-1]), note, look, form)
            return
        # staff with no duty rows work from home on most days they are not in (a day with no trace
        # of them at all could be leave their duty system does not record)
        remote = {"absent_no_activity": 0.0, "working_remotely_instead": float(rng.uniform(0.75, 1.0))}.get(
            form, float(rng.uniform(0.75, 1.0))
        )
        x, home = self._drop_swipes(i, days, float(rng.uniform(0.3, 0.65)), remote)
        what = (
            "expected office days (Mon-Fri, no shift rows at all)"
            if form == "unrostered_office_worker"
            else "rostered office days"
        )
        self._row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"badged in on {x} of {len(days)} {what} ({100 * x // len(days)}%); "
            f"logged on from home on {home} of the others without an agreed remote day",
            form=form,
        )

    def _vpn(
        self, i: int, days: np.ndarray, st: np.ndarray, en: np.ndarray, ip: Any = None, client: int = 0
    ) -> None:
        w, gi = self.w, int(self.gi[i])
        self.rs.append(
            {
                "i": np.full(len(days), i),
                "start": w.cal.ts(days, st),
                "end": w.cal.ts(days, en),
                "client": np.full(len(days), client),
                "ip": np.full(len(days), w.home_ip[gi], dtype=object) if ip is None else ip,
            }
        )

    def _p_badge_only(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng, w, cal = "attendance.badge_only", self.rng, self.w, self.w.cal
        gi = int(self.gi[i])
        form = p["form"]
        office = self.badge_day & ~self.only_in & self.work & (self.W_site >= 0) & ~self.rdw
        if look or form == "tap_and_go_home":
            office &= self.duty != NIGHT
        if form == "tap_and_go_home":
            office &= self.duty == DAY
        n_days = int(rng.integers(3, 7))
        days = self._pick(self._in(i, p["ws"], p["we"], office), n_days)
        if form == "agreed_remote_day":
            rd = self._pick(
                self._in(i, p["ws"], p["we"], self.work & self.remote & (self.W_site < 0)), n_days
            )
            if not len(rd):
                return
            t_in = self.W_s[i, rd] + rng.integers(-20, 20, len(rd))
            t_out = t_in + rng.integers(2, 10, len(rd))
            site = np.full(len(rd), int(w.site[gi]))
            for t, dirn in ((t_in, 0), (t_out, 1)):
                self.badge.append(
                    {
                        "i": np.full(len(rd), i),
                        "site": site,
                        "ts": cal.ts(rd, t),
                        "dir": np.full(len(rd), dirn),
                    }
                )
            self.W_s[i, rd] = t_out + rng.integers(25, 60, len(rd))
            self._row(
                det,
                i,
                int(rd[0]),
                int(rd[-1]),
                f"on {len(rd)} agreed remote days (duties with no site): called in at the office for minutes, then worked from home",
                look,
                form,
            )
            return
        if form == "cancelled_leave_swipe":
            ld = self._absent_days(i, p["ws"], p["we"], int(rng.integers(1, 3)), leave_only=True)
            if not len(ld):
                return
            for d in ld:
                d = int(d)
                self.status[i, d] = CANCELLED
                self._chg_add(
                    i * self.D + d,
                    gi,
                    cal.ts(d, 0) - 86400 * int(rng.integers(1, 6)),
                    F_STATUS,
                    "planned",
                    "cancelled",
                    R_AMENDED,
                )
                s0 = int(self.s0[i, d])
                self._ot_add(
                    i,
                    d,
                    s0,
                    s0 + 510,
                    DAY,
                    BASIC,
                    int(w.site[gi]),
                    WORKED,
                    w.clerk[gi],
                    cal.ts(d, 0) - 86400,
                    w.approver[gi],
                    cal.ts(d, 0) - 80000,
                )
                self._set_work(i, d, s0, s0 + 510, int(w.site[gi]))
            self._row(
                det,
                i,
                int(ld[0]),
                int(ld[-1]),
                f"cancelled {len(ld)} days of leave before the day and came in to work (swipes and lookups)",
                look,
                form,
            )
            return
        if form == "swipe_during_absence":
            ldays = self._absent_days(i, p["ws"], p["we"], int(rng.integers(2, 4)))
            if len(ldays):
                t_in = self.s[i, ldays] + rng.integers(0, 60, len(ldays))
                t_out = t_in + rng.integers(120, 480, len(ldays))
                site = np.full(len(ldays), int(w.site[gi]))
                for t, dirn in ((t_in, 0), (t_out, 1)):
                    self.badge.append(
                        {
                            "i": np.full(len(ldays), i),
                            "site": site,
                            "ts": cal.ts(ldays, t),
                            "dir": np.full(len(ldays), dirn),
                        }
                    )
                self._row(
                    det,
                    i,
                    int(ldays[0]),
                    int(ldays[-1]),
                    f"badge swipes at the site on {len(ldays)} days of their own leave or sickness",
                    form=form,
                )
                return
            form = "token_visit"
        if not len(days):
            return
        if form == "office_vdi_session":
            st = self.b_in[i, days] + rng.integers(20, 60, len(days))
            en = self.b_out[i, days] - rng.integers(20, 60, len(days))
            ip = np.array(
                [
                    f"10.{20 + int(w.site[gi]) % 200}.{rng.integers(0, 256)}.{rng.integers(1, 255)}"
                    for _ in days
                ],
                dtype=object,
            )
            self._vpn(i, days, st, en, ip, client=1)
            note = f"VDI sessions from the office network while badged in, on {len(days)} days"
        elif form == "quick_visit_then_work":
            self.b_out[i, days] = self.b_in[i, days] + rng.integers(4, 11, len(days))
            self.lunch[i, days] = False
            self.W_site[i, days] = -1
            # the day's work: lookups on patrol through the duty (the background may draw none),
            # on a stream of their own and kept apart like the side look-alikes' lookups
            saved = self.rng, self.acc
            self.rng, self.acc = np.random.default_rng([w.seed, 406, self.bno, i]), self.side_acc
            try:
                each = np.repeat(days, 3)
                self._lookups(i, each, self.rng.choice(w.ops_pool, len(each)), (P_INC, P_INT))
            finally:
                self.rng, self.acc = saved
            note = f"in and out of the station within minutes on {len(days)} days, then a full shift of mobile lookups"
        elif form == "session_left_running":
            st = self.b_in[i, days] - rng.integers(30, 90, len(days))
            en = self.b_in[i, days] + rng.integers(3, 25, len(days))
            self._vpn(i, days, st, en)
            note = f"a home VPN session still open for a few minutes after badging in, on {len(days)} days"
        elif form == "token_visit":
            self.b_in[i, days] = self.W_s[i, days] + rng.integers(-10, 30, len(days))
            self.b_out[i, days] = self.b_in[i, days] + rng.integers(2, 10, len(days))
            self.lunch[i, days] = False
            self.quiet[i, days] = True
            self.no_evening[i, days] = True
            self.remote_sess[i, days] = False
            note = f"swiped in and out within minutes with no other activity that day, on {len(days)} rostered days"
        elif form == "tap_and_go_home":
            self.b_in[i, days] = self.W_s[i, days] + rng.integers(-15, 25, len(days))
            self.b_out[i, days] = self.b_in[i, days] + rng.integers(2, 10, len(days))
            st = self.b_out[i, days] + rng.integers(25, 70, len(days))
            en = self.W_e[i, days] + rng.integers(-30, 30, len(days))
            self._vpn(i, days, st, en)
            self.W_s[i, days] = st + 5
            self.W_site[i, days] = -1
            self.lunch[i, days] = False
            self.no_evening[i, days] = True
            self.remote_sess[i, days] = False
            note = (
                f"swiped in and out within minutes on {len(days)} rostered office days, then worked from home "
                "on a VPN session for the rest of the day"
            )
        else:  # remote_while_badged_in
            st = self.b_in[i, days] + rng.integers(30, 61, len(days))
            en = self.b_out[i, days] - rng.integers(30, 91, len(days))
            self._vpn(i, days, st, en)
            self.W_site[i, days] = -1
            self.lunch[i, days] = False
            note = f"logged on from home (VPN) while the badge showed them in the office, on {len(days)} days"
        self._row(det, i, int(days[0]), int(days[-1]), note, look, form)

    def _lookups(
        self,
        i: int,
        days: np.ndarray,
        recs: Any,
        purposes: tuple[int, ...],
        case: Any = -1,
        actions: tuple[int, ...] = (SEARCH, VIEW),
        system: int = -1,
    ) -> None:
        k = len(days)
        if not k:
            return
        rng = self.rng
        purpose = rng.choice(np.array(purposes), k) if purposes else np.full(k, -1)
        ii = np.full(k, i)
        self._acc_add(
            ii,
            days,
            self._when(i, days),
            recs,
            rng.choice(np.array(actions), k),
            purpose,
            self._sites(ii, days),
            case,
            system,
        )

    def _work_days(self, i: int, ws: int, we: int) -> np.ndarray:
        return self._in(i, ws, we, self.work & ~self.quiet)

    def _p_no_purpose(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng = "access.no_purpose", self.rng
        form = p["form"]
        wd = self._work_days(i, p["ws"], p["we"])
        if not len(wd):
            return
        if form == "own_case_no_code":
            c = p["case"]
            recs = np.arange(self.w.case_rec_start[c], self.w.case_rec_start[c] + self.w.case_rec_n[c])
            days = np.sort(rng.choice(wd, int(rng.integers(6, 11))))
            self._lookups(i, days, rng.choice(recs, len(days)), (), -1, (VIEW,))
            note = f"{len(days)} views without a purpose code, all of records of their own assigned case {self.w.c_ids[c]}"
        elif form == "system_without_codes":
            k = int(rng.integers(10, 26))
            days = np.sort(rng.choice(wd, k))
            self._lookups(
                i,
                days,
                rng.choice(np.array(p["records"]), k),
                (),
                -1,
                (SEARCH, VIEW),
                SYSTEMS.index(CODELESS_SYSTEM),
            )
            note = f"{k} lookups on {CODELESS_SYSTEM}, a system whose screen asks for no purpose code (nobody records one)"
        elif form == "few_missing":
            k = int(rng.integers(2, 4))
            days = np.sort(rng.choice(wd, k))
            self._lookups(i, days, rng.choice(np.array(p["records"]), k), (), -1, (SEARCH, VIEW))
            note = f"{k} lookups without a purpose code in the window (a forgotten code now and then)"
        elif form == "background_uncoded":
            k = int(rng.integers(3, 6))
            days = np.sort(rng.choice(wd, k))
            self._lookups(i, days, rng.choice(np.array(p["records"]), k), (), -1, (SEARCH, VIEW))
            note = (
                f"a busy officer (among the force's busiest tenth) with {k} lookups without a purpose code "
                "on top of the share of their many lookups that goes without one anyway"
            )
        elif form == "coded_lookups":
            k = int(rng.integers(15, 26))
            days = np.sort(rng.choice(wd, k))
            self._lookups(
                i, days, rng.choice(np.array(p["records"]), k), (P_INT, P_ADM, P_INC), -1, (SEARCH, VIEW)
            )
            note = f"{k} lookups of records outside their cases, each with a real purpose code"
        else:
            k = int(rng.integers(10, 21))
            days = np.sort(rng.choice(wd, k))
            if form == "placeholder_code":
                own = rng.choice(P_PLACEHOLDER, int(rng.integers(1, 3)), replace=False)
                self._lookups(
                    i,
                    days,
                    rng.choice(np.array(p["records"]), k),
                    tuple(int(x) for x in own),
                    -1,
                    (SEARCH, VIEW, VIEW),
                )
                codes = ", ".join(f"'{PURPOSES[int(x)]}'" for x in own)
                note = f"{k} lookups with the purpose code {codes} (no purpose), of records of cases they are not assigned to or of no case"
            else:
                self._lookups(i, days, rng.choice(np.array(p["records"]), k), (), -1, (SEARCH, VIEW, VIEW))
                note = f"{k} lookups with no purpose code, of records of cases they are not assigned to or of no case"
        self._row(det, i, int(days[0]), int(days[-1]), note, look, form)

    def _p_personal(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng = "access.personal_link", self.rng
        wd = self._work_days(i, p["ws"], p["we"])
        if not len(wd) or not p.get("records"):
            return
        k = int(rng.integers(3, 9)) if not look else int(rng.integers(2, 6))
        days = np.sort(rng.choice(wd, k))
        self._lookups(i, days, rng.choice(np.array(p["records"]), k), (P_INC, P_INT, P_ADM))
        self._row(det, i, int(days[0]), int(days[-1]), f"{k} lookups of {p['note']}", look, p["form"])

    def _p_sensitive(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng = "access.sensitive_victims", self.rng
        form = p["form"]
        if form == "public_protection_unit":
            self._row(
                det,
                i,
                p["ws"],
                p["we"],
                "a safeguarding unit: every member reviews victim records across cases",
                look,
                form,
            )
            return
        wd = self._work_days(i, p["ws"], p["we"])
        if not len(wd) or not p.get("records"):
            return
        recs = np.array(p["records"])
        if form == "own_cases":
            k = int(rng.integers(8, 16))
            days = np.sort(rng.choice(wd, k))
            self._lookups(i, days, rng.choice(recs, k), (P_INV,), p["case"], (VIEW, UPDATE))
            note = (
                f"{k} views of victim and witness records of their own assigned "
                f"{CASE_TYPES[self.w.c_type[p['case']]]} case {self.w.c_ids[p['case']]}"
            )
        elif form in ("breadth", "non_sensitive_records"):
            days = self._pick(wd, len(recs))
            recs = rng.permutation(recs)[: len(days)]
            self._lookups(i, days, recs, (P_INT, P_ADM, P_INC), -1, (VIEW, SEARCH))
            what = "sexual or domestic victim/witness" if form == "breadth" else "non-sensitive"
            note = f"{len(days)} different {what} records outside their cases, each opened once over {int(days[-1] - days[0]) + 1} days"
        elif form == "chance_rereads":
            # one record read three times in one sitting; two read again on a day weeks later; one once
            if len(wd) < 2 or len(recs) < 4:
                return
            first, mid, later = int(wd[0]), int(wd[len(wd) // 2]), int(wd[-1])
            days = np.array([first, first, mid, mid, mid, mid, later, later])
            self._lookups(i, days, recs[[1, 2, 0, 0, 0, 3, 1, 2]], (P_INT, P_ADM), -1, (VIEW,))
            note = (
                f"{len(days)} views of 4 victim/witness records of sexual or domestic cases they are not "
                f"assigned to: one read three times on one day, two read again {later - first} days later, "
                "one once"
            )
        else:  # repeated, few_records
            reps = rng.integers(2, 5, len(recs)) if form == "repeated" else np.full(len(recs), 2)
            recs = np.repeat(recs, reps)
            k = len(recs)
            days = np.sort(rng.choice(wd, k))
            self._lookups(i, days, rng.permutation(recs), (P_INT, P_ADM), -1, (VIEW,))
            note = (
                f"{k} views of {len(p['records'])} victim/witness records of sexual or domestic cases "
                "they are not assigned to"
            )
        self._row(det, i, int(days[0]), int(days[-1]), note, look, form)

    def _p_off_duty(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng, w = "access.off_duty", self.rng, self.w
        form = p["form"]
        rest = (self.duty == REST) & (self.pay != ONCALL) & ~self.rdw & self.active

        def evening(k: int) -> np.ndarray:
            # mostly evenings, some in the day, some late at night
            t = rng.integers(1080, 1420, k)
            day = rng.random(k) < 0.3
            t[day] = rng.integers(600, 960, int(day.sum()))
            return t

        def lookups(dd: np.ndarray, minutes: Any, purposes: tuple[int, ...] = (P_INC, P_INT)) -> None:
            self._acc_add(
                np.full(len(dd), i),
                dd,
                minutes,
                rng.choice(w.ops_pool, len(dd)),
                rng.choice(np.array([SEARCH, VIEW]), len(dd)),
                rng.choice(np.array(purposes), len(dd)),
                -1,
                -1,
            )

        if form in ("on_call", "within_grace"):
            if form == "on_call":
                days = self._pick(self._in(i, p["ws"], p["we"], rest & self.free_rest), 3)
                if not len(days):
                    return
                self.pay[i, days] = ONCALL
                dd = np.repeat(days, rng.integers(2, 4, len(days)))
                lookups(dd, rng.integers(480, 1320, len(dd)), (P_INC, P_ADM))
                note = f"lookups while on call on {len(days)} rest days (rostered on_call)"
            else:
                days = self._pick(self._work_days(i, p["ws"], p["we"]), int(rng.integers(3, 6)))
                if not len(days):
                    return
                lookups(days, self.W_e[i, days] + rng.integers(5, 30, len(days)), (P_ADM,))
                note = f"lookups within 30 minutes after the end of a shift on {len(days)} days"
            self._row(det, i, int(days[0]), int(days[-1]), note, look, form)
            return
        if form == "night_shift_past_midnight":
            nights = self.work & (self.duty == NIGHT)
            nights[:, :-1] &= self.duty[:, 1:] == REST
            days = self._pick(self._in(i, p["ws"], p["we"], nights), int(rng.integers(2, 5)))
            if not len(days):
                return
            dd = np.repeat(days, rng.integers(2, 4, len(days)))
            lookups(dd, rng.integers(1500, 1770, len(dd)))
            self._row(
                det,
                i,
                int(days[0]),
                int(days[-1]) + 1,
                "lookups between 01:00 and 05:30 in night shifts that began at 22:00 the day before a rest day",
                look,
                form,
            )
            return
        if form == "overtime_recorded":
            days = self._pick(
                self._in(i, p["ws"], p["we"], self.free_rest & ~self.rdw), int(rng.integers(2, 4))
            )
            if not len(days):
                return
            self._rdw(np.full(len(days), i), days, cby_self=True)
            for d in days:
                s, e = self.rdw_s[(i, int(d))]
                self._set_work(i, int(d), s, e, int(w.site[self.gi[i]]))
            dd = np.repeat(days, rng.integers(2, 4, len(days)))
            lookups(dd, self.W_s[i, dd] + rng.random(len(dd)) * (self.W_e[i, dd] - self.W_s[i, dd]))
            self._row(
                det,
                i,
                int(days[0]),
                int(days[-1]),
                f"lookups on {len(days)} rest days, each during rest-day working recorded in the roster",
                look,
                form,
            )
            return
        if form == "not_on_duty_system":
            days = self._pick(self._work_days(i, p["ws"], p["we"]), int(rng.integers(2, 5)))
            if not len(days):
                return
            dd = np.repeat(days, rng.integers(2, 4, len(days)))
            lookups(dd, rng.integers(1110, 1290, len(dd)))
            self._row(
                det,
                i,
                int(days[0]),
                int(days[-1]),
                "a member of staff with no shift rows at all: evening lookups, off duty cannot be told",
                look,
                form,
            )
            return
        if form == "no_duty_row":
            ws, we = p["ws"], p["we"]
            self.norow[i, ws : we + 1] |= rest[i, ws : we + 1]
            days = self._pick(self._in(i, ws, we, rest & ~self.after_night), int(rng.integers(2, 6)))
            what = "days with no duty row at all"
        elif form == "leave_or_sick":
            days = self._absent_days(i, p["ws"], p["we"], int(rng.integers(2, 6)))
            what = "days of their own annual leave or sickness"
        else:
            days = self._pick(
                self._in(i, p["ws"], p["we"], rest & ~self.after_night), int(rng.integers(2, 6))
            )
            what = "rest days"
        if not len(days):
            return
        dd = np.repeat(days, rng.integers(2, 5, len(days)))
        lookups(dd, evening(len(dd)))
        self._row(
            det,
            i,
            int(days[0]),
            int(days[-1]),
            f"{len(dd)} lookups on {len(days)} {what}, outside any duty or on-call period",
            look,
            form,
        )

    def _p_volume(self, i: int, p: dict[str, Any], look: bool) -> None:
        det, rng, w = "access.volume_outlier", self.rng, self.w
        form = p["form"]
        gi = int(self.gi[i])
        if form == "busy_unit":
            self._row(
                det,
                i,
                0,
                self.D - 1,
                "in a busy unit: lookups about twice the force rate, in line with unit and role peers",
                look,
                form,
            )
        elif form == "new_starter":
            s0 = int(w.start_day[gi])
            self.vol[i, s0 : s0 + 21] = 0.3
            self._row(
                det,
                i,
                s0,
                self.D - 1,
                "joined during the period: a few quiet weeks, then the usual rate",
                look,
                form,
            )
        elif form == "return_from_leave":
            if "back" not in p:
                return
            self._row(
                det, i, p["ws"], p["we"], "back from weeks of annual leave at the usual rate", look, form
            )
        elif form == "small_unit":
            self._row(
                det,
                i,
                0,
                self.D - 1,
                "in a unit of two or three specialists (too few peers), steady at their own rate",
                look,
                form,
            )
        elif form == "sustained":
            peer = ROLE_LOOKUPS[w.role[gi]] * w.unit_busy[w.unit[gi]]
            f = float(rng.uniform(4, 6))
            self.vol[i, :] = f * peer / w.lam[gi]
            self.skew[i, :] = 1.4
            self._row(
                det,
                i,
                0,
                self.D - 1,
                f"about {f:.0f} times the lookups of their unit and rank peers for the whole period, with no spike",
                form=form,
            )
        else:
            f = float(rng.uniform(5, 8))
            self.vol[i, p["ws"] : p["we"] + 1] = f
            self.skew[i, p["ws"] : p["we"] + 1] = 1.0
            self._row(
                det,
                i,
                p["ws"],
                p["we"],
                f"about {f:.0f} times their usual lookups, over many more distinct records, beyond unit and role peers",
                form=form,
            )

    def _p_crew(self, i: int, p: dict[str, Any]) -> None:
        rng = self.rng
        for rec, d in zip(p["records"], p["days"], strict=True):
            days = self._in(i, d, min(self.D - 1, d + 6), self.work & ~self.quiet)
            if len(days):
                dd = np.full(int(rng.integers(1, 3)), days[0])
                self._lookups(i, dd, rec, (P_INT,), -1, (VIEW,))

    def _p_crew_look(self, i: int, p: dict[str, Any]) -> None:
        wd = self._work_days(i, p["ws"], p["we"])
        if len(wd):
            days = np.sort(self.rng.choice(wd, 4))
            self._lookups(i, days, np.array(p["records"][:2] * 2), (P_INV,), p["case"], (VIEW,))

    # ---- emit the tables

    def _background_access(self) -> None:
        w, rng, nd, gi = self.w, self.rng, self.D, self.gi
        cells = np.flatnonzero((self.work & ~self.quiet).ravel())
        i, d = np.divmod(cells, nd)
        ws, we = self.W_s[i, d], self.W_e[i, d]
        lam = w.lam[gi[i]] * (we - ws) / 480 * self.vol[i, d]
        k = rng.poisson(lam)
        rep = np.repeat(np.arange(len(cells)), k)
        ii, dd = i[rep], d[rep]
        minutes = ws[rep] + rng.random(len(rep)) * (we[rep] - ws[rep])
        u = rng.random(len(rep)) ** self.skew[ii, dd]
        rec = w.ops_pool[(u * len(w.ops_pool)).astype(np.int64)]
        role = w.role[gi[ii]]
        intel = (rng.random(len(rep)) < np.where(np.isin(role, [INTELLIGENCE, ANALYST]), 0.15, 0.01)) & (
            len(w.intel_pool) > 0
        )
        if intel.any():
            rec[intel] = rng.choice(w.intel_pool, int(intel.sum()))
        vic = rng.random(len(rep)) < 0.003
        if vic.any() and len(w.victim_pool):
            rec[vic] = rng.choice(w.victim_pool, int(vic.sum()))
        purpose = _choose(rng, np.cumsum(ROLE_PURPOSE, axis=1), role)
        purpose[rng.random(len(rep)) < NO_CODE_SHARE] = -1
        action = _draw(rng, (0.62, 0.3, 0.05, 0.02, 0.01), len(rep))
        site = self._sites(ii, dd)
        self._acc_add(ii, dd, minutes, rec, action, purpose, site, -1)
        follow = np.flatnonzero((action == SEARCH) & (rng.random(len(rep)) < 0.4))
        self._acc_add(
            ii[follow],
            dd[follow],
            minutes[follow] + rng.uniform(0.3, 4, len(follow)),
            rec[follow],
            VIEW,
            purpose[follow],
            site[follow],
            -1,
        )
        # a few lookups just after the end of a shift (finishing off)
        over = np.flatnonzero(rng.random(len(cells)) < 0.05)
        self._acc_add(
            i[over],
            d[over],
            we[over] + rng.uniform(1, 30, len(over)),
            rng.choice(w.ops_pool, len(over)),
            VIEW,
            P_ADM,
            -1,
            -1,
        )
        # case work: lookups of the records of assigned cases while at work
        sel = np.flatnonzero((w.ca["off"] >= self.a) & (w.ca["off"] < self.b))
        if len(sel):
            c, o, r = w.ca["case"][sel], w.ca["off"][sel] - self.a, w.ca["role"][sel]
            d0 = np.maximum(w.ca["start"][sel], 0)
            d1 = np.minimum(w.ca["end"][sel], nd - 1)
            nd = np.maximum(d1 - d0 + 1, 0)
            rate = np.array([0.9, 0.5, 1.5, 0.1])[r]
            k = rng.poisson(rate * nd * 0.7)
            rep = np.repeat(np.arange(len(sel)), k)
            day = d0[rep] + (rng.random(len(rep)) * nd[rep]).astype(np.int64)
            oi = o[rep]
            keep = self.work[oi, day] & ~self.quiet[oi, day]
            rep, day, oi = rep[keep], day[keep], oi[keep]
            cc = c[rep]
            rec = w.case_rec_start[cc] + (rng.random(len(rep)) * w.case_rec_n[cc]).astype(np.int64)
            ws, we = self.W_s[oi, day], self.W_e[oi, day]
            purpose = np.where(rng.random(len(rep)) < 0.02, -1, P_INV)
            self._acc_add(
                oi,
                day,
                ws + rng.random(len(rep)) * (we - ws),
                rec,
                _draw(rng, (0.1, 0.6, 0.25, 0.04, 0.01), len(rep)),
                purpose,
                self._sites(oi, day),
                cc,
            )
        # on call at home
        i, d = np.nonzero((self.pay == ONCALL) & (self.duty == REST) & self.active)
        k = rng.poisson(1.2, len(i))
        rep = np.repeat(np.arange(len(i)), k)
        self._acc_add(
            i[rep],
            d[rep],
            rng.integers(420, 1380, len(rep)),
            rng.choice(w.ops_pool, len(rep)),
            SEARCH,
            rng.choice(np.array([P_INC, P_ADM]), len(rep)),
            -1,
            -1,
        )

    def emit(self, counters: dict[str, int]) -> dict[str, pa.Table]:
        """The five event tables of this block (ids continue from ``counters``, which is updated)."""
        w, rng, n, nd, cal, gi = self.w, self.rng, self.n, self.D, self.w.cal, self.gi
        self._background_access()
        out: dict[str, pa.Table] = {}
        # shifts: not written for officers off the duty system, nor for rest days where the
        # duty system writes no rest-day rows
        on_system = ~w.no_shifts[gi]
        written = self.active & ~self.norow & on_system[:, None]
        if not w.styles["rest_day_rows"]:
            written &= ~((self.duty == REST) & (self.pay != ONCALL))
        cells = np.flatnonzero(written.ravel())
        i, d = np.divmod(cells, nd)
        ot = {
            k: np.concatenate([p[k] for p in self.ot]) if self.ot else np.zeros(0, np.int64)
            for k in ("i", "d", "s", "e", "duty", "pay", "site", "status", "cby", "cat", "aby", "aat")
        }
        self._ot_i_all = ot["i"].astype(np.int64) if len(ot["i"]) else np.zeros(1, np.int64)
        ot_keep = on_system[ot["i"]] if len(ot["i"]) else np.zeros(0, bool)
        ot_keys_all = n * nd + np.arange(len(ot["i"]))
        ot = {k: v[ot_keep] for k, v in ot.items()}
        created = (
            cal.ts(d, 600) - rng.integers(21, 57, len(cells)) * 86400 + rng.integers(0, 3600, len(cells))
        )
        off = np.r_[gi[i], gi[ot["i"]]]
        start = np.r_[cal.ts(d, self.s[i, d]), cal.ts(ot["d"], ot["s"])]
        end = np.r_[cal.ts(d, self.e[i, d]), cal.ts(ot["d"], ot["e"])]
        hours = np.r_[self.hours[i, d], (ot["e"] - ot["s"]) / 60.0]
        keys = np.r_[cells, ot_keys_all[ot_keep]]
        order = np.lexsort((start, off))
        lut = np.full(n * nd + len(ot_keep), -1, dtype=np.int64)
        lut[keys[order]] = np.arange(len(order))
        base = counters["shifts"]
        shift_ids = _pa_ids("SH", base, len(order))
        cols = {
            "shift_id": shift_ids,
            "officer_id": _take(w.ids_pa, off[order]),
            "start": _ts_array(start[order]),
            "end": _ts_array(end[order]),
            "duty_type": _take(pa.array(DUTY), np.r_[self.duty[i, d], ot["duty"]][order]),
            "pay_code": _take(pa.array(PAY), np.r_[self.pay[i, d], ot["pay"]][order]),
            "site_id": _take(w.site_ids_pa, np.r_[self.site[i, d], ot["site"]][order]),
            "status": _take(pa.array(STATUS), np.r_[self.status[i, d], ot["status"]][order]),
            "created_by": _take(w.ids_pa, np.r_[w.clerk[gi[i]], ot["cby"]][order]),
            "created_at": _ts_array(np.r_[created, ot["cat"]][order]),
            "approved_by": _take(w.ids_pa, np.r_[self.aby[i, d], ot["aby"]][order]),
            "approved_at": _ts_array(np.r_[self.aat[i, d], ot["aat"]][order]),
            "hours_claimed": pa.array(hours[order], type=pa.float64(), from_pandas=True),
        }
        out["shifts"] = pa.table(cols, schema=arrow_schema(TABLES["shifts"]))
        counters["shifts"] += len(order)
        # roster changes
        ch = {
            k: np.concatenate([p[k] for p in self.chg]) if self.chg else np.zeros(0)
            for k in ("row", "by", "at", "field", "old", "new", "reason")
        }
        pos = lut[ch["row"].astype(np.int64)]
        rows_ = ch["row"].astype(np.int64)
        row_i = np.where(rows_ < n * nd, rows_ // nd, self._ot_i_all[np.maximum(rows_ - n * nd, 0)])
        dropped = pos < 0
        bad = dropped & on_system[row_i]
        assert not bad.any(), (
            "a roster change points to no shift",
            ch["field"][bad][:5],
            ch["new"][bad][:5],
            rows_[bad][:5] % nd,
        )
        ch = {k: v[~dropped] for k, v in ch.items()}
        pos = pos[~dropped]
        order = np.lexsort((pos, ch["at"].astype(np.int64)))
        out["roster_changes"] = pa.table(
            {
                "change_id": _pa_ids("RC", counters["roster_changes"], len(order)),
                "shift_id": _take(shift_ids, pos[order]),
                "changed_by": _take(w.ids_pa, ch["by"][order].astype(np.int64)),
                "changed_at": _ts_array(ch["at"][order].astype(np.int64)),
                "field": _take(pa.array(FIELDS), ch["field"][order].astype(np.int64)),
                "old_value": pa.array(ch["old"][order].astype(object), type=pa.string()),
                "new_value": pa.array(ch["new"][order].astype(object), type=pa.string()),
                "reason": _take(pa.array(REASONS), ch["reason"][order].astype(np.int64)),
            },
            schema=arrow_schema(TABLES["roster_changes"]),
        )
        counters["roster_changes"] += len(order)
        # badge events
        bd = self.badge_day & self.active
        i, d = np.nonzero(bd)
        parts = [
            {
                "i": i,
                "site": self.b_site[i, d],
                "ts": cal.ts(d, self.b_in[i, d]),
                "dir": np.zeros(len(i), np.int64),
            }
        ]
        o = ~self.only_in[i, d]
        parts.append(
            {
                "i": i[o],
                "site": self.b_site[i[o], d[o]],
                "ts": cal.ts(d[o], self.b_out[i[o], d[o]]),
                "dir": np.ones(int(o.sum()), np.int64),
            }
        )
        li, ld = np.nonzero(self.lunch & bd & ~self.only_in)
        lo = 720 + rng.integers(-30, 31, len(li))
        parts.append(
            {"i": li, "site": self.b_site[li, ld], "ts": cal.ts(ld, lo), "dir": np.ones(len(li), np.int64)}
        )
        parts.append(
            {
                "i": li,
                "site": self.b_site[li, ld],
                "ts": cal.ts(ld, lo + rng.integers(20, 46, len(li))),
                "dir": np.zeros(len(li), np.int64),
            }
        )
        parts += self.badge
        b = {k: np.concatenate([p[k] for p in parts]) for k in ("i", "site", "ts", "dir")}
        b["ts"] = b["ts"] + rng.integers(0, 60, len(b["ts"]))
        if w.readerless >= 0:  # a site with no badge readers
            b = {k: v[b["site"] != w.readerless] for k, v in b.items()}
        order = np.lexsort((b["ts"], b["i"]))
        site = b["site"][order]
        reader = pc.binary_join_element_wise(
            _take(w.site_ids_pa, site),
            _take(pa.array(["-R1", "-R2", "-R3"]), rng.integers(0, 3, len(order))),
            "",
        )
        out["badge_events"] = pa.table(
            {
                "event_id": _pa_ids("BE", counters["badge_events"], len(order)),
                "officer_id": _take(w.ids_pa, gi[b["i"][order]]),
                "site_id": _take(w.site_ids_pa, site),
                "reader_id": reader,
                "ts": _ts_array(b["ts"][order]),
                "direction": _take(pa.array(["in", "out"]), b["dir"][order]),
            },
            schema=arrow_schema(TABLES["badge_events"]),
        )
        counters["badge_events"] += len(order)
        # remote sessions: agreed remote days, evenings, on call
        i, d = np.nonzero(self.remote_sess & self.active)
        st = self.W_s[i, d] + rng.integers(-15, 16, len(i))
        en = self.W_e[i, d] + rng.integers(-10, 41, len(i))
        split = rng.random(len(i)) < 0.2
        parts = [
            {"i": i[~split], "start": cal.ts(d[~split], st[~split]), "end": cal.ts(d[~split], en[~split])},
            {
                "i": i[split],
                "start": cal.ts(d[split], st[split]),
                "end": cal.ts(d[split], 720 + rng.integers(-20, 20, int(split.sum()))),
            },
            {
                "i": i[split],
                "start": cal.ts(d[split], 765 + rng.integers(-10, 20, int(split.sum()))),
                "end": cal.ts(d[split], en[split]),
            },
        ]
        pat = w.pattern[gi][:, None]
        ev = self.work & ~self.remote & (pat != FRONTLINE) & ~self.no_evening & (rng.random((n, nd)) < 0.03)
        i, d = np.nonzero(ev & self.active)
        s0 = 1140 + rng.integers(0, 31, len(i))
        parts.append({"i": i, "start": cal.ts(d, s0), "end": cal.ts(d, s0 + rng.integers(45, 121, len(i)))})
        i, d = np.nonzero((self.pay == ONCALL) & self.active & (rng.random((n, nd)) < 0.4))
        s0 = rng.integers(480, 1320, len(i))
        parts.append({"i": i, "start": cal.ts(d, s0), "end": cal.ts(d, s0 + rng.integers(30, 91, len(i)))})
        for p in parts:
            p["client"] = w.client[gi[p["i"]]]
            p["ip"] = w.home_ip[gi[p["i"]]]
        parts += self.rs
        r = {k: np.concatenate([p[k] for p in parts]) for k in ("i", "start", "end", "client", "ip")}
        r["start"] = r["start"] + rng.integers(0, 60, len(r["i"]))
        r["end"] = np.maximum(r["end"] + rng.integers(0, 60, len(r["i"])), r["start"] + 60)
        order = np.lexsort((r["start"], r["i"]))
        out["remote_sessions"] = pa.table(
            {
                "session_id": _pa_ids("RS", counters["remote_sessions"], len(order)),
                "officer_id": _take(w.ids_pa, gi[r["i"][order]]),
                "start": _ts_array(r["start"][order]),
                "end": _ts_array(r["end"][order]),
                "client": _take(pa.array(CLIENTS), r["client"][order]),
                "source_ip": pa.array(r["ip"][order], type=pa.string()),
            },
            schema=arrow_schema(TABLES["remote_sessions"]),
        )
        counters["remote_sessions"] += len(order)
        # system access
        a = {
            k: np.concatenate([p[k] for p in self.acc]) if self.acc else np.zeros(0, np.int64)
            for k in ("i", "ts", "rec", "action", "purpose", "site", "case", "system")
        }
        order = np.lexsort((a["ts"], a["i"]))
        rec = a["rec"][order]
        system = _choose(rng, SYSTEM_BY_TYPE, w.r_type[rec])
        system = np.where(a["system"][order] >= 0, a["system"][order], system)
        a = {k: v[order] for k, v in a.items()}
        if self.side_acc:  # the side look-alikes' lookups, their systems on their own stream
            side = {k: np.concatenate([p[k] for p in self.side_acc]) for k in a}
            s_sys = _choose(
                np.random.default_rng([w.seed, 405, self.bno]), SYSTEM_BY_TYPE, w.r_type[side["rec"]]
            )
            system = np.r_[system, np.where(side["system"] >= 0, side["system"], s_sys)]
            a = {k: np.r_[a[k], side[k]] for k in a}
            order = np.lexsort((a["ts"], a["i"]))
            a, system = {k: v[order] for k, v in a.items()}, system[order]
        out["system_access"] = pa.table(
            {
                "access_id": _pa_ids("SA", counters["system_access"], len(system), 11),
                "officer_id": _take(w.ids_pa, gi[a["i"]]),
                "system": _take(pa.array(SYSTEMS), system),
                "action": _take(pa.array(ACTIONS), a["action"]),
                "record_id": _take(w.r_ids_pa, a["rec"]),
                "ts": _ts_array(a["ts"]),
                "site_id": _take(w.site_ids_pa, a["site"]),
                "purpose_code": _take(pa.array(PURPOSES), a["purpose"]),
                "case_ref": _take(w.c_ids_pa, a["case"]),
            },
            schema=arrow_schema(TABLES["system_access"]),
        )
        counters["system_access"] += len(system)
        return out


# --------------------------------------------------------------------------- entry points

STYLES = ("rest_day_rows",)
"""Force-level styles (how this force's systems write their data), drawn from the seed
unless given: ``rest_day_rows`` (bool) — whether the duty system writes a ``rest_day``
row for each rest day (on-call rest days are always written, ``pay_code`` ``on_call``)."""


def _styles(seed: int, rest_day_rows: bool | None = None) -> dict[str, Any]:
    """The force's styles: drawn from the seed (about half the seeds write no rest-day
    rows), each overridden when given.

    >>> _styles(1, rest_day_rows=False)
    {'rest_day_rows': False}
    >>> sorted({_styles(s)["rest_day_rows"] for s in range(8)})
    [False, True]
    """
    rng = np.random.default_rng([seed, 303])
    drawn = {"rest_day_rows": bool(rng.random() < 0.5)}
    if rest_day_rows is not None:
        drawn["rest_day_rows"] = bool(rest_day_rows)
    return drawn


def _frames(w: _World) -> dict[str, pd.DataFrame]:
    """The entity tables in contract order and with contract columns."""
    out: dict[str, pd.DataFrame] = {}
    for t in TABLES.values():
        if t.name in w.tables:
            df = w.tables[t.name]
            out[t.name] = df[[c for c in t.names if c in df.columns]].reset_index(drop=True)
    return out


def _blocks(w: _World) -> Any:
    """Event tables block by block (``BLOCK`` officers each); truth rows are added to ``w``."""
    counters = dict.fromkeys(EVENT_TABLES, 0)
    for bno, a in enumerate(range(0, w.n, BLOCK)):
        yield _Block(w, a, min(a + BLOCK, w.n), bno).emit(counters)


def _innocent(looks: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Look-alike rows less any officer planted for the same detector (e.g. a namesake
    listed next to an officer who is also an undeclared member)."""
    planted = set(zip(truth["officer_id"], truth["detector"], strict=True))
    keep = [(o, d) not in planted for o, d in zip(looks["officer_id"], looks["detector"], strict=True)]
    return looks[keep].reset_index(drop=True)


def _truth(rows: list[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=TRUTH_COLUMNS)
    return df.sort_values(["detector", "group_id", "officer_id"], kind="stable", ignore_index=True)


def generate(
    officers: int = 300,
    seed: int = 7,
    as_of: dt.date = dt.date(2026, 1, 1),
    days: int = 0,
    clean: bool = False,
    rest_day_rows: bool | None = None,
) -> Force:
    """Generate a force of ``officers`` people, with ``days`` days of events before ``as_of``.

    ``days=0`` gives the organisation and association tables only (the first version
    of this generator, unchanged). ``days > 0`` gives every contract table, all planted
    cases in ``truth`` and the innocent look-alikes in ``lookalikes``; it holds
    everything in memory, so use :func:`write_force` for large forces.

    ``clean=True`` plants no case at all (``truth`` is empty): ordinary behaviour and
    every look-alike only, for measuring false flags. ``rest_day_rows`` sets that
    force-level style (default: drawn from the seed, see :data:`STYLES`); the styles
    used are in ``Force.styles``.

    >>> f = generate(officers=120, seed=1)
    >>> sorted(f.tables)
    ['declarations', 'memberships', 'officers', 'organisations', 'sites', 'units']
    >>> len(f.tables["officers"])
    120
    >>> f.truth["detector"].unique().tolist()
    ['association.undeclared_membership']
    >>> g = generate(officers=120, seed=1, days=30)
    >>> len(g.tables), sorted(g.truth["detector"].unique()) == sorted(DETECTORS)
    (18, True)
    >>> c = generate(officers=120, seed=1, days=30, clean=True)
    >>> len(c.truth), list(c.truth.columns) == TRUTH_COLUMNS, len(c.lookalikes) > 0
    (0, True, True)
    """
    styles = _styles(seed, rest_day_rows)
    base = _structure(officers, seed, as_of, clean)
    if days <= 0:
        base.styles = styles
        return base
    w = _World(base, seed, as_of, days, styles, clean)
    parts: dict[str, list[pa.Table]] = {t: [] for t in EVENT_TABLES}
    for block in _blocks(w):
        for name, table in block.items():
            parts[name].append(table)
    tables = _frames(w)
    for name, ts in parts.items():
        tables[name] = pa.concat_tables(ts).to_pandas()
    order = [t for t in TABLES if t in tables]
    truth = _truth(w.truth_rows)
    return Force({t: tables[t] for t in order}, truth, _innocent(_truth(w.look_rows), truth), styles)


def write_force(
    directory: Path,
    officers: int,
    days: int,
    seed: int = 7,
    fmt: str = "parquet",
    as_of: dt.date = dt.date(2026, 1, 1),
    progress: Progress | None = None,
    clean: bool = False,
    rest_day_rows: bool | None = None,
) -> dict[str, Any]:
    """Write a synthetic force to ``directory``, streaming the event tables.

    The force is the one :func:`generate` gives for the same arguments (same rows, same
    ids). Entity tables are written whole; the event tables (shifts, roster_changes,
    badge_events, remote_sessions, system_access) are written in blocks of
    :data:`BLOCK` officers (one Parquet row group per block, or CSV rows appended), so
    memory depends on the block size, not on the force. ``truth.csv`` and
    ``lookalikes.csv`` are written last.

    Parameters
    ----------
    directory
        Output folder (created). A file of a written table in the other format is removed.
    officers, days, seed, as_of
        As for :func:`generate`.
    fmt
        ``"parquet"`` (zstd-compressed, UTC timestamps) or ``"csv"`` (local timestamps
        with offset).
    progress
        Called with a short message after each step.
    clean
        No planted case (``truth.csv`` holds only its header): ordinary behaviour and
        every look-alike, for measuring false flags on a clean force.
    rest_day_rows
        Force-level style: whether the duty system writes rest-day rows (default: drawn
        from the seed; see :data:`STYLES`).

    Returns
    -------
    dict
        ``{"directory", "officers", "days", "seed", "format", "clean", "styles",
        "tables": {name: {"rows", "bytes"}}, "truth", "lookalikes", "bytes", "seconds"}``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r} (csv or parquet)")
    t0 = time.perf_counter()
    step = progress or (lambda _m: None)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ext = f".{fmt}"
    styles = _styles(seed, rest_day_rows)
    base = _structure(officers, seed, as_of, clean)
    rows: dict[str, int] = {}
    if days <= 0:
        base.write(directory, fmt)
        rows = {k: len(v) for k, v in base.tables.items()}
        truth, looks = base.truth, base.lookalikes
    else:
        w = _World(base, seed, as_of, days, styles, clean)
        step(f"entities built ({time.perf_counter() - t0:.1f} s)")
        for name, df in _frames(w).items():
            _remove_other_formats(directory, name, ext)
            path = directory / f"{name}{ext}"
            if fmt == "csv":
                _csv_frame(df).to_csv(path, index=False)
            else:
                schema = arrow_schema(TABLES[name], list(df.columns))
                table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
                pq.write_table(table, path, compression="zstd")
            rows[name] = len(df)
        writers: dict[str, pq.ParquetWriter] = {}
        try:
            for bno, block in enumerate(_blocks(w)):
                for name, table in block.items():
                    path = directory / f"{name}{ext}"
                    first = name not in rows
                    if first:
                        _remove_other_formats(directory, name, ext)
                        rows[name] = 0
                    if fmt == "parquet":
                        if first:
                            writers[name] = pq.ParquetWriter(path, table.schema, compression="zstd")
                        writers[name].write_table(table)
                    else:
                        _csv_frame(table.to_pandas()).to_csv(
                            path, mode="w" if first else "a", header=first, index=False
                        )
                    rows[name] += table.num_rows
                step(f"block {bno + 1}/{-(-w.n // BLOCK)} ({time.perf_counter() - t0:.1f} s)")
        finally:
            for wr in writers.values():
                wr.close()
        truth = _truth(w.truth_rows)
        looks = _innocent(_truth(w.look_rows), truth)
        truth.to_csv(directory / "truth.csv", index=False)
        looks.to_csv(directory / "lookalikes.csv", index=False)
    tables = {
        name: {"rows": n, "bytes": (directory / f"{name}{ext}").stat().st_size} for name, n in rows.items()
    }
    return {
        "directory": str(directory),
        "officers": officers,
        "days": days,
        "seed": seed,
        "format": fmt,
        "clean": clean,
        "styles": styles,
        "tables": tables,
        "truth": len(truth),
        "lookalikes": len(looks),
        "bytes": sum(t["bytes"] for t in tables.values()),
        "seconds": round(time.perf_counter() - t0, 2),
    }
