"""What every part of the simulator shares: the invented names, the contract's enums by
position, the simulator's calendar, small vector helpers, the force's styles and the
:class:`Force` it returns.

Everything here is invented: names are drawn from short lists of common words, dates,
addresses, phone numbers and postcodes are random, IP addresses come from the shared
address space ``100.64.0.0/10``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.contract import TABLES, Table

if TYPE_CHECKING:
    from synthetic.events import Block
    from synthetic.world import World

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
PLACEHOLDER_CODES = (
    "N/A",
    "NA",
    "NONE",
    "-",
    "?",
    "X",
    "TEST",
    "OTHER",
    "MISC",
    "n/a",
    "none",
    "000",
    "0",
    "XXX",
)
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
CASE_CODE = "CRN"
"""A purpose code that quotes a case (crime number): the force uses it only on lookups that
carry the case's ``case_ref`` (case work on a case's crime record), never without one but for
``access.no_purpose`` ``case_code_without_case``."""
PURPOSES = ("INV", "INC", "STOP", "INT", "ADM", "CUST", *PLACEHOLDER_CODES, CASE_CODE)
P_INV, P_INC, P_STOP, P_INT, P_ADM, P_CUST = range(6)
P_PLACEHOLDER = np.arange(6, 6 + len(PLACEHOLDER_CODES))
P_CRN = PURPOSES.index(CASE_CODE)
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
    "abstraction: training course",
    "course postponed; worked as rostered",
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
    R_COURSE,
    R_COURSE_POSTPONED,
) = range(len(REASONS))
NULL = np.iinfo(np.int64).min
"""Missing timestamp (epoch seconds) inside the simulation."""
MIN_EVENT_DAYS = 28
"""Fewer simulated days than this: no event-planted cases (too little to show a pattern)."""

Progress = Callable[[str], None]


# --------------------------------------------------------------------------- events

FIELDS = ("duty_type", "pay_code", "hours_claimed", "approved_by", "status")
F_DUTY, F_PAY, F_HOURS, F_APPROVED, F_STATUS = range(5)
EVENT_TABLES = ("shifts", "roster_changes", "badge_events", "remote_sessions", "system_access")

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


# --------------------------------------------------------------------------- calendar and helpers


def _postcode(rng: np.random.Generator) -> str:
    a = "".join(rng.choice(list(LETTERS), 2))
    return f"{a}{rng.integers(1, 20)} {rng.integers(1, 10)}{''.join(rng.choice(list(LETTERS), 2))}"


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


def _length(*values: Any) -> int:
    """The common length of arrays given with scalars (0 if any array is empty).

    >>> _length(3, np.arange(4), 1.5), _length(np.arange(0), 2), _length(7)
    (4, 0, 1)
    """
    sizes = [np.size(v) for v in values if np.ndim(v) > 0]
    return 0 if 0 in sizes else max(sizes, default=1)


def _num(v: Any) -> np.ndarray:
    return np.char.mod("%g", np.atleast_1d(np.asarray(v, dtype=np.float64))).astype(object)


def _innocent(looks: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Look-alike rows less any officer planted for the same detector (e.g. a namesake
    listed next to an officer who is also an undeclared member)."""
    planted = set(zip(truth["officer_id"], truth["detector"], strict=True))
    keep = [(o, d) not in planted for o, d in zip(looks["officer_id"], looks["detector"], strict=True)]
    return looks[keep].reset_index(drop=True)


def _truth(rows: list[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=TRUTH_COLUMNS)
    return df.sort_values(["detector", "group_id", "officer_id"], kind="stable", ignore_index=True)


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
        from synthetic.writer import write_tables  # the writer builds forces too: imported when used

        return write_tables(self, directory, fmt)


@contextlib.contextmanager
def world_stream(w: World, key: int) -> Iterator[None]:
    """``w.rng`` is a random stream of its own (``[seed, key]``) for a while: a plan made
    inside leaves the world's stream, and every plan drawn from it after, as it was."""
    saved, w.rng = w.rng, np.random.default_rng([w.seed, key])
    try:
        yield
    finally:
        w.rng = saved


def own_stream(b: Block, key: int, i: int, plant: Callable[[], None]) -> None:
    """Run ``plant`` on a random stream of its own (``key``, the block and the officer), so
    the block's stream, and every row drawn from it after, is as it was without it."""
    saved = b.rng
    b.rng = np.random.default_rng([b.w.seed, key, b.bno, i])
    try:
        plant()
    finally:
        b.rng = saved
