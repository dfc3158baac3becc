"""The organisation's structure and the membership lists (the generator's first version):
sites, units, officers, organisations, memberships and declarations, with the
``association.undeclared_membership`` cases and look-alikes the lists hold
(:func:`synthetic.association.members`)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from synthetic import association
from synthetic.common import FORENAMES, RANKS, SURNAMES, TRUTH_COLUMNS, Force, _innocent, _postcode


def structure(officers: int, seed: int, as_of: dt.date, clean: bool = False) -> Force:
    """Sites, units, officers, organisations, memberships, declarations and the
    undeclared-membership truth (the generator's first version, unchanged).

    Planted (:func:`synthetic.association.members`): *undeclared members* (on a lodge roll or company register with no approved
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
    mem_rows, decl_rows, truth_rows, look_rows, n_members = association.members(rng, off, orgs, as_of, clean)
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
