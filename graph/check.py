"""Find and mend relationships a Ladybug 0.22 defect damaged (``linkwatch check``).

Ladybug 0.22 keeps each relationship twice, in a forward list (by its start node) and
a backward one (by its end node), with its properties in each. A ``SET`` on a
relationship table that joins several pairs of labels (``MEMBER_OF``, ``RESOLVED_TO``)
damaged one of the two lists for some of the relationships it set: read from that
side, a relationship either had every property it left out null (``key``, ``src``,
``dst``, ``first_seen``, ``row_hash``, the declared ones) and an end node that is not
its own (the label's first node), or had its properties whole but an end node shifted
onto a neighbour's (a membership-list entry read as resolved to another entry's
officer). Read from the other side the same relationship was whole. Which side a
query reads depends on its plan, so two queries could see different graphs. The damage
appears when the ``SET`` is checkpointed; setting every property (linkwatch's first
answer) keeps the properties but not the ends. linkwatch now never ``SET``s links of
such types (:meth:`graph.embedded.EmbeddedStore._rewrite_rels`), but stores written
before may hold damaged links.

:func:`check` reads every relationship type from both sides (on Neo4j, which keeps one
copy, once) and counts the links that are damaged: a required property null, or ``src``
/ ``dst`` not the uids of the ends read. :func:`repair` (embedded store only) rebuilds
each damaged type from what is whole: every relationship read intact from either side,
and, where both sides agree on a relationship's ends but not its properties, ``key``,
``src`` and ``dst`` rebuilt from the ends (the key only when the rebuild reproduces every
intact link's key of the type). ``first_seen``, ``last_seen``, ``run_id`` and
``row_hash`` are never guessed: a link that lacks them is reported, not mended (a null
``row_hash`` makes the next ingest of the type write the link again). Declared
properties nulled on both sides cannot be told from properties that were null: they are
not checked. The type's table is dropped and copied again (no ``SET``, which is what
damaged it), in the writer's working copy, so a failure publishes nothing.

Seen on a copy of a 45k-officer store (stores written before the fix): read forward,
252 of 6,194 ``RESOLVED_TO`` links from memberships to officers were hollow (pointing
at the first officer) and 258 had whole properties under a neighbour's membership;
every one of them read whole backward, as did ``MEMBER_OF``'s 14 damaged links from
persons; ``RESOLVED_TO`` to persons was damaged on both sides, but for different links.
Nothing was damaged on both sides, and no type joining one pair was damaged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graph.errors import QueryError
from graph.model import MODEL, GraphModel, RelSchema
from graph.store import GraphStore, relationship_keys

REQUIRED = ("key", "src", "dst", "first_seen", "last_seen", "run_id", "row_hash")
"""Properties every relationship has once loaded (``source_file``, ``source_line``,
``retired_at`` and ``extra`` may be null)."""
DERIVED = ("key", "src", "dst")
"""What :func:`repair` may rebuild where no side holds it: ``key`` from the ends and the
discriminator (:func:`graph.store.relationship_keys`), ``src`` / ``dst`` from the ends."""
DISCRIMINATORS = {"MEMBER_OF": "membership_id"}
"""The property that tells parallel relationships of a derived type apart (the
ingest's ``discriminator``); linked types name theirs in :class:`graph.model.Link`."""
PAGE_ROWS = 100_000
"""About how many relationships one read of :func:`repair` takes (the embedded engine
holds a whole result in its buffer pool)."""


@dataclass
class Finding:
    """Damaged links of one label pair of a type, read from one side.

    Attributes
    ----------
    type, start, end : str
        The relationship type and the pair of labels.
    side : str
        ``forward`` (from the start nodes), ``backward`` (from the end nodes) or, on
        Neo4j, ``read``.
    rows : int
        Links read.
    damaged : int
        Links with a required property null or ends other than ``src`` / ``dst``.
    missing : dict of str to int
        Links with each required property null (only those with some).
    wrong_ends : int
        Links whose ``src`` / ``dst`` name other nodes than the ends read.
    examples : list of dict
        A few damaged links: the ends read (``from_node``, ``to_node``), ``key``,
        ``src``, ``dst``, ``first_seen``.
    """

    type: str
    start: str
    end: str
    side: str
    rows: int
    damaged: int
    missing: dict[str, int]
    wrong_ends: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    def line(self) -> str:
        what = [f"{p} null: {n}" for p, n in self.missing.items()]
        if self.wrong_ends:
            what.append(f"ends other than src/dst: {self.wrong_ends}")
        return (
            f"{self.type} ({self.start} -> {self.end}), read {self.side}: {self.damaged} of "
            f"{self.rows} damaged ({'; '.join(what)})"
        )


@dataclass
class CheckReport:
    """What :func:`check` found.

    Attributes
    ----------
    store : str
        ``embedded`` or ``neo4j``.
    rows : dict of str to int
        Links of each type checked (read from the forward side).
    findings : list of Finding
        One per label pair and side with damaged links (empty: none found).
    seconds : float
    """

    store: str
    rows: dict[str, int]
    findings: list[Finding]
    seconds: float

    @property
    def ok(self) -> bool:
        """No damaged link was found."""
        return not self.findings

    def damaged(self) -> dict[str, int]:
        """Damaged links per type: the most any one side reads damaged, per label pair."""
        out: dict[str, int] = {}
        for (t, _s, _e), n in self._by_pair().items():
            out[t] = out.get(t, 0) + n
        return out

    def _by_pair(self) -> dict[tuple[str, str, str], int]:
        most: dict[tuple[str, str, str], int] = {}
        for f in self.findings:
            k = (f.type, f.start, f.end)
            most[k] = max(most.get(k, 0), f.damaged)
        return most

    def lines(self) -> list[str]:
        """The report in plain words, a line each (examples indented)."""
        head = (
            f"{sum(self.rows.values()):,} relationships of {len(self.rows)} types checked on the "
            f"{self.store} store in {self.seconds:.1f} s: "
        )
        if self.ok:
            return [head + "no damaged link"]
        out = [head + ", ".join(f"{t}: {n} damaged" for t, n in self.damaged().items())]
        for f in self.findings:
            out.append("  " + f.line())
            out += [f"    e.g. {e}" for e in f.examples]
        return out


@dataclass
class Mend:
    """What :func:`repair` did to one relationship type.

    Attributes
    ----------
    type : str
    relationships : int
        Links of the type (as many as each side reads).
    damaged : int
        Links damaged on some side before.
    recovered : int
        Of those, links read whole from the other side.
    derived : dict of str to int
        Links whose property was rebuilt (:data:`DERIVED`), per property.
    unmended : list of str
        What could not be mended, in words (empty: all of it was).
    rebuilt : bool
        Whether the type's table was written again.
    """

    type: str
    relationships: int
    damaged: int
    recovered: int = 0
    derived: dict[str, int] = field(default_factory=dict)
    unmended: list[str] = field(default_factory=list)
    rebuilt: bool = False
    still_null: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    def line(self) -> str:
        parts = [f"{self.type}: {self.damaged} damaged of {self.relationships}"]
        if self.rebuilt:
            parts.append(f"table rebuilt; {self.recovered} read whole from the other side")
        if self.derived:
            parts.append(
                "rebuilt from the ends and properties: "
                + ", ".join(f"{p} {n}" for p, n in self.derived.items())
            )
        parts += [f"NOT mended: {u}" for u in self.unmended]
        return "; ".join(parts)


@dataclass
class RepairReport:
    """What :func:`repair` mended and what it could not.

    Attributes
    ----------
    mends : list of Mend
        One per damaged type.
    after : CheckReport
        The check run again after the repair.
    seconds : float
    """

    mends: list[Mend]
    after: CheckReport
    seconds: float

    @property
    def ok(self) -> bool:
        """Everything found was mended (the check after finds nothing)."""
        return self.after.ok and not any(m.unmended for m in self.mends)

    def lines(self) -> list[str]:
        """The report in plain words."""
        out = [f"repair took {self.seconds:.1f} s"] + ["  " + m.line() for m in self.mends]
        after = self.after.lines()
        return [*out, "after the repair: " + after[0], *after[1:]]


def _sides(store: GraphStore) -> tuple[str, ...]:
    return ("forward", "backward") if store.name == "embedded" else ("read",)


def _match(rel: RelSchema, start: str, end: str, side: str, where: str = "") -> str:
    """A match of one label pair's links from one side: the embedded engine reads the
    forward list when the filter is on the start node, the backward one when on the
    end node."""
    if side == "forward":
        cond = "offset(id(a)) >= $lo AND offset(id(a)) < $hi"
        head = f"MATCH (a:{start})-[r:{rel.type}]->(b:{end}) WHERE {cond}"
    elif side == "backward":
        cond = "offset(id(b)) >= $lo AND offset(id(b)) < $hi"
        head = f"MATCH (b:{end})<-[r:{rel.type}]-(a:{start}) WHERE {cond}"
    else:
        return f"MATCH (a:{start})-[r:{rel.type}]->(b:{end})" + (f" WHERE {where}" if where else "")
    return head + (f" AND ({where})" if where else "")


def _pages(store: GraphStore, rel: RelSchema, start: str, end: str, side: str) -> list[dict[str, int]]:
    """The parameters of each page of a side's read: windows of the offsets of the nodes
    the side reads from, each holding about :data:`PAGE_ROWS` links (the embedded engine
    holds a query's whole working set in its buffer pool: one aggregate over 1.9 M
    ``ACCESSED`` links overflowed 1 GiB); on Neo4j one read."""
    if side == "read":
        return [{}]
    node = "a" if side == "forward" else "b"
    stats = store.query(
        f"{_match(rel, start, end, side)} RETURN count(r) AS n, min(offset(id({node}))) AS lo, "
        f"max(offset(id({node}))) AS hi",
        {"lo": 0, "hi": 2**62},
    )[0]
    n, lo, hi = _int(stats["n"]), _int(stats["lo"]), _int(stats["hi"])
    if not n:
        return []
    width = max(1, int((hi - lo + 1) * PAGE_ROWS / n))
    return [{"lo": first, "hi": first + width} for first in range(lo, hi + 1, width)]


BAD = " OR ".join([f"r.{p} IS NULL" for p in REQUIRED] + ["r.src <> a.uid", "r.dst <> b.uid"])
"""A damaged link, in Cypher (both dialects)."""


def _int(v: Any) -> int:
    return 0 if v is None or pd.isna(v) else int(v)


def check(
    store: GraphStore, types: list[str] | None = None, *, examples: int = 3, model: GraphModel = MODEL
) -> CheckReport:
    """Find links with a null key or null required provenance, or ends other than the
    ``src`` / ``dst`` they carry, per type, label pair and side.

    On the embedded store each label pair is read from both sides (the forward and the
    backward lists, see the module's text), in pages; on Neo4j once. Only counts are
    read, and a few examples of damaged links.

    Parameters
    ----------
    store : GraphStore
        An open store (read-only is enough).
    types : list of str, optional
        The relationship types to check (default: every type of the model).
    examples : int, default 3
        Damaged links to show per label pair and side.
    model : GraphModel, optional

    Returns
    -------
    CheckReport
        ``ok`` when nothing is damaged.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.settings import Settings
    >>> from graph.store import RunInfo
    >>> from graph.workspace import open_store
    >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
    >>> _ = store.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B"]}), RunInfo.new("doc"))
    >>> _ = store.load_relationships("REPORTS_TO", pd.DataFrame({"src": ["Officer:B"], "dst": ["Officer:A"]}),
    ...                              RunInfo.new("doc"))
    >>> report = check(store)
    >>> report.ok, report.rows["REPORTS_TO"]
    (True, 1)
    >>> store._write("MATCH ()-[r:REPORTS_TO]->() SET r.key = NULL", {})  # damage it
    >>> report = check(store, ["REPORTS_TO"])
    >>> report.ok, report.damaged()
    (False, {'REPORTS_TO': 1})
    >>> print(report.findings[0].line())
    REPORTS_TO (Officer -> Officer), read forward: 1 of 1 damaged (key null: 1)
    >>> store.close()
    """
    t0 = time.perf_counter()
    rels = [model.rel(t) for t in types] if types else list(model.relationships)
    rows: dict[str, int] = {}
    findings: list[Finding] = []
    nulls = ", ".join(f"sum(CASE WHEN r.{p} IS NULL THEN 1 ELSE 0 END) AS n_{p}" for p in REQUIRED)
    ret = (
        f"count(r) AS n, sum(CASE WHEN {BAD} THEN 1 ELSE 0 END) AS n_bad, {nulls}, "
        "sum(CASE WHEN r.src <> a.uid OR r.dst <> b.uid THEN 1 ELSE 0 END) AS n_ends"
    )
    for rel in rels:
        rows[rel.type] = 0
        for start, end in rel.ends:
            for side in _sides(store):
                pages = _pages(store, rel, start, end, side)
                got: dict[str, int] = {}
                for params in pages:
                    for k, v in store.query(f"{_match(rel, start, end, side)} RETURN {ret}", params)[
                        0
                    ].items():
                        got[k] = got.get(k, 0) + _int(v)
                if side != "backward":
                    rows[rel.type] += got.get("n", 0)
                if not got.get("n_bad"):
                    continue
                shown: list[dict[str, Any]] = []
                for params in pages:
                    if len(shown) >= examples:
                        break
                    shown += store.query(
                        f"{_match(rel, start, end, side, BAD)} RETURN a.uid AS from_node, b.uid AS to_node, "
                        "r.key AS key, r.src AS src, r.dst AS dst, r.first_seen AS first_seen",
                        params,
                        max_rows=examples - len(shown),
                    )
                findings.append(
                    Finding(
                        rel.type,
                        start,
                        end,
                        side,
                        got["n"],
                        got["n_bad"],
                        {p: got[f"n_{p}"] for p in REQUIRED if got[f"n_{p}"]},
                        got["n_ends"],
                        shown,
                    )
                )
    return CheckReport(store.name, rows, findings, time.perf_counter() - t0)


def _read_side(store: GraphStore, rel: RelSchema, start: str, end: str, side: str) -> pd.DataFrame:
    """Every link of a label pair read from one side, with the ends read (``_a``, ``_b``)
    and the engine's id of the link (``_rid``), in pages."""
    cols = ["_a", "_b", "_rid", *rel.prop_names]
    ret = "a.uid AS _a, b.uid AS _b, offset(id(r)) AS _rid, " + ", ".join(
        f"r.{p} AS {p}" for p in rel.prop_names
    )
    pages = [
        store.frame(f"{_match(rel, start, end, side)} RETURN {ret}", cols, p)
        for p in _pages(store, rel, start, end, side)
    ]
    return pd.concat(pages, ignore_index=True) if pages else pd.DataFrame(columns=cols)


def _whole(df: pd.DataFrame) -> pd.Series:
    ok = df[list(REQUIRED)].notna().all(axis=1)
    return ok & (df["src"] == df["_a"]) & (df["dst"] == df["_b"])


def _discriminator(rel: RelSchema) -> str | None:
    if rel.link is not None:
        return rel.link.discriminator
    return DISCRIMINATORS.get(rel.type)


def _keys(rel: RelSchema, df: pd.DataFrame) -> pd.Series:
    disc = _discriminator(rel)
    values = None if disc is None else df[disc].astype(object).where(df[disc].notna(), "").astype(str)
    return relationship_keys(df["_a"], df["_b"], values)


def _mend_type(store: GraphStore, rel: RelSchema) -> tuple[Mend, pd.DataFrame | None]:
    """The rows a damaged type's table is written again from, or ``None`` where some link
    cannot be recovered (its ends are unknown) or the sides disagree."""
    mend = Mend(rel.type, 0, 0)
    parts: list[pd.DataFrame] = []
    for start, end in rel.ends:
        fwd = _read_side(store, rel, start, end, "forward")
        bwd = _read_side(store, rel, start, end, "backward")
        n = len(fwd)
        mend.relationships += n
        if len(bwd) != n:
            mend.unmended.append(f"{start} -> {end}: {n} links read forward, {len(bwd)} backward")
            continue
        ok_f, ok_b = fwd[_whole(fwd)], bwd[_whole(bwd)]
        whole = pd.concat([ok_f, ok_b], ignore_index=True)
        whole = whole[~whole[rel.prop_names].astype(str).duplicated()]  # lists are not hashable
        if whole["key"].duplicated().any():
            mend.unmended.append(f"{start} -> {end}: the two sides hold different values for the same key")
            continue
        intact_both = len(set(ok_f["key"]) & set(ok_b["key"]))
        # links damaged on both sides: their ends are known where both sides read the same
        # ends for the same link (the engine's id)
        both = fwd[~_whole(fwd)].merge(bwd.loc[~_whole(bwd), ["_rid", "_a", "_b"]], on=["_rid", "_a", "_b"])
        mend.damaged += n - intact_both
        mend.recovered += len(whole) - intact_both
        parts.append(whole.assign(_start=start, _end=end, _derive=False))
        if len(both):
            parts.append(both.assign(_start=start, _end=end, _derive=True))
        unknown = n - len(whole) - len(both)
        if unknown < 0:
            mend.unmended.append(
                f"{start} -> {end}: {len(whole)} links read whole and {len(both)} damaged alike on both "
                f"sides, more than the {n} there are (the table was left as it is)"
            )
        elif unknown:
            mend.unmended.append(
                f"{start} -> {end}: {unknown} links read damaged from both sides with different "
                "ends: their ends are unknown (the table was left as it is)"
            )
    if mend.unmended:
        return mend, None
    rows = pd.concat(parts, ignore_index=True)
    derive = rows["_derive"].astype(bool)
    if derive.any():
        _derive(rel, rows, derive, mend)
    still = rows[list(REQUIRED)].isna().any(axis=1)
    for (s, e), grp in rows[still].groupby(["_start", "_end"]):
        mend.still_null[(str(s), str(e))] = len(grp)
    return mend, rows


def _derive(rel: RelSchema, rows: pd.DataFrame, derive: pd.Series, mend: Mend) -> None:
    """Rebuild ``src``, ``dst`` and ``key`` of links damaged on both sides (in place)."""
    for prop, end in (("src", "_a"), ("dst", "_b")):
        need = derive & (rows[prop] != rows[end])
        if need.any():
            rows.loc[need, prop] = rows.loc[need, end]
            mend.derived[prop] = int(need.sum())
    need = derive & rows["key"].isna()
    disc = _discriminator(rel)
    if disc is not None:
        unknown = need & rows[disc].isna()
        if unknown.any():
            mend.unmended.append(f"{int(unknown.sum())} links' key: their {disc} is null too (left null)")
        need &= ~unknown
    intact = rows[~derive]
    if need.any():
        if len(intact) and (_keys(rel, intact).to_numpy() == intact["key"].to_numpy()).all():
            rows.loc[need, "key"] = _keys(rel, rows[need]).to_numpy()
            mend.derived["key"] = int(need.sum())
        else:
            mend.unmended.append(
                f"{int(need.sum())} links' key: rebuilding it does not reproduce the intact links' keys "
                "(left null)"
            )
    dup = rows["key"].notna() & rows["key"].duplicated(keep="first")
    if (dup & derive).any():
        raise QueryError(f"{rel.type}: a rebuilt key is a key already held by another link")
    for prop in ("row_hash", "first_seen", "last_seen", "run_id"):
        lost = int((derive & rows[prop].isna()).sum())
        if lost:
            why = (
                "the next ingest of the type sees them changed and writes them again"
                if prop == "row_hash"
                else "not guessed"
            )
            mend.unmended.append(f"{lost} links' {prop}: null on both sides, left null ({why})")


def repair(
    store: GraphStore, report: CheckReport | None = None, *, model: GraphModel = MODEL
) -> RepairReport:
    """Rebuild every relationship type :func:`check` finds damaged, from what is whole.

    For each damaged type, both sides of each label pair are read whole; every link read
    intact from either side is kept as read; a link damaged on both sides but with the
    same ends there gets ``src`` and ``dst`` from its ends and ``key`` rebuilt (only when
    rebuilding it reproduces every intact link's key of the type). The type's table is
    then dropped and copied again from those rows. A type with a link whose ends are
    unknown (damaged on both sides, with different ends) is left as it is and reported.
    Only the embedded store is repaired: on Neo4j what is found is reported as not
    mended.

    Everything is written in the read-write handle's working copy: close the handle to
    publish it, abort it (or leave a ``with`` block by an exception) to keep the store
    as it was. A rebuilt type that still reads damaged beyond what was reported raises.

    Parameters
    ----------
    store : GraphStore
        A read-write handle.
    report : CheckReport, optional
        A check just made on this handle (default: one is made).
    model : GraphModel, optional

    Returns
    -------
    RepairReport
        What was mended, what was not, and the check after.

    Raises
    ------
    QueryError
        If a rebuilt type reads damaged afterwards beyond the links reported unmended.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from graph.settings import Settings
    >>> from graph.store import RunInfo
    >>> from graph.workspace import open_store
    >>> store = open_store(Settings(data_dir=tempfile.mkdtemp(), buffer_pool_mb=256))
    >>> _ = store.load_nodes("Officer", pd.DataFrame({"officer_id": ["A", "B", "C"]}), RunInfo.new("doc"))
    >>> links = pd.DataFrame({"src": ["Officer:B", "Officer:C"], "dst": ["Officer:A", "Officer:A"]})
    >>> _ = store.load_relationships("REPORTS_TO", links, RunInfo.new("doc"))
    >>> keys = "MATCH (a)-[r:REPORTS_TO]->() RETURN a.uid AS uid, r.key AS k ORDER BY uid"
    >>> before = store.query(keys)
    >>> store._write("MATCH (a {uid: 'Officer:B'})-[r:REPORTS_TO]->() SET r.key = NULL, r.src = NULL", {})
    >>> done = repair(store)
    >>> done.ok, done.mends[0].derived
    (True, {'src': 1, 'key': 1})
    >>> store.query(keys) == before
    True
    >>> store.close()
    """
    t0 = time.perf_counter()
    report = report or check(store, model=model)
    mends: list[Mend] = []
    for t, n in report.damaged().items():
        rel = model.rel(t)
        if store.name != "embedded":
            mends.append(
                Mend(
                    t, report.rows.get(t, 0), n, unmended=[f"{n} links: repair rewrites embedded tables only"]
                )
            )
            continue
        mend, rows = _mend_type(store, rel)
        mends.append(mend)
        if rows is None:
            continue
        parts = {(str(s), str(e)): g[rel.prop_names] for (s, e), g in rows.groupby(["_start", "_end"])}
        store.replace_relationships(rel.type, parts)  # type: ignore[attr-defined]
        mend.rebuilt = True
    after = check(store, [m.type for m in mends] or None, model=model) if mends else check(store, model=model)
    for m in mends:
        if not m.rebuilt:
            continue
        for f in after.findings:
            if f.type == m.type and f.damaged != m.still_null.get((f.start, f.end), 0):
                raise QueryError(
                    f"{m.type} still reads {f.damaged} damaged links from the {f.side} side after it was "
                    f"rebuilt, not the {m.still_null.get((f.start, f.end), 0)} left unmended: nothing was kept"
                )
    return RepairReport(mends, after, time.perf_counter() - t0)
