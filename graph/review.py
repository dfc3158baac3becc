"""Review cases and challenges: the declared policy and their tables in the metadata store.

The policy (stages and the moves between them, the outcomes a decision may record and
which need a second person's sign-off, the approving roles, the conflict rules) is data
in ``graph/review.yaml``, read once into :data:`POLICY`; a force adapts that file.

The records live in the metadata store (``meta.sqlite``, :mod:`graph.meta`), in the
tables of :data:`REVIEW_SCHEMA`; :class:`ReviewStore` reads and writes them over the
store's connection, each action in one transaction. Nothing is ever deleted: a case
keeps every transition, decision and sign-off; a challenge keeps its decision.

- ``review_cases``: one row per case (reference, reviewer, due date, notes, stage).
- ``case_links``: what a case is about and rests on: its ``subject`` officers, its
  ``flag`` ids and its ``evidence`` items.
- ``case_transitions``: each move between stages, with who, role, when, the written
  reason and the audit records of what the mover opened since the move before.
- ``case_decisions``: each outcome recorded (``final``, or ``proposed`` until signed
  off, then ``signed_off`` or ``declined``).
- ``case_signoffs``: each second person's sign-off (or refusal) of a proposed outcome.
- ``challenges``: a subject's challenge of a flag or a source fact, its deadline and
  its decision.

>>> POLICY.moves("new"), POLICY.outcome("misconduct_meeting").sign_off
(('triage',), True)
>>> import tempfile
>>> from pathlib import Path
>>> from graph.meta import MetaStore
>>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
>>> review.cases()
[]
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from graph.errors import ConfigError, QueryError

if TYPE_CHECKING:
    from graph.meta import MetaStore

POLICY_FILE = Path(__file__).with_name("review.yaml")

REVIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_cases (
    case_ref TEXT PRIMARY KEY,
    reviewer TEXT NOT NULL,
    reviewer_officer_id TEXT,
    due_date TEXT NOT NULL,
    notes TEXT,
    stage TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_role TEXT NOT NULL,
    opened_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_links (
    case_ref TEXT NOT NULL REFERENCES review_cases (case_ref),
    kind TEXT NOT NULL CHECK (kind IN ('subject', 'flag', 'evidence')),
    item TEXT NOT NULL,
    PRIMARY KEY (case_ref, kind, item)
);
CREATE INDEX IF NOT EXISTS case_links_item ON case_links (kind, item);
CREATE TABLE IF NOT EXISTS case_transitions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_ref TEXT NOT NULL REFERENCES review_cases (case_ref),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    officer_id TEXT,
    reason TEXT NOT NULL,
    opened TEXT NOT NULL DEFAULT '[]',
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_ref TEXT NOT NULL REFERENCES review_cases (case_ref),
    outcome TEXT NOT NULL,
    reason_kind TEXT,
    explanation TEXT,
    reason TEXT NOT NULL,
    correction_needed INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('final', 'proposed', 'signed_off', 'declined')),
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    officer_id TEXT,
    opened TEXT NOT NULL DEFAULT '[]',
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_signoffs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_ref TEXT NOT NULL REFERENCES review_cases (case_ref),
    decision_seq INTEGER NOT NULL REFERENCES case_decisions (seq),
    approved INTEGER NOT NULL,
    reason TEXT NOT NULL,
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    officer_id TEXT,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS challenges (
    challenge_id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    against TEXT NOT NULL CHECK (against IN ('flag', 'fact')),
    flag_id TEXT,
    source_table TEXT,
    row_key TEXT,
    field TEXT,
    claimed_value TEXT,
    held_value TEXT,
    text TEXT NOT NULL,
    lodged_by TEXT NOT NULL,
    lodged_role TEXT NOT NULL,
    lodged_at TEXT NOT NULL,
    due_date TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
    decided_by TEXT,
    decided_role TEXT,
    decided_at TEXT,
    decision_reason TEXT,
    correction TEXT
);
CREATE INDEX IF NOT EXISTS challenges_subject ON challenges (subject_id, state);
"""
"""The review tables (made with the metadata store's own, :class:`graph.meta.MetaStore`)."""


