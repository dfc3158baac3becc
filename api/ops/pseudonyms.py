"""Pseudonymised review by default: the one place below the doors where officers and
members of the public are masked.

Every review surface (the review queue and case pages, flag lists, flag pages, evidence
graphs and rows, exports, saved-query results) shows each
officer as a stable pseudonym such as ``Officer-7Q4K`` and each member of the public
as ``Person-XXXXXX``, whoever looks: admins and the command line included. The rule:

- an officer's pseudonym is the HMAC-SHA256 of their officer id under the deployment's
  secret (``LINKWATCH_PSEUDONYM_KEY``; in development a key made in
  ``<data_dir>/pseudonym.key``), written in Crockford's base32 (no I, L, O or U), 4
  characters long; officers whose 4 characters collide all get one more, until each
  is unique (so a pseudonym changes only when a new officer's collides with it);
- a person sees an officer's real identity (id, names, personal details) only where
  they hold an unmasking grant for that officer (:meth:`graph.meta.MetaStore.unmasked`,
  written by a review case's unmask act, with its reason): a grant for a subject shows
  that subject in every case, flag and evidence graph to that user, and to no one else
  (a person whose token names their own officer id sees themself too);
- members of the public are never named here (no act unmasks them); identifiers
  (phones, addresses, e-mails) are shown by kind only;
- officer and person ids inside text (explanations, evidence, notes) are masked too;
- a pseudonym given back in a request (a filter, a saved query's parameter) is read
  as the officer it stands for (:meth:`Masker.resolve`).

Graph exploration (search, entity pages, neighbourhoods, paths) and ad-hoc Cypher stay
named: they are the investigator's and analyst's purpose-audited doors onto a known
subject, not review surfaces.

>>> names = Pseudonyms(b"k" * 32, ["100001", "100002"])
>>> names.officer("100001"), names.officer("100001") == names.officer("100002")
('Officer-2AH2', False)
>>> names.resolve(names.officer("100002"))
'100002'
>>> m = Masker(names, frozenset({"100002"}))
>>> m.text("shares a desk with 100001 and 100002")
'shares a desk with Officer-2AH2 and 100002'
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from base64 import b32encode
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from api.ops.look import Look
from graph.embedded import changed_stamp
from graph.errors import ConfigError
from graph.settings import Settings
from graph.store import GraphStore
from graph.subgraph import Subgraph
from graph.workspace import Workspace

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O or U, which read as other characters."""
MIN_LENGTH = 4
OTHER_LENGTH = 6
KEY_FILE = "pseudonym.key"
MASKED = "(masked)"

NAME_FIELDS: dict[str, frozenset[str]] = {
    "Officer": frozenset(
        {"surname", "forenames", "date_of_birth", "home_postcode", "home_address", "phone", "email"}
    ),
    "Person": frozenset({"surname", "forenames", "date_of_birth", "postcode", "address", "phone"}),
    "Membership": frozenset(
        {"member_surname", "member_forenames", "member_date_of_birth", "member_postcode"}
    ),
    "Identifier": frozenset({"value", "holders"}),
}
"""Per label, the properties that name or locate a person: left out of masked nodes."""
OFFICER_FIELDS = frozenset(
    {
        "officer_id",
        "line_manager_id",
        "approved_by",
        "created_by",
        "changed_by",
        "subject_id",
        "subjects",
        "reviewer_officer_id",
    }
)
"""Properties (and result columns) that hold an officer id: shown as the pseudonym."""
PERSON_FIELDS = frozenset({"person_id"})
"""Properties (and result columns) that hold a member of the public's id."""
NAME_COLUMNS = frozenset().union(*NAME_FIELDS.values()) - {"value", "holders"}
"""Result columns (of saved queries) whose values name or locate a person: masked."""
TABLE_LABELS = {"officers": "Officer", "persons": "Person", "memberships": "Membership"}
"""Source tables whose rows name people: their columns in :data:`NAME_FIELDS` are masked."""

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
"""The words of a text that can be ids (officer and person ids are looked up among them)."""
COMMON = re.compile(r"\d{1,4}|\d{4}-\d{2}-\d{2}(T[\d:]+Z?)?")
"""Words that are counts, years or dates: never looked up as person ids."""
DIGIT = re.compile(r"[0-9]")
"""A digit in a word of :data:`TOKEN` (ASCII only): only such words can be ids."""
JOINER = re.compile(r"([-_])")
"""What joins an id to other text within a word (``100003-notes``, ``P000123_2024``)."""
SPAN_PARTS = 8
"""The most parts (between joiners) an id inside a longer word is looked for in."""


