"""Links from shared identifiers, the followthemoney way.

Officers and persons that share an address, phone number, or postcode + surname are
linked through an ``(:Identifier)`` value node, so that a path such as
``Officer -HAS_IDENTIFIER-> Identifier(phone) <-HAS_IDENTIFIER- Person`` can be found.
Only values carried by two or more entities become nodes; each node counts its
``holders`` (the officers and persons carrying it), so that detectors can tell a value
that identifies a household from one that identifies no one (a switchboard number on
hundreds of records, a hostel). Identifier ids are ``kind:value``:

- ``address:POSTCODE|line``: one place is the cleaned address line *together with* the
  cleaned postcode (:func:`ingest.clean.address_key`): "12 High Street" in two towns is
  two addresses, and an address with no postcode makes no identifier;
- ``phone:digits`` (:func:`clean_phone`);
- ``email:address`` (officers' e-mail, trimmed and lower-cased: two colleagues on one personal
  address, or a team mailbox, which the holders count tells apart);
- ``postcode_surname:POSTCODE|surname``.
"""

from __future__ import annotations

import re

import pandas as pd

from graph.model import MODEL
from ingest.clean import address_key, clean_name, clean_postcode, clean_series
from ingest.clean import clean_address as clean_address


def clean_phone(v: str | None) -> str | None:
    """Digits only; a UK ``+44``/``0044`` prefix becomes ``0``; fewer than 7 digits is no phone.

    >>> clean_phone("+44 (0)7700 900123"), clean_phone("07700-900123"), clean_phone("999")
    ('07700900123', '07700900123', None)
    """
    if v is None or (isinstance(v, float) and v != v):
        return None
    d = re.sub(r"[^0-9]", "", str(v))
    if str(v).strip().startswith("+44") or d.startswith("0044"):
        d = d[4:] if d.startswith("0044") else d[2:]
        d = d[1:] if d.startswith("0") else d
        d = "0" + d
    return d if len(d) >= 7 else None


def clean_email(v: str | None) -> str | None:
    """Trimmed and lower-cased; a value without an ``@`` is no e-mail address.

    >>> clean_email("  Alex.Example@Example.NET "), clean_email("n/a")
    ('alex.example@example.net', None)
    """
    if v is None or (isinstance(v, float) and v != v):
        return None
    e = str(v).strip().lower()
    return e if "@" in e[1:-1] else None


def address_keys(line: pd.Series, postcode: pd.Series) -> pd.Series:
    """:func:`~ingest.clean.address_key` of each (line, postcode) pair, each distinct pair once.

    >>> address_keys(pd.Series(["Flat 2, 10 High St.", "2/10 High Street", "12 Elm Rd"]),
    ...              pd.Series(["ZZ1 1AA", "zz11aa", None])).tolist()
    ['ZZ11AA|flat 2 10 high street', 'ZZ11AA|flat 2 10 high street', None]
    """
    pairs = list(
        zip(
            line.astype(object).where(line.notna(), None),
            postcode.astype(object).where(postcode.notna(), None),
            strict=True,
        )
    )
    keys = {pair: address_key(*pair) for pair in set(pairs)}
    return pd.Series([keys[pair] for pair in pairs], index=line.index, dtype=object)


def identifier_links(officers: pd.DataFrame, persons: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(identifier nodes, HAS_IDENTIFIER relationships)`` for values shared by ≥ 2 entities.

    ``officers``: officer_id, surname, home_postcode, home_address, phone (and email, when there);
    ``persons``: person_id, surname, postcode, address, phone.

    >>> o = pd.DataFrame({"officer_id": ["1"], "surname": ["Ash"], "home_postcode": ["AB1 2CD"],
    ...                   "home_address": ["1 Elm Rd"], "phone": ["07700 900001"]})
    >>> p = pd.DataFrame({"person_id": ["P9"], "surname": ["ASH"], "postcode": ["ab12cd"],
    ...                   "address": ["2 Oak Rd"], "phone": ["+44 7700 900001"]})
    >>> nodes, rels = identifier_links(o, p)
    >>> nodes[["identifier_id", "holders"]].values.tolist()
    [['phone:07700900001', 2], ['postcode_surname:AB12CD|ash', 2]]
    >>> len(rels)
    4
    >>> p2 = p.assign(address=["Flat 3, 1 Elm Road"], phone=[None])
    >>> o2 = o.assign(home_address=["3/1 ELM RD."])
    >>> sorted(identifier_links(o2, p2)[0]["identifier_id"])
    ['address:AB12CD|flat 3 1 elm road', 'postcode_surname:AB12CD|ash']
    >>> o3 = o2.assign(home_postcode=["ZZ9 9ZZ"])  # the same line in another postcode
    >>> sorted(identifier_links(o3, p2)[0]["identifier_id"])
    []
    """
    parts = []
    for label, key, frame, cols in (
        ("Officer", "officer_id", officers, ("home_address", "phone", "home_postcode", "surname")),
        ("Person", "person_id", persons, ("address", "phone", "postcode", "surname")),
    ):
        if frame is None or not len(frame):
            continue
        addr, phone, pc, sur = cols
        ent = MODEL.node(label).uids(frame[key])
        parts.append(
            pd.DataFrame(
                {
                    "src": ent,
                    "kind": "address",
                    "field": f"{addr}+{pc}",
                    "value": address_keys(frame[addr], frame[pc]),
                }
            )
        )
        parts.append(
            pd.DataFrame(
                {
                    "src": ent,
                    "kind": "phone",
                    "field": phone,
                    "value": clean_series(frame[phone], clean_phone),
                }
            )
        )
        ps = clean_series(frame[pc], clean_postcode) + "|" + clean_series(frame[sur], clean_name)
        parts.append(
            pd.DataFrame({"src": ent, "kind": "postcode_surname", "field": f"{pc}+{sur}", "value": ps})
        )
        if label == "Officer" and "email" in frame:
            parts.append(
                pd.DataFrame(
                    {
                        "src": ent,
                        "kind": "email",
                        "field": "email",
                        "value": clean_series(frame["email"], clean_email),
                    }
                )
            )
    empty = (
        pd.DataFrame(columns=["identifier_id", "kind", "value", "holders"]),
        pd.DataFrame(columns=["src", "dst", "field"]),
    )
    if not parts:
        return empty
    allv = (
        pd.concat(parts, ignore_index=True).dropna(subset=["value"]).drop_duplicates(["src", "kind", "value"])
    )
    allv["identifier_id"] = allv["kind"] + ":" + allv["value"]
    shared = allv.groupby("identifier_id")["src"].transform("nunique") >= 2
    allv = allv[shared]
    if not len(allv):
        return empty
    allv["holders"] = allv.groupby("identifier_id")["src"].transform("nunique").astype(int)
    nodes = allv.drop_duplicates("identifier_id")[["identifier_id", "kind", "value", "holders"]].sort_values(
        "identifier_id"
    )
    rels = pd.DataFrame(
        {
            "src": allv["src"],
            "dst": MODEL.node("Identifier").uids(allv["identifier_id"]),
            "field": allv["field"],
        }
    ).sort_values(["dst", "src"])
    return nodes.reset_index(drop=True), rels.reset_index(drop=True)