@dataclass(frozen=True)
class Outcome:
    """One outcome a decision may record.

    Parameters
    ----------
    key : str
        Its name in the API and the records (``misconduct_meeting``).
    label : str
        Its name for people.
    sign_off : bool, default False
        Whether it is only proposed until a second person signs it off.
    reason_kinds : tuple of str, optional
        The kinds of reason it needs one of (``no_further_action``).

    Examples
    --------
    >>> POLICY.outcome("no_further_action").reason_kinds
    ('innocent_explanation', 'source_data_wrong', 'other')
    """

    key: str
    label: str
    sign_off: bool = False
    reason_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewPolicy:
    """The review policy as declared in ``review.yaml`` (see :func:`load_policy`).

    Parameters
    ----------
    stages : dict of str to tuple of str
        Each stage and the stages a person may move a case to from it.
    first_stage, decision_from, decided_stage : str
        Where a case opens; the stage a decision is recorded from; the stage a decision
        (or the sign-off of a proposed one) moves a case to.
    outcomes : dict of str to Outcome
        The outcomes, in the declared order.
    reason_kinds : dict of str to str
        The kinds of reason for no further action, with what each means.
    approving_roles : tuple of str
        Roles that may sign off a serious outcome.
    same_unit_conflict, association_conflict : bool
        Whether a shared unit, and a shared (declared or listed) organisation, conflict.
    case_prefix, challenge_prefix : str
        The first part of case references and challenge ids.
    case_due_days : int
        Days to a new case's due date when none is given.

    Examples
    --------
    >>> POLICY.first_stage, POLICY.decided_stage, POLICY.approving_roles
    ('new', 'decided', ('appropriate_authority',))
    """

    stages: dict[str, tuple[str, ...]]
    first_stage: str
    decision_from: str
    decided_stage: str
    outcomes: dict[str, Outcome]
    reason_kinds: dict[str, str]
    approving_roles: tuple[str, ...]
    same_unit_conflict: bool
    association_conflict: bool
    case_prefix: str
    challenge_prefix: str
    case_due_days: int

    def moves(self, stage: str) -> tuple[str, ...]:
        """The stages a case in ``stage`` may move to.

        Parameters
        ----------
        stage : str
            A stage.

        Returns
        -------
        tuple of str
            Empty for an unknown stage.

        Examples
        --------
        >>> POLICY.moves("reopened")
        ('triage', 'assessment')
        """
        return self.stages.get(stage, ())

    def outcome(self, key: str) -> Outcome:
        """The outcome named ``key``.

        Parameters
        ----------
        key : str
            An outcome's key.

        Returns
        -------
        Outcome
            Its declaration.

        Raises
        ------
        QueryError
            Naming the field ``outcome`` and the outcomes there are.

        Examples
        --------
        >>> POLICY.outcome("prevention_notice").label
        'Prevention notice'
        >>> POLICY.outcome("sacked")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.QueryError: outcome: 'sacked' is not an outcome; one of no_further_action, ...
        """
        if key not in self.outcomes:
            raise QueryError(f"outcome: {key!r} is not an outcome; one of {', '.join(self.outcomes)}")
        return self.outcomes[key]