@functools.lru_cache(maxsize=65536)
def spans(word: str) -> tuple[tuple[int, int, str], ...]:
    """The runs of a word's parts (split at ``-`` and ``_``) shorter than the whole word
    that could be an id joined to other text: ``(first part, last part, text)``, longest
    first from each part. Like the words looked up as person ids, a run needs a digit and
    is no count or date (a one-letter officer id is not found inside ``F-B1``, nor ``12``
    inside ``12-notes``). Dates are not split.

    >>> [t for _, _, t in spans("100003-notes")]
    ['100003']
    >>> [t for _, _, t in spans("SA-100003_x")]
    ['SA-100003', '100003_x', '100003']
    >>> spans("2024-01-31"), spans("plain-text"), spans("F-B1"), spans("12-notes")
    ((), (), ((1, 1, 'B1'),), ())
    """
    if ("-" not in word and "_" not in word) or COMMON.fullmatch(word):
        return ()
    parts = JOINER.split(word)
    n = (len(parts) + 1) // 2
    out = []
    for i in range(n):
        for j in range(min(n, i + SPAN_PARTS) - 1, i - 1, -1):
            t = "".join(parts[2 * i : 2 * j + 1])
            if (i, j) != (0, n - 1) and parts[2 * i] and parts[2 * j] and DIGIT.search(t) and not COMMON.fullmatch(t):
                out.append((i, j, t))
    return tuple(out)


# ---- the key -------------------------------------------------------------------------


def pseudonym_key(settings: Settings) -> bytes:
    """The secret pseudonyms are keyed by: ``LINKWATCH_PSEUDONYM_KEY``; in development
    without one, a key made once in ``<data_dir>/pseudonym.key`` (mode 0600), so that
    pseudonyms stay the same across restarts. In production a missing key is a
    :class:`~graph.errors.ConfigError` (:meth:`Settings.check` refuses it at start).

    >>> import tempfile
    >>> s = Settings(data_dir=tempfile.mkdtemp())
    >>> pseudonym_key(s) == pseudonym_key(s), len(pseudonym_key(s))
    (True, 32)
    >>> pseudonym_key(Settings(pseudonym_key="a-secret-of-some-length"))
    b'a-secret-of-some-length'
    """
    given = settings.pseudonym_key.get_secret_value().strip() if settings.pseudonym_key else ""
    if given:
        return given.encode()
    if settings.environment != "development":
        raise ConfigError(
            "LINKWATCH_PSEUDONYM_KEY is not set: production needs the secret that keys pseudonyms"
        )
    return _key_file(Path(settings.data_dir) / KEY_FILE)


def _key_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_hex(32) + "\n")
            with suppress(FileExistsError):  # another process made it first: use theirs
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise ConfigError(
            f"cannot read the pseudonym key {path} ({e}): restore it, or set LINKWATCH_PSEUDONYM_KEY"
        ) from None
    if len(key) < 16:
        raise ConfigError(f"{path} is not a pseudonym key: restore it, or set LINKWATCH_PSEUDONYM_KEY")
    return key


# ---- pseudonyms ----------------------------------------------------------------------


def _digest(key: bytes, kind: str, ident: str) -> str:
    raw = hmac.new(key, f"{kind}:{ident}".encode(), hashlib.sha256).digest()
    return b32encode(raw).decode("ascii").rstrip("=").translate(_CROCKFORD)


_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET[10:] + ALPHABET[:10])


