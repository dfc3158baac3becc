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


def clean_name(v: str | None) -> str | None:
    """Case-folded, accents stripped, apostrophes dropped, hyphens and punctuation as
    spaces, whitespace collapsed. ``None`` for empty."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = unicodedata.normalize("NFKD", str(v))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
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
