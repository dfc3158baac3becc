"""A synthetic force in the source-contract format, with known planted cases.

Everything here is invented: names are drawn from short lists of common words, dates
and postcodes are random. Deterministic for a seed.

This version writes the organisation-structure and association tables (sites, units,
officers, organisations, memberships, declarations) and ``truth.csv`` for
``association.undeclared_membership``. Planted:

- *undeclared members*: officers on a lodge roll or company register with no approved
  declaration (their list entry differs only in case, accents, spacing or punctuation);
- *pending declarations*: members whose declaration is still pending (also flagged);
- innocent look-alikes that must **not** be flagged: declared members (approved, by id
  or by the organisation's name as free text), namesakes on a roll with another date of
  birth, members of clubs and charities (not notifiable), and list entries with no date of
  birth (cannot be resolved exactly).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

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


@dataclass
class Force:
    """The generated tables (frames named after contract tables) and the truth."""

    tables: dict[str, pd.DataFrame]
    truth: pd.DataFrame

    def write(self, directory: Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables.items():
            df.to_csv(directory / f"{name}.csv", index=False)
        self.truth.to_csv(directory / "truth.csv", index=False)
        return directory


def _postcode(rng: np.random.Generator) -> str:
    a = "".join(rng.choice(list(LETTERS), 2))
    return f"{a}{rng.integers(1, 20)} {rng.integers(1, 10)}{''.join(rng.choice(list(LETTERS), 2))}"


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


def generate(officers: int = 300, seed: int = 7, as_of: dt.date = dt.date(2026, 1, 1)) -> Force:
    """Generate a force of ``officers`` people.

    >>> f = generate(officers=120, seed=1)
    >>> sorted(f.tables)
    ['declarations', 'memberships', 'officers', 'organisations', 'sites', 'units']
    >>> len(f.tables["officers"])
    120
    >>> f.truth["detector"].unique().tolist()
    ['association.undeclared_membership']
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
    notifiable = orgs.loc[orgs["kind"].isin(["freemasonry", "business", "political"]), "org_id"].tolist()
    other = orgs.loc[~orgs["org_id"].isin(notifiable), "org_id"].tolist()

    n_members = max(12, len(off) // 10)
    member_idx = rng.choice(len(off), n_members, replace=False)
    roles = rng.choice(
        ["undeclared", "pending", "declared_id", "declared_name", "non_notifiable", "no_dob"],
        n_members,
        p=[0.3, 0.1, 0.25, 0.1, 0.15, 0.1],
    )
    mem_rows: list[dict[str, object]] = []
    decl_rows: list[dict[str, object]] = []
    truth_rows: list[dict[str, object]] = []
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
                    "org_name": orgs.set_index("org_id").loc[org, "name"]
                    if role == "declared_name"
                    else None,
                    "declared_at": since + dt.timedelta(days=int(rng.integers(0, 60))),
                    "valid_until": None,
                    "status": "pending" if role == "pending" else "approved",
                }
            )
        if role in ("undeclared", "pending"):
            truth_rows.append(
                {
                    "officer_id": o["officer_id"],
                    "detector": "association.undeclared_membership",
                    "group_id": "",
                    "window_start": since.isoformat(),
                    "window_end": as_of.isoformat(),
                    "note": f"member of {org} with "
                    + ("a pending declaration" if role == "pending" else "no declaration"),
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
    truth = (
        pd.DataFrame(
            truth_rows, columns=["officer_id", "detector", "group_id", "window_start", "window_end", "note"]
        )
        .sort_values("officer_id")
        .reset_index(drop=True)
    )
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
    )
