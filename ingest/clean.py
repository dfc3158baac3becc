"""Value types, each with one ``clean()`` applied at ingest (the followthemoney way).

Cleaned values are what matching and linking compare; the raw values stay on the nodes.

>>> clean_name("  O'Brien-Smyth ")
'obrien smyth'
>>> clean_name("José")
'jose'
>>> clean_postcode("sw1a 1aa")
'SW1A1AA'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pandas as pd

_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
_HYPHENS = re.compile(r"[-‐-―_./]+")
_APOS = re.compile(r"['’`]")
_SPACES = re.compile(r"\s+")


def _fold(v: Any) -> str | None:
    """Case-folded text with accents stripped; ``None`` for a missing value."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = unicodedata.normalize("NFKD", str(v))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()


def clean_name(v: str | None) -> str | None:
    """Case-folded, accents stripped, apostrophes dropped, hyphens and punctuation as
    spaces, whitespace collapsed. ``None`` for empty."""
    s = _fold(v)
    if s is None:
        return None
    s = _APOS.sub("", s)
    s = _HYPHENS.sub(" ", s)
    s = _NON_ALNUM.sub(" ", s)
    s = _SPACES.sub(" ", s).strip()
    return s or None


def clean_postcode(v: str | None) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = re.sub(r"\s+", "", str(v)).upper()
    return s or None


def clean_org_name(v: str | None) -> str | None:
    """Organisation names compare like person names, ignoring a leading 'the'."""
    s = clean_name(v)
    return s[4:] if s and s.startswith("the ") else s


def clean_series(s: pd.Series, fn: Callable[[Any], str | None]) -> pd.Series:
    """Apply a ``clean_*`` function to a column (unique values once, then mapped)."""
    uniq = pd.Series(s.dropna().unique())
    mapping = dict(zip(uniq, uniq.map(fn), strict=True))
    return s.map(mapping).astype(object)


# ---------------------------------------------------------------------------- addresses
#
# No maintained UK address normaliser runs offline without a C library and large models
# (libpostal needs both; deepparse downloads weights), so the rules are few and tested
# (``tests/test_addresses.py``). They make the common ways of writing one address line
# read the same; they never guess (a missing flat number is not filled in, a range is not
# split, "10a" stays "10a").

STREET_TYPES = {
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "avn": "avenue",
    "ln": "lane",
    "cl": "close",
    "dr": "drive",
    "drv": "drive",
    "cres": "crescent",
    "cresc": "crescent",
    "cr": "crescent",
    "ct": "court",
    "crt": "court",
    "pl": "place",
    "sq": "square",
    "gdns": "gardens",
    "gdn": "gardens",
    "gro": "grove",
    "gr": "grove",
    "pk": "park",
    "ter": "terrace",
    "terr": "terrace",
    "tce": "terrace",
    "wy": "way",
    "wlk": "walk",
    "pde": "parade",
    "grn": "green",
    "hts": "heights",
    "mws": "mews",
    "bldgs": "buildings",
    "ho": "house",
    "hse": "house",
}
"""Abbreviated street and building words and their full form (whole words only). ``st``
is handled apart: "Street" after a street name, "Saint" before one."""

THOROUGHFARES = frozenset(
    {
        "street",
        "road",
        "lane",
        "avenue",
        "close",
        "drive",
        "crescent",
        "place",
        "square",
        "gardens",
        "grove",
        "terrace",
        "way",
        "walk",
        "parade",
        "green",
        "mews",
        "row",
        "hill",
        "rise",
    }
)
"""Words that end a street's name (after abbreviations are written out). In a line with no
house number, a part ending in one is the street a house or building name stands in; the
parts after it, and after a building name with no street, are the locality."""

UNIT_WORDS = frozenset(
    {"flat", "flt", "apartment", "apt", "appt", "unit", "suite", "room", "rm", "maisonette", "studio"}
)
"""Words that introduce a flat or unit number; all become ``flat``."""

_POSTCODE_IN_LINE = re.compile(r"[\s,]*\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\s*$", re.IGNORECASE)
_SLASH_UNIT = re.compile(r"\b([0-9]+[a-z]?)\s*/\s*([0-9]+[a-z]?)\b")
_HOUSE_NO = re.compile(r"[0-9]+[a-z]?(?:-[0-9]+[a-z]?)?")
_RANGE = re.compile(r"\b([0-9]+[a-z]?)\s*(?:-|‐|‑|‒|–|—|\bto\b)\s*([0-9]+[a-z]?)\b")
_NUMBER_WORD = re.compile(r"\b(?:no|number)\s*\.?\s*(?=[0-9])")
_SPLIT_LETTER = re.compile(r"\b([0-9]+)\s+([a-z])\b(?=\s+[a-z]{2,})")
_UNIT_NUM = r"([0-9]+[a-z]?|[a-z])"