def load_policy(path: Path = POLICY_FILE) -> ReviewPolicy:
    """Read and check a review policy file.

    Parameters
    ----------
    path : Path, default ``graph/review.yaml``
        The file.

    Returns
    -------
    ReviewPolicy
        The policy.

    Raises
    ------
    ConfigError
        If a stage moves to an undeclared stage, an outcome names an undeclared reason
        kind, or a required entry is missing.

    Examples
    --------
    >>> load_policy().outcome("criminal_referral").sign_off
    True
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        stages = {str(k): tuple(str(s) for s in v or ()) for k, v in raw["stages"].items()}
        kinds = {str(k): str(v) for k, v in raw["reason_kinds"].items()}
        outcomes = {
            str(k): Outcome(
                str(k),
                str(v["label"]),
                bool(v.get("sign_off", False)),
                tuple(str(x) for x in v.get("reason_kinds", ())),
            )
            for k, v in raw["outcomes"].items()
        }
        policy = ReviewPolicy(
            stages=stages,
            first_stage=str(raw["first_stage"]),
            decision_from=str(raw["decision_from"]),
            decided_stage=str(raw["decided_stage"]),
            outcomes=outcomes,
            reason_kinds=kinds,
            approving_roles=tuple(str(r) for r in raw["approving_roles"]),
            same_unit_conflict=bool(raw["conflicts"]["same_unit"]),
            association_conflict=bool(raw["conflicts"]["declared_association"]),
            case_prefix=str(raw["case_prefix"]),
            challenge_prefix=str(raw["challenge_prefix"]),
            case_due_days=int(raw["case_due_days"]),
        )
    except (OSError, KeyError, TypeError, AttributeError, ValueError, yaml.YAMLError) as e:
        raise ConfigError(f"the review policy {path} cannot be read: {type(e).__name__}: {e}") from None
    named = {policy.first_stage, policy.decision_from, policy.decided_stage}
    for stage, nxt in [*stages.items(), ("(declared)", tuple(named))]:
        unknown = set(nxt) - set(stages)
        if unknown:
            raise ConfigError(
                f"the review policy {path}: {stage} names undeclared stage(s) {sorted(unknown)}"
            )
    for o in outcomes.values():
        if set(o.reason_kinds) - set(kinds):
            raise ConfigError(f"the review policy {path}: outcome {o.key} names an undeclared reason kind")
    return policy


POLICY = load_policy()
"""The review policy in force (``graph/review.yaml``)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _json(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str)