def _shortest_unique(digests: dict[str, str], taken: Iterable[str] = ()) -> dict[str, str]:
    """Each id's shortest prefix (at least :data:`MIN_LENGTH`) of its digest that no other
    id shares at that length; ``taken`` codes are avoided too."""
    out: dict[str, str] = {}
    used = set(taken)
    pending, n = dict(digests), MIN_LENGTH
    while pending:
        by: dict[str, list[str]] = defaultdict(list)
        for i, d in pending.items():
            by[d[:n]].append(i)
        pending = {}
        for code, ids in by.items():
            if len(ids) == 1 and code not in used:
                out[ids[0]] = code
            else:
                pending.update({i: digests[i] for i in ids})
        n += 1
    return out


class Pseudonyms:
    """The pseudonyms of one key: officers' (unique among ``officers``, reversible) and
    members of the public's (never reversed).

    Parameters
    ----------
    key : bytes
        The secret (:func:`pseudonym_key`).
    officers : iterable of str
        Every officer id known (collisions among them are settled by lengthening).
    """

    def __init__(self, key: bytes, officers: Iterable[str]) -> None:
        self._key = key
        ids = sorted({str(o) for o in officers})
        self._officer = _shortest_unique({o: _digest(key, "Officer", o) for o in ids})
        self._back = {f"Officer-{c}": o for o, c in self._officer.items()}
        self.officer_ids = frozenset(ids)

    def officer(self, officer_id: str) -> str:
        """``Officer-XXXX`` for an officer id (one not known at start gets a code no known
        officer has)."""
        oid = str(officer_id)
        if oid not in self._officer:
            code = _shortest_unique({oid: _digest(self._key, "Officer", oid)}, self._officer.values())[oid]
            self._officer[oid] = code
            self._back[f"Officer-{code}"] = oid
        return f"Officer-{self._officer[oid]}"

    def other(self, kind: str, ident: str) -> str:
        """``<kind>-XXXXXX`` for a member of the public or an identifier: 6 characters
        (a billion codes), never reversed."""
        return f"{kind}-{_digest(self._key, kind, str(ident))[:OTHER_LENGTH]}"

    def resolve(self, value: str) -> str | None:
        """The officer id a pseudonym stands for (``None`` if it is none)."""
        return self._back.get(str(value).strip())


@lru_cache(maxsize=8)
def _pseudonyms(key: bytes, officers: frozenset[str]) -> Pseudonyms:
    return Pseudonyms(key, officers)


OFFICERS_TTL_S = 60.0
"""How long the officer ids read for pseudonyms are used before they are read again (a new
write to the embedded store reads them again at once; a read-only embedded snapshot, as a
server holds, keeps them: reading 45,000 ids again held every masked request of the
process for 0.3 s a minute)."""
_officers: dict[tuple[int, float], tuple[float, frozenset[str]]] = {}
_PSEUDONYMS_LOCK = threading.Lock()


def _officer_ids(ws: Workspace) -> frozenset[str]:
    """Every officer id in the graph, read once per store handle and write (and at most
    every :data:`OFFICERS_TTL_S` seconds): 45,000 ids cost 0.3 s to read, every request."""
    stamp = (id(ws.store), changed_stamp(Path(ws.settings.data_dir)))
    now = time.monotonic()
    hit = _officers.get(stamp)
    snapshot = ws.settings.store == "embedded" and getattr(ws.store, "read_only", False)
    if hit is not None and (snapshot or now - hit[0] < OFFICERS_TTL_S):
        return hit[1]  # a server's embedded snapshot never changes: its ids are read once
    ids = frozenset(
        str(r["id"]) for r in ws.store.query("MATCH (o:Officer) RETURN o.officer_id AS id") if r["id"]
    )
    _officers.clear()
    _officers[stamp] = (now, ids)
    return ids


def officer_pseudonyms(ws: Workspace) -> Pseudonyms:
    """The pseudonyms of a workspace: its key, and every officer in its graph.

    >>> import tempfile
    >>> with Workspace(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256)) as ws:
    ...     officer_pseudonyms(ws).officer("A").startswith("Officer-")
    True
    """
    with _PSEUDONYMS_LOCK:  # built once: requests arriving meanwhile wait for it, not build it again
        return _pseudonyms(pseudonym_key(ws.settings), _officer_ids(ws))


# ---- masking -------------------------------------------------------------------------

