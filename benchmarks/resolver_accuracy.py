"""Accuracy of the membership-list resolvers on generated data with known truth.

    .venv/bin/python benchmarks/resolver_accuracy.py [--officers 1500 20000] [--seeds 1 2 3]

For each size and seed: generate a synthetic force (all names, dates and postcodes are
invented) and an outside roll with

- *true members*: officers written the way an outside list writes them: nicknames
  (Bob for Robert), initials, case changes, accents dropped, hyphens as spaces or run
  together, a transposed-letters typo, a one-digit birth-date typo, postcode spacing and
  case, a missing birth date or postcode, or a postcode from before a move;
- *namesakes*: people with an officer's name and another date of birth (a tenth of
  them at the officer's own postcode: a father or son);
- *the public*: names drawn from the same lists, so chance collisions happen.

Then run :func:`ingest.resolve.resolve_exact` and :func:`ingest.resolve.resolve_splink`
and print precision (links that point at the right officer / all links), recall (true
members linked to the right officer / all true members), F1, how many entries were
reported ambiguous (and how many of those were true members), and the time taken.
``name-only`` counts true members written with neither a birth date nor their current
postcode: nothing but a name to go on, so a careful resolver leaves them unresolved and
its recall tops out near ``1 - name-only / true``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.resolve import Resolution, resolve_exact, resolve_splink

SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker "
    "White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell "
    "Rose Davis Cox Alexander Campbell Johnston Moore Smyth O'Neill O'Brien Doherty Stewart Quinn "
    "Murphy Graham McLaughlin Hamilton Murray Hughes Robertson Thomson Scott Macdonald Reid Ross "
    "Young Watson Anderson Kelly Morrison Paterson Fraser Henderson Nowak Kowalski Singh Ahmed Ali "
    "Hussain Begum Chen Wang Okafor Adeyemi Mensah Silva Costa Fernandes Rossi Ferrari Müller "
    "Schmidt Dubois Moreau Lefèvre Nakamura Tanaka Kim Park Nguyen Tran Ivanov Popescu Horvat "
    "Novak Jensen Hansen Berg Lund Holm Fox Lamb Hart Nash Shaw Pike Rowe Dale Ford Hale Hurst "
    "Kemp Lane Mayo Nye Oakes Pratt Rudd Sykes Tate Vaughan Smith-Jones Lloyd-Webber Ashworth "
    "Barraclough Cartwright Entwistle Fairbairn Greenhalgh Hargreaves Illingworth Kershaw "
    "Ormerod Pilkington Ramsbottom Sutcliffe Thistlethwaite Whitworth Ó'Súilleabháin Núñez "
    "García Peña Łukasz-Wiśniewski Brontë Zoëller Ackroyd Bairstow Crabtree Dewhurst Eccles"
).split()
FORENAMES = (
    "Robert William Jonathan James Michael David Stephen Thomas Richard Andrew Christopher "
    "Daniel Matthew Anthony Peter Samuel Edward Joseph Benjamin Nicholas Alexander Charles "
    "Patrick Timothy Philip Kenneth Gareth Owen Rhys Dylan Callum Euan Aidan Sean Ciaran "
    "Declan Mark Paul Gary Ian Simon Neil Kevin Lee Craig Tomasz Kwame Marco Jean-Paul "
    "Elizabeth Katherine Jennifer Susan Margaret Rebecca Victoria Deborah Jacqueline Nicola "
    "Joanne Abigail Amanda Samantha Eleanor Helen Judith Louise Sarah Emma Claire Laura "
    "Rachel Lisa Karen Amy Hannah Jessica Sophie Lucy Charlotte Megan Anne-Marie Zoë Siobhán "
    "Aoife Chloé Priya Aisha Fatima Mei Ngozi Agnieszka Renée Inès Sofia Lucía"
).split()
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Robbie"],
    "William": ["Bill", "Will"],
    "Jonathan": ["Jon", "Jonny"],
    "James": ["Jim", "Jimmy", "Jamie"],
    "Michael": ["Mike", "Mick"],
    "David": ["Dave"],
    "Stephen": ["Steve", "Steven"],
    "Thomas": ["Tom", "Tommy"],
    "Richard": ["Dick", "Rick"],
    "Andrew": ["Andy", "Drew"],
    "Christopher": ["Chris"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt"],
    "Anthony": ["Tony"],
    "Peter": ["Pete"],
    "Samuel": ["Sam"],
    "Samantha": ["Sam"],
    "Edward": ["Ed", "Ted"],
    "Joseph": ["Joe"],
    "Benjamin": ["Ben"],
    "Nicholas": ["Nick"],
    "Alexander": ["Alex"],
    "Charles": ["Charlie"],
    "Patrick": ["Pat", "Paddy"],
    "Timothy": ["Tim"],
    "Philip": ["Phil"],
    "Kenneth": ["Ken"],
    "Elizabeth": ["Liz", "Beth", "Betty"],
    "Katherine": ["Kate", "Katie", "Catherine"],
    "Jennifer": ["Jenny", "Jen"],
    "Susan": ["Sue"],
    "Margaret": ["Maggie", "Meg"],
    "Rebecca": ["Becky"],
    "Victoria": ["Vicky"],
    "Deborah": ["Debbie"],
    "Jacqueline": ["Jackie"],
    "Nicola": ["Nicky"],
    "Abigail": ["Abby"],
    "Amanda": ["Mandy"],
}
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
AREAS = ["LS", "BD", "HX", "HD", "WF", "YO", "HG", "DN", "S", "M"]


def zipf_weights(n: int, s: float = 0.8) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def postcode(rng: np.random.Generator) -> str:
    area = AREAS[int(rng.integers(len(AREAS)))]
    unit = "".join(rng.choice(list(LETTERS), 2))
    return f"{area}{int(rng.integers(1, 30))} {int(rng.integers(0, 10))}{unit}"


def dob(rng: np.random.Generator, lo: int = 1960, hi: int = 2002) -> str:
    d = pd.Timestamp(f"{lo}-01-01") + pd.Timedelta(days=int(rng.integers(0, (hi - lo) * 365)))
    return d.strftime("%Y-%m-%d")


def strip_accents(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def transpose(rng: np.random.Generator, s: str) -> str:
    letters = [i for i in range(1, len(s) - 1) if s[i].isalpha() and s[i + 1].isalpha() and s[i] != s[i + 1]]
    if not letters:
        return s
    i = int(rng.choice(letters))
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def case_variant(rng: np.random.Generator, s: str) -> str:
    return [s, s.upper(), s.lower(), s.title()][int(rng.integers(4))]


def surname_variant(rng: np.random.Generator, s: str) -> str:
    r = rng.random()
    if "-" in s and r < 0.5:
        s = s.replace("-", " " if rng.random() < 0.5 else "")
    if "'" in s and rng.random() < 0.5:
        s = s.replace("'", "")
    if rng.random() < 0.3:
        s = strip_accents(s)
    if rng.random() < 0.08:
        s = transpose(rng, s)
    return case_variant(rng, s)


def forename_variant(rng: np.random.Generator, full: str) -> str:
    first = full.split(" ")[0]
    r = rng.random()
    if r < 0.25 and first in NICKNAMES:
        f = str(rng.choice(NICKNAMES[first]))
    elif r < 0.35:
        f = first[0] + ("." if rng.random() < 0.5 else "")
    elif r < 0.40:
        f = transpose(rng, first)
    elif r < 0.55:
        f = full  # with the middle name
    else:
        f = first
    if rng.random() < 0.3:
        f = strip_accents(f)
    if "-" in f and rng.random() < 0.5:
        f = f.replace("-", " ")
    return case_variant(rng, f)


def postcode_variant(rng: np.random.Generator, pc: str) -> str:
    r = rng.random()
    if r < 0.3:
        return pc.replace(" ", "")
    if r < 0.5:
        return pc.lower()
    return pc


def dob_typo(rng: np.random.Generator, d: str) -> str:
    """One digit of the day changed (still a valid date)."""
    day = int(d[8:10])
    new = day + (1 if day < 28 else -1)
    return f"{d[:8]}{new:02d}"


@dataclass
class Case:
    officers: pd.DataFrame
    roll: pd.DataFrame
    truth: dict[str, str]
    """membership_id -> officer_id for the true members"""
    name_only: set[str]
    """true members written with neither a birth date nor their current postcode: only
    the name is left to go on, so no resolver should link them"""


def generate(n_officers: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    sw, fw = zipf_weights(len(SURNAMES)), zipf_weights(len(FORENAMES), 0.5)
    sur = rng.choice(SURNAMES, n_officers, p=sw)
    first = rng.choice(FORENAMES, n_officers, p=fw)
    middle = rng.choice(FORENAMES, n_officers, p=fw)
    has_middle = rng.random(n_officers) < 0.35
    officers = pd.DataFrame(
        {
            "officer_id": [f"OF{i:06d}" for i in range(n_officers)],
            "surname": sur,
            "forenames": [
                f"{a} {b}" if m and a != b else a for a, b, m in zip(first, middle, has_middle, strict=True)
            ],
            "date_of_birth": [dob(rng) for _ in range(n_officers)],
            "home_postcode": [postcode(rng) for _ in range(n_officers)],
        }
    )
    n_members = max(1, n_officers // 20)
    n_namesakes = max(1, n_officers // 50)
    n_public = n_officers // 5
    rows: list[dict[str, object]] = []
    truth: dict[str, str] = {}
    name_only: set[str] = set()
    members = rng.choice(n_officers, n_members, replace=False)
    for i in members:
        o = officers.iloc[int(i)]
        d: str | None = str(o.date_of_birth)
        r = rng.random()
        if r < 0.2:
            d = None
        elif r < 0.23:
            d = dob_typo(rng, str(d))
        pc: str | None = postcode_variant(rng, str(o.home_postcode))
        r = rng.random()
        if r < 0.1:
            pc = None
        elif r < 0.25:
            pc = postcode(rng)  # moved since
        mid = f"R{len(rows):06d}"
        truth[mid] = str(o.officer_id)
        if d is None and r < 0.25:  # no birth date, and no postcode or an old one
            name_only.add(mid)
        rows.append(
            {
                "membership_id": mid,
                "member_surname": surname_variant(rng, str(o.surname)),
                "member_forenames": forename_variant(rng, str(o.forenames)),
                "member_date_of_birth": d,
                "member_postcode": pc,
            }
        )
    for i in rng.choice(n_officers, n_namesakes, replace=False):
        o = officers.iloc[int(i)]
        other = dob(rng)
        while abs(pd.Timestamp(other) - pd.Timestamp(o.date_of_birth)).days < 400:
            other = dob(rng)
        rows.append(
            {
                "membership_id": f"R{len(rows):06d}",
                "member_surname": case_variant(rng, str(o.surname)),
                "member_forenames": case_variant(rng, str(o.forenames).split(" ")[0]),
                "member_date_of_birth": other,
                "member_postcode": str(o.home_postcode) if rng.random() < 0.1 else postcode(rng),
            }
        )
    for _ in range(n_public):
        rows.append(
            {
                "membership_id": f"R{len(rows):06d}",
                "member_surname": case_variant(rng, str(rng.choice(SURNAMES, p=sw))),
                "member_forenames": case_variant(rng, str(rng.choice(FORENAMES, p=fw))),
                "member_date_of_birth": None if rng.random() < 0.1 else dob(rng),
                "member_postcode": postcode(rng),
            }
        )
    roll = pd.DataFrame(rows)
    roll = roll.iloc[rng.permutation(len(roll))].reset_index(drop=True)
    roll.insert(1, "org_id", "LODGE1")
    roll["since"] = None
    roll["until"] = None
    return Case(officers, roll, truth, name_only)


def score(res: Resolution, case: Case) -> dict[str, float]:
    links = dict(zip(res.links["membership_id"], res.links["officer_id"], strict=True))
    tp = sum(1 for m, o in links.items() if case.truth.get(m) == o)
    fp = len(links) - tp
    precision = tp / len(links) if links else 1.0
    recall = tp / len(case.truth) if case.truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    amb = res.report[res.report["status"] == "ambiguous"]["membership_id"]
    return {
        "links": len(links),
        "tp": tp,
        "fp": fp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "ambiguous": len(amb),
        "ambiguous_true": int(amb.isin(list(case.truth)).sum()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--officers", type=int, nargs="+", default=[1500, 20000])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--threshold", type=float, default=0.95)
    args = ap.parse_args(argv)
    head = (
        f"{'officers':>8} {'roll':>5} {'true':>5} {'name-only':>9} {'seed':>4} {'method':<7} {'links':>5} {'fp':>3} "
        f"{'precision':>9} {'recall':>6} {'F1':>6} {'ambig':>5} {'(true)':>6} {'seconds':>7}"
    )
    print(head)
    print("-" * len(head))
    for n in args.officers:
        for seed in args.seeds:
            case = generate(n, seed)
            for name, fn in (
                ("exact", lambda c: resolve_exact(c.roll, c.officers)),
                ("splink", lambda c: resolve_splink(c.roll, c.officers, threshold=args.threshold)),
            ):
                t0 = time.perf_counter()
                res = fn(case)
                dt = time.perf_counter() - t0
                s = score(res, case)
                print(
                    f"{n:>8} {len(case.roll):>5} {len(case.truth):>5} {len(case.name_only):>9} {seed:>4} {name:<7} {s['links']:>5} "
                    f"{s['fp']:>3} {s['precision']:>9.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} "
                    f"{s['ambiguous']:>5} {s['ambiguous_true']:>6} {dt:>7.2f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
