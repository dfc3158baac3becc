"""The subject's access report: one document a person can be given, saying what linkwatch
holds and says about them, who looked and why, and how to challenge it.

:func:`build_report` gathers it as sections of headings, paragraphs and tables
(:class:`Report`); :func:`to_html` (the ``subject_report.html`` template) and
:func:`to_pdf` (fpdf2, pure Python: no browser, no system fonts) render the same
sections, so the two documents say the same. Other officers appear as pseudonyms and
members of the public are never named (:class:`Redactor`). Producing it needs
``subject.report`` (the door checks) and a stated purpose, and is audited as
``subject_report``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from api.ops.cases import case_out, get_case, review
from api.ops.challenges import challenge_out
from api.ops.flags import method_card
from api.ops.look import Look
from api.ops.pseudonyms import officer_pseudonyms
from graph.contract import TABLES
from graph.corrections import Corrections, reader
from graph.errors import NodeNotFound
from graph.model import MODEL, caption
from graph.review import POLICY
from graph.values import to_plain
from graph.workspace import Workspace
from queries.detect import detector_version
from queries.detectors.base import ts

MAX_ROWS = 2000
"""Most source rows listed per event table (the rest are counted)."""
PUBLIC = "a member of the public"
PROVENANCE = ("source_file", "source_line", "run_id", "first_seen", "last_seen")
HOW_TO_CHALLENGE = (
    'You, or someone acting for you, may challenge any flag in this report ("this is not what '
    'happened") or any fact in the data held about you ("I was on approved leave on that day"). '
    "Ask the subject-access team to lodge the challenge; it pauses any case it touches. It is "
    "decided by a person independent of the case's reviewers, within one month unless you are "
    "told otherwise. A fact that is upheld becomes a correction: the source record is kept as it "
    "was, the correction is laid over it, the detectors run again, and a flag that no longer "
    'fires is retired with the reason "retired after correction N".'
)


@dataclass
class Block:
    """One piece of a section: a heading (``h``), a paragraph (``p``) or a table."""

    kind: str
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def p(self, text: str) -> None:
        self.blocks.append(Block("p", text))

    def h(self, text: str) -> None:
        self.blocks.append(Block("h", text))

    def table(self, columns: Iterable[str], rows: list[list[str]], empty: str) -> None:
        if rows:
            self.blocks.append(Block("table", columns=tuple(columns), rows=rows))
        else:
            self.p(empty)


@dataclass
class Report:
    """The report: whom it is about, when and by whom it was produced, and its sections."""

    officer_id: str
    subject: str
    produced_at: str
    produced_by: str
    sections: list[Section]

    def text(self) -> str:
        """Every word of the report as plain text (what a reader sees, in order)."""
        out = [f"Subject access report: {self.subject}"]
        for s in self.sections:
            out.append(s.title)
            for b in s.blocks:
                if b.kind == "table":
                    out.extend(" | ".join(r) for r in [list(b.columns), *b.rows])
                else:
                    out.append(b.text)
        return "\n".join(out)


def pseudonymiser(ws: Workspace) -> Callable[[str], str]:
    """The one seam for officers' pseudonyms: the deployment's (:mod:`api.ops.pseudonyms`),
    the same ``Officer-XXXX`` every review surface shows."""
    return officer_pseudonyms(ws).officer


class Redactor:
    """Hides other people in the report: other officers' ids and names become their
    pseudonyms, members of the public (their ids and names) become "a member of the public"."""

    def __init__(self, ws: Workspace, subject_id: str, persons: Iterable[str] = ()) -> None:
        pseudonym = pseudonymiser(ws)
        self.subject_id = subject_id
        swaps: dict[str, str] = {}
        for r in ws.store.query(
            "MATCH (o:Officer) RETURN o.officer_id AS id, o.forenames AS f, o.surname AS s"
        ):
            if r["id"] == subject_id:
                continue
            alias = pseudonym(str(r["id"]))
            swaps[str(r["id"])] = alias
            swaps[MODEL.uid("Officer", r["id"])] = alias
            for name in (f"{r['f'] or ''} {r['s'] or ''}".strip(), f"{r['s'] or ''}, {r['f'] or ''}"):
                if r["f"] and r["s"]:
                    swaps[name] = alias
        ids = sorted(set(persons))
        if ids:
            for r in ws.store.query(
                "MATCH (p:Person) WHERE p.person_id IN $ids RETURN p.person_id AS id, p.forenames AS f, p.surname AS s",
                {"ids": ids},
            ):
                for v in (r["id"], MODEL.uid("Person", r["id"]), f"{r['f'] or ''} {r['s'] or ''}".strip()):
                    if v:
                        swaps[str(v)] = PUBLIC
        self.swaps = swaps
        keys = sorted(swaps, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, keys)) + r")(?![\w-])") if keys else None
        )

    def officer(self, officer_id: Any) -> str:
        """The subject's own id as it is, anyone else's as their pseudonym."""
        return "" if officer_id is None else self.text(str(officer_id))

    def text(self, value: Any) -> str:
        """A value as text with every other person in it replaced."""
        text = _plain(value)
        return self._pattern.sub(lambda m: self.swaps[m.group(1)], text) if self._pattern else text


def _plain(v: Any) -> str:
    v = to_plain(v)
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return ts(v) if isinstance(v, dt.datetime) else v.isoformat()
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def _provenance(props: dict[str, Any]) -> str:
    p = {k: props.get(k) for k in PROVENANCE}
    return (
        f"{_plain(p['source_file']) or 'no file'}, line {_plain(p['source_line']) or '?'}; "
        f"ingest run {_plain(p['run_id']) or '?'}; first seen {_plain(p['first_seen']) or '?'}, "
        f"last seen {_plain(p['last_seen']) or '?'}"
    )


# ---- the review cases and challenges about the subject ---------------------------------


def _who(name: Any, role: Any) -> str:
    return f"{name} ({role})" if role else str(name)


def _state(state: str) -> str:
    """A decision's state as the report says it: a serious outcome is proposed, then
    signed off or declined; any other is decided at once."""
    return (
        "decided"
        if state == "final"
        else "proposed" + ("" if state == "proposed" else f", then {state.replace('_', ' ')}")
    )


def _opened(items: list[dict[str, Any]]) -> str:
    """What a step's maker opened for the case since the step before (from the audit log)."""
    seen = [str(o.get("what")) for o in items if o.get("what")]
    return f"; having opened {', '.join(dict.fromkeys(seen))}" if seen else ""