KEPT_KIND = "masked flags"
KEPT_FLAGS = 4096
"""Flags whose masked explanation and evidence a server's snapshot keeps (per officers
shown): a page of 50 flags at 45k takes 7–12 ms to mask, half its server time."""


@dataclass
class Masker:
    """Masks what one look sees: every officer but those ``visible`` (unmasked by a grant)
    as a pseudonym, every member of the public always.

    Make it with :meth:`for_look`; then ``officer``, ``uid``, ``node``, ``edge``,
    ``subgraph``, ``rows``, ``flag``, ``value`` and ``text`` mask what they are given.
    With a ``store`` it tells which words of a text are person ids by asking it.
    """

    names: Pseudonyms
    visible: frozenset[str] = frozenset()
    store: GraphStore | None = None
    _persons: set[str] = field(default_factory=set)
    _checked: set[str] = field(default_factory=set)
    _seen: set[str] = field(default_factory=set)
    _texts: dict[str, str] = field(default_factory=dict)  # text -> masked, within this look
    _words: dict[str, str] = field(default_factory=dict)  # word -> masked, once it was learnt

    @classmethod
    def for_look(cls, ws: Workspace, look: Look) -> Masker:
        """The masker of a look: the workspace's key and officers, and the officers the
        looker holds an unmasking grant for (and their own, when their token names it)."""
        own = {look.who.officer_id} if look.who.officer_id else set()
        return cls(officer_pseudonyms(ws), frozenset(ws.meta.unmasked(look.who.user) | own), ws.store)

    @classmethod
    def for_subject(cls, ws: Workspace, officer_id: str) -> Masker:
        """The masker of a subject's own report: that officer shown, every other officer
        and every member of the public by pseudonym."""
        return cls(officer_pseudonyms(ws), frozenset({str(officer_id)}), ws.store)

    # -- ids ---------------------------------------------------------------------------

    def officer(self, officer_id: Any) -> Any:
        """An officer id as this look may see it."""
        if officer_id is None or officer_id == "":
            return officer_id
        oid = str(officer_id)
        return oid if oid in self.visible else self.names.officer(oid)

    def person(self, person_id: Any) -> Any:
        """A member of the public's id: always a pseudonym."""
        return person_id if person_id in (None, "") else self.names.other("Person", str(person_id))

    def resolve(self, value: str | None) -> str | None:
        """An officer id given in a request: a pseudonym read as its officer, anything
        else as it is."""
        if value is None:
            return None
        return self.names.resolve(value) or value

    def resolve_uid(self, uid: str) -> str:
        """A node id given in a request: ``Officer:<pseudonym>`` read as the officer's."""
        label, sep, key = str(uid).partition(":")
        return f"Officer:{self.resolve(key)}" if sep and label == "Officer" else uid

    def uid(self, uid: Any) -> Any:
        """A node id (``Label:key``) with the key masked where it names someone."""
        if not isinstance(uid, str):
            return uid
        label, sep, key = uid.partition(":")
        if not sep:
            return uid
        if label == "Officer":
            return f"Officer:{self.officer(key)}"
        if label == "Person":
            return f"Person:{self.person(key)}"
        if label == "Identifier":
            return f"Identifier:{self.identifier(key)}"
        return uid

    def identifier(self, identifier_id: str) -> str:
        """An identifier (``kind:value``) by its kind only: ``phone:Identifier-XXXX``."""
        kind, _, value = str(identifier_id).partition(":")
        return f"{kind}:{self.names.other('Identifier', identifier_id)}" if value else identifier_id

    # -- text --------------------------------------------------------------------------

    def learn(self, texts: Iterable[str]) -> None:
        """Find which words of these texts are person ids (one query to the store): call
        it with every text of a page before masking them one by one."""
        # each word is judged once per masker (a page's texts come back word by word in
        # text(): 1,500 texts and 60,000 words a page of 50 flags)
        new = {w for t in texts for w in TOKEN.findall(t)} - self._seen
        officer_ids = self.names.officer_ids
        inner = {t for w in new for _, _, t in spans(w)}  # ids joined to other text
        words = {
            w
            for w in new | inner
            if DIGIT.search(w) and not COMMON.fullmatch(w) and w not in self._checked and w not in officer_ids
        }
        if words and self.store is not None:
            rows = self.store.query(
                # by uid, the key every store looks up directly (a scan of the person_id property
                # read every person of a Met-sized force's records: 0.5 s a page)
                "UNWIND $uids AS u MATCH (p:Person {uid: u}) RETURN p.person_id AS id",
                {"uids": [f"Person:{w}" for w in sorted(words)]},
            )
            self._persons |= {str(r["id"]) for r in rows}
        self._checked |= words
        self._seen |= new

    def text(self, text: Any) -> Any:
        """A text with the officer ids and person ids in it masked (identifiers spelled as
        node ids, ``Identifier:phone:…``, too)."""
        if not isinstance(text, str) or not text:
            return text
        if text.startswith("Identifier:"):
            return self.uid(text)
        done = self._texts.get(text)
        if done is not None:  # evidence repeats its texts (systems, reasons, dates): each is masked once
            return done
        if not self._seen.issuperset(TOKEN.findall(text)):  # a page's texts were learnt at once
            self.learn([text])

        def one(w: str) -> str | None:
            if w in self.names.officer_ids:
                return str(self.officer(w))
            if w in self._persons:
                return str(self.person(w))
            return None

        def swap(m: re.Match[str]) -> str:
            w = m.group(0)
            whole = one(w)
            if whole is not None:
                return whole
            if "-" not in w and "_" not in w:
                return w
            done = self._words.get(w)
            if done is None:
                done = self._words[w] = self._inside(w, one)
            return done

        done = self._texts[text] = TOKEN.sub(swap, text)
        return done

    @staticmethod
    def _inside(word: str, one: Callable[[str], str | None]) -> str:
        """``word`` with the ids joined to other text in it masked (``one``: an id masked,
        else ``None``): left to right, the longest first."""
        found = [(i, j, x) for i, j, t in spans(word) if (x := one(t)) is not None]
        parts, out, at = JOINER.split(word), [], 0
        for i, j, x in found:
            if 2 * i >= at:
                out += [*parts[at : 2 * i], x]
                at = 2 * j + 1  # the joiner after the id, and on
        return "".join(out + parts[at:])

    def value(self, v: Any, name: str | None = None, *, names: bool = True) -> Any:
        """Any value (evidence JSON, a result cell) masked: ids by the field ``name`` they
        are under, names left out, text masked; lists and mappings item by item."""
        if isinstance(v, dict):
            if "labels" in v and "properties" in v and "id" in v:
                return self.node(v)
            if "type" in v and "source" in v and "target" in v:
                return self.edge(v)
            if "nodes" in v and "edges" in v:
                return {
                    **v,
                    "nodes": [self.node(n) for n in v["nodes"]],
                    "edges": [self.edge(e) for e in v["edges"]],
                }
            return {k: self.value(x, k) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [self.value(x, name, names=names) for x in v]
        if name in OFFICER_FIELDS:
            return self.officer(v)
        if name in PERSON_FIELDS:
            return self.person(v)
        if names and name in NAME_COLUMNS:
            return v if v in (None, "") else MASKED
        return self.text(v) if isinstance(v, str) else v

    # -- graph -------------------------------------------------------------------------

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        """A node with its id masked and, unless it is an unmasked officer, its names and
        personal details left out."""
        label = node["labels"][0] if node.get("labels") else ""
        props = dict(node.get("properties") or {})
        if label == "Officer" and str(props.get("officer_id")) in self.visible:
            return {**node, "properties": props}
        for k in NAME_FIELDS.get(label, ()):
            props.pop(k, None)
        out: dict[str, Any] = {}
        for k, v in props.items():
            if label == "Identifier" and k == "identifier_id":
                out[k] = self.identifier(v)
            elif label == "Flag" and k == "evidence" and isinstance(v, str):
                out[k] = json.dumps(self.value(json.loads(v or "[]")), ensure_ascii=False)
            elif k == "uid":
                out[k] = self.uid(v)
            else:
                out[k] = self.value(v, k)
        return {**node, "id": self.uid(node["id"]), "properties": out}

    def edge(self, edge: dict[str, Any]) -> dict[str, Any]:
        """An edge with its ends masked (and any id in its properties)."""
        props = {k: self.value(v, k) for k, v in (edge.get("properties") or {}).items()}
        return {
            **edge,
            "source": self.uid(edge["source"]),
            "target": self.uid(edge["target"]),
            "properties": props,
        }

    def subgraph(self, sg: Subgraph) -> Subgraph:
        """A subgraph with every node and edge masked."""
        self.learn(_strings([sg.nodes, sg.edges]))
        out = Subgraph(truncated=sg.truncated)
        for n in sg.nodes.values():
            out.add_node(self.node(n))
        for e in sg.edges.values():
            out.add_edge(self.edge(e))
        return out

    # -- what the operations return -----------------------------------------------------

    def rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Result rows (of a saved query) masked cell by cell, by column name and value."""
        self.learn(_strings(rows))
        return [self.row(r) for r in rows]

    def flag(self, flag: dict[str, Any]) -> dict[str, Any]:
        """A flag (as :func:`api.ops.flags.flag_out` gives it, with any assessments and
        evidence tables) masked."""
        out = dict(flag)
        out["officer_id"] = self.officer(flag.get("officer_id"))
        out["explanation"], out["evidence"] = self._flag_texts(flag)
        if "assessments" in flag:
            out["assessments"] = [{**a, "note": self.text(a.get("note"))} for a in flag["assessments"]]
        if "evidence_tables" in flag:
            out["evidence_tables"] = [
                {**t, "rows": [self.row(r, t["kind"]) for r in t["rows"]]} for t in flag["evidence_tables"]
            ]
        return out

    def row(self, row: dict[str, Any], table: str | None = None) -> dict[str, Any]:
        """One row (of a source table, a result) masked by column; a row of ``officers``
        about an officer this look has unmasked is shown as it is."""
        if table == "officers" and str(row.get("officer_id")) in self.visible:
            return dict(row)
        if table is None:
            return {k: self.value(v, k) for k, v in row.items()}
        names = NAME_FIELDS.get(TABLE_LABELS.get(table, ""), frozenset())
        return {
            k: MASKED if k in names and v not in (None, "") else self.value(v, k, names=False)
            for k, v in row.items()
        }

    def case(self, case: dict[str, Any]) -> dict[str, Any]:
        """A review case (as :func:`api.ops.cases.case_out` gives it) masked: its subjects,
        the officer ids in its grants, and any id in its notes and reasons."""
        self.learn(_strings(case))
        return {k: self.value(v, k) for k, v in case.items()}

    def flags(self, flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Flags masked (their texts checked for person ids in one query; those of flags
        this snapshot has masked for the same officers shown, kept, need none)."""
        store = self.store
        todo = [f for f in flags if store is None or not store.remembers(self._kept_key(f), kind=KEPT_KIND)]
        self.learn(_strings(todo))
        return [self.flag(f) for f in flags]

    def _kept_key(self, flag: dict[str, Any]) -> Hashable:
        """What a flag's masked texts depend on beside the snapshot: the pseudonyms, the
        officers shown, the flag (its id and explanation)."""
        return (self.names, self.visible, flag.get("flag_id"), flag.get("explanation"))

    def _flag_texts(self, flag: dict[str, Any]) -> tuple[Any, Any]:
        """A flag's explanation and evidence masked: kept by a server's snapshot (the same
        flags are listed page after page), else made each time."""

        def make() -> tuple[Any, Any]:
            return self.text(flag.get("explanation")), self.value(flag.get("evidence") or [])

        if self.store is None or flag.get("flag_id") is None:
            return make()
        return self.store.remember(self._kept_key(flag), make, kind=KEPT_KIND, most=KEPT_FLAGS)


def _strings(v: Any) -> Iterable[str]:
    """Every string inside a value (for :meth:`Masker.learn`)."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list | tuple):
        for x in v:
            yield from _strings(x)


def masker(ws: Workspace, look: Look) -> Masker:
    """The masker of a look (:meth:`Masker.for_look`)."""
    return Masker.for_look(ws, look)
