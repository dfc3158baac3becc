"""Planted cases and look-alikes of the association detectors
(``queries.detectors.association``): ``association.undeclared_membership``,
``association.undeclared_link``.

=================================== ======================================= ==========================================
detector                            planted                                 look-alike (not in the truth)
=================================== ======================================= ==========================================
association.undeclared_membership   on a lodge roll or company register     declared members (approved, by id or by
                                    with no approved declaration, or a      the organisation's name written another
                                    pending one (:func:`members`)           way), namesakes, clubs and charities
association.undeclared_link         lives with, or shares a phone with, a   lives with a flagged person under an
                                    person flagged ``ocg…``; no association approved association declaration
                                    declared
=================================== ======================================= ==========================================
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synthetic.catalogue import Planting, Stage
from synthetic.common import (
    FRONTLINE,
    _postcode,
    world_stream,
)

if TYPE_CHECKING:
    from synthetic.world import People, World


def _replace(x: str, old: str, new: str) -> str:
    return x.replace(old, new)


def _org_name_variant(name: str, k: int) -> str:
    """An organisation's name as an officer might write it on a declaration (the ``k``-th of
    the ways that fit): Limited for Ltd, '&' for 'and', no 'No.' before the number, Saint for
    St, else a leading 'The'; a lodge also as 'Freemasons - …', '… (masonic)' or without its
    number.

    >>> [_org_name_variant("Rose and Crown Lodge No. 1234", k) for k in range(5)]
    ['Rose & Crown Lodge No. 1234', 'Rose and Crown Lodge 1234', 'Freemasons - Rose and Crown Lodge No. 1234', 'Rose and Crown Lodge No. 1234 (masonic)', 'Rose and Crown Lodge']
    """
    ways = [(" Ltd", " Limited"), (" and ", " & "), ("No. ", ""), ("St ", "Saint ")]
    fits: list[Callable[[str], str]] = [
        functools.partial(_replace, old=a, new=b) for a, b in ways if a in name
    ]
    if "Lodge" in name:
        fits += [lambda x: "Freemasons - " + x, lambda x: x + " (masonic)"]
        if re.search(r" No\. [0-9]+", name):
            fits.append(lambda x: re.sub(r" No\. [0-9]+", "", x))
    if not fits:
        return "The " + name
    return fits[k % len(fits)](name)


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


# --------------------------------------------------------------------------- the plan, with the world


def members(
    rng: np.random.Generator, off: pd.DataFrame, orgs: pd.DataFrame, as_of: dt.date, clean: bool
) -> tuple[
    list[dict[str, object]], list[dict[str, object]], list[dict[str, object]], list[dict[str, object]], int
]:
    """Officers on the membership lists of the first version (``association.undeclared_membership``):
    undeclared members (no declaration, or listed without a date of birth) and pending
    declarations (planted); declared members, by id or by the organisation's name written
    another way, members of clubs and charities, and namesakes with another date of birth
    (look-alikes). With ``clean`` every would-be planted member holds an approved declaration.

    Returns the list rows, the declarations, the truth rows, the look-alike rows and the
    number of members drawn (the lists hold as many members of the public)."""
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
    return mem_rows, decl_rows, truth_rows, look_rows, n_members


def plan_links(w: World) -> None:
    for form in w.forms("association.undeclared_link", max(w.k, 2)):
        for gi in w.take(1):
            w.plants["association.undeclared_link"][gi] = {"form": form}


def plan_declarations(w: World) -> None:
    """Lapsed and rejected declarations of members of the first version's lists (planted)."""
    w.member_plans = []
    n_first = int((w.tables["memberships"]["membership_id"].str.startswith("M")).sum())
    half = max(2, round(0.2 * n_first))
    if not w.clean:
        w.member_plans += [(gi, "lapsed_declaration") for gi in w.take(half)]
        w.member_plans += [(gi, "rejected") for gi in w.take(max(1, half // 2))]


def plan_left_before_joining(w: World) -> None:
    """Members who left before joining the force (look-alike)."""
    seasoned = (w.start_day < -400) & (w.start_day > -20 * 365)
    w.member_plans += [(gi, "left_before_joining") for gi in w.take(w.kl, seasoned)]


BUILDINGS = ("Riverside House", "Beacon Court", "Albion Mansions", "Kestrel Lodge", "Foundry Point")
"""Names of blocks of flats, for a flat written two ways (:func:`_flat_written_two_ways`)."""

_SHORT = {"Street": "ST", "Road": "RD", "Lane": "LN", "Avenue": "AVE", "Close": "CL", "Drive": "DR"}


def _flat_written_two_ways(people: People, gi: int, f: int) -> None:
    """Officer ``gi`` and person ``f`` (who lives with them) in one flat of a named block,
    written as the officer's HR record would ("Flat 22, Riverside House, 105 Mill Road, Town")
    and as a police record might (no commas, no "Flat", the street word cut short, upper case:
    "22 RIVERSIDE HOUSE 105 MILL RD"). Drawn from ``gi``, not the random stream, so the rest
    of the force is as it was."""
    street, _, town = str(people.o_addr[gi]).partition(", ")
    flat, building = gi % 40 + 1, BUILDINGS[gi % len(BUILDINGS)]
    words = street.split()
    short = " ".join([*words[:-1], _SHORT.get(words[-1], words[-1])]).upper()
    people.o_addr[gi] = f"Flat {flat}, {building}, {street}" + (f", {town}" if town else "")
    people.rows[f]["address"] = f"{flat} {building.upper()} {short}"


def link_persons(w: World, people: People) -> None:
    """The people an ``association.undeclared_link`` case or look-alike lives with or shares a
    phone with; every other shared address is a flat written two ways."""
    person, relative, ocg = people.person, people.relative, people.ocg
    other_surname, flat_pair, elsewhere = people.other_surname, people.flat_pair, people.elsewhere
    o_pc, o_addr, o_phone = people.o_pc, people.o_addr, people.o_phone
    for k, (gi, p) in enumerate(w.plants["association.undeclared_link"].items()):
        if p["form"] == "shared_address":
            f = relative(gi, ocg(), 0.6)
            p["note"] = "lives at the same address as"
            if k % 2:
                _flat_written_two_ways(people, gi, f)
                p["note"] = "lives in the same flat (written without commas on the police record) as"
        else:
            f = person(phone=str(o_phone[gi]), flags=ocg())
            p["note"] = "shares a phone number with"
        w.link_person[("undeclared_link", gi)] = [f]
    for gi, p in w.looks["association.undeclared_link"].items():
        form = p["form"]
        if form == "declared_association":
            f = relative(gi, ocg(), 0.8)
        elif form == "unflagged_person":
            f = relative(gi, None, 0.8)
        elif form == "namesake_street":
            f = person(other_surname(gi), str(o_addr[gi]), elsewhere(gi), None, ocg())
        else:  # different_flat
            f = person(other_surname(gi), flat_pair(gi), str(o_pc[gi]), None, ocg())
        w.link_person[("undeclared_link_la", gi)] = [f]


def link_truth(w: World) -> None:
    """The truth rows of ``association.undeclared_link`` (cases and look-alikes); a declared
    association's declaration."""
    start, end = w.cal.iso(0), w.as_of.isoformat()
    pid, fl = w.linked_id, w.linked_flags
    for gi, p in w.plants["association.undeclared_link"].items():
        (f,) = w.link_person[("undeclared_link", gi)]
        w.row(
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
    for gi, p in w.looks["association.undeclared_link"].items():
        (f,) = w.link_person[("undeclared_link_la", gi)]
        if p["form"] == "declared_association":
            w.extra_decl.append({"officer_id": w.ids[gi], "kind": "association", "person_id": pid(f)})
        w.row(
            "association.undeclared_link",
            gi,
            start,
            end,
            la_notes[p["form"]].format(p=pid(f), f=fl(f)),
            look=True,
            form=p["form"],
        )


def late_switchboard(w: World) -> None:
    """A station switchboard: officers give it as their phone, and a dozen people in police
    records as their contact number, a flagged one among them. Then, on a random stream of
    its own, namesakes on a party's list (:func:`namesakes_name_only`)."""
    _switchboard(w)
    with world_stream(w, 710):
        namesakes_name_only(w)


def _sector_neighbour(postcode: str) -> str:
    """Another postcode of the same sector ("ZZ1 2AB" -> "ZZ1 2BC"): the same area, not the
    same street."""
    pc = postcode.strip().upper()
    shift = "".join(chr((ord(ch) - 65 + 1) % 26 + 65) if ch.isalpha() else ch for ch in pc[-2:])
    return pc[:-2] + shift


def namesakes_name_only(w: World) -> None:
    """Entries on a political party's list that give an officer's name (a name no other
    officer has) and no date of birth: with no postcode, or a postcode of the same sector as the
    officer's home (look-alikes: a namesake as likely as the officer). The officers are none
    of this detector's planted cases or other look-alikes, and are not taken from other plans."""
    det = "association.undeclared_membership"
    off = w.tables["officers"]
    named = {str(r["officer_id"]) for r in [*w.truth_rows, *w.look_rows] if r["detector"] == det}
    key = off["surname"].astype(str).str.casefold() + "|" + off["forenames"].astype(str).str.casefold()
    unique = ~key.duplicated(keep=False).to_numpy()
    ok = unique & ~w.used & ~off["officer_id"].astype(str).isin(named).to_numpy()
    ok &= off["home_postcode"].notna().to_numpy()
    cand = np.flatnonzero(ok)
    if not len(cand):
        return
    pick = sorted(int(x) for x in w.rng.choice(cand, min(len(cand), 2 * w.kl), replace=False))
    rows = []
    for j, gi in enumerate(pick):
        o = off.iloc[gi]
        near = j % 2 == 1
        rows.append(
            {
                "membership_id": f"PN{j + 1:05d}",
                "org_id": "P001",
                "member_surname": str(o["surname"]).upper(),
                "member_forenames": str(o["forenames"]),
                "member_date_of_birth": None,
                "member_postcode": _sector_neighbour(str(o["home_postcode"])) if near else None,
                "since": w.as_of - dt.timedelta(days=int(w.rng.integers(60, 2000))),
                "until": None,
                "source": "party-list-2025",
            }
        )
        w.row(
            det,
            gi,
            w.cal.iso(0),
            w.as_of.isoformat(),
            f"PN{j + 1:05d} on a party's list gives the officer's name, no date of birth and "
            + ("a postcode of the same sector as the officer's home" if near else "no postcode"),
            look=True,
            form="namesake_name_only",
        )
    t = w.tables["memberships"]
    w.tables["memberships"] = pd.concat([t, pd.DataFrame(rows).reindex(columns=t.columns)], ignore_index=True)


def _switchboard(w: World) -> None:
    board = w.take(w.kl, w.pattern == FRONTLINE)
    if not board:
        return
    number = str(w.phone(1)[0])
    off = w.tables["officers"].copy()
    off.loc[off["officer_id"].isin({w.ids[gi] for gi in board}), "phone"] = number
    w.tables["officers"] = off
    f = w.late_person(phone=number, flags=w.ocg())
    for _ in range(max(0, 12 - len(board))):
        w.late_person(phone=number)
    start, end = w.cal.iso(0), w.as_of.isoformat()
    for gi in board:
        w.row(
            "association.undeclared_link",
            gi,
            start,
            end,
            f"gives the station switchboard as their phone, as do a dozen others, among them "
            f"{f['person_id']} (flagged '{f['nominal_flags']}')",
            look=True,
            form="switchboard_phone",
        )


def membership_plans(w: World) -> list[dict[str, Any]]:
    """Members with a lapsed or rejected declaration (planted) and members who left before
    joining the force (look-alikes): their list rows (returned) and declarations."""
    rng = w.rng
    off = w.tables["officers"]
    mem: list[dict[str, Any]] = []
    det = "association.undeclared_membership"
    notifiable = ["L001", "L002", "L003", "B001", "B002", "P001"]
    for k, (gi, form) in enumerate(w.member_plans):
        o = off.iloc[gi]
        org = str(rng.choice(notifiable))
        start_date = o["start_date"]
        if form == "left_before_joining":
            until = start_date - dt.timedelta(days=int(rng.integers(20, 300)))
            since = until - dt.timedelta(days=int(rng.integers(300, 3000)))
        else:
            since = w.as_of - dt.timedelta(days=int(rng.integers(800, 4000)))
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
            w.row(
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
        valid_until = w.as_of - dt.timedelta(days=int(rng.integers(30, 400))) if lapsed else None
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
        w.tables["declarations"] = pd.concat(
            [w.tables["declarations"], pd.DataFrame([extra_decl])], ignore_index=True
        )
        if lapsed:
            note = f"member of {org}; the approved declaration expired on {valid_until} and the membership continues"
        else:
            note = f"member of {org} with a rejected declaration"
        w.row(
            det,
            gi,
            (valid_until or since).isoformat(),
            w.as_of.isoformat(),
            note,
            form="lapsed_declaration" if lapsed else "declaration_not_approved",
        )
    return mem


# --------------------------------------------------------------------------- how each form and look-alike is planted

PLANTING: dict[str, Planting] = {
    "association.undeclared_membership": Planting(
        forms={
            "no_declaration": Stage.OWN,
            "declaration_not_approved": Stage.OWN,
            "lapsed_declaration": Stage.OWN,
        },
        lookalikes={
            "declared_approved": Stage.OWN,
            "namesake_other_dob": Stage.OWN,
            "club_membership": Stage.OWN,
            "left_before_joining": Stage.OWN,
            "declared_by_name_variant": Stage.OWN,
            "namesake_name_only": Stage.LATE,
        },
    ),
    "association.undeclared_link": Planting(
        forms={"shared_address": Stage.PLAN, "shared_phone": Stage.PLAN},
        lookalikes={
            "namesake_street": Stage.PLAN,
            "declared_association": Stage.PLAN,
            "unflagged_person": Stage.PLAN,
            "different_flat": Stage.PLAN,
            "switchboard_phone": Stage.LATE,
        },
    ),
}
"""How the association detectors' forms and look-alikes are planted (stages: :mod:`synthetic.catalogue`)."""