class ReviewStore:
    """The review cases and challenges of one metadata store.

    A thin layer over the store's connection (the tables are made with the store's);
    each write method is one transaction, so an action is written whole or not at all.
    Checks of who may do what belong to the operations (:mod:`api.ops.cases`); this
    keeps the records.

    Parameters
    ----------
    meta : MetaStore
        The metadata store.

    Examples
    --------
    >>> import tempfile
    >>> from graph.meta import MetaStore
    >>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
    >>> c = review.open_case(subjects=["B"], flags=["f1"], evidence=[], reviewer="ann",
    ...                      reviewer_officer_id="C", due_date="2026-05-01", notes=None,
    ...                      who=("bob", "investigator"), year=2026)
    >>> c["case_ref"], c["stage"], c["subjects"], c["flags"]
    ('RC-2026-0001', 'new', ['B'], ['f1'])
    """

    def __init__(self, meta: MetaStore) -> None:
        self.meta = meta

    # ---- cases -----------------------------------------------------------------------

    def open_case(
        self,
        *,
        subjects: Iterable[str],
        flags: Iterable[str],
        evidence: Iterable[str],
        reviewer: str,
        reviewer_officer_id: str | None,
        due_date: str,
        notes: str | None,
        who: tuple[str, str],
        year: int,
    ) -> dict[str, Any]:
        """Open a case in the first stage with a new reference; returns it.

        Parameters
        ----------
        subjects, flags, evidence : iterable of str
            The subject officers' ids, the linked flag ids, the evidence items.
        reviewer : str
            The assigned reviewer's user name.
        reviewer_officer_id : str or None
            Their officer id (conflict-checked by the caller).
        due_date : str
            ISO date.
        notes : str or None
            Free text.
        who : (str, str)
            The opener's user name and role.
        year : int
            The year in the reference.

        Returns
        -------
        dict
            As :meth:`case` gives it.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
        >>> kw = dict(flags=[], evidence=[], reviewer="ann", reviewer_officer_id=None,
        ...           due_date="2026-05-01", notes=None, who=("bob", "investigator"), year=2026)
        >>> [review.open_case(subjects=[s], **kw)["case_ref"] for s in "AB"]
        ['RC-2026-0001', 'RC-2026-0002']
        """
        with self.meta.transaction() as con:
            ref = self._next_id(con, "review_cases", "case_ref", POLICY.case_prefix, year)
            con.execute(
                "INSERT INTO review_cases (case_ref, reviewer, reviewer_officer_id, due_date, notes, stage, "
                "opened_by, opened_role, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ref, reviewer, reviewer_officer_id, due_date, notes, POLICY.first_stage, *who, _now()),
            )
            links = [("subject", s) for s in subjects] + [("flag", f) for f in flags]
            links += [("evidence", e) for e in evidence]
            con.executemany(
                "INSERT OR IGNORE INTO case_links (case_ref, kind, item) VALUES (?, ?, ?)",
                [(ref, k, i) for k, i in links],
            )
        found = self.case(ref)
        assert found is not None
        return found

    @staticmethod
    def _next_id(con: sqlite3.Connection, table: str, column: str, prefix: str, year: int) -> str:
        """The next ``PREFIX-YEAR-NNNN`` of a table (inside the writing transaction)."""
        head = f"{prefix}-{year}-"
        row = con.execute(
            f"SELECT max(CAST(substr({column}, ?) AS INTEGER)) FROM {table} WHERE {column} LIKE ?",
            (len(head) + 1, head + "%"),
        ).fetchone()
        return f"{head}{(row[0] or 0) + 1:04d}"

    def case(self, case_ref: str) -> dict[str, Any] | None:
        """One case with its links, transitions, decisions and sign-offs (``None`` if unknown).

        Parameters
        ----------
        case_ref : str
            The case's reference.

        Returns
        -------
        dict or None
            The case row's fields, ``subjects``, ``flags``, ``evidence`` (lists),
            ``transitions``, ``decisions`` and ``signoffs`` (oldest first).

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> ReviewStore(MetaStore(Path(tempfile.mkdtemp()))).case("RC-2026-0001") is None
        True
        """
        rows = self.meta.select("SELECT * FROM review_cases WHERE case_ref = ?", (case_ref,))
        if not rows:
            return None
        out = dict(rows[0])
        links = self.meta.select(
            "SELECT kind, item FROM case_links WHERE case_ref = ? ORDER BY item", (case_ref,)
        )
        for kind in ("subject", "flag", "evidence"):
            out[f"{kind}s" if kind != "evidence" else kind] = [r["item"] for r in links if r["kind"] == kind]
        for table, key in (
            ("case_transitions", "transitions"),
            ("case_decisions", "decisions"),
            ("case_signoffs", "signoffs"),
        ):
            found = self.meta.select(f"SELECT * FROM {table} WHERE case_ref = ? ORDER BY seq", (case_ref,))
            out[key] = [self._row(r) for r in found]
        return out

    @staticmethod
    def _row(r: sqlite3.Row) -> dict[str, Any]:
        d = dict(r)
        for k in ("opened", "correction"):
            if isinstance(d.get(k), str):
                d[k] = json.loads(d[k])
        for k in ("approved", "correction_needed"):
            if k in d:
                d[k] = bool(d[k])
        return d

    def cases(
        self, *, stage: str | None = None, reviewer: str | None = None, subject: str | None = None
    ) -> list[dict[str, Any]]:
        """Cases, oldest reference first, filtered by stage, reviewer and subject.

        Parameters
        ----------
        stage, reviewer, subject : str, optional
            Only cases in this stage, assigned to this user, about this officer.

        Returns
        -------
        list of dict
            As :meth:`case` gives each.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> ReviewStore(MetaStore(Path(tempfile.mkdtemp()))).cases(stage="new")
        []
        """
        where, params = ["1 = 1"], []
        if stage is not None:
            where.append("stage = ?")
            params.append(stage)
        if reviewer is not None:
            where.append("reviewer = ?")
            params.append(reviewer)
        if subject is not None:
            where.append("case_ref IN (SELECT case_ref FROM case_links WHERE kind = 'subject' AND item = ?)")
            params.append(subject)
        refs = self.meta.select(
            f"SELECT case_ref FROM review_cases WHERE {' AND '.join(where)} ORDER BY case_ref", params
        )
        return [c for c in (self.case(r["case_ref"]) for r in refs) if c is not None]

    def cases_with_flag(self, flag_id: str) -> list[str]:
        """The references of the cases a flag is linked to.

        Parameters
        ----------
        flag_id : str
            A flag's id.

        Returns
        -------
        list of str
            Case references, sorted.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> ReviewStore(MetaStore(Path(tempfile.mkdtemp()))).cases_with_flag("f1")
        []
        """
        rows = self.meta.select(
            "SELECT case_ref FROM case_links WHERE kind = 'flag' AND item = ? ORDER BY case_ref", (flag_id,)
        )
        return [r["case_ref"] for r in rows]

    def move(
        self,
        case_ref: str,
        *,
        from_stage: str | None,
        to_stage: str,
        who: tuple[str, str, str | None],
        reason: str,
        opened: list[dict[str, Any]],
        con: sqlite3.Connection | None = None,
    ) -> dict[str, Any]:
        """Move a case from ``from_stage`` to ``to_stage`` and record the transition.

        The move is refused if the case is no longer in ``from_stage`` (someone moved it
        meanwhile).

        Parameters
        ----------
        case_ref : str
            The case.
        from_stage, to_stage : str
            The stage it is in, and the one it moves to.
        who : (str, str, str or None)
            User name, role and officer id of the person moving it.
        reason : str
            The written reason.
        opened : list of dict
            The audit records of what they opened since the move before.
        con : sqlite3.Connection, optional
            A transaction already open (a decision's); default: a transaction of its own.

        Returns
        -------
        dict
            The transition as recorded.

        Raises
        ------
        QueryError
            If the case is not in ``from_stage``.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
        >>> c = review.open_case(subjects=["B"], flags=[], evidence=[], reviewer="ann",
        ...                      reviewer_officer_id=None, due_date="2026-05-01", notes=None,
        ...                      who=("ann", "investigator"), year=2026)
        >>> t = review.move(c["case_ref"], from_stage="new", to_stage="triage",
        ...                 who=("ann", "investigator", "C"), reason="looks real", opened=[])
        >>> t["to_stage"], review.case(c["case_ref"])["stage"]
        ('triage', 'triage')
        """
        if con is None:
            with self.meta.transaction() as tx:
                return self.move(
                    case_ref,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    who=who,
                    reason=reason,
                    opened=opened,
                    con=tx,
                )
        cur = con.execute(
            "UPDATE review_cases SET stage = ? WHERE case_ref = ? AND stage = ?",
            (to_stage, case_ref, from_stage),
        )
        if cur.rowcount != 1:
            raise QueryError(f"stage: case {case_ref} is no longer in stage {from_stage!r} (moved meanwhile)")
        row = (case_ref, from_stage, to_stage, *who, reason, _json(opened), _now())
        cur = con.execute(
            "INSERT INTO case_transitions (case_ref, from_stage, to_stage, who, role, officer_id, reason, opened, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        names = ("case_ref", "from_stage", "to_stage", "who", "role", "officer_id", "reason", "opened", "at")
        return {"seq": cur.lastrowid, **dict(zip(names, row, strict=True)), "opened": opened}

    def decide(
        self,
        case_ref: str,
        *,
        decision: dict[str, Any],
        who: tuple[str, str, str | None],
        opened: list[dict[str, Any]],
        move_to: str | None,
    ) -> dict[str, Any]:
        """Record a decision (and, when ``move_to`` is given, the move it makes), in one
        transaction.

        Parameters
        ----------
        case_ref : str
            The case.
        decision : dict
            ``outcome``, ``reason_kind``, ``explanation``, ``reason``,
            ``correction_needed`` and ``state`` (``final`` or ``proposed``).
        who : (str, str, str or None)
            User name, role and officer id of the decider.
        opened : list of dict
            The audit records of what they opened since the last move.
        move_to : str or None
            The stage a final decision moves the case to; ``None``: it stays.

        Returns
        -------
        dict
            The decision as recorded.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
        >>> ref = review.open_case(subjects=["B"], flags=[], evidence=[], reviewer="ann",
        ...     reviewer_officer_id=None, due_date="2026-05-01", notes=None,
        ...     who=("ann", "investigator"), year=2026)["case_ref"]
        >>> d = dict(outcome="misconduct_meeting", reason_kind=None, explanation=None,
        ...          reason="pattern over months", correction_needed=False, state="proposed")
        >>> review.decide(ref, decision=d, who=("ann", "investigator", "C"), opened=[], move_to=None)["state"]
        'proposed'
        """
        with self.meta.transaction() as con:
            if move_to is not None:
                stage = con.execute(
                    "SELECT stage FROM review_cases WHERE case_ref = ?", (case_ref,)
                ).fetchone()
                self.move(
                    case_ref,
                    from_stage=stage[0],
                    to_stage=move_to,
                    who=who,
                    reason=str(decision["reason"]),
                    opened=opened,
                    con=con,
                )
            fields = ("outcome", "reason_kind", "explanation", "reason", "correction_needed", "state")
            row = (case_ref, *(decision[f] for f in fields), *who, _json(opened), _now())
            cur = con.execute(
                f"INSERT INTO case_decisions (case_ref, {', '.join(fields)}, who, role, officer_id, opened, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            seq = cur.lastrowid
        found = self.meta.select("SELECT * FROM case_decisions WHERE seq = ?", (seq,))
        return self._row(found[0])

    def sign_off(
        self,
        case_ref: str,
        *,
        decision_seq: int,
        approved: bool,
        reason: str,
        who: tuple[str, str, str | None],
        move: tuple[str, str] | None,
    ) -> dict[str, Any]:
        """Record a sign-off (or its refusal) of a proposed decision, in one transaction:
        the sign-off, the decision's new state and, when ``move`` is given, the move.

        Parameters
        ----------
        case_ref : str
            The case.
        decision_seq : int
            The proposed decision.
        approved : bool
            Signed off (``True``) or declined.
        reason : str
            Why.
        who : (str, str, str or None)
            User name, role and officer id of the person signing.
        move : (str, str) or None
            ``(from_stage, to_stage)`` the sign-off moves the case (``None``: it stays).

        Returns
        -------
        dict
            The sign-off as recorded.

        Raises
        ------
        QueryError
            If the decision is no longer proposed.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
        >>> ref = review.open_case(subjects=["B"], flags=[], evidence=[], reviewer="ann",
        ...     reviewer_officer_id=None, due_date="2026-05-01", notes=None,
        ...     who=("ann", "investigator"), year=2026)["case_ref"]
        >>> d = dict(outcome="misconduct_meeting", reason_kind=None, explanation=None,
        ...          reason="pattern", correction_needed=False, state="proposed")
        >>> seq = review.decide(ref, decision=d, who=("ann", "investigator", "C"), opened=[], move_to=None)["seq"]
        >>> s = review.sign_off(ref, decision_seq=seq, approved=False, reason="not yet",
        ...                     who=("aa", "appropriate_authority", "E"), move=None)
        >>> s["approved"], review.case(ref)["decisions"][-1]["state"]
        (False, 'declined')
        """
        with self.meta.transaction() as con:
            state = "signed_off" if approved else "declined"
            cur = con.execute(
                "UPDATE case_decisions SET state = ? WHERE seq = ? AND case_ref = ? AND state = 'proposed'",
                (state, decision_seq, case_ref),
            )
            if cur.rowcount != 1:
                raise QueryError(f"decision: the outcome of case {case_ref} is no longer awaiting sign-off")
            if move is not None:
                self.move(
                    case_ref, from_stage=move[0], to_stage=move[1], who=who, reason=reason, opened=[], con=con
                )
            cur = con.execute(
                "INSERT INTO case_signoffs (case_ref, decision_seq, approved, reason, who, role, officer_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (case_ref, decision_seq, int(approved), reason, *who, _now()),
            )
            seq = cur.lastrowid
        return self._row(self.meta.select("SELECT * FROM case_signoffs WHERE seq = ?", (seq,))[0])

    # ---- challenges ------------------------------------------------------------------

    def lodge(
        self, challenge: dict[str, Any], *, who: tuple[str, str], due_date: str, year: int
    ) -> dict[str, Any]:
        """Record a new, open challenge; returns it with its id.

        Parameters
        ----------
        challenge : dict
            ``subject_id``, ``against`` (``flag`` or ``fact``), ``flag_id``,
            ``source_table``, ``row_key``, ``field``, ``claimed_value``, ``held_value``
            and ``text`` (the ones that do not apply ``None``).
        who : (str, str)
            User name and role of the person lodging it.
        due_date : str
            ISO date by which it is to be decided.
        year : int
            The year in its id.

        Returns
        -------
        dict
            As :meth:`challenge` gives it.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
        >>> c = review.lodge({"subject_id": "B", "against": "flag", "flag_id": "f1",
        ...                   "text": "this is not what happened"}, who=("bob", "investigator"),
        ...                  due_date="2026-06-01", year=2026)
        >>> c["challenge_id"], c["state"], c["source_table"]
        ('CH-2026-0001', 'open', None)
        """
        fields: tuple[str, ...] = ("subject_id", "against", "flag_id", "source_table", "row_key", "field")
        fields += ("claimed_value", "held_value", "text")
        with self.meta.transaction() as con:
            cid = self._next_id(con, "challenges", "challenge_id", POLICY.challenge_prefix, year)
            con.execute(
                f"INSERT INTO challenges (challenge_id, {', '.join(fields)}, lodged_by, lodged_role, lodged_at, "
                "due_date, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
                (cid, *(challenge.get(f) for f in fields), *who, _now(), due_date),
            )
        found = self.challenge(cid)
        assert found is not None
        return found

    def challenge(self, challenge_id: str) -> dict[str, Any] | None:
        """One challenge (``None`` if unknown).

        Parameters
        ----------
        challenge_id : str
            Its id.

        Returns
        -------
        dict or None
            Its fields (``correction`` parsed).

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> ReviewStore(MetaStore(Path(tempfile.mkdtemp()))).challenge("CH-2026-0001") is None
        True
        """
        rows = self.meta.select("SELECT * FROM challenges WHERE challenge_id = ?", (challenge_id,))
        return self._row(rows[0]) if rows else None

    def challenges(self, *, state: str | None = None, subject_id: str | None = None) -> list[dict[str, Any]]:
        """Challenges, oldest first, filtered by state and subject.

        Parameters
        ----------
        state : str, optional
            ``open``, ``upheld`` or ``rejected``.
        subject_id : str, optional
            Only those about this officer.

        Returns
        -------
        list of dict
            As :meth:`challenge` gives each.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> ReviewStore(MetaStore(Path(tempfile.mkdtemp()))).challenges(state="open")
        []
        """
        where, params = ["1 = 1"], []
        for col, v in (("state", state), ("subject_id", subject_id)):
            if v is not None:
                where.append(f"{col} = ?")
                params.append(v)
        rows = self.meta.select(
            f"SELECT * FROM challenges WHERE {' AND '.join(where)} ORDER BY lodged_at, challenge_id", params
        )
        return [self._row(r) for r in rows]

    def decide_challenge(
        self,
        challenge_id: str,
        *,
        upheld: bool,
        reason: str,
        who: tuple[str, str],
        correction: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Record a challenge's decision; refused if it is no longer open.

        Parameters
        ----------
        challenge_id : str
            The challenge.
        upheld : bool
            Upheld (``True``) or rejected.
        reason : str
            Why.
        who : (str, str)
            User name and role of the person deciding.
        correction : dict or None
            The correction an upheld fact challenge makes (or is to make).

        Returns
        -------
        dict
            The challenge as it now is.

        Raises
        ------
        QueryError
            If it was decided already.

        Examples
        --------
        >>> import tempfile
        >>> from graph.meta import MetaStore
        >>> review = ReviewStore(MetaStore(Path(tempfile.mkdtemp())))
        >>> cid = review.lodge({"subject_id": "B", "against": "flag", "flag_id": "f1", "text": "no"},
        ...                    who=("bob", "investigator"), due_date="2026-06-01", year=2026)["challenge_id"]
        >>> review.decide_challenge(cid, upheld=False, reason="the rota shows the shift",
        ...                         who=("aa", "appropriate_authority"), correction=None)["state"]
        'rejected'
        """
        with self.meta.transaction() as con:
            cur = con.execute(
                "UPDATE challenges SET state = ?, decided_by = ?, decided_role = ?, decided_at = ?, "
                "decision_reason = ?, correction = ? WHERE challenge_id = ? AND state = 'open'",
                (
                    "upheld" if upheld else "rejected",
                    *who,
                    _now(),
                    reason,
                    None if correction is None else _json(correction),
                    challenge_id,
                ),
            )
            if cur.rowcount != 1:
                raise QueryError(f"state: challenge {challenge_id} was decided already")
        found = self.challenge(challenge_id)
        assert found is not None
        return found