def postcode_in_line(v: str | None) -> str | None:
    """A UK postcode written at the end of an address line, cleaned (else ``None``).

    >>> postcode_in_line("10 High St, ZZ1 1AA"), postcode_in_line("10 High St")
    ('ZZ11AA', None)
    """
    if v is None or (isinstance(v, float) and v != v):
        return None
    m = _POSTCODE_IN_LINE.search(str(v))
    return (m.group(1) + m.group(2)).upper() if m else None


def _component(s: str) -> list[str]:
    """Words of one comma-separated part, abbreviations written out."""
    words = s.split()
    out: list[str] = []
    for i, w in enumerate(words):
        if w in ("st", "str"):
            nxt = words[i + 1] if i + 1 < len(words) else None
            prev = out[-1] if out else None
            # "St John's Road", "10 St Mary St": Saint before a name, Street after one
            saint = nxt is not None and nxt not in STREET_TYPES and (prev is None or prev[0].isdigit())
            out.append("saint" if saint else "street")
        else:
            out.append(STREET_TYPES.get(w, w))
    return out


def _is_number(w: str) -> bool:
    """A house (or flat) number: ``10``, ``10a``, ``10-12``."""
    return bool(_HOUSE_NO.fullmatch(w))


def _ends_street(words: list[str]) -> bool:
    """Whether ``words`` end in a street word ("mill rd", "high st"), abbreviations written out."""
    last = words[-1] if words else ""
    return ("street" if last in ("st", "str") else STREET_TYPES.get(last, last)) in THOROUGHFARES


def _building_then_number(words: list[str]) -> tuple[str | None, list[str]]:
    """A building name before the house number in one part, with no commas, and the flat
    number before the name: ``22 riverside house 105 mill rd`` is flat 22 of Riverside House,
    105 Mill Road, written as "Flat 22, Riverside House, 105 Mill Road" would be. The name
    must hold no number and not end in a street word ("10 high st 5 …" is left alone), and
    the house number must have its street after it.

    >>> _building_then_number("22 riverside house 105 mill rd".split())
    ('22', ['105', 'mill', 'rd'])
    >>> _building_then_number("beacon ct 41 clover ln".split())
    (None, ['41', 'clover', 'ln'])
    >>> _building_then_number("3 105 mill rd".split()), _building_then_number("10 high st".split())
    ((None, ['3', '105', 'mill', 'rd']), (None, ['10', 'high', 'st']))
    """
    start = 1 if words and _is_number(words[0]) else 0
    for j in range(start, len(words) - 1):
        if _is_number(words[j]):
            name = words[start:j]
            if name and not any(w[0].isdigit() for w in name) and not _ends_street(name):
                return (words[0] if start else None), words[j:]
            break
    return None, words