def subject_cases(ws: Workspace, officer_id: str, flag_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The review cases about the officer or linked to one of their flags, by reference
    (read through :mod:`api.ops.cases`, each as :func:`api.ops.cases.case_out` gives it)."""
    store = review(ws)
    refs = {c["case_ref"] for c in store.cases(subject=officer_id)}
    for fid in flag_ids:
        refs.update(store.cases_with_flag(fid))
    return [case_out(ws, get_case(ws, ref)) for ref in sorted(refs)]


def case_history(ws: Workspace, officer_id: str, flag_ids: list[str]) -> list[list[str]]:
    """Each step of every review case about the officer or their flags, oldest first, as
    (case, when, what, who, reason): its opening, each move between stages, each decision
    (proposed or final) and sign-off, each unmasking of a subject, and the retirement of
    each of its flags after a correction. Empty when no case concerns them."""
    rows: list[list[str]] = []
    for case in subject_cases(ws, officer_id, flag_ids):
        ref = case["case_ref"]
        rows.append(
            [
                ref,
                case["opened_at"],
                f"case opened about {', '.join(case['subjects'])}"
                + (f" from flag(s) {', '.join(case['flags'])}" if case["flags"] else "")
                + f"; reviewer {case['reviewer']}, due {case['due_date']}",
                _who(case["opened_by"], case["opened_role"]),
                case.get("notes") or "",
            ]
        )
        for t in case["transitions"]:
            rows.append(
                [
                    ref,
                    t["at"],
                    f"stage {t['from_stage'] or '-'} -> {t['to_stage']}{_opened(t['opened'])}",
                    _who(t["who"], t["role"]),
                    t["reason"],
                ]
            )
        outcomes = {}
        for d in case["decisions"]:
            label = POLICY.outcome(d["outcome"]).label
            outcomes[d["seq"]] = label
            why = ", ".join(x for x in (d.get("reason_kind"), d.get("explanation")) if x)
            rows.append(
                [
                    ref,
                    d["at"],
                    f"outcome {label} {_state(d['state'])}{_opened(d['opened'])}",
                    _who(d["who"], d["role"]),
                    d["reason"] + (f" (reason: {why})" if why else ""),
                ]
            )
        for so in case["signoffs"]:
            label = outcomes.get(so["decision_seq"], "the proposed outcome")
            rows.append(
                [
                    ref,
                    so["at"],
                    f"{label} signed off" if so["approved"] else f"sign-off of {label} declined",
                    _who(so["who"], so["role"]),
                    so["reason"],
                ]
            )
        for g in case["unmasked_by"]:
            rows.append([ref, g["at"], f"unmasked {g['subject_id']}", str(g["user"]), g["reason"]])
        retired = Corrections(ws.meta).retirements(case["flags"])
        for fid in case["flags"]:
            if fid in retired:
                rows.append([ref, _retired_at(ws, fid), f"flag {fid} {retired[fid]}", "linkwatch", ""])
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def _retired_at(ws: Workspace, flag_id: str) -> str:
    found = ws.store.query("MATCH (f:Flag) WHERE f.flag_id = $f RETURN f.retired_at AS at", {"f": flag_id})
    return _plain(found[0]["at"]) if found else ""


def _correction(c: dict[str, Any] | None) -> str:
    """What an upheld fact challenge's correction did."""
    if not c:
        return ""
    where = f"{c.get('table') or c.get('tbl')} row {c.get('row_key')}, {c.get('field')}"
    if c.get("state") != "applied":
        why = f" ({c['why_not_applied']})" if c.get("why_not_applied") else ""
        return f"a correction of {where} is to be made at the source{why}"
    seq = c.get("seq")
    retired = ", ".join(c.get("retired") or [])
    then = f"; flag(s) {retired} retired after correction {seq}" if retired else ""
    return (
        f"correction {seq} applied to {where} ({c.get('old_value') or 'nothing'} -> {c.get('value')}){then}"
    )


def challenges(ws: Workspace, officer_id: str) -> list[list[str]]:
    """The subject's challenges, oldest first (read through :mod:`api.ops.challenges`), as
    (id, against, lodged, due, state, decision): what each is against, who lodged it,
    its deadline and days left, its state, and who decided it, why, and the correction
    it made."""
    out = []
    for ch in review(ws).challenges(subject_id=officer_id):
        c = challenge_out(ch)
        against = (
            f"flag {c['flag_id']}"
            if c["against"] == "flag"
            else f"{c['source_table']} row {c['row_key']}, {c['field']}"
            + (f" (held: {c['held_value']}; claimed: {c['claimed_value']})" if c.get("claimed_value") else "")
        )
        due = c["due_date"] + (
            f" ({c['days_left']} days left{', overdue' if c['overdue'] else ''})"
            if c["state"] == "open"
            else ""
        )
        decision = ""
        if c["decided_at"]:
            decision = "; ".join(
                x
                for x in (
                    f"{c['state']} {c['decided_at']} by {_who(c['decided_by'], c['decided_role'])}",
                    c["decision_reason"],
                    _correction(c.get("correction")),
                )
                if x
            )
        out.append(
            [
                c["challenge_id"],
                f"{against}: {c['text']}",
                f"{c['lodged_at']} by {_who(c['lodged_by'], c['lodged_role'])}",
                due,
                c["state"],
                decision,
            ]
        )
    return out


# ---- building it ---------------------------------------------------------------------


def build_report(ws: Workspace, look: Look, officer_id: str) -> Report:
    """Gather the subject's access report of one officer (audited as ``subject_report``).

    Raises
    ------
    NodeNotFound
        If the graph has no such officer.
    """
    look.need_purpose(f"the subject access report of officer {officer_id}")
    uid = MODEL.uid("Officer", officer_id)
    try:
        me = ws.store.node(uid)
    except NodeNotFound:
        raise NodeNotFound(f"no officer with id {officer_id!r}") from None
    flags = _flags(ws, uid, officer_id)
    links = ws.store.neighbourhood([uid], depth=1, limit=5000, include_retired=True)
    persons = {n["properties"].get("person_id") for n in links.nodes.values() if "Person" in n["labels"]}
    for f in flags:
        for item in json.loads(f.get("evidence") or "[]"):
            if isinstance(item, dict) and item.get("table") == "persons":
                persons.add(item.get("key"))
    red = Redactor(ws, officer_id, {str(p) for p in persons if p})
    subject = caption(me)
    sections = [
        _about(subject, look),
        _data_held(ws, red, me, links),
        _flag_section(ws, red, flags),
        _corrections(ws, red, officer_id),
        _looks(ws, red, officer_id, uid, flags),
        _challenge_section(ws, red, officer_id),
    ]
    report = Report(officer_id, subject, _plain(dt.datetime.now(dt.UTC)), look.who.user, sections)
    look.record(ws.audit, "subject_report", uid, result_size=len(flags), officer_id=officer_id)
    return report


def _about(subject: str, look: Look) -> Section:
    s = Section("About this report")
    s.p(
        f"This report sets out what linkwatch holds about {subject}: the source records and links, "
        "every flag its detectors raised (including retired and dismissed ones) with how each was "
        "assessed, the corrections made to the data, every look at the data recorded in the audit "
        "log, and how to challenge any of it."
    )
    s.p(
        "A flag is a prompt for a person to assess, never a finding. Other officers appear under "
        "pseudonyms (such as Officer-7Q4K) and members of the public are never named."
    )
    s.p(f"Produced by {look.who.user} ({look.who.role}) for the purpose: {look.purpose}.")
    return s


def _data_held(ws: Workspace, red: Redactor, me: dict[str, Any], links: Any) -> Section:
    s = Section("The data held about you")
    props = me["properties"]
    s.h("Your record (officers)")
    s.table(
        ("Field", "Value"),
        [[k, red.text(props[k])] for k in TABLES["officers"].names if props.get(k) is not None],
        "No fields are held.",
    )
    s.p("Where it came from: " + _provenance(props))
    s.h("Your links in the graph")
    rows = []
    for e in sorted(links.edges.values(), key=lambda e: (e["type"], str(e["id"]))):
        if e["type"] in ("FLAGS", "EVIDENCE"):
            continue  # in the flags section
        other_id = e["target"] if e["source"] == me["id"] else e["source"]
        other = links.nodes.get(
            other_id, {"id": other_id, "labels": [MODEL.label_of_uid(other_id)], "properties": {}}
        )
        p = e["properties"]
        valid = ", ".join(
            f"{k} {_plain(p[k])}" for k in ("since", "until", "start_date", "end_date") if p.get(k)
        )
        retired = f"; retired {_plain(p['retired_at'])}" if p.get("retired_at") else ""
        rows.append([e["type"], _other(red, other), valid, _provenance(p) + retired])
    s.table(("Link", "To", "Valid", "Where it came from"), rows, "No links are held.")
    _event_rows(ws, red, s)
    return s


def _other(red: Redactor, node: dict[str, Any]) -> str:
    label = node["labels"][0] if node["labels"] else "?"
    if label == "Officer":
        return red.officer(node["id"].split(":", 1)[1])
    if label == "Person":
        return PUBLIC
    if label in ("Membership", "Identifier", "Record", "Declaration"):
        return f"{label} {node['id'].split(':', 1)[1]}"
    return red.text(f"{label}: {caption(node)}")


def _event_rows(ws: Workspace, red: Redactor, s: Section) -> None:
    """The subject's rows of each event table, as the detectors read them (corrected)."""
    if ws.events is None:
        s.p(
            "No event records (shifts, roster changes, badge swipes, remote sessions, system access) are held."
        )
        return
    fixes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in Corrections(ws.meta).rows(officer_id=red.subject_id):
        fixes.setdefault((c["tbl"], c["row_key"]), []).append(c)
    con = reader(ws.events, ws.meta, ws.settings.timezone)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for t in TABLES.values():
            if t.kind != "event" or t.name not in present:
                continue
            refs = [c.name for c in t.columns if c.ref == "officers.officer_id"]
            where = " OR ".join(f'"{c}" = $o' for c in refs)
            cur = con.execute(
                f'SELECT * FROM {t.name} WHERE {where} ORDER BY "{t.key}"', {"o": red.subject_id}
            )
            cols = [d[0] for d in cur.description]
            found = [dict(zip(cols, r, strict=True)) for r in cur.fetchmany(MAX_ROWS + 1)]
            if not found:
                continue
            rows = []
            for r in found[:MAX_ROWS]:
                key = str(r[str(t.key)])
                values = "; ".join(
                    f"{c}: {red.officer(r[c]) if c in refs else red.text(r[c])}"
                    for c in t.names
                    if c != t.key and r.get(c) is not None
                )
                notes = [
                    f"{c['field']} corrected by correction {c['seq']} (the source said {c['old_value'] or 'nothing'})"
                    + (
                        "; the source row has changed since: under review"
                        if c["status"] == "needs_review"
                        else ""
                    )
                    for c in fixes.get((t.name, key), [])
                ]
                rows.append([key, values, _provenance(r), "; ".join(notes)])
            s.h(f"Your rows in {t.name}")
            s.table((str(t.key), "Values", "Where it came from", "Corrections"), rows, "")
            if len(found) > MAX_ROWS:
                s.p(
                    f"More rows of {t.name} are held than are listed here ({MAX_ROWS:,} shown); ask for the rest."
                )
    finally:
        con.close()


def _flags(ws: Workspace, uid: str, officer_id: str) -> list[dict[str, Any]]:
    """Every flag about the officer or naming them in its evidence, retired ones too."""
    rows = ws.store.query("MATCH (f:Flag) WHERE f.officer_id = $o RETURN f", {"o": officer_id})
    rows += ws.store.query("MATCH (f:Flag)-[:EVIDENCE]->(o:Officer) WHERE o.uid = $u RETURN f", {"u": uid})
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        p = dict(r["f"]["properties"])
        seen.setdefault(str(p["flag_id"]), p)
    return sorted(seen.values(), key=lambda p: (_plain(p.get("first_seen")), str(p["flag_id"])))


def _version(ws: Workspace, run_id: Any, detector: str) -> str:
    path = Path(ws.settings.data_dir) / "runs" / str(run_id) / "detect.json"
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        return str(rec["detectors"][detector]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"not recorded (the current version is {detector_version(detector)})"


def _evidence(red: Redactor, item: Any) -> list[str]:
    """One evidence item as (kind, detail): a source row by table and key, else its fields."""
    if not isinstance(item, dict):
        return ["item", red.text(item)]
    if item.get("table") == "persons":
        return ["persons", PUBLIC]
    if item.get("table") and item.get("key") is not None and len(item) == 2:
        return [str(item["table"]), f"row {red.text(item['key'])}"]
    return [str(item.get("table") or "detail"), red.text({k: v for k, v in item.items() if k != "table"})]


def _flag_section(ws: Workspace, red: Redactor, flags: list[dict[str, Any]]) -> Section:
    s = Section("Flags raised about you")
    if not flags:
        s.p("No flag has ever been raised about you.")
        return s
    statuses = ws.meta.statuses()
    ids = [str(f["flag_id"]) for f in flags]
    reasons = Corrections(ws.meta).retirements(ids)
    cases = case_history(ws, red.subject_id, ids)
    for f in flags:
        fid = str(f["flag_id"])
        card = method_card(str(f["detector"]))
        s.h(f"Flag {fid}: {f['detector']}")
        retired = (
            f"retired {_plain(f['retired_at'])}" + (f" ({reasons[fid]})" if fid in reasons else "")
            if f.get("retired_at")
            else "current"
        )
        s.table(
            ("", ""),
            [
                ["About", red.officer(f.get("officer_id"))],
                ["Explanation", red.text(f.get("explanation"))],
                ["Status", statuses.get(fid, "open")],
                ["State", retired],
                ["Severity and score", f"{_plain(f.get('severity'))}, {_plain(f.get('score'))}"],
                ["Period", f"{_plain(f.get('window_start'))} to {_plain(f.get('window_end'))}"],
                ["Raised", _plain(f.get("first_seen"))],
                ["Last written by", f"detect run {_plain(f.get('run_id'))}"],
                ["Detector version", _version(ws, f.get("run_id"), str(f["detector"]))],
            ],
            "",
        )
        evidence = [_evidence(red, item) for item in json.loads(f.get("evidence") or "[]")]
        s.table(("Evidence", "Detail"), evidence, "The flag lists no evidence rows.")
        s.p(
            "How this detector works (its method card): "
            + red.text(card.get("purpose"))
            + " "
            + red.text(card.get("logic", ""))
        )
        innocent = card.get("false_positives") or ()
        if innocent:
            s.p(
                "Known innocent explanations: "
                + " ".join(f"({i}) {red.text(x)}" for i, x in enumerate(innocent, 1))
            )
        s.table(
            ("Assessed", "By", "Status", "Note"),
            [
                [a["at"], f"{a['who']} ({a['role']})", a["status"], red.text(a["note"])]
                for a in ws.meta.assessments(fid)
            ],
            "No one has assessed this flag.",
        )
    s.h("Review cases")
    s.table(
        ("Case", "When", "What", "Who", "Reason"),
        [[red.text(x) for x in r] for r in cases],
        "No review case concerns you.",
    )
    return s


def _corrections(ws: Workspace, red: Redactor, officer_id: str) -> Section:
    s = Section("Corrections to your data")
    rows = [
        [
            str(c["seq"]),
            f"{c['tbl']} row {c['row_key']}, {c['field']}: {c['old_value'] or 'nothing'} -> {c['value'] or 'nothing'}",
            f"{c['at']} by {c['who']} ({c['role']})",
            red.text(f"{c['reason']} (evidence: {c['evidence']})"),
            c["status"] + (f", challenge {c['challenge_ref']}" if c["challenge_ref"] else ""),
        ]
        for c in Corrections(ws.meta).rows(officer_id=officer_id)
    ]
    s.table(
        ("Correction", "What", "When and by whom", "Why", "State"),
        rows,
        "No correction has been made to your data.",
    )
    return s


def _looks(ws: Workspace, red: Redactor, officer_id: str, uid: str, flags: list[dict[str, Any]]) -> Section:
    """Every audit record that touched the subject's node or flags, named them, or was
    made for (or tried on) a review case about them."""
    s = Section("Who looked at your data and why")
    touched = {officer_id, uid}
    for f in flags:
        touched |= {str(f["flag_id"]), MODEL.uid("Flag", f["flag_id"])}
    refs = {c["case_ref"] for c in subject_cases(ws, officer_id, [str(f["flag_id"]) for f in flags])}
    tried = re.compile(r"/cases/(" + "|".join(map(re.escape, sorted(refs))) + r")(/|$)") if refs else None
    rows = []
    for r in ws.audit.records():
        params: dict[str, Any] = r["params"] if isinstance(r.get("params"), dict) else {}
        if (
            r.get("what") in touched
            or officer_id in (r.get("officer_id"), r.get("subject_id"), params.get("officer_id"))
            or r.get("case_ref") in refs  # anything done for a case about them
            or (tried is not None and r.get("action") == "failed" and tried.search(str(r.get("what"))))
        ):
            rows.append(
                [
                    _plain(r.get("at")),
                    f"{r.get('who')} ({r.get('role')})",
                    f"{r.get('action')}: {red.text(r.get('what'))}"
                    + (f" (refused: {red.text(r.get('error'))})" if r.get("action") == "failed" else ""),
                    red.text(r.get("purpose")),
                    red.text(r.get("case_ref")),
                ]
            )
    s.table(("When", "Who", "What", "Purpose", "Case"), rows, "No one has looked at your data.")
    return s


def _challenge_section(ws: Workspace, red: Redactor, officer_id: str) -> Section:
    s = Section("How to challenge")
    s.p(HOW_TO_CHALLENGE)
    s.table(
        ("Challenge", "Against", "Lodged", "Due", "State", "Decision"),
        [[red.text(x) for x in r] for r in challenges(ws, officer_id)],
        "You have lodged no challenge.",
    )
    return s


# ---- rendering -----------------------------------------------------------------------------


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (``viz/templates/subject_report.html``)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("viz", "templates"), autoescape=jinja2.select_autoescape(["html"])
    )
    return env.get_template("subject_report.html").render(report=report)


_LATIN = str.maketrans(
    {"…": "...", "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "→": "->", "·": "-"}
)


def _latin(text: str) -> str:
    """Text in the PDF's core font's character set (Latin-1); anything else becomes ``?``."""
    return text.translate(_LATIN).encode("latin-1", "replace").decode("latin-1")


def to_pdf(report: Report) -> bytes:
    """The report as a PDF (fpdf2's core fonts: nothing to install beside it)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(_latin(f"Subject access report: {report.subject}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin(f"Subject access report: {report.subject}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0, 5, _latin(f"Produced {report.produced_at} by {report.produced_by}"), new_x="LMARGIN", new_y="NEXT"
    )
    for sec in report.sections:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, _latin(sec.title), new_x="LMARGIN", new_y="NEXT")
        for b in sec.blocks:
            if b.kind == "h":
                pdf.set_font("Helvetica", "B", 10)
                pdf.multi_cell(0, 6, _latin(b.text), new_x="LMARGIN", new_y="NEXT")
            elif b.kind == "p":
                pdf.set_font("Helvetica", "", 9)
                pdf.multi_cell(0, 5, _latin(b.text), new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.set_font("Helvetica", "", 7)
                heading = FontFace(emphasis="BOLD") if any(b.columns) else None
                with pdf.table(
                    first_row_as_headings=heading is not None, headings_style=heading or FontFace()
                ) as t:
                    for r in ([list(b.columns)] if heading else []) + b.rows:
                        row = t.row()
                        for cell in r:
                            row.cell(_latin(cell))
            pdf.ln(1)
    return bytes(pdf.output())