def clean_address(v: str | None) -> str | None:
    """The address line as matching compares it (the postcode is kept apart).

    Case, accents and punctuation go; a flat or unit prefix in any of its usual forms
    ("Flat 2, …", "Apt. 2 …", "2/10 …", "…, Flat 2", "2 Rose Court 10 …") becomes ``flat 2``
    at the front;
    street words are written out (St → street, Rd → road, Ave → avenue, Ln → lane,
    Cl → close, Dr → drive, Cres → crescent, …; "St" before a name is Saint); a house
    number range is written ``10-12``; "No. 10" is ``10``; "10 A" is ``10a``. Parts after
    the one holding the house number (locality, town, county) and a postcode written at
    the end are dropped: the postcode, compared beside the line, says where it is. So is a
    house or building name before the house number ("Rose Court, 10 High St"); a line
    with no house number keeps its house or building name and the street it is in, and
    drops a town after them ("Flat 9, Harbour View, Exampletown" is "flat 9 harbour view").
    Written without commas, a number, a building name and a numbered street ("22 Riverside
    House 105 Mill Rd") are a flat, its building and its street, as with commas.

    >>> clean_address("Flat 2, 10 High St.")
    'flat 2 10 high street'
    >>> clean_address("2/10 High Street")
    'flat 2 10 high street'
    >>> clean_address("10 HIGH STREET, FLAT 2, Exampletown")
    'flat 2 10 high street'
    >>> clean_address("10 - 12 St John's Rd, Sampleford, ZZ1 1AA")
    '10-12 saint johns road'
    >>> clean_address("Flat 1, 10 High St") == clean_address("Flat 2, 10 High St")
    False
    >>> clean_address("Flat 2, Rose Court, 10 High St, Exampletown")
    'flat 2 10 high street'
    >>> clean_address("25, Church Rd.") == clean_address("25 Church Road, Exampletown")
    True
    >>> clean_address("Rose Cottage, Mill Ln"), clean_address(" , "), clean_address(None)
    ('rose cottage mill lane', None, None)
    >>> clean_address("Flat 9, Harbour View, Exampletown"), clean_address("Rose Cottage, Mill Ln, Sampleford")
    ('flat 9 harbour view', 'rose cottage mill lane')
    >>> clean_address("22 RIVERSIDE HOUSE 105 MILL RD"), clean_address("Flat 8 Beacon Ct 41 Clover Ln")
    ('flat 22 105 mill road', 'flat 8 41 clover lane')
    """
    s = _fold(v)
    if s is None:
        return None
    s = _POSTCODE_IN_LINE.sub("", s)
    s = _APOS.sub("", s)
    s = _NUMBER_WORD.sub("", s)
    unit: str | None = None
    m = _SLASH_UNIT.search(s)
    if m:  # "2/10 High Street", "Rose Court, 2/10 High St": flat 2 of number 10
        unit, s = m.group(1), s[: m.start()] + m.group(2) + s[m.end() :]
    s = _RANGE.sub(r"\1-\2", s)
    s = re.sub(r"[^a-z0-9,\- ]+", " ", s)  # keep commas (parts) and range hyphens
    s = re.sub(r"(?<![0-9])-|-(?![0-9])", " ", s)  # hyphens that are not in a range
    parts = [_SPACES.sub(" ", p).strip() for p in s.split(",")]
    parts = [p for p in parts if p]
    for k in range(len(parts) - 2, -1, -1):  # "25, Church Road": a bare house number starts its street
        if _is_number(parts[k]):
            parts[k : k + 2] = [parts[k] + " " + parts[k + 1]]
    for k in range(len(parts) - 2, -1, -1):
        # "22 Riverside House, 105 Mill Rd": a flat of a building, then its numbered street
        ws, nxt = parts[k].split(), parts[k + 1].split()
        if (
            len(ws) >= 2
            and _is_number(ws[0])
            and not any(w[0].isdigit() for w in ws[1:])
            and not _ends_street(ws)
            and "floor" not in ws
            and len(nxt) >= 2
            and _is_number(nxt[0])
        ):
            parts[k : k + 2] = [parts[k] + " " + parts[k + 1]]
    named: list[list[str]] = []  # parts before the house number: a house or building name
    street: list[str] | None = None  # the part with the house number
    for p in parts:
        words = _SPLIT_LETTER.sub(r"\1\2", p).split()
        # a unit prefix anywhere: "flat 2", "flat 2 10 high street", "apt 2b"
        if words and words[0] in UNIT_WORDS and len(words) >= 2 and re.fullmatch(_UNIT_NUM, words[1]):
            unit = unit or words[1]
            words = words[2:]
        elif "floor" in words and street is None:  # "2nd floor flat", "ground floor"
            at = words.index("floor")
            k = next((i for i in range(at + 1, len(words)) if _is_number(words[i])), len(words))
            unit = unit or " ".join(w for w in words[:k] if w not in UNIT_WORDS)
            words = words[k:]  # "2nd floor flat 10 high st": the street follows
        if not words:
            continue
        if street is not None:
            break  # locality, town, county: the postcode says where
        if any(w[0].isdigit() for w in words):
            flat, words = _building_then_number(words)
            unit = unit or flat
            street = _component(" ".join(words))
        else:
            named.append(_component(" ".join(words)))
    if street is None and named:
        # no house number: the house or building name, and the street it stands in when one
        # follows; a town after either is the locality ("Flat 9, Harbour View, Exampletown")
        ends = [k for k, ws in enumerate(named) if k and ws[-1] in THOROUGHFARES]
        named = named[: ends[0] + 1] if ends else named[:1]
    # with a house number, a building name beside it adds nothing ("Rose Court, 10 High St")
    line = " ".join(street if street is not None else [w for ws in named for w in ws])
    out = (f"flat {unit} " if unit else "") + line
    return out.strip() or None


def address_key(line: str | None, postcode: str | None) -> str | None:
    """One place: the cleaned postcode and the cleaned address line, ``POSTCODE|line``.

    An address with no postcode (in its column or at the end of the line) is no place:
    "12 High Street" is in many towns, so it gives no key. A postcode must hold a digit
    and a letter (placeholders such as "N/A" or "UNKNOWN" are no postcode).

    >>> address_key("Flat 2, 10 High St.", "zz1 1aa") == address_key("2/10 High Street", "ZZ11AA")
    True
    >>> address_key("12 High Street", "ZZ1 1AA") == address_key("12 High Street", "ZZ9 9ZZ")
    False
    >>> address_key("12 High Street", None), address_key("12 High Street, ZZ1 1AA", None)
    (None, 'ZZ11AA|12 high street')
    >>> address_key("12 High Street", "N/A"), address_key(None, "ZZ1 1AA")
    (None, None)
    """
    a = clean_address(line)
    if a is None:
        return None
    pc = clean_postcode(postcode)
    pc = re.sub(r"[^A-Z0-9]", "", pc) if pc else None
    if not pc:
        pc = postcode_in_line(line)
    if not pc or not re.search(r"[0-9]", pc) or not re.search(r"[A-Z]", pc) or len(pc) < 5:
        return None
    return f"{pc}|{a}"
