#!/usr/bin/env python3
"""Independent ("blind") synthetic-force generator for linkwatch.

Written from the source contract (shared/contract/sources.md) alone, without reading
linkwatch's own generator or detectors. Writes every contract table as CSV into OUT,
plus OUT/truth.csv (planted cases) and OUT/lookalikes.csv (innocent look-alikes).

    python benchmarks/blind_force.py OUT --officers 400 --days 90 --seed 1

All people, places and numbers are invented.

Written by an outside party at stop 25 to test the detectors on a force generated to the
contract by other means: what it found, and what changed, is in ``docs/measurements.md``
("Stop 25"). Score a run with ``linkwatch evaluate OUT/truth.csv flags.csv``; beside it,
``benchmarks/baseline.py``.
"""

from __future__ import annotations

import argparse
import os
import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pandas as pd

D0 = date(2024, 1, 1)

MALE = [
    "James",
    "Robert",
    "John",
    "Michael",
    "David",
    "William",
    "Richard",
    "Thomas",
    "Christopher",
    "Daniel",
    "Matthew",
    "Anthony",
    "Mark",
    "Steven",
    "Paul",
    "Andrew",
    "Joshua",
    "Kevin",
    "Brian",
    "Edward",
    "Peter",
    "Samuel",
    "Benjamin",
    "Gary",
    "Nicholas",
    "Jonathan",
    "Stephen",
    "Alexander",
    "Patrick",
    "Liam",
    "Oliver",
    "Harry",
    "Jack",
    "George",
    "Connor",
    "Adam",
    "Simon",
    "Ian",
    "Neil",
]
FEMALE = [
    "Mary",
    "Patricia",
    "Jennifer",
    "Elizabeth",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Lisa",
    "Nancy",
    "Margaret",
    "Sandra",
    "Ashley",
    "Emily",
    "Michelle",
    "Amanda",
    "Melissa",
    "Rebecca",
    "Laura",
    "Helen",
    "Emma",
    "Olivia",
    "Sophie",
    "Chloe",
    "Hannah",
    "Lucy",
    "Charlotte",
    "Katherine",
    "Rachel",
    "Joanne",
    "Claire",
    "Victoria",
    "Amy",
    "Natalie",
    "Gemma",
    "Louise",
    "Zoe",
    "Kelly",
]
SURN = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Okafor",
    "Nowak",
    "Kowalski",
    "Ahmed",
    "Chowdhury",
    "Osei",
    "Mensah",
    "Fernandes",
    "Costa",
]
NICK = {
    "Robert": "Bob",
    "William": "Bill",
    "Richard": "Dick",
    "Michael": "Mike",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Matthew": "Matt",
    "Anthony": "Tony",
    "Steven": "Steve",
    "Andrew": "Andy",
    "Edward": "Ted",
    "Peter": "Pete",
    "Samuel": "Sam",
    "Benjamin": "Ben",
    "Nicholas": "Nick",
    "Jonathan": "Jon",
    "Stephen": "Steve",
    "Alexander": "Alex",
    "James": "Jim",
    "Thomas": "Tom",
    "Elizabeth": "Liz",
    "Margaret": "Maggie",
    "Katherine": "Kate",
    "Rebecca": "Becky",
    "Jennifer": "Jen",
    "Patricia": "Pat",
    "Victoria": "Vicky",
    "Susan": "Sue",
    "Joanne": "Jo",
    "Natalie": "Nat",
}
STREETS = [
    "Acacia Road",
    "Albert Street",
    "Beech Avenue",
    "Bridge Street",
    "Castle Lane",
    "Chapel Road",
    "Church Street",
    "Park Road",
    "Victoria Road",
    "Station Road",
    "Mill Lane",
    "Queens Road",
    "King Street",
    "The Crescent",
    "Manor Way",
    "Orchard Close",
    "Elm Grove",
    "Highfield Road",
    "Springfield Avenue",
    "Windsor Drive",
    "Oak Lane",
    "Meadow View",
    "Riverside",
    "Grange Road",
]
AREAS = ["NX1", "NX2", "NX3", "NX4", "NX5", "SX1", "SX2", "SX3", "EX1", "EX2", "EX4", "WX7"]

# unit_id, name, parent, site, kind, composition [(rank, staff_type, n)]
RESP = [("INSP", "officer", 1), ("PS", "officer", 4), ("PC", "officer", 23), ("SC", "special", 2)]
UNITS = [
    (
        "U00",
        "Chief Officer Group and Command",
        None,
        "S01",
        "command",
        [
            ("CC", "officer", 1),
            ("DCC", "officer", 1),
            ("ACC", "officer", 1),
            ("CSUPT", "officer", 2),
            ("SUPT", "officer", 3),
            ("CI", "officer", 4),
            ("Director", "staff", 2),
        ],
    ),
    ("U01", "Response Team A (Northgate)", "U00", "S02", "response", RESP),
    ("U02", "Response Team B (Northgate)", "U00", "S02", "response", RESP),
    ("U03", "Response Team C (Southbank)", "U00", "S03", "response", RESP),
    ("U04", "Response Team D (Southbank)", "U00", "S03", "response", RESP),
    ("U05", "Response Team E (Eastfield)", "U00", "S04", "response", RESP),
    (
        "U06",
        "Neighbourhood North",
        "U00",
        "S02",
        "neighbourhood",
        [("INSP", "officer", 1), ("PS", "officer", 2), ("PC", "officer", 9), ("PCSO", "pcso", 6)],
    ),
    (
        "U07",
        "Neighbourhood South",
        "U00",
        "S03",
        "neighbourhood",
        [("INSP", "officer", 1), ("PS", "officer", 2), ("PC", "officer", 9), ("PCSO", "pcso", 6)],
    ),
    (
        "U08",
        "Criminal Investigation Department",
        "U00",
        "S02",
        "cid",
        [("CI", "officer", 1), ("INSP", "officer", 1), ("PS", "officer", 4), ("PC", "officer", 24)],
    ),
    (
        "U09",
        "Public Protection Unit",
        "U00",
        "S01",
        "ppu",
        [
            ("CI", "officer", 1),
            ("INSP", "officer", 1),
            ("PS", "officer", 3),
            ("PC", "officer", 12),
            ("Staff", "staff", 3),
        ],
    ),
    (
        "U10",
        "Force Intelligence Bureau",
        "U00",
        "S01",
        "intel",
        [
            ("CI", "officer", 1),
            ("INSP", "officer", 1),
            ("PS", "officer", 2),
            ("PC", "officer", 6),
            ("Analyst", "staff", 10),
        ],
    ),
    (
        "U11",
        "Force Control Room",
        "U00",
        "S01",
        "control",
        [
            ("CI", "officer", 1),
            ("INSP", "officer", 1),
            ("PS", "officer", 4),
            ("PC", "officer", 6),
            ("Call handler", "staff", 18),
        ],
    ),
    (
        "U12",
        "Custody",
        "U00",
        "S05",
        "custody",
        [
            ("INSP", "officer", 1),
            ("PS", "officer", 4),
            ("PC", "officer", 4),
            ("Detention officer", "staff", 7),
        ],
    ),
    (
        "U13",
        "Roads Policing",
        "U00",
        "S04",
        "roads",
        [("INSP", "officer", 1), ("PS", "officer", 2), ("PC", "officer", 13)],
    ),
    ("U14", "Human Resources", "U00", "S01", "office", [("Staff", "staff", 12)]),
    ("U15", "Finance", "U00", "S01", "office", [("Staff", "staff", 8)]),
    ("U16", "Resource Management Unit", "U00", "S01", "rmu", [("Staff", "staff", 8)]),
    (
        "U17",
        "Professional Standards",
        "U00",
        "S01",
        "psd",
        [
            ("CI", "officer", 1),
            ("INSP", "officer", 1),
            ("PS", "officer", 2),
            ("PC", "officer", 1),
            ("Staff", "staff", 3),
        ],
    ),
    ("U18", "Digital and IT", "U00", "S01", "it", [("Staff", "staff", 12)]),
    (
        "U19",
        "Major Crime Team",
        "U00",
        "S01",
        "major",
        [
            ("SUPT", "officer", 1),
            ("CI", "officer", 1),
            ("INSP", "officer", 1),
            ("PS", "officer", 3),
            ("PC", "officer", 11),
            ("Staff", "staff", 3),
        ],
    ),
]
SITES = [
    ("S01", "Force Headquarters", "office", "NX1 1HQ"),
    ("S02", "Northgate Police Station", "station", "NX2 2PS"),
    ("S03", "Southbank Police Station", "station", "SX1 3PS"),
    ("S04", "Eastfield Police Station", "station", "EX1 4PS"),
    ("S05", "Central Custody Suite", "custody", "NX1 5CS"),
    ("S06", "Training Centre", "other", "WX7 6TC"),
]
SENIOR = {"CC", "DCC", "ACC", "CSUPT", "SUPT", "CI"}
FRONTLINE = {"response", "neighbourhood", "control", "custody", "roads"}
HYBRID = {"cid", "ppu", "intel", "it", "major"}
CASE_TYPES = [
    ("burglary", "burglary", 14),
    ("assault", "violence", 14),
    ("domestic", "domestic", 14),
    ("sexual", "sexual", 8),
    ("fraud", "fraud", 10),
    ("theft", "theft", 14),
    ("drugs", "drugs", 10),
    ("rtc", "road traffic", 6),
    ("robbery", "robbery", 5),
    ("harassment", "harassment", 5),
]


def fts(x: datetime) -> str:
    return x.strftime("%Y-%m-%dT%H:%M:%S")


def at(d: date, h: float) -> datetime:
    return datetime(d.year, d.month, d.day) + timedelta(minutes=round(h * 60))


class Force:
    def __init__(self, n_officers: int, days: int, seed: int):
        self.r = random.Random(seed)
        self.seed = seed
        self.days = days
        self.dates = [D0 + timedelta(days=i) for i in range(days)]
        self.end = self.dates[-1]
        self.scale = n_officers / 400
        self.t: dict[str, list[dict]] = defaultdict(list)
        self.truth: list[dict] = []
        self.looks: list[dict] = []
        self.used: set[str] = set()
        self.seq = defaultdict(int)

    def nid(self, prefix: str, width: int = 6) -> str:
        self.seq[prefix] += 1
        return f"{prefix}{self.seq[prefix]:0{width}d}"

    # ------------------------------------------------------------------ structure
    def build_structure(self) -> None:
        r = self.r
        for s in SITES:
            self.t["sites"].append(dict(site_id=s[0], name=s[1], kind=s[2], postcode=s[3]))
        self.postcodes = []
        for a in AREAS:
            for _ in range(100):
                self.postcodes.append(
                    f"{a} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                )
        self.postcodes = sorted(set(self.postcodes))
        self.pc_street = {pc: r.choice(STREETS) for pc in self.postcodes}
        self.used_addr: set[tuple] = set()
        self.phones: set[str] = set()
        self.officers: dict[str, dict] = {}
        self.by_unit: dict[str, list[str]] = defaultdict(list)
        self.unit_kind, self.unit_site = {}, {}
        scale = self.scale
        n = 0
        for uid, name, parent, site, kind, comp in UNITS:
            self.t["units"].append(dict(unit_id=uid, name=name, parent_unit_id=parent or "", site_id=site))
            self.unit_kind[uid], self.unit_site[uid] = kind, site
            for rank, stype, k in comp:
                k = max(1, round(k * scale)) if rank not in SENIOR else k
                for _ in range(k):
                    n += 1
                    oid = f"{r.choice(['0', '1', '2', '4'])}{n:04d}"  # some ids start with 0
                    g = r.random() < 0.35
                    fn = r.choice(FEMALE if g else MALE)
                    sn = r.choice(SURN)
                    pc, addr = self.new_address()
                    if kind == "command" or rank in SENIOR:
                        pattern = "office"
                    elif kind in FRONTLINE:
                        pattern = "frontline"
                    elif kind in HYBRID:
                        pattern = "hybrid"
                    else:
                        pattern = "office" if r.random() < 0.6 else "hybrid"
                    start = date(r.randint(1995, 2022), r.randint(1, 12), r.randint(1, 28))
                    dob = date(start.year - r.randint(19, 40), r.randint(1, 12), r.randint(1, 28))
                    o = dict(
                        officer_id=oid,
                        surname=sn,
                        forenames=fn + ("" if r.random() < 0.7 else " " + r.choice(MALE + FEMALE)),
                        rank=rank if stype != "staff" else "",
                        staff_type=stype,
                        unit_id=uid,
                        work_pattern=pattern,
                        start_date=start.isoformat(),
                        end_date="",
                        line_manager_id="",
                        date_of_birth=dob.isoformat(),
                        home_postcode=pc,
                        home_address=addr,
                        phone=self.new_phone(),
                        email=f"{fn.lower()}.{sn.lower()}.{n}@northshire.police.uk",
                        gender="F" if g else "M",
                        ethnicity=r.choice(
                            [
                                "White British",
                                "White British",
                                "White British",
                                "White Other",
                                "Asian British",
                                "Black British",
                                "Mixed",
                                "Not stated",
                            ]
                        ),
                    )
                    o["_rank"], o["_kind"], o["_site"] = rank, kind, site
                    o["_parttime"] = stype in ("staff", "pcso") and r.random() < 0.12
                    self.officers[oid] = o
                    self.by_unit[uid].append(oid)
        # line managers
        order = ["CC", "DCC", "ACC", "CSUPT", "SUPT", "CI", "INSP", "PS"]
        cmd = self.by_unit["U00"]
        for uid, ids in self.by_unit.items():
            for oid in ids:
                o = self.officers[oid]
                rk = o["_rank"]
                if uid == "U00":
                    sup = {
                        "CC": [],
                        "DCC": ["CC"],
                        "ACC": ["DCC"],
                        "CSUPT": ["ACC"],
                        "SUPT": ["CSUPT"],
                        "CI": ["SUPT"],
                        "Director": ["DCC"],
                    }.get(rk, ["ACC"])
                    cands = [x for x in cmd if self.officers[x]["_rank"] in sup]
                else:
                    if o["staff_type"] == "staff":
                        cands = [x for x in ids if self.officers[x]["_rank"] in ("PS", "INSP")] or [
                            x for x in ids if x != oid
                        ][:1]
                    elif rk in ("PC", "SC", "PCSO"):
                        cands = [x for x in ids if self.officers[x]["_rank"] == "PS"]
                    elif rk == "PS":
                        cands = [x for x in ids if self.officers[x]["_rank"] == "INSP"]
                    elif rk == "INSP":
                        cands = [x for x in ids if self.officers[x]["_rank"] in ("CI", "SUPT")] or [
                            x for x in cmd if self.officers[x]["_rank"] == "CI"
                        ]
                    else:
                        cands = [x for x in cmd if self.officers[x]["_rank"] in ("SUPT", "CSUPT")]
                cands = [c for c in cands if c != oid]
                if cands:
                    o["line_manager_id"] = r.choice(cands)
        # assignments (history)
        for oid, o in self.officers.items():
            if r.random() < 0.25 and o["_kind"] not in ("command",):
                prev = r.choice([u[0] for u in UNITS if u[0] != o["unit_id"]])
                mv = date(2023, r.randint(1, 11), r.randint(1, 28))
                self.t["assignments"].append(
                    dict(
                        officer_id=oid,
                        unit_id=prev,
                        start_date=o["start_date"],
                        end_date=(mv - timedelta(days=1)).isoformat(),
                        rank=o["_rank"],
                        role="",
                    )
                )
                self.t["assignments"].append(
                    dict(
                        officer_id=oid,
                        unit_id=o["unit_id"],
                        start_date=mv.isoformat(),
                        end_date="",
                        rank=o["_rank"],
                        role="",
                    )
                )
            else:
                self.t["assignments"].append(
                    dict(
                        officer_id=oid,
                        unit_id=o["unit_id"],
                        start_date=o["start_date"],
                        end_date="",
                        rank=o["_rank"],
                        role="",
                    )
                )

    def new_address(self, pc: str | None = None) -> tuple[str, str]:
        while True:
            p = pc or self.r.choice(self.postcodes)
            a = f"{self.r.randint(1, 160)} {self.pc_street[p]}"
            if (p, a) not in self.used_addr:
                self.used_addr.add((p, a))
                return p, a

    def new_phone(self) -> str:
        while True:
            p = f"07{self.r.randint(100000000, 999999999)}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    # ------------------------------------------------------------------ persons, records, cases
    def add_person(self, **kw) -> str:
        r = self.r
        pid = self.nid("P", 7)
        g = r.random() < 0.5
        pc, addr = self.new_address()
        p = dict(
            person_id=pid,
            surname=r.choice(SURN),
            forenames=r.choice(FEMALE if g else MALE),
            date_of_birth=date(r.randint(1950, 2008), r.randint(1, 12), r.randint(1, 28)).isoformat(),
            postcode=pc,
            address=addr,
            phone=self.new_phone() if r.random() < 0.8 else "",
            nominal_flags="",
        )
        p.update(kw)
        self.t["persons"].append(p)
        self.persons[pid] = p
        return pid

    def add_record(
        self, rtype: str, person_id: str = "", case_ref: str = "", sens: str = "none", off: str = ""
    ) -> str:
        rid = self.nid("R", 7)
        rec = dict(
            record_id=rid,
            record_type=rtype,
            person_id=person_id,
            case_ref=case_ref,
            sensitivity=sens,
            offence_category=off,
        )
        self.t["records"].append(rec)
        self.records[rid] = rec
        return rid

    def build_records(self) -> None:
        r = self.r
        self.persons, self.records = {}, {}
        sc = self.scale
        for _ in range(int(2500 * sc)):
            flags = ""
            if r.random() < 0.12:
                flags = ";".join(
                    sorted(
                        set(
                            r.sample(
                                ["drugs", "violence", "weapons", "ocg", "firearms", "theft", "mental_health"],
                                r.randint(1, 2),
                            )
                        )
                    )
                )
            self.add_person(nominal_flags=flags)
        pids = list(self.persons)
        self.general_person_recs = [self.add_record("person", pid) for pid in r.sample(pids, int(1500 * sc))]
        self.vehicle_recs = [self.add_record("vehicle", r.choice(pids)) for _ in range(int(1200 * sc))]
        self.address_recs = [self.add_record("address", r.choice(pids)) for _ in range(int(400 * sc))]
        self.intel_recs = [
            self.add_record("intel", r.choice(pids), sens=r.choice(["none", "restricted", "suspect"]))
            for _ in range(int(600 * sc))
        ]
        self.vip_recs = [self.add_record("person", self.add_person(), sens="vip") for _ in range(6)]
        # cases
        self.cases, self.case_recs = {}, defaultdict(list)
        weights = [c[2] for c in CASE_TYPES]
        self.case_officers = defaultdict(list)  # case -> [(oid, start, end)]
        self.off_cases = defaultdict(list)  # oid -> [(case, start, end)]
        for i in range(int(900 * sc)):
            ct, off, _w = r.choices(CASE_TYPES, weights)[0]
            cref = f"CR-{(D0 - timedelta(days=150)).year % 100:02d}-{i + 1:05d}"
            opened = D0 + timedelta(days=r.randint(-150, self.days - 3))
            closed = ""
            if r.random() < 0.5:
                cd = opened + timedelta(days=r.randint(20, 120))
                if cd < self.end:
                    closed = cd.isoformat()
            self.cases[cref] = dict(
                case_ref=cref, opened=opened.isoformat(), closed=closed, case_type=ct, _off=off
            )
            self.case_recs[cref].append(self.add_record("crime", case_ref=cref, off=off))
            for _ in range(r.choice([1, 1, 1, 2])):
                sex = ct in ("sexual", "domestic")
                pid = (
                    self.add_person(forenames=r.choice(FEMALE if (not sex or r.random() < 0.85) else MALE))
                    if r.random() < 0.8
                    else r.choice(pids)
                )
                self.case_recs[cref].append(self.add_record("person", pid, cref, "victim", off))
            for _ in range(r.choice([0, 1, 1, 2])):
                self.case_recs[cref].append(self.add_record("person", r.choice(pids), cref, "suspect", off))
            if r.random() < 0.5:
                self.case_recs[cref].append(self.add_record("person", r.choice(pids), cref, "witness", off))
            if r.random() < 0.4:
                self.case_recs[cref].append(self.add_record("vehicle", r.choice(pids), cref, "none", off))
        # case assignments
        pools = defaultdict(list)
        for oid, o in self.officers.items():
            if o["staff_type"] in ("officer", "special", "pcso") and o["_rank"] not in SENIOR:
                pools[o["_kind"]].append(oid)
        for cref, c in self.cases.items():
            ct = c["case_type"]
            if ct in ("sexual", "domestic"):
                units = ["ppu"] * 3 + ["response", "cid"]
            elif ct == "rtc":
                units = ["roads"]
            elif ct in ("burglary", "theft", "harassment"):
                units = ["response", "neighbourhood", "cid"]
            else:
                units = ["cid", "response", "major" if r.random() < 0.2 else "cid"]
            oc = r.choice(pools[r.choice(units)])
            start = date.fromisoformat(c["opened"])
            endd = c["closed"]
            self.assign(cref, oc, "oic", start, endd)
            if r.random() < 0.6:
                fa = r.choice(pools["response"] + pools["neighbourhood"])
                if fa != oc:
                    self.assign(
                        cref,
                        fa,
                        "first attending",
                        start,
                        (start + timedelta(days=r.randint(1, 7))).isoformat(),
                    )
            if r.random() < 0.3:
                x = r.choice(pools[r.choice(units)])
                if x != oc:
                    self.assign(cref, x, "support", start, endd)

    def assign(self, cref: str, oid: str, role: str, start: date, end: str) -> None:
        self.t["case_assignments"].append(
            dict(case_ref=cref, officer_id=oid, role=role, start_date=start.isoformat(), end_date=end)
        )
        e = date.fromisoformat(end) if end else date(2099, 1, 1)
        self.case_officers[cref].append((oid, start, e))
        self.off_cases[oid].append((cref, start, e))

    def active_cases(self, oid: str, d: date) -> list[str]:
        return [c for c, s, e in self.off_cases[oid] if s <= d <= e]

    # ------------------------------------------------------------------ roster
    def shift(
        self,
        oid,
        s: datetime,
        e: datetime,
        duty: str,
        pay: str = "basic",
        site: str = "",
        status: str = "worked",
        created_by: str = "",
        created_at: datetime | None = None,
        approved_by: str = "",
        approved_at: datetime | None = None,
        hours: float | None = None,
    ) -> dict:
        sid = self.nid("SH", 7)
        row = dict(
            shift_id=sid,
            officer_id=oid,
            start=fts(s),
            end=fts(e),
            duty_type=duty,
            pay_code=pay,
            site_id=site,
            status=status,
            created_by=created_by,
            created_at=fts(created_at) if created_at else "",
            approved_by=approved_by,
            approved_at=fts(approved_at) if approved_at else "",
            hours_claimed=round(hours if hours is not None else (e - s).total_seconds() / 3600, 2),
        )
        row["_s"], row["_e"] = s, e
        self.t["shifts"].append(row)
        self.shifts_of[oid].append(row)
        return row

    def change(self, shift: dict, by: str, when: datetime, field: str, old, new, reason: str = "") -> None:
        self.t["roster_changes"].append(
            dict(
                change_id=self.nid("RC", 7),
                shift_id=shift["shift_id"],
                changed_by=by,
                changed_at=fts(when),
                field=field,
                old_value=old,
                new_value=new,
                reason=reason,
            )
        )

    def build_roster(self) -> None:
        r = self.r
        self.shifts_of = defaultdict(list)
        self.rmu = self.by_unit["U16"]
        self.leave: dict[str, set] = {}
        self.sick: dict[str, set] = {}
        self.rostered: set[str] = set()
        TIMES = {"early": (7, 9), "late": (15, 9), "night": (22, 9), "day": (8, 8.5)}
        for uid, ids in self.by_unit.items():
            kind = self.unit_kind[uid]
            for oid in ids:
                o = self.officers[oid]
                rk = o["_rank"]
                # leave and sickness
                lv = set()
                for _ in range(1 if r.random() < 0.7 else 2):
                    st = r.randint(0, self.days - 8)
                    for k in range(r.randint(3, 9)):
                        lv.add(self.dates[st] + timedelta(days=k))
                sk = set()
                if r.random() < 0.25:
                    st = r.randint(0, self.days - 5)
                    for k in range(r.randint(1, 4)):
                        sk.add(self.dates[st] + timedelta(days=k))
                sk -= lv
                self.leave[oid], self.sick[oid] = lv, sk
                site = o["_site"]
                creator = r.choice(self.rmu)
                cat = D0 - timedelta(days=r.randint(20, 45))
                plan = {}  # date -> duty
                if o["staff_type"] == "special":
                    for d in r.sample(self.dates, 8):
                        plan[d] = "late"
                elif kind in ("response", "roads") and rk not in SENIOR:
                    team = int(uid[-1]) if kind == "response" else 7
                    cyc = [
                        "early",
                        "early",
                        "late",
                        "late",
                        "night",
                        "night",
                        "rest_day",
                        "rest_day",
                        "rest_day",
                        "rest_day",
                    ]
                    for i, d in enumerate(self.dates):
                        plan[d] = cyc[(i + team * 2) % 10]
                elif kind in ("control", "custody") and rk not in SENIOR:
                    off = r.randint(0, 7)
                    cyc = [
                        "day12",
                        "day12",
                        "night12",
                        "night12",
                        "rest_day",
                        "rest_day",
                        "rest_day",
                        "rest_day",
                    ]
                    for i, d in enumerate(self.dates):
                        plan[d] = cyc[(i + off) % 8]
                elif kind == "neighbourhood":
                    for i, d in enumerate(self.dates):
                        wk = i // 7
                        if o["_parttime"]:
                            on = d.weekday() in (0, 1, 2)
                        else:
                            rr = random.Random(f"{oid}-{wk}-{self.seed}")
                            offdays = rr.sample(range(7), 2)
                            on = d.weekday() not in offdays
                        plan[d] = r.choice(["day", "late"]) if on else "rest_day"
                elif (
                    kind in ("cid", "ppu", "major", "intel", "psd")
                    and o["staff_type"] == "officer"
                    and rk not in SENIOR
                ) or (rk in SENIOR and r.random() < 0.5):
                    for d in self.dates:
                        plan[d] = "day" if d.weekday() < 5 else None
                else:
                    plan = None  # no roster: office hours, leave still recorded
                if plan is None:
                    for d in sorted(lv | sk):
                        if d.weekday() < 5:
                            self.shift(
                                oid,
                                at(d, 9),
                                at(d, 17),
                                "annual_leave" if d in lv else "sick",
                                site=site,
                                created_by=creator if d in lv else r.choice(self.rmu),
                                created_at=at(d - timedelta(days=20), 10) if d in lv else at(d, 9.5),
                                approved_by=o["line_manager_id"] if d in lv else "",
                                hours=7.5,
                            )
                    continue
                self.rostered.add(oid)
                for d, duty in sorted(plan.items()):
                    if duty is None:
                        continue
                    if duty == "rest_day":
                        self.shift(
                            oid,
                            at(d, 0),
                            at(d, 23.99),
                            "rest_day",
                            site=site,
                            created_by=creator,
                            created_at=cat,
                            hours=0,
                        )
                        continue
                    if d in lv or d in sk:
                        self.shift(
                            oid,
                            at(d, 9),
                            at(d, 17),
                            "annual_leave" if d in lv else "sick",
                            site=site,
                            created_by=creator,
                            created_at=at(d - timedelta(days=15), 10) if d in lv else at(d, 6),
                            approved_by=o["line_manager_id"] if d in lv else "",
                            hours=8,
                        )
                        continue
                    if duty == "day12":
                        s, e, dt_ = at(d, 7), at(d, 19), "day"
                    elif duty == "night12":
                        s, e, dt_ = at(d, 19), at(d, 31), "night"
                    else:
                        h0, L = TIMES[duty]
                        if o["_parttime"]:
                            L = 6
                        s, e, dt_ = at(d, h0), at(d, h0 + L), duty
                    if r.random() < 0.02:
                        dt_ = r.choice(["training", "court"])
                        s, e = at(d, 9), at(d, 17)
                    sh = self.shift(
                        oid,
                        s,
                        e,
                        dt_,
                        site="S06" if dt_ == "training" else ("" if dt_ == "court" else site),
                        status="cancelled" if r.random() < 0.01 else "worked",
                        created_by=creator,
                        created_at=cat,
                    )
                    if r.random() < 0.03:  # pre-duty swap by RMU
                        self.change(
                            sh,
                            r.choice(self.rmu),
                            s - timedelta(days=r.randint(2, 10)),
                            "start",
                            fts(s - timedelta(hours=1)),
                            fts(s),
                            "shift swap agreed",
                        )
                    # legitimate overtime: overrun claimed the same day, approved by line manager
                    if (
                        kind in FRONTLINE | {"cid", "ppu", "major"}
                        and r.random() < 0.07
                        and sh["status"] == "worked"
                    ):
                        L2 = r.choice([1, 1.5, 2, 3])
                        mgr = o["line_manager_id"]
                        ot = self.shift(
                            oid,
                            e,
                            e + timedelta(hours=L2),
                            dt_,
                            "overtime",
                            site,
                            created_by=oid,
                            created_at=e + timedelta(hours=r.uniform(0.2, 20)),
                            approved_by=mgr,
                            approved_at=e + timedelta(days=r.uniform(1, 4)),
                        )
                        self.change(ot, mgr, ot["_e"] + timedelta(days=1), "approved_by", "", mgr, "")
                    if (
                        r.random() < 0.015 and sh["status"] == "worked"
                    ):  # supervisor correction after the fact
                        self.change(
                            sh,
                            o["line_manager_id"] or creator,
                            e + timedelta(days=r.randint(1, 5)),
                            "end",
                            fts(e),
                            fts(e + timedelta(minutes=30)),
                            "late finish - prisoner",
                        )
                # rest day worked (legitimate): rest day cancelled, RDW shift added
                rds = [x for x in self.shifts_of[oid] if x["duty_type"] == "rest_day"]
                if rds and r.random() < 0.15:
                    rd = r.choice(rds)
                    rd["status"] = "cancelled"
                    d = rd["_s"].date()
                    self.change(
                        rd,
                        creator,
                        at(d - timedelta(days=5), 11),
                        "status",
                        "planned",
                        "cancelled",
                        "required for operation",
                    )
                    self.shift(
                        oid,
                        at(d, 8),
                        at(d, 18),
                        "day",
                        "rest_day_worked",
                        site,
                        created_by=creator,
                        created_at=at(d - timedelta(days=5), 11),
                        approved_by=o["line_manager_id"],
                        approved_at=at(d - timedelta(days=4), 9),
                    )
                # on call for detectives: one weekend in the period
                if kind in ("cid", "ppu", "major") and o["staff_type"] == "officer" and r.random() < 0.5:
                    sats = [
                        d
                        for d in self.dates
                        if d.weekday() == 5 and d not in lv and d < self.end - timedelta(days=2)
                    ]
                    d = r.choice(sats)
                    for k in range(2):
                        dd = d + timedelta(days=k)
                        self.shift(
                            oid,
                            at(dd, 8),
                            at(dd, 32),
                            "day",
                            "on_call",
                            site,
                            created_by=creator,
                            created_at=cat,
                            approved_by=o["line_manager_id"],
                            approved_at=cat,
                            hours=0,
                        )

    # ------------------------------------------------------------------ events
    def badge(self, oid, site, t: datetime, direction: str) -> None:
        self.t["badge_events"].append(
            dict(
                event_id=self.nid("B", 8),
                officer_id=oid,
                site_id=site,
                reader_id=f"{site}-R{self.r.randint(1, 3)}",
                ts=fts(t),
                direction=direction,
            )
        )

    def vpn(self, oid, s: datetime, e: datetime | None, client: str = "vpn") -> None:
        self.t["remote_sessions"].append(
            dict(
                session_id=self.nid("V", 7),
                officer_id=oid,
                start=s.strftime("%Y-%m-%dT%H:%M:%SZ"),
                end=e.strftime("%Y-%m-%dT%H:%M:%SZ") if e else "",
                client=client,
                source_ip=f"81.{self.r.randint(2, 250)}.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
            )
        )

    SYS = {
        "person": ["PNC", "PND", "NICHE"],
        "vehicle": ["PNC"],
        "crime": ["CRIS", "NICHE"],
        "intel": ["CRIMINT"],
        "address": ["PND", "NICHE"],
    }

    def access(
        self,
        oid,
        t: datetime,
        rid: str,
        purpose: str = "",
        case_ref: str = "",
        site: str = "",
        action: str | None = None,
    ) -> None:
        rec = self.records[rid]
        act = action or self.r.choices(["search", "view", "update", "print", "export"], [50, 40, 6, 3, 1])[0]
        self.t["system_access"].append(
            dict(
                access_id=self.nid("A", 8),
                officer_id=oid,
                system=self.r.choice(self.SYS[rec["record_type"]]),
                action=act,
                record_id=rid,
                ts=fts(t),
                site_id=site,
                purpose_code=purpose,
                case_ref=case_ref,
            )
        )

    def ordinary_lookups(self, oid, kind, s: datetime, e: datetime, site: str, mult: float = 1.0) -> None:
        r = self.r
        d = s.date()
        base = {
            "response": 4,
            "roads": 5,
            "neighbourhood": 3,
            "cid": 5,
            "ppu": 5,
            "major": 5,
            "intel": 12,
            "control": 10,
            "custody": 4,
            "psd": 2,
        }.get(kind, 0)
        if self.officers[oid]["staff_type"] == "pcso":
            base = 2
        n = max(0, int(r.gauss(base * mult, max(1, base * mult * 0.35))))
        span = max(0.5, (e - s).total_seconds() / 3600 - 0.5)
        cases = self.active_cases(oid, d)
        for _ in range(n):
            t = s + timedelta(minutes=r.uniform(10, span * 60))
            if kind in ("cid", "ppu", "major") and cases:
                c = r.choice(cases)
                rid, purpose, cref = r.choice(self.case_recs[c]), "INV", c
            elif kind in ("response", "neighbourhood", "roads") and cases and r.random() < 0.35:
                c = r.choice(cases)
                rid, purpose, cref = r.choice(self.case_recs[c]), "INC", c
            elif kind == "intel":
                rid = r.choice(self.intel_recs + self.general_person_recs)
                purpose, cref = "INTEL", ""
                if cases and r.random() < 0.3:
                    cref = r.choice(cases)
            elif kind == "control":
                rid, purpose, cref = (
                    r.choice(self.address_recs + self.general_person_recs + self.vehicle_recs),
                    "INC",
                    "",
                )
            elif kind == "custody":
                rid, purpose, cref = r.choice(self.general_person_recs), "CUST", ""
            elif kind == "psd":
                rid, purpose, cref = r.choice(self.general_person_recs), "PSD", ""
            else:
                rid = r.choice(self.vehicle_recs + self.general_person_recs)
                purpose, cref = "STOP", ""
            if r.random() < 0.008:
                purpose = ""  # data-quality blanks in ordinary use
            self.access(oid, t, rid, purpose, cref, site)

    def build_events(self) -> None:
        r = self.r
        self.senior_rate = getattr(self, "senior_rate", {})
        for oid, o in self.officers.items():
            kind, site = o["_kind"], o["_site"]
            mult = self.vol_mult.get(oid, 1.0)
            if oid in self.rostered:
                for sh in self.shifts_of[oid]:
                    if sh["status"] != "worked" or sh["duty_type"] in ("rest_day", "annual_leave", "sick"):
                        continue
                    if sh["pay_code"] == "on_call":
                        continue
                    s, e = sh["_s"], sh["_e"]
                    if sh["pay_code"] == "overtime":
                        if r.random() < 0.5:
                            self.ordinary_lookups(oid, kind, s, e, site, 0.5)
                        continue
                    if sh["duty_type"] == "court":
                        continue
                    ssite = sh["site_id"] or site
                    if o["_rank"] in SENIOR or (kind in HYBRID | {"psd"}):
                        rate = self.senior_rate.get(oid, 0.92) if o["_rank"] in SENIOR else 0.6
                        if r.random() < rate:
                            self.office_day(oid, s.date(), ssite, kind, mult, s.hour + s.minute / 60)
                        else:
                            self.remote_day(oid, s.date(), kind, mult)
                        continue
                    # frontline: parade, patrol, return, off
                    self.badge(oid, ssite, s - timedelta(minutes=r.uniform(-5, 15)), "in")
                    if kind in ("response", "roads", "neighbourhood") and sh["duty_type"] != "training":
                        self.badge(oid, ssite, s + timedelta(minutes=r.uniform(30, 75)), "out")
                        self.badge(oid, ssite, e - timedelta(minutes=r.uniform(20, 60)), "in")
                    if r.random() > 0.02:
                        self.badge(oid, ssite, e + timedelta(minutes=r.uniform(0, 20)), "out")
                    self.ordinary_lookups(oid, kind, s, e, ssite, mult)
            else:
                # unrostered: office hours on weekdays, leave from roster rows
                away = self.leave[oid] | self.sick[oid]
                for d in self.dates:
                    if d.weekday() >= 5 or d in away:
                        continue
                    if o["_parttime"] and d.weekday() > 2:
                        continue
                    if o["_rank"] in SENIOR:
                        rate = self.senior_rate.get(oid, r.uniform(0.86, 0.97))
                    else:
                        rate = 0.92 if o["work_pattern"] == "office" else 0.45
                    if r.random() < rate:
                        self.office_day(oid, d, site, kind, mult)
                    elif o["work_pattern"] == "hybrid" or r.random() < 0.3:
                        self.remote_day(oid, d, kind, mult)

    def office_day(self, oid, d, site, kind, mult, h0=None):
        r = self.r
        s = at(d, (h0 if h0 is not None else r.uniform(7.5, 9.5)) + r.uniform(-0.2, 0.2))
        e = s + timedelta(hours=r.uniform(7.5, 9.5))
        self.badge(oid, site, s, "in")
        if r.random() < 0.3:  # lunch out and back
            m = s + timedelta(hours=r.uniform(3.5, 4.5))
            self.badge(oid, site, m, "out")
            self.badge(oid, site, m + timedelta(minutes=r.uniform(20, 50)), "in")
        if r.random() > 0.03:
            self.badge(oid, site, e, "out")
        self.ordinary_lookups(oid, kind, s, e, site, mult)

    def remote_day(self, oid, d, kind, mult):
        r = self.r
        s = at(d, r.uniform(7.8, 9.3))
        e = s + timedelta(hours=r.uniform(7, 9))
        self.vpn(oid, s, e, r.choice(["vpn", "vpn", "vdi"]))
        self.ordinary_lookups(oid, kind, s, e, "", mult)

    # ------------------------------------------------------------------ orgs
    def build_orgs(self) -> None:
        r = self.r
        self.orgs = {}
        specs = (
            [
                ("freemasonry", f"{n} Lodge No. {r.randint(1000, 9999)}")
                for n in [
                    "St Michael's",
                    "Northshire Constabulary",
                    "Eastfield Harmony",
                    "Royal Oak",
                    "Southbank Unity",
                    "Vigilance",
                ]
            ]
            + [
                ("business", n)
                for n in [
                    "Apex Security Solutions Ltd",
                    "Northgate Motors Ltd",
                    "Riverside Taxis Ltd",
                    "Blue Line Training Ltd",
                    "Eastfield Scrap Metals Ltd",
                    "Castle Lettings Ltd",
                    "Sunrise Nail Bar Ltd",
                    "Premier Car Wash Ltd",
                    "Kingsway Vapes Ltd",
                    "Harbour Logistics Ltd",
                    "Oak Property Investments Ltd",
                    "Prime Door Supervision Ltd",
                    "Southbank Tyres Ltd",
                    "Meadow Fitness Ltd",
                    "Victoria Cafe Ltd",
                ]
            ]
            + [
                ("political", n)
                for n in ["Northshire Independent Alliance", "Patriotic Front (Northshire branch)"]
            ]
            + [
                ("club", n)
                for n in ["Northgate Rugby Club", "Eastfield Golf Club", "Riverside Angling Society"]
            ]
            + [("charity", n) for n in ["Police Widows Fund Northshire", "Northshire Food Bank"]]
            + [("religious", "St Mary's Parish Council")]
        )
        for kind, name in specs:
            oid = self.nid("ORG", 4)
            self.orgs[oid] = dict(org_id=oid, name=name, kind=kind, postcode=r.choice(self.postcodes))
            self.t["organisations"].append(self.orgs[oid])
        self.lodges = [k for k, v in self.orgs.items() if v["kind"] == "freemasonry"]
        self.businesses = [k for k, v in self.orgs.items() if v["kind"] == "business"]
        self.political = [k for k, v in self.orgs.items() if v["kind"] == "political"]
        # filler members (non-officers): lodge rolls and company register
        pids = list(self.persons)
        for org_id, org in self.orgs.items():
            if org["kind"] not in ("freemasonry", "business", "political"):
                continue
            k = {"freemasonry": 25, "business": 2, "political": 15}[org["kind"]]
            for _ in range(k):
                if r.random() < 0.4:
                    p = self.persons[r.choice(pids)]
                    sn, fn, dob, pc = p["surname"], p["forenames"], p["date_of_birth"], p["postcode"]
                else:
                    sn, fn = r.choice(SURN), r.choice(MALE + FEMALE)
                    dob = date(r.randint(1945, 1995), r.randint(1, 12), r.randint(1, 28)).isoformat()
                    pc = r.choice(self.postcodes)
                self.member(org_id, sn, fn, dob, pc, date(r.randint(1990, 2023), r.randint(1, 12), 1))
        # ordinary declared memberships and business interests of officers
        for oid in r.sample(list(self.officers), 14):
            if oid in self.used:
                continue
            o = self.officers[oid]
            org = r.choice(self.lodges if r.random() < 0.6 else self.businesses)
            since = date(r.randint(2000, 2022), r.randint(1, 12), 1)
            self.member(
                org, o["surname"], o["forenames"].split()[0], o["date_of_birth"], o["home_postcode"], since
            )
            self.declare(
                oid,
                "membership" if org in self.lodges else "business_interest",
                org_id=org,
                at_=since + timedelta(days=r.randint(5, 60)),
            )
        for oid in r.sample(list(self.officers), 25):
            self.declare(
                oid,
                r.choice(["gift", "secondary_employment"]),
                org_name=r.choice(
                    [
                        "Hospitality: Northshire Chamber dinner",
                        "Part-time driving instructor",
                        "Football referee (paid)",
                        "Bottle of wine from victim's family",
                        "Tutor, Northshire College",
                    ]
                ),
                at_=D0 + timedelta(days=r.randint(-300, 60)),
            )

    def member(
        self, org_id, sn, fn, dob, pc, since: date, until: str = "", source: str | None = None
    ) -> None:
        kind = self.orgs[org_id]["kind"]
        src = source or {
            "freemasonry": "lodge_roll_2024",
            "business": "companies_register",
            "political": "party_membership_leak",
        }.get(kind, "other")
        self.t["memberships"].append(
            dict(
                membership_id=self.nid("M", 6),
                org_id=org_id,
                member_surname=sn,
                member_forenames=fn,
                member_date_of_birth=dob,
                member_postcode=pc,
                since=since.isoformat(),
                until=until,
                source=src,
            )
        )

    def declare(
        self,
        oid,
        kind,
        org_id="",
        org_name="",
        person_id="",
        at_: date = D0,
        valid_until="",
        status="approved",
    ):
        self.t["declarations"].append(
            dict(
                declaration_id=self.nid("DEC", 5),
                officer_id=oid,
                kind=kind,
                org_id=org_id,
                org_name=org_name,
                person_id=person_id,
                declared_at=at_.isoformat(),
                valid_until=valid_until,
                status=status,
            )
        )

    def build_complaints(self) -> None:
        r = self.r
        for _ in range(int(50 * self.scale)):
            cid = self.nid("CMP", 5)
            d = D0 + timedelta(days=r.randint(-200, self.days - 1))
            self.t["complaints"].append(
                dict(
                    complaint_id=cid,
                    received_date=d.isoformat(),
                    incident_date=(d - timedelta(days=r.randint(0, 20))).isoformat(),
                    category=r.choice(
                        [
                            "incivility",
                            "use of force",
                            "delivery of duties",
                            "discriminatory behaviour",
                            "handling of property",
                        ]
                    ),
                    source=r.choice(["public", "public", "public", "internal"]),
                )
            )
            for oid in r.sample(list(self.officers), r.choice([1, 1, 2])):
                self.t["complaint_subjects"].append(
                    dict(
                        complaint_id=cid,
                        officer_id=oid,
                        allegation="",
                        finding=r.choice(["", "no case to answer", "not upheld", "upheld"]),
                    )
                )

    # ================================================================== planting helpers
    def pick(self, n, kinds=None, pred=None, rostered=None, used_ok=False) -> list[str]:
        c = [
            oid
            for oid, o in self.officers.items()
            if (used_ok or oid not in self.used)
            and (kinds is None or o["_kind"] in kinds)
            and (pred is None or pred(o))
            and (rostered is None or (oid in self.rostered) == rostered)
            and not (
                rostered
                and (o["staff_type"] == "special" or o["_parttime"] or (o["_rank"] in SENIOR and kinds))
            )
        ]
        if len(c) < n:
            raise RuntimeError(f"pool too small for {kinds} {n}: {len(c)}")
        ch = self.r.sample(sorted(c), n)
        self.used.update(ch)
        return ch

    def T(self, oid, det, form, ws="", we="", note="", group="") -> None:
        f = lambda x: x.isoformat() if isinstance(x, (date, datetime)) else x
        self.truth.append(
            dict(
                officer_id=oid,
                detector=det,
                group_id=group,
                window_start=f(ws),
                window_end=f(we),
                form=form,
                note=note,
            )
        )

    def L(self, oid, det, form, note="") -> None:
        self.looks.append(dict(officer_id=oid, detector=det, form=form, note=note))

    def worked(self, oid, duties=("early", "late", "night", "day")) -> list[dict]:
        return [
            s
            for s in self.shifts_of[oid]
            if s["status"] == "worked" and s["pay_code"] == "basic" and s["duty_type"] in duties
        ]

    def of_type(self, oid, duty, status="worked") -> list[dict]:
        return [s for s in self.shifts_of[oid] if s["duty_type"] == duty and s["status"] == status]

    def during(self, sh: dict, lo=0.3, hi=None) -> datetime:
        span = (sh["_e"] - sh["_s"]).total_seconds() / 3600
        return sh["_s"] + timedelta(hours=self.r.uniform(lo, hi if hi is not None else span - 0.3))

    def site_of(self, sh, oid) -> str:
        return sh["site_id"] or self.officers[oid]["_site"]

    def clear_day(self, oid, d: date) -> None:
        ds = d.isoformat()
        for tb, col in (("badge_events", "ts"), ("remote_sessions", "start"), ("system_access", "ts")):
            self.t[tb] = [x for x in self.t[tb] if not (x["officer_id"] == oid and x[col][:10] == ds)]

    def spread(self, items, k):
        items = sorted(items, key=lambda s: s["_s"])
        if len(items) <= k:
            return items
        step = len(items) / k
        return [items[int(i * step)] for i in range(k)]

    def new_case(self, ct, off, opened: date, closed="") -> str:
        cref = f"CR-{opened.year % 100:02d}-{90000 + self.seq['blindcase']:05d}"
        self.seq["blindcase"] += 1
        self.cases[cref] = dict(
            case_ref=cref, opened=opened.isoformat(), closed=closed, case_type=ct, _off=off
        )
        self.case_recs[cref].append(self.add_record("crime", case_ref=cref, off=off))
        return cref

    def typo(self, s: str) -> str:
        i = self.r.randint(1, len(s) - 2)
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :] if self.r.random() < 0.5 else s[:i] + s[i + 1 :]

    def win(self, sts) -> tuple[date, date]:
        ds = [x.date() if isinstance(x, datetime) else x for x in sts]
        return min(ds), max(ds)

    # ================================================================== phase 1 (before events)
    def plant_pre(self) -> None:
        r = self.r
        self.vol_mult: dict[str, float] = {}
        self.att_days: dict[str, set] = {}
        self.att_site: dict[str, list] = {}
        self.vpn_always: set[str] = set()
        det = "attendance.below_threshold"
        seniors = lambda o: o["_rank"] in SENIOR

        def workdays(oid):
            if oid in self.rostered:
                return sorted({s["_s"].date() for s in self.worked(oid, ("day",))})
            away = self.leave[oid] | self.sick[oid]
            return [d for d in self.dates if d.weekday() < 5 and d not in away]

        def plan(oid, rate, first=None):
            wd = workdays(oid)
            if first is not None:  # decline in the second half
                h = len(wd) // 2
                a = set(r.sample(wd[:h], round(first * h))) | set(
                    r.sample(wd[h:], round(rate * (len(wd) - h)))
                )
            else:
                a = set(r.sample(wd, round(rate * len(wd))))
            self.att_days[oid] = a
            return wd, a

        for form, rate, note in (
            ("attends_40pct", 0.40, "office-pattern senior badges in on ~40% of working days"),
            ("attends_70pct", 0.70, "just under the 80% rule"),
            ("vpn_substitution", 0.55, "~55% attendance, remote log-on on every other working day"),
        ):
            for oid in self.pick(2, pred=seniors):
                wd, a = plan(oid, rate)
                if form == "vpn_substitution":
                    self.vpn_always.add(oid)
                self.T(oid, det, form, wd[0], wd[-1], f"{note}: {len(a)}/{len(wd)} days")
        for oid in self.pick(2, pred=seniors):
            wd, a = plan(oid, 0.30, first=0.95)
            h = len(wd) // 2
            self.T(
                oid,
                det,
                "decline_second_half",
                wd[h],
                wd[-1],
                f"95% in first half, 30% in second half ({len([d for d in a if d >= wd[h]])}/{len(wd) - h})",
            )
        # look-alikes
        for oid in self.pick(2, pred=seniors):
            extra = [d for d in self.dates if d.weekday() < 5 and d not in self.leave[oid]][20:35]
            for d in extra:
                if oid in self.rostered:
                    for s in self.shifts_of[oid]:
                        if s["_s"].date() == d and s["duty_type"] == "day":
                            s["duty_type"], s["approved_by"] = (
                                "annual_leave",
                                self.officers[oid]["line_manager_id"],
                            )
                else:
                    self.shift(
                        oid,
                        at(d, 9),
                        at(d, 17),
                        "annual_leave",
                        site=self.officers[oid]["_site"],
                        created_by=r.choice(self.rmu),
                        created_at=at(D0 - timedelta(days=10), 9),
                        approved_by=self.officers[oid]["line_manager_id"],
                        hours=7.5,
                    )
                self.leave[oid].add(d)
            wd, a = plan(oid, 0.92)
            self.L(
                oid,
                det,
                "long_annual_leave",
                f"15 days annual leave, attends {len(a)}/{len(wd)} remaining days",
            )
        for oid in self.pick(2, pred=seniors):
            wd, a = plan(oid, 0.88)
            self.att_site[oid] = ["S01", "S02", "S03", "S04"]
            self.L(oid, det, "multi_site", f"attends {len(a)}/{len(wd)} days across four sites")
        for oid in self.pick(1, pred=seniors, rostered=True):
            # part-time senior: Thu/Fri day shifts removed from the roster
            keep = [
                s
                for s in self.shifts_of[oid]
                if not (s["duty_type"] == "day" and s["_s"].weekday() in (3, 4))
            ]
            gone = {s["shift_id"] for s in self.shifts_of[oid]} - {s["shift_id"] for s in keep}
            self.shifts_of[oid] = keep
            self.t["shifts"] = [s for s in self.t["shifts"] if s["shift_id"] not in gone]
            self.t["roster_changes"] = [c for c in self.t["roster_changes"] if c["shift_id"] not in gone]
            self.officers[oid]["_parttime"] = True
            wd, a = plan(oid, 0.95)
            self.L(
                oid,
                det,
                "part_time_senior",
                f"rostered Mon-Wed only, attends {len(a)}/{len(wd)} rostered days",
            )
        for oid in self.pick(2, pred=seniors):
            wd, a = plan(oid, 0.86)
            self.L(oid, det, "just_above_80pct", f"attends {len(a)}/{len(wd)} days")
        for oid in self.pick(2, kinds={"cid"}, pred=lambda o: o["_rank"] == "PS", rostered=True):
            wd, a = plan(oid, 0.35)
            self.L(
                oid,
                det,
                "junior_hybrid_low",
                f"detective sergeant (not senior) in office {len(a)}/{len(wd)} days",
            )

        # volume
        det = "access.volume_outlier"
        for oid in self.pick(2, kinds={"response"}, pred=lambda o: o["_rank"] == "PC", rostered=True):
            self.vol_mult[oid] = 5.0
            self.T(
                oid,
                det,
                "sustained_5x",
                D0,
                self.end,
                "5x the lookups of team colleagues on every shift, valid purpose codes",
            )
        for oid in self.pick(
            2, kinds={"neighbourhood"}, pred=lambda o: o["staff_type"] == "pcso", rostered=True
        ):
            self.vol_mult[oid] = 3.5
            self.T(oid, det, "pcso_3.5x", D0, self.end, "PCSO (low-volume role) with 3.5x peers' lookups")
        for oid in self.pick(2, kinds={"control"}, pred=lambda o: o["staff_type"] == "staff"):
            self.vol_mult[oid] = 1.5
            self.L(oid, det, "control_room_busy", "call handler at 1.5x the (already high) control-room norm")
        for oid in self.pick(2, kinds={"major"}, pred=lambda o: o["_rank"] == "PC", rostered=True):
            self.vol_mult[oid] = 3.0
            self.L(oid, det, "major_inquiry", "3x volume, every lookup on an assigned case with INV purpose")
        for oid in self.pick(2, kinds={"intel"}, pred=lambda o: o["staff_type"] == "staff"):
            self.L(oid, det, "intel_analyst", "ordinary intelligence analyst (high-volume role)")

    def build_events_planned(self) -> None:
        """Apply the attendance plans from phase 1 (wraps build_events)."""
        r = self.r
        orig_office, orig_remote = self.office_day, self.remote_day
        plans = self.att_days

        def office_day(oid, d, site, kind, mult, h0=None):
            if oid in plans and d not in plans[oid]:
                if oid in self.vpn_always or r.random() < 0.4:
                    return orig_remote(oid, d, kind, mult)
                return None
            if oid in self.att_site:
                site = r.choice(self.att_site[oid])
            return orig_office(oid, d, site, kind, mult, h0)

        def remote_day(oid, d, kind, mult):
            if oid in plans and d in plans[oid]:
                return orig_office(
                    oid, d, r.choice(self.att_site.get(oid, [self.officers[oid]["_site"]])), kind, mult
                )
            if oid in plans and oid not in self.vpn_always and r.random() > 0.4:
                return None
            return orig_remote(oid, d, kind, mult)

        self.office_day, self.remote_day = office_day, remote_day
        # unrostered seniors: planned attendance overrides random rate
        for oid in plans:
            self.senior_rate = getattr(self, "senior_rate", {})
            self.senior_rate[oid] = 1.0 if oid not in self.rostered else 1.0
        self.build_events()
        self.office_day, self.remote_day = orig_office, orig_remote

    # ================================================================== phase 2 (after events)
    def plant_access(self) -> None:
        r = self.r
        gp = self.general_person_recs
        FL = {"response", "neighbourhood", "roads"}
        # ---------------- access.no_purpose
        det = "access.no_purpose"
        for oid in self.pick(2, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            shs = self.spread(self.worked(oid), 12)
            for sh in shs:
                self.access(oid, self.during(sh), r.choice(gp), "", "", self.site_of(sh, oid), "search")
            self.T(
                oid,
                det,
                "blank_purpose_scattered",
                *self.win([s["_s"] for s in shs]),
                "12 person searches over the period, purpose blank, no case, on duty",
            )
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            shs = self.spread(self.worked(oid), 15)[:15]
            for sh in shs:
                self.access(oid, self.during(sh), r.choice(gp), "INV", "", self.site_of(sh, oid), "view")
            self.T(
                oid,
                det,
                "boilerplate_code_no_case",
                *self.win([s["_s"] for s in shs]),
                "15 person views coded INV but with no case_ref and no link to any of the officer's cases",
            )
        for oid in self.pick(2, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            sh = r.choice(self.worked(oid, ("late",)))
            t0 = self.during(sh, 1, 4)
            for k in range(25):
                self.access(
                    oid,
                    t0 + timedelta(minutes=k * 2.3),
                    r.choice(gp),
                    "",
                    "",
                    self.site_of(sh, oid),
                    "search",
                )
            self.T(
                oid,
                det,
                "fishing_burst",
                sh["_s"].date(),
                sh["_s"].date(),
                "25 person searches in one hour, no purpose",
            )
        for oid in self.pick(
            2, kinds={"neighbourhood"}, rostered=True, pred=lambda o: o["staff_type"] == "officer"
        ):
            shs = self.spread(self.worked(oid), 4)
            for i, sh in enumerate(shs):
                self.access(
                    oid,
                    self.during(sh),
                    r.choice(self.vip_recs),
                    "",
                    "",
                    self.site_of(sh, oid),
                    "print" if i == 0 else "view",
                )
            self.T(
                oid,
                det,
                "vip_record_no_purpose",
                *self.win([s["_s"] for s in shs]),
                "4 views (1 print) of VIP-flagged person records, no purpose",
            )
        for oid in self.pick(2, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            mine = {c for c, _, _ in self.off_cases[oid]}
            c = r.choice(
                [
                    c
                    for c, v in self.cases.items()
                    if v["case_type"] in ("burglary", "theft", "fraud") and c not in mine
                ]
            )
            shs = self.spread(self.worked(oid), 8)
            for sh in shs:
                rid = r.choice([x for x in self.case_recs[c] if self.records[x]["sensitivity"] != "victim"])
                self.access(oid, self.during(sh), rid, "INV", c, self.site_of(sh, oid), "view")
            self.T(
                oid,
                det,
                "someone_elses_case_ref",
                *self.win([s["_s"] for s in shs]),
                f"8 views quoting case {c} the officer was never assigned to",
            )
        for oid in self.pick(2, kinds={"roads"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            for sh in self.spread(self.worked(oid), 2):
                for _ in range(20):
                    self.access(
                        oid,
                        self.during(sh),
                        r.choice(self.vehicle_recs),
                        "STOP",
                        "",
                        self.site_of(sh, oid),
                        "search",
                    )
            self.L(
                oid,
                "access.no_purpose",
                "roadside_operation",
                "40 extra PNC vehicle checks coded STOP, no case (speed/insurance op)",
            )
        for oid in self.pick(2, kinds={"intel"}, pred=lambda o: o["staff_type"] == "staff"):
            self.L(oid, det, "intel_no_case", "analyst lookups coded INTEL, mostly no case_ref (ordinary)")
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            shs = [s for s in self.worked(oid) if self.active_cases(oid, s["_s"].date())][:3]
            for sh in shs:
                c = r.choice(self.active_cases(oid, sh["_s"].date()))
                self.access(
                    oid, self.during(sh), r.choice(self.case_recs[c]), "", c, self.site_of(sh, oid), "view"
                )
            self.L(
                oid,
                det,
                "blank_code_on_own_case",
                "3 lookups with blank purpose but case_ref of an assigned, open case",
            )
        for oid in self.pick(
            2, kinds={"psd"}, pred=lambda o: o["staff_type"] == "officer" and o["_rank"] not in SENIOR
        ):
            self.L(oid, det, "psd_audit", "professional standards lookups coded PSD (ordinary)")

        # ---------------- access.off_duty
        det = "access.off_duty"
        for oid in self.pick(2, kinds={"response"}, rostered=True):
            rds = self.spread(self.of_type(oid, "rest_day"), 2)
            for rd in rds:
                d = rd["_s"].date()
                site = self.officers[oid]["_site"]
                self.badge(oid, site, at(d, 14), "in")
                for k in range(3):
                    self.access(oid, at(d, 14.2 + k * 0.1), r.choice(gp), "INC", "", site, "search")
                self.badge(oid, site, at(d, 14.7), "out")
            self.T(
                oid,
                det,
                "rest_day_at_station",
                *self.win([s["_s"] for s in rds]),
                "came into the station on 2 rest days, 3 person searches each",
            )
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            lv = sorted(d for d in self.leave[oid])[:2]
            for d in lv:
                self.vpn(oid, at(d, 20), at(d, 20.75))
                for k in range(3):
                    self.access(oid, at(d, 20.1 + k * 0.15), r.choice(gp), "INC", "", "", "view")
            self.T(
                oid,
                det,
                "annual_leave_via_vpn",
                lv[0],
                lv[-1],
                "VPN log-on and 3 lookups on each of 2 annual-leave days",
            )
        for oid in self.pick(2, kinds={"response"}, rostered=True):
            sh = r.choice(self.worked(oid, ("early",)))
            d = sh["_s"].date()
            self.clear_day(oid, d)
            sh["duty_type"], sh["start"], sh["end"] = "sick", fts(at(d, 9)), fts(at(d, 17))
            sh["_s"], sh["_e"], sh["hours_claimed"] = at(d, 9), at(d, 17), 8
            self.sick[oid].add(d)
            self.vpn(oid, at(d, 13), at(d, 13.6), "other")
            for k in range(4):
                self.access(oid, at(d, 13.1 + k * 0.1), r.choice(gp), "INC", "", "", "search")
            self.T(
                oid, det, "on_sick_leave", d, d, "4 searches from a mobile/remote session while recorded sick"
            )
        for oid in self.pick(2, kinds={"roads"}, rostered=True):
            shs = self.spread(self.worked(oid, ("early",)), 3)
            for sh in shs:
                t = sh["_e"] + timedelta(hours=4)
                site = self.site_of(sh, oid)
                self.badge(oid, site, t - timedelta(minutes=10), "in")
                for k in range(3):
                    self.access(oid, t + timedelta(minutes=5 * k), r.choice(gp), "INC", "", site, "search")
                self.badge(oid, site, t + timedelta(minutes=40), "out")
            self.T(
                oid,
                det,
                "evening_after_early_shift",
                *self.win([s["_s"] for s in shs]),
                "returned to station ~4h after an early shift ended, 3 searches, 3 times",
            )
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            oc = {s["_s"].date() for s in self.shifts_of[oid] if s["pay_code"] == "on_call"}
            sats = [d for d in self.dates if d.weekday() == 5 and d not in oc and d not in self.leave[oid]][
                :2
            ]
            for d in sats:
                self.vpn(oid, at(d, 11), at(d, 11.8))
                for k in range(4):
                    self.access(oid, at(d, 11.1 + k * 0.15), r.choice(gp), "INC", "", "", "view")
            self.T(
                oid,
                det,
                "weekend_not_on_call",
                sats[0],
                sats[-1],
                "Mon-Fri detective, Saturday VPN lookups, not on call",
            )
        # look-alikes
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            ocs = [s for s in self.shifts_of[oid] if s["pay_code"] == "on_call"]
            if not ocs:
                d = [d for d in self.dates if d.weekday() == 5 and d not in self.leave[oid]][3]
                ocs = [
                    self.shift(
                        oid,
                        at(d, 8),
                        at(d, 32),
                        "day",
                        "on_call",
                        self.officers[oid]["_site"],
                        created_by=r.choice(self.rmu),
                        created_at=at(D0 - timedelta(days=30), 9),
                        approved_by=self.officers[oid]["line_manager_id"],
                        approved_at=at(D0 - timedelta(days=29), 9),
                        hours=0,
                    )
                ]
            sh = ocs[0]
            cases = (
                self.active_cases(oid, sh["_s"].date()) or [c for c, _, _ in self.off_cases[oid]] or [None]
            )
            self.vpn(oid, sh["_s"] + timedelta(hours=14), sh["_s"] + timedelta(hours=15.5))
            for k in range(5):
                c = r.choice(cases)
                rid = r.choice(self.case_recs[c]) if c else r.choice(gp)
                self.access(oid, sh["_s"] + timedelta(hours=14.2 + 0.2 * k), rid, "INV", c or "", "", "view")
            self.L(
                oid, det, "on_call_lookups", "5 lookups during an on_call shift (call-out at 22:00), via VPN"
            )
        for oid in self.pick(2, kinds={"response"}, rostered=True):
            for sh in self.spread(self.worked(oid), 2):
                self.access(
                    oid,
                    sh["_e"] + timedelta(minutes=r.uniform(15, 40)),
                    r.choice(gp),
                    "INC",
                    "",
                    self.site_of(sh, oid),
                    "update",
                )
            self.L(oid, det, "overrun_unclaimed", "2 updates 15-40 min after shift end, no overtime claimed")
        for oid in self.pick(2, kinds={"intel"}, pred=lambda o: o["staff_type"] == "staff"):
            self.L(
                oid,
                det,
                "unrostered_analyst",
                "staff with no roster doing lookups in office hours (ordinary)",
            )
        rdw = [
            oid
            for oid in self.rostered
            if oid not in self.used
            and self.officers[oid]["_kind"] == "response"
            and any(s["pay_code"] == "rest_day_worked" for s in self.shifts_of[oid])
        ]
        for oid in sorted(rdw)[:2]:
            self.used.add(oid)
            self.L(
                oid,
                det,
                "rest_day_worked",
                "lookups on a rest day that was cancelled and worked as rest_day_worked",
            )

        # ---------------- access.personal_link
        det = "access.personal_link"

        def look3(oid, rid, n=3, purpose="INC", cref=""):
            shs = self.spread(self.worked(oid), n)
            for sh in shs:
                self.access(
                    oid,
                    self.during(sh),
                    rid,
                    purpose,
                    cref,
                    self.site_of(sh, oid),
                    r.choice(["search", "view"]),
                )
            return self.win([s["_s"] for s in shs])

        pl = lambda: self.pick(
            2,
            kinds={"response", "neighbourhood"},
            rostered=True,
            pred=lambda o: o["staff_type"] in ("officer", "pcso"),
        )
        for oid in pl():
            o = self.officers[oid]
            pid = self.add_person(postcode=o["home_postcode"], address=o["home_address"])
            ws, we = look3(oid, self.add_record("person", pid))
            self.T(
                oid,
                det,
                "person_at_home_address",
                ws,
                we,
                f"3 lookups of {pid}, who lives at the officer's own address",
            )
        for oid in pl():
            o = self.officers[oid]
            pc, addr = self.new_address(o["home_postcode"])
            dob = date.fromisoformat(o["date_of_birth"]) - timedelta(days=365 * 27)
            pid = self.add_person(
                surname=o["surname"], postcode=pc, address=addr, date_of_birth=dob.isoformat()
            )
            ws, we = look3(oid, self.add_record("person", pid))
            self.T(
                oid,
                det,
                "relative_same_surname_postcode",
                ws,
                we,
                f"{pid}: same surname, same postcode, 27y older (parent)",
            )
        for oid in pl():
            o = self.officers[oid]
            num, street = o["home_address"].split(" ", 1)
            addr = f"{int(num) + 2} {street}"
            self.used_addr.add((o["home_postcode"], addr))
            pid = self.add_person(postcode=o["home_postcode"], address=addr)
            ws, we = look3(oid, self.add_record("person", pid), 4)
            self.T(
                oid,
                det,
                "next_door_neighbour",
                ws,
                we,
                f"{pid} lives two doors away (same street, same postcode)",
            )
        for oid in pl():
            o = self.officers[oid]
            pid = self.add_person(
                phone=o["phone"], forenames=r.choice(FEMALE if o["gender"] == "M" else MALE)
            )
            ws, we = look3(oid, self.add_record("person", pid))
            self.T(oid, det, "partner_shares_phone", ws, we, f"{pid} has the officer's personal phone number")
        for oid in pl():
            o = self.officers[oid]
            pid = self.add_person(
                postcode=o["home_postcode"], address=o["home_address"], surname=o["surname"]
            )
            ws, we = look3(oid, self.add_record("vehicle", pid))
            self.T(
                oid,
                det,
                "vehicle_of_household_member",
                ws,
                we,
                f"PNC checks on a vehicle kept by {pid}, at the officer's address",
            )
        for oid in pl():
            pid = self.add_person()
            self.declare(oid, "association", person_id=pid, at_=D0 - timedelta(days=200))
            ws, we = look3(oid, self.add_record("person", pid))
            self.T(
                oid,
                det,
                "declared_associate",
                ws,
                we,
                f"looks up {pid}, an associate the officer declared, with no case",
            )
        # look-alikes
        for oid in pl():
            o = self.officers[oid]
            sh = r.choice(self.worked(oid))
            c = self.new_case("theft", "theft", sh["_s"].date() - timedelta(days=3))
            self.assign(c, oid, "oic", sh["_s"].date() - timedelta(days=3), "")
            pid = self.add_person(surname=o["surname"])
            rid = self.add_record("person", pid, c, "suspect", "theft")
            self.case_recs[c].append(rid)
            for _ in range(2):
                self.access(oid, self.during(sh), rid, "INC", c, self.site_of(sh, oid), "view")
            self.L(
                oid,
                det,
                "same_surname_on_own_case",
                f"{pid} shares the surname only; suspect on officer's own case {c}",
            )
        for oid in pl():
            o = self.officers[oid]
            sh = r.choice(self.worked(oid))
            c = self.new_case("burglary", "burglary", sh["_s"].date() - timedelta(days=1))
            self.assign(c, oid, "oic", sh["_s"].date() - timedelta(days=1), "")
            pc, addr = self.new_address(o["home_postcode"])
            pid = self.add_person(postcode=pc, address=addr)
            rid = self.add_record("person", pid, c, "victim", "burglary")
            self.case_recs[c].append(rid)
            for _ in range(2):
                self.access(oid, self.during(sh), rid, "INC", c, self.site_of(sh, oid), "view")
            self.L(
                oid,
                det,
                "neighbourhood_victim_own_case",
                f"{pid} lives in the officer's postcode; burglary victim on officer's assigned case {c}",
            )
        for oid in pl():
            o = self.officers[oid]
            num, street = o["home_address"].split(" ", 1)
            other = r.choice([p for p in self.postcodes if p[:3] != o["home_postcode"][:3]])
            pid = self.add_person(postcode=other, address=f"{num} {street}")
            look3(oid, self.add_record("person", pid), 1, "STOP")
            self.L(
                oid,
                det,
                "same_street_name_other_town",
                f"{pid}: same house number and street name, different postcode area",
            )

        # ---------------- access.sensitive_victims
        det = "access.sensitive_victims"
        vict = lambda cat: [
            (c, x)
            for c in self.cases
            for x in self.case_recs[c]
            if self.cases[c]["case_type"] == cat and self.records[x]["sensitivity"] == "victim"
        ]
        for oid in self.pick(2, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            mine = {c for c, _, _ in self.off_cases[oid]}
            c, rid = r.choice([v for v in vict("sexual") if v[0] not in mine])
            shs = self.spread(self.worked(oid, ("late", "night")), 5)
            for sh in shs:
                self.access(oid, self.during(sh), rid, "INC", "", self.site_of(sh, oid), "view")
            self.T(
                oid,
                det,
                "sexual_victim_repeat_views",
                *self.win([s["_s"] for s in shs]),
                f"5 views of victim record {rid} (sexual offence, case {c}) with no assignment, mostly nights",
            )
        for oid in self.pick(
            2, kinds={"response", "neighbourhood"}, rostered=True, pred=lambda o: o["staff_type"] == "officer"
        ):
            mine = {c for c, _, _ in self.off_cases[oid]}
            vs = [
                v
                for v in vict("domestic")
                if v[0] not in mine and self.persons[self.records[v[1]]["person_id"]]["forenames"] in FEMALE
            ]
            pickv = r.sample(vs, 6)
            shs = self.spread(self.worked(oid), 6)
            for (c, rid), sh in zip(pickv, shs):
                self.access(oid, self.during(sh), rid, "INC", "", self.site_of(sh, oid), "view")
            self.T(
                oid,
                det,
                "many_domestic_victims_women",
                *self.win([s["_s"] for s in shs]),
                "6 different female domestic-abuse victims viewed, none on the officer's cases",
            )
        for oid in self.pick(2, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            op = D0 - timedelta(days=100)
            c = self.new_case("domestic", "domestic", op)
            pid = self.add_person(forenames=r.choice(FEMALE))
            rid = self.add_record("person", pid, c, "victim", "domestic")
            self.case_recs[c].append(rid)
            self.assign(c, oid, "first attending", op, (op + timedelta(days=4)).isoformat())
            shs = [s for s in self.spread(self.worked(oid), 8) if s["_s"].date() > D0 + timedelta(days=15)][
                :4
            ]
            for sh in shs:
                self.access(oid, self.during(sh), rid, "INV", c, self.site_of(sh, oid), "view")
            self.T(
                oid,
                det,
                "after_own_assignment_ended",
                *self.win([s["_s"] for s in shs]),
                f"attended DA victim {pid} ({c}) 100 days ago, assignment ended after 4 days; 4 views now quoting {c}",
            )
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            mine = {c for c, _, _ in self.off_cases[oid]}
            c, rid = r.choice([v for v in vict("sexual") if v[0] not in mine])
            shs = self.spread(self.worked(oid), 4)
            for sh in shs:
                self.access(oid, self.during(sh), rid, "INV", c, self.site_of(sh, oid), "view")
            self.T(
                oid,
                det,
                "quotes_unassigned_case_ref",
                *self.win([s["_s"] for s in shs]),
                f"4 views of sexual-offence victim {rid} quoting its case {c}, not assigned to it",
            )
        for oid in self.pick(2, kinds={"ppu"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            self.L(
                oid,
                det,
                "ppu_assigned",
                "public protection officer viewing victims of own assigned cases (ordinary)",
            )
        for oid in self.pick(2, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            sh = r.choice(self.worked(oid, ("late", "night")))
            d = sh["_s"].date()
            c = self.new_case("sexual", "sexual", d)
            rid = self.add_record(
                "person", self.add_person(forenames=r.choice(FEMALE)), c, "victim", "sexual"
            )
            self.case_recs[c].append(rid)
            self.assign(c, oid, "first attending", d, (d + timedelta(days=3)).isoformat())
            for _ in range(3):
                self.access(oid, self.during(sh, 2), rid, "INC", c, self.site_of(sh, oid), "view")
            self.L(
                oid,
                det,
                "first_attending_officer",
                f"first attender on new sexual-offence report {c}, 3 views that shift",
            )
        for oid in self.pick(2, kinds={"ppu"}, rostered=True, pred=lambda o: o["_rank"] == "PS"):
            team = [x for x in self.by_unit[self.officers[oid]["unit_id"]] if x != oid]
            tc = [
                c
                for x in team
                for c, _, _ in self.off_cases[x]
                if self.cases[c]["case_type"] in ("sexual", "domestic")
            ]
            shs = self.spread(self.worked(oid), 4)
            for sh in shs:
                c = r.choice(tc)
                vr = [
                    x for x in self.case_recs[c] if self.records[x]["sensitivity"] == "victim"
                ] or self.case_recs[c]
                self.access(
                    oid, self.during(sh), r.choice(vr), "SUPERVISION", c, self.site_of(sh, oid), "view"
                )
            self.L(
                oid,
                det,
                "supervisor_case_review",
                "PPU sergeant reviewing team's victim records, purpose SUPERVISION + case_ref, not assigned",
            )

        # ---------------- access.volume_outlier (post part)
        det = "access.volume_outlier"
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            shs = self.worked(oid)[20:25]
            for sh in shs:
                for _ in range(30):
                    self.access(
                        oid,
                        self.during(sh),
                        r.choice(gp + self.vehicle_recs),
                        "INC",
                        "",
                        self.site_of(sh, oid),
                        "search",
                    )
            self.T(
                oid,
                det,
                "one_week_spike",
                *self.win([s["_s"] for s in shs]),
                "150 extra searches in one working week",
            )
        for oid in self.pick(
            2, kinds={"neighbourhood"}, rostered=True, pred=lambda o: o["staff_type"] == "officer"
        ):
            shs = self.worked(oid)[30:32]
            for sh in shs:
                for _ in range(40):
                    self.access(
                        oid,
                        self.during(sh),
                        r.choice(gp),
                        "INC",
                        "",
                        self.site_of(sh, oid),
                        r.choice(["export", "print"]),
                    )
            self.T(
                oid,
                det,
                "bulk_export_print",
                *self.win([s["_s"] for s in shs]),
                "80 exports/prints of person records in two shifts",
            )

    def plant_assoc(self) -> None:
        r = self.r
        det = "association.undeclared_membership"
        first = lambda o: o["forenames"].split()[0]
        for oid in self.pick(2):
            o = self.officers[oid]
            since = date(r.randint(2008, 2021), r.randint(1, 12), 1)
            self.member(
                r.choice(self.lodges), o["surname"], first(o), o["date_of_birth"], o["home_postcode"], since
            )
            self.T(
                oid,
                det,
                "lodge_exact_match",
                since,
                "",
                "on a lodge roll with exact name, DOB and postcode; nothing declared",
            )
        for oid in self.pick(2, pred=lambda o: o["forenames"].split()[0] in NICK):
            o = self.officers[oid]
            since = date(r.randint(2008, 2021), r.randint(1, 12), 1)
            self.member(
                r.choice(self.lodges),
                o["surname"],
                NICK[first(o)],
                o["date_of_birth"],
                o["home_postcode"],
                since,
            )
            self.T(
                oid,
                det,
                "lodge_nickname",
                since,
                "",
                f"roll lists '{NICK[first(o)]} {o['surname']}' (nickname), same DOB and postcode",
            )
        for oid in self.pick(2, pred=lambda o: len(o["surname"]) >= 5):
            o = self.officers[oid]
            since = date(r.randint(2008, 2021), r.randint(1, 12), 1)
            sn = self.typo(o["surname"])
            self.member(
                r.choice(self.lodges), sn, first(o), o["date_of_birth"], r.choice(self.postcodes), since
            )
            self.T(
                oid,
                det,
                "lodge_typo_old_postcode",
                since,
                "",
                f"roll lists '{first(o)} {sn}' (typo), same DOB, old postcode",
            )
        for i, oid in enumerate(self.pick(2)):
            o = self.officers[oid]
            since = date(r.randint(2008, 2019), r.randint(1, 12), 1)
            lodge = r.choice(self.lodges)
            self.member(lodge, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], since)
            if i == 0:
                self.declare(
                    oid, "membership", org_id=lodge, at_=since + timedelta(days=30), status="rejected"
                )
                note = "declared but the declaration was rejected; still on the roll"
            else:
                self.declare(
                    oid, "membership", org_id=lodge, at_=since + timedelta(days=30), valid_until="2022-12-31"
                )
                note = "declaration expired 2022-12-31 and was not renewed; still on the roll"
            self.T(oid, det, "declaration_rejected_or_expired", since, "", note)
        for oid in self.pick(2):
            o = self.officers[oid]
            a, b = r.sample(self.lodges, 2)
            since = date(r.randint(2008, 2019), r.randint(1, 12), 1)
            self.member(a, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], since)
            self.declare(oid, "membership", org_id=a, at_=since + timedelta(days=20))
            s2 = date(2022, r.randint(1, 12), 1)
            self.member(b, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], s2)
            self.T(
                oid,
                det,
                "declared_one_lodge_not_other",
                s2,
                "",
                f"declared {a}; also on roll of {b}, undeclared",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            since = date(2023, r.randint(1, 12), 1)
            self.member(
                self.political[1], o["surname"], first(o), o["date_of_birth"], o["home_postcode"], since
            )
            self.T(
                oid,
                det,
                "political_party_undeclared",
                since,
                "",
                "on a far-right party's membership list (leak), undeclared",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            since = date(2015, 5, 1)
            lodge = r.choice(self.lodges)
            self.member(lodge, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], since)
            self.declare(oid, "membership", org_id=lodge, at_=date(2015, 6, 1))
            self.L(oid, det, "declared_and_approved", "lodge member, declaration approved")
        for oid in self.pick(2):
            o = self.officers[oid]
            dob = date.fromisoformat(o["date_of_birth"]) - timedelta(days=365 * 14 + 40)
            self.member(
                r.choice(self.lodges),
                o["surname"],
                first(o),
                dob.isoformat(),
                r.choice(self.postcodes),
                date(2001, 3, 1),
            )
            self.L(
                oid,
                det,
                "namesake_different_dob_postcode",
                "roll has same name, DOB 14 years earlier, other postcode",
            )
        for oid in self.pick(2, pred=lambda o: o["start_date"] >= "2008-01-01"):
            o = self.officers[oid]
            self.member(
                r.choice(self.lodges),
                o["surname"],
                first(o),
                o["date_of_birth"],
                o["home_postcode"],
                date(1999, 1, 1),
                until="2004-06-30",
            )
            self.L(
                oid,
                det,
                "membership_ended_before_joining",
                f"left the lodge 2004, joined force {o['start_date']}",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            lodge = r.choice(self.lodges)
            self.member(
                lodge, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], date(2016, 2, 1)
            )
            self.declare(
                oid, "membership", org_name=f"Freemasons - {self.orgs[lodge]['name']}", at_=date(2016, 3, 1)
            )
            self.L(
                oid, det, "declared_as_free_text", "declared with org_name free text (no org_id), approved"
            )

        det = "association.undeclared_link"
        for oid in self.pick(2):
            o = self.officers[oid]
            biz = r.choice(self.businesses)
            crim = self.add_person(nominal_flags="ocg;drugs")
            p = self.persons[crim]
            since = date(2022, r.randint(1, 12), 1)
            self.member(biz, p["surname"], p["forenames"], p["date_of_birth"], p["postcode"], since)
            self.member(biz, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], since)
            self.T(
                oid,
                det,
                "co_director_with_ocg_nominal",
                since,
                "",
                f"co-director of {biz} with {crim} (ocg;drugs); undeclared",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            biz = r.choice(self.businesses)
            since = date(2023, r.randint(1, 12), 1)
            self.member(biz, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], since)
            self.T(
                oid,
                det,
                "undeclared_business_interest",
                since,
                "",
                f"director of {biz} (company register), no business_interest declared",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            pid = self.add_person(
                postcode=o["home_postcode"],
                address=o["home_address"],
                nominal_flags="drugs;violence",
                forenames=r.choice(FEMALE if o["gender"] == "M" else MALE),
            )
            self.T(
                oid,
                det,
                "lives_with_nominal",
                "",
                "",
                f"{pid} (drugs;violence nominal) lives at the officer's address; undeclared",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            pid = self.add_person(phone=o["phone"], nominal_flags="ocg;firearms")
            self.T(
                oid,
                det,
                "nominal_has_officers_phone",
                "",
                "",
                f"OCG nominal {pid} lists the officer's personal phone; undeclared",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            biz = r.choice(self.businesses)
            self.member(biz, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], date(2019, 4, 1))
            self.declare(
                oid, "business_interest", org_id=biz, at_=date(2019, 4, 20), valid_until="2023-04-30"
            )
            self.T(
                oid,
                det,
                "business_declaration_expired",
                "",
                "",
                f"still director of {biz}; declaration expired 2023-04-30",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            biz = r.choice(self.businesses)
            self.member(biz, o["surname"], first(o), o["date_of_birth"], o["home_postcode"], date(2020, 1, 1))
            self.declare(oid, "business_interest", org_id=biz, at_=date(2020, 1, 15))
            self.L(oid, det, "declared_business", f"director of {biz}, declared and approved")
        for oid in self.pick(2):
            o = self.officers[oid]
            pid = self.add_person(
                postcode=o["home_postcode"],
                address=o["home_address"],
                surname=o["surname"],
                nominal_flags="drugs",
            )
            self.declare(oid, "association", person_id=pid, at_=D0 - timedelta(days=400))
            self.L(
                oid,
                det,
                "declared_relative_nominal",
                f"son/brother {pid} (drugs nominal) at home address, declared association",
            )
        for oid in self.pick(2):
            o = self.officers[oid]
            dob = date.fromisoformat(o["date_of_birth"]) + timedelta(days=365 * 9)
            self.member(
                r.choice(self.businesses),
                o["surname"],
                first(o),
                dob.isoformat(),
                r.choice(self.postcodes),
                date(2021, 1, 1),
            )
            self.L(
                oid,
                det,
                "namesake_director",
                "company director with the same name, different DOB and postcode",
            )

    def plant_attendance(self) -> None:
        r = self.r
        det = "attendance.badge_only"
        pool = lambda o: o["_kind"] in ("office", "it", "rmu") and o["_rank"] not in SENIOR

        def days_in(oid):
            ds = sorted({x["ts"][:10] for x in self.t["badge_events"] if x["officer_id"] == oid})
            return [date.fromisoformat(d) for d in ds]

        forms = [
            ("coffee_badge", "office", "swipe in ~08:40, out 10-20 min later, nothing else that day"),
            ("swipe_then_vpn", None, "swipe in 08:30, out 08:50, VPN from home 09:20-17:00"),
            ("swipe_in_only_then_vpn", None, "swipe in 08:45 with no swipe out, VPN from home 09:30-17:00"),
            ("brief_midday_visit", "office", "swipe in 11:00, out 12:00, no other activity"),
        ]
        for form, pat, note in forms:
            for oid in self.pick(2, pred=lambda o: pool(o) and (pat is None or o["work_pattern"] == pat)):
                site = self.officers[oid]["_site"]
                ds = days_in(oid)
                ds = ds[:: max(1, len(ds) // 10)][:10]
                for d in ds:
                    self.clear_day(oid, d)
                    if form == "coffee_badge":
                        t = at(d, r.uniform(8.4, 8.9))
                        self.badge(oid, site, t, "in")
                        self.badge(oid, site, t + timedelta(minutes=r.uniform(10, 20)), "out")
                    elif form == "swipe_then_vpn":
                        self.badge(oid, site, at(d, 8.5), "in")
                        self.badge(oid, site, at(d, 8.83), "out")
                        self.vpn(oid, at(d, 9.33), at(d, 17))
                    elif form == "swipe_in_only_then_vpn":
                        self.badge(oid, site, at(d, 8.75), "in")
                        self.vpn(oid, at(d, 9.5), at(d, 17))
                    else:
                        self.badge(oid, site, at(d, 11), "in")
                        self.badge(oid, site, at(d, 12), "out")
                self.T(oid, det, form, ds[0], ds[-1], f"{note}; {len(ds)} days")
        for oid in self.pick(2, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            self.L(
                oid,
                det,
                "frontline_patrol",
                "response officer: swipe in at parade, out to patrol within the hour (ordinary)",
            )
        for oid in self.pick(2, kinds={"intel"}, pred=lambda o: o["staff_type"] == "staff"):
            ds = [d for d in days_in(oid)][:6]
            for d in ds:
                outs = [
                    x
                    for x in self.t["badge_events"]
                    if x["officer_id"] == oid and x["ts"][:10] == d.isoformat() and x["direction"] == "out"
                ]
                ids = {x["event_id"] for x in outs}
                self.t["badge_events"] = [x for x in self.t["badge_events"] if x["event_id"] not in ids]
            self.L(
                oid, det, "forgot_swipe_out", "6 days with swipe in only, but lookups from the site all day"
            )
        for oid in self.pick(2, kinds={"it"}):
            ds = days_in(oid)[:6]
            for d in ds:
                self.clear_day(oid, d)
                self.badge(oid, "S01", at(d, 8.5), "in")
                self.badge(oid, "S01", at(d, 9.5), "out")
                self.badge(oid, "S03", at(d, 10), "in")
                self.badge(oid, "S03", at(d, 17), "out")
            self.L(
                oid, det, "meeting_then_other_site", "1h at HQ then the rest of the day at Southbank station"
            )
        for oid in self.pick(2, kinds={"it"}):
            self.L(oid, det, "hybrid_wfh_days", "hybrid worker: VPN days with no swipes (ordinary)")

    def plant_network(self) -> None:
        r = self.r
        det = "network.crew"
        FL = {"response"}
        # CR1: overtime approval ring of 3
        for gi in range(2):
            ring = self.pick(3, kinds=FL, rostered=True, pred=lambda o: o["_rank"] == "PC")
            g = f"crew-ring-{gi}"
            for i, oid in enumerate(ring):
                appr = ring[(i + 1) % 3]
                shs = self.spread(self.worked(oid), 4)
                for sh in shs:
                    self.shift(
                        oid,
                        sh["_e"],
                        sh["_e"] + timedelta(hours=3),
                        sh["duty_type"],
                        "overtime",
                        sh["site_id"],
                        created_by=oid,
                        created_at=sh["_e"] + timedelta(hours=4),
                        approved_by=appr,
                        approved_at=sh["_e"] + timedelta(hours=30),
                        hours=3,
                    )
                self.T(
                    oid,
                    det,
                    "overtime_approval_ring",
                    self.win([s["_s"] for s in shs])[0],
                    self.win([s["_e"] for s in shs])[1],
                    f"3 PCs approve each other's overtime in a ring; {oid}'s approved by {appr}",
                    g,
                )
        # CR2: reciprocal pair
        for gi in range(2):
            pair = self.pick(
                2, kinds={"neighbourhood"}, rostered=True, pred=lambda o: o["staff_type"] == "officer"
            )
            g = f"crew-pair-{gi}"
            for i, oid in enumerate(pair):
                shs = self.spread(self.worked(oid), 5)
                for sh in shs:
                    self.shift(
                        oid,
                        sh["_e"],
                        sh["_e"] + timedelta(hours=2),
                        sh["duty_type"],
                        "overtime",
                        sh["site_id"],
                        created_by=oid,
                        created_at=sh["_e"] + timedelta(hours=2),
                        approved_by=pair[1 - i],
                        approved_at=sh["_e"] + timedelta(hours=20),
                        hours=2,
                    )
                self.T(
                    oid,
                    det,
                    "reciprocal_overtime_approval",
                    self.win([s["_s"] for s in shs])[0],
                    self.win([s["_e"] for s in shs])[1],
                    "two peers approve each other's overtime",
                    g,
                )
        # CR3: shared records, different units, no case
        for gi in range(2):
            grp = [self.pick(1, kinds={k}, rostered=True)[0] for k in ("response", "cid", "custody", "roads")]
            g = f"crew-records-{gi}"
            fam = r.choice(SURN)
            recs = []
            for _ in range(5):
                recs.append(
                    self.add_record("person", self.add_person(surname=fam, postcode=self.postcodes[gi * 7]))
                )
            for oid in grp:
                shs = [
                    s
                    for s in self.worked(oid)
                    if D0 + timedelta(days=40) <= s["_s"].date() <= D0 + timedelta(days=54)
                ]
                ts_ = []
                for rid in recs:
                    sh = r.choice(shs)
                    t = self.during(sh)
                    ts_.append(t)
                    self.access(oid, t, rid, "INC", "", self.site_of(sh, oid), "view")
                self.T(
                    oid,
                    det,
                    "same_records_no_case",
                    *self.win(ts_),
                    f"4 officers in 4 units all view the same 5 {fam} family records within 2 weeks, no case",
                    g,
                )
        # CR4: overtime together, approved by group member who is not their line manager
        for gi in range(2):
            for unit in ["U01", "U03", "U02", "U04", "U05"]:
                ids = [x for x in self.by_unit[unit] if x not in self.used and x in self.rostered]
                pss = [x for x in ids if self.officers[x]["_rank"] == "PS"]
                if not pss:
                    continue
                ps = pss[0]
                pcs = [
                    x
                    for x in ids
                    if self.officers[x]["_rank"] == "PC" and self.officers[x]["line_manager_id"] != ps
                ][:3]
                if len(pcs) == 3:
                    break
            grp = [ps] + pcs
            self.used.update(grp)
            g = f"crew-rdw-{gi}"
            common = sorted(
                set.intersection(*[{s["_s"].date() for s in self.of_type(x, "rest_day")} for x in grp])
            )
            days = common[:: max(1, len(common) // 5)][:5]
            for oid in grp:
                appr = ps if oid != ps else pcs[0]
                for d in days:
                    for rd in self.of_type(oid, "rest_day"):
                        if rd["_s"].date() == d:
                            rd["status"] = "cancelled"
                            self.change(
                                rd, oid, at(d - timedelta(days=1), 20), "status", "worked", "cancelled", ""
                            )
                    self.shift(
                        oid,
                        at(d, 8),
                        at(d, 18),
                        "day",
                        "rest_day_worked",
                        self.officers[oid]["_site"],
                        created_by=oid,
                        created_at=at(d, 19),
                        approved_by=appr,
                        approved_at=at(d, 20),
                        hours=10,
                    )
                self.T(
                    oid,
                    det,
                    "rest_days_worked_together",
                    days[0],
                    days[-1],
                    f"same 4 officers claim RDW on the same {len(days)} days, no badge/lookups; approved within the group",
                    g,
                )
        # look-alikes
        grp = self.pick(5, kinds={"response"}, rostered=True, pred=lambda o: o["unit_id"] == "U02")
        d = sorted(set.intersection(*[{s["_s"].date() for s in self.worked(x, ("late",))} for x in grp]))[3]
        c = self.new_case("assault", "violence", d)
        for _ in range(3):
            self.case_recs[c].append(
                self.add_record("person", self.add_person(), c, r.choice(["suspect", "witness"]), "violence")
            )
        for oid in grp:
            self.assign(c, oid, "support", d, (d + timedelta(days=10)).isoformat())
            sh = [s for s in self.worked(oid, ("late",)) if s["_s"].date() == d][0]
            for rid in self.case_recs[c]:
                self.access(oid, self.during(sh), rid, "INC", c, self.site_of(sh, oid), "view")
            self.L(
                oid,
                det,
                "team_major_incident",
                f"5 officers of one team assigned to incident {c}, all view its records",
            )
        ps = self.pick(
            1, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PS" and o["unit_id"] == "U05"
        )[0]
        team = [
            x for x in self.by_unit["U05"] if self.officers[x]["line_manager_id"] == ps and x not in self.used
        ][:6]
        for oid in team:
            for sh in self.spread(self.worked(oid), 2):
                self.shift(
                    oid,
                    sh["_e"],
                    sh["_e"] + timedelta(hours=2),
                    sh["duty_type"],
                    "overtime",
                    sh["site_id"],
                    created_by=oid,
                    created_at=sh["_e"] + timedelta(hours=1),
                    approved_by=ps,
                    approved_at=sh["_e"] + timedelta(hours=24),
                    hours=2,
                )
        self.used.update(team[:2])
        for oid in [ps] + team[:2]:
            self.L(
                oid,
                det,
                "sergeant_approves_own_team",
                "line-manager sergeant approves 12 overtime claims of 6 team members",
            )

        det = "network.hidden_link"
        for gi in range(2):
            a, b = self.pick(2, pred=lambda o: o["_kind"] not in ("command",))
            self.officers[b]["phone"] = self.officers[a]["phone"]
            for x in (a, b):
                self.T(
                    x,
                    det,
                    "shared_phone",
                    "",
                    "",
                    f"{a} and {b} have the same personal phone number",
                    f"hl-phone-{gi}",
                )
        for gi in range(2):
            b = self.pick(
                1,
                pred=lambda o: (
                    o["line_manager_id"]
                    and o["line_manager_id"] not in self.used
                    and self.officers[o["line_manager_id"]]["surname"] != o["surname"]
                ),
            )[0]
            a = self.officers[b]["line_manager_id"]
            self.used.add(a)
            self.officers[b]["home_address"] = self.officers[a]["home_address"]
            self.officers[b]["home_postcode"] = self.officers[a]["home_postcode"]
            for x in (a, b):
                self.T(
                    x,
                    det,
                    "lives_with_line_manager",
                    "",
                    "",
                    f"{b} lives at the home address of line manager {a}",
                    f"hl-mgr-{gi}",
                )
        for gi in range(2):
            a, b = self.pick(2)
            pid = self.add_person(
                address=self.officers[a]["home_address"],
                postcode=self.officers[a]["home_postcode"],
                phone=self.officers[b]["phone"],
            )
            for x in (a, b):
                self.T(
                    x,
                    det,
                    "linked_via_person",
                    "",
                    "",
                    f"person {pid} lives at {a}'s address and uses {b}'s phone",
                    f"hl-person-{gi}",
                )
        for gi in range(2):
            a, b = self.pick(2)
            em = f"{self.officers[a]['forenames'].split()[0].lower()}and{self.officers[b]['forenames'].split()[0].lower()}{r.randint(10, 99)}@example.net"
            self.officers[a]["email"] = self.officers[b]["email"] = em
            for x in (a, b):
                self.T(x, det, "shared_email", "", "", f"{a} and {b} share the e-mail {em}", f"hl-email-{gi}")
        for gi in range(2):
            a, b = self.pick(2, pred=lambda o: o["_kind"] not in ("command",))
            while self.officers[b]["unit_id"] == self.officers[a]["unit_id"]:
                self.used.discard(b)
                b = self.pick(1)[0]
            self.officers[b]["home_address"] = self.officers[a]["home_address"]
            self.officers[b]["home_postcode"] = self.officers[a]["home_postcode"]
            for x in (a, b):
                self.T(
                    x,
                    det,
                    "cohabiting_undeclared",
                    "",
                    "",
                    f"{a} and {b} (different units, surnames) share a home address",
                    f"hl-home-{gi}",
                )
        # look-alikes
        sw = self.pick(6, kinds={"response", "roads"}, pred=lambda o: o["_site"] == "S04")
        for x in sw:
            self.officers[x]["phone"] = "01632960400"
            self.L(
                x,
                det,
                "station_switchboard_phone",
                "HR phone field holds Eastfield station's switchboard number (6 officers)",
            )
        for gi in range(2):
            a, b = self.pick(2)
            pc, addr = self.new_address(self.officers[a]["home_postcode"])
            self.officers[b]["home_postcode"], self.officers[b]["home_address"] = pc, addr
            for x in (a, b):
                self.L(
                    x,
                    det,
                    "same_postcode_different_house",
                    f"{a}/{b} live in the same postcode, different houses",
                )
        for gi in range(2):
            a, b = self.pick(2)
            self.officers[b]["surname"] = self.officers[a]["surname"]
            for x in (a, b):
                self.L(x, det, "same_surname_only", f"{a}/{b} share a surname, nothing else")
        for gi in range(2):
            a, b = self.pick(2)
            self.officers[b]["home_address"] = self.officers[a]["home_address"]
            self.officers[b]["home_postcode"] = self.officers[a]["home_postcode"]
            for x, y in ((a, b), (b, a)):
                oy = self.officers[y]
                self.declare(
                    x,
                    "association",
                    org_name=f"Personal relationship with colleague {oy['forenames'].split()[0]} "
                    f"{oy['surname']} ({y})",
                    at_=D0 - timedelta(days=300),
                )
                self.L(
                    x,
                    det,
                    "declared_couple",
                    f"{a}/{b} live together and both declared the relationship (free text)",
                )

    def plant_roster(self) -> None:
        r = self.r
        FL = {"response", "roads"}
        mgr = lambda oid: self.officers[oid]["line_manager_id"]

        def ot(oid, s, e, pay="overtime", duty="day", created_by=None, approved_by=None, cat=None, site=None):
            return self.shift(
                oid,
                s,
                e,
                duty,
                pay,
                site if site is not None else self.officers[oid]["_site"],
                created_by=created_by or oid,
                created_at=cat or (e + timedelta(hours=2)),
                approved_by=mgr(oid) if approved_by is None else approved_by,
                approved_at=(cat or e) + timedelta(days=1),
            )

        det = "roster.overtime_overlap"
        for oid in self.pick(2, kinds=FL, rostered=True):
            shs = self.spread(self.worked(oid, ("early",)), 2)
            for sh in shs:
                d = sh["_s"].date()
                ot(oid, at(d, 10), at(d, 14), duty="early")
            self.T(
                oid,
                det,
                "overtime_inside_own_shift",
                *self.win([s["_s"] for s in shs]),
                "4h overtime 10:00-14:00 claimed inside own worked early shift 07:00-16:00",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            lv = [s for s in self.of_type(oid, "annual_leave")][:1]
            for s in lv:
                d = s["_s"].date()
                ot(oid, at(d, 9), at(d, 15))
            self.T(
                oid,
                det,
                "overtime_on_annual_leave",
                *self.win([s["_s"] for s in lv]),
                "6h overtime 09:00-15:00 on a day of annual leave",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid, ("early", "late")))
            d = sh["_s"].date()
            self.clear_day(oid, d)
            sh["duty_type"], sh["start"], sh["end"], sh["_s"], sh["_e"], sh["hours_claimed"] = (
                "sick",
                fts(at(d, 9)),
                fts(at(d, 17)),
                at(d, 9),
                at(d, 17),
                8,
            )
            ot(oid, at(d, 12), at(d, 18))
            self.T(
                oid,
                det,
                "overtime_while_sick",
                d,
                d,
                "recorded sick 09-17, claims overtime 12:00-18:00 same day",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid, ("early",)))
            d = sh["_s"].date()
            ot(
                oid,
                at(d, 8),
                at(d, 18),
                pay="rest_day_worked",
                created_by=r.choice(self.rmu),
                cat=at(d - timedelta(days=3), 10),
            )
            self.T(
                oid,
                det,
                "rest_day_worked_on_working_day",
                d,
                d,
                "rest_day_worked 08-18 on a day with a worked early shift",
            )
        for oid in self.pick(2, kinds={"cid"}, rostered=True, pred=lambda o: o["_rank"] == "PC"):
            lv = sorted(self.leave[oid])
            d = [x for x in lv if x.weekday() < 5][0]
            ot(
                oid,
                at(d, 8),
                at(d, 32),
                pay="on_call",
                created_by=r.choice(self.rmu),
                cat=at(d - timedelta(days=20), 9),
            )
            self.T(
                oid,
                det,
                "on_call_paid_while_on_leave",
                d,
                d + timedelta(days=1),
                "24h on_call shift during annual leave",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            lv = self.of_type(oid, "annual_leave")[-1:]
            for s in lv:
                d = s["_s"].date()
                ot(oid, at(d, 18), at(d, 23))
            self.T(
                oid,
                det,
                "evening_overtime_on_leave_day",
                *self.win([s["_s"] for s in lv]),
                "overtime 18:00-23:00 on an annual-leave day (no clock overlap with the 09-17 leave row)",
            )
        # look-alikes
        ordinary_ot = sorted(
            o
            for o in self.rostered
            if o not in self.used
            and self.officers[o]["_kind"] in FL
            and any(s["pay_code"] == "overtime" for s in self.shifts_of[o])
        )[:6]
        self.used.update(ordinary_ot)
        for oid in ordinary_ot[:2]:
            self.used.add(oid)
            self.L(oid, det, "contiguous_overtime_extension", "ordinary overtime starting at own shift end")
        for oid in self.pick(2, kinds=FL, rostered=True):
            s = self.of_type(oid, "annual_leave")[0]
            d = s["_s"].date()
            s["status"] = "cancelled"
            self.change(
                s,
                r.choice(self.rmu),
                at(d - timedelta(days=3), 10),
                "status",
                "worked",
                "cancelled",
                "leave cancelled - operation",
            )
            ot(oid, at(d, 9), at(d, 15))
            self.L(
                oid,
                det,
                "leave_cancelled_then_overtime",
                "annual leave cancelled (status) and overtime worked that day",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            rd = self.of_type(oid, "rest_day")[5]
            d = rd["_s"].date()
            ot(
                oid,
                at(d, 8),
                at(d, 32),
                pay="on_call",
                created_by=r.choice(self.rmu),
                cat=at(d - timedelta(days=20), 9),
            )
            self.L(oid, det, "on_call_over_rest_day", "on_call on a rest day (normal)")
        rdw = sorted(
            o
            for o in self.rostered
            if o not in self.used and any(s["pay_code"] == "rest_day_worked" for s in self.shifts_of[o])
        )
        for oid in rdw[:2]:
            self.used.add(oid)
            self.L(
                oid,
                det,
                "rest_day_cancelled_and_worked",
                "rest day cancelled and a rest_day_worked shift added (ordinary)",
            )

        det = "roster.retro_claim"
        for oid in self.pick(2, kinds=FL, rostered=True):
            shs = self.spread(self.worked(oid, ("early",)), 2)
            for sh in shs:
                when = sh["_e"] + timedelta(days=7)
                ne = sh["_e"] + timedelta(hours=3)
                self.change(sh, oid, when, "end", sh["end"], fts(ne), "late job")
                self.change(
                    sh, oid, when, "hours_claimed", sh["hours_claimed"], sh["hours_claimed"] + 3, "late job"
                )
                sh["end"], sh["_e"], sh["hours_claimed"] = fts(ne), ne, sh["hours_claimed"] + 3
            self.T(
                oid,
                det,
                "extended_own_end_time_week_later",
                *self.win([s["_s"] for s in shs]),
                "officer edits own shift end +3h and hours_claimed, 7 days after the shift, no badge evidence",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid, ("late",)))
            self.change(sh, oid, sh["_e"] + timedelta(days=10), "pay_code", "basic", "overtime", "")
            sh["pay_code"] = "overtime"
            self.T(
                oid,
                det,
                "pay_code_basic_to_overtime",
                sh["_s"].date(),
                sh["_s"].date(),
                "own past basic shift re-coded to overtime 10 days later",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            rd = self.of_type(oid, "rest_day")[4]
            d = rd["_s"].date()
            w = at(d + timedelta(days=21), 22)
            self.change(rd, oid, w, "duty_type", "rest_day", "early", "")
            self.change(rd, oid, w, "pay_code", "basic", "rest_day_worked", "")
            self.change(rd, oid, w, "hours_claimed", "0", "9", "")
            rd.update(
                duty_type="early",
                pay_code="rest_day_worked",
                start=fts(at(d, 7)),
                end=fts(at(d, 16)),
                hours_claimed=9,
            )
            rd["_s"], rd["_e"] = at(d, 7), at(d, 16)
            self.T(
                oid,
                det,
                "rest_day_turned_into_rdw",
                d,
                d,
                "own rest day edited 3 weeks later into a rest_day_worked early shift",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid, ("late",)))
            d = sh["_s"].date()
            self.clear_day(oid, d)
            self.change(
                sh,
                r.choice(self.rmu),
                sh["_s"] - timedelta(days=2),
                "status",
                "planned",
                "cancelled",
                "abstraction",
            )
            self.change(sh, oid, sh["_e"] + timedelta(days=5), "status", "cancelled", "worked", "")
            self.T(
                oid,
                det,
                "cancelled_shift_marked_worked",
                d,
                d,
                "shift cancelled before the day; officer re-marks it worked 5 days later; no swipes",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid, ("early",))[:30])
            s0 = sh["_e"]
            ot(
                oid,
                s0,
                s0 + timedelta(hours=4),
                duty="early",
                cat=s0 + timedelta(days=16),
                site=sh["site_id"],
            )
            self.T(
                oid,
                det,
                "overtime_claim_created_16_days_later",
                sh["_s"].date(),
                sh["_s"].date(),
                "4h overtime shift created by the officer 16 days after the date; no swipes or lookups for it",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid))
            self.change(
                sh,
                mgr(oid),
                sh["_e"] + timedelta(days=3),
                "end",
                sh["end"],
                fts(sh["_e"] + timedelta(hours=1)),
                "late arrest",
            )
            self.L(oid, det, "supervisor_corrected_after", "line manager extends end by 1h three days after")
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = [s for s in self.worked(oid) if s["_s"].date() > D0 + timedelta(days=40)][0]
            self.change(
                sh,
                oid,
                sh["_s"] - timedelta(days=6),
                "start",
                fts(sh["_s"] - timedelta(hours=1)),
                sh["start"],
                "swap with colleague",
            )
            self.L(oid, det, "self_edit_before_shift", "officer edits own future shift 6 days before it")
        for oid in ordinary_ot[2:4]:
            self.used.add(oid)
            self.L(
                oid,
                det,
                "same_day_overtime_claim",
                "ordinary: overtime row created by officer within hours, approved by manager",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid))
            d = sh["_s"].date()
            self.clear_day(oid, d)
            self.change(
                sh,
                r.choice(self.rmu),
                sh["_e"] + timedelta(days=2),
                "duty_type",
                sh["duty_type"],
                "sick",
                "sickness reported late",
            )
            sh["duty_type"] = "sick"
            self.L(
                oid,
                det,
                "rmu_records_sickness_late",
                "resourcing unit re-codes a past shift to sick 2 days later",
            )

        det = "roster.self_approval"
        for oid in self.pick(2, kinds=FL, rostered=True):
            shs = self.spread(self.worked(oid), 3)
            for sh in shs:
                ot(
                    oid,
                    sh["_e"],
                    sh["_e"] + timedelta(hours=2),
                    duty=sh["duty_type"],
                    approved_by=oid,
                    site=sh["site_id"],
                )
            self.T(
                oid,
                det,
                "own_overtime_approved",
                *self.win([s["_e"] for s in shs]),
                "3 overtime claims approved_by the claimant",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            sh = r.choice(self.worked(oid))
            o = ot(
                oid,
                sh["_e"],
                sh["_e"] + timedelta(hours=3),
                duty=sh["duty_type"],
                approved_by="",
                site=sh["site_id"],
            )
            self.change(o, oid, o["_e"] + timedelta(days=2), "approved_by", "", oid, "")
            o["approved_by"], o["approved_at"] = oid, fts(o["_e"] + timedelta(days=2))
            self.T(
                oid,
                det,
                "approval_field_set_to_self",
                o["_s"].date(),
                o["_s"].date(),
                "officer edits the approved_by field of own overtime to self (change log)",
            )
        for oid in self.pick(2, kinds=FL, rostered=True):
            rds = self.spread(self.of_type(oid, "rest_day"), 2)
            for rd in rds:
                d = rd["_s"].date()
                rd["status"] = "cancelled"
                ot(
                    oid,
                    at(d, 8),
                    at(d, 18),
                    pay="rest_day_worked",
                    approved_by=oid,
                    cat=at(d - timedelta(days=1), 9),
                )
            self.T(
                oid,
                det,
                "rest_day_worked_self_created_self_approved",
                *self.win([s["_s"] for s in rds]),
                "2 rest_day_worked shifts created and approved by the officer",
            )
        for gi in range(2):
            oid = self.pick(1, kinds={"response"}, rostered=True, pred=lambda o: o["_rank"] == "PC")[0]
            mates = [
                x
                for x in self.by_unit[self.officers[oid]["unit_id"]]
                if x != oid and self.officers[x]["_rank"] == "PC"
            ][:3]
            for m in mates:
                sh = r.choice(self.worked(m))
                ot(
                    m,
                    sh["_e"],
                    sh["_e"] + timedelta(hours=1),
                    duty=sh["duty_type"],
                    approved_by=oid,
                    site=sh["site_id"],
                )
            shs = self.spread(self.worked(oid), 2)
            for sh in shs:
                ot(
                    oid,
                    sh["_e"],
                    sh["_e"] + timedelta(hours=2),
                    duty=sh["duty_type"],
                    approved_by=oid,
                    site=sh["site_id"],
                )
            self.T(
                oid,
                det,
                "acting_sergeant_approves_own",
                *self.win([s["_e"] for s in shs]),
                "PC acting up approves colleagues' and own overtime",
            )
        for oid in self.pick(
            2, kinds={"cid", "ppu", "major"}, rostered=True, pred=lambda o: o["_rank"] == "PS"
        ):
            ds = [d for d in self.dates if d.weekday() == 5 and d not in self.leave[oid]][6:8]
            for d in ds:
                ot(oid, at(d, 8), at(d, 32), pay="on_call", approved_by=oid, cat=at(d - timedelta(days=5), 9))
            self.T(
                oid,
                det,
                "on_call_self_approved",
                ds[0],
                ds[-1] + timedelta(days=1),
                "detective sergeant approves own on_call payments",
            )
        for gi in range(2):
            oid = self.pick(1, kinds=FL, rostered=True, pred=lambda o: o["_rank"] == "PC")[0]
            appr = [
                x
                for x in self.by_unit[self.officers[oid]["unit_id"]]
                if self.officers[x]["_rank"] == "PS" and x != mgr(oid)
            ]
            appr = appr[0] if appr else mgr(mgr(oid))
            self.officers[appr]["surname"] = self.officers[oid]["surname"]
            sh = r.choice(self.worked(oid))
            ot(
                oid,
                sh["_e"],
                sh["_e"] + timedelta(hours=2),
                duty=sh["duty_type"],
                approved_by=appr,
                site=sh["site_id"],
            )
            self.L(
                oid,
                det,
                "approver_same_surname",
                f"overtime approved by sergeant {appr}, who has the same surname",
            )
        for oid in ordinary_ot[4:6]:
            self.used.add(oid)
            self.L(
                oid,
                det,
                "self_created_manager_approved",
                "ordinary: overtime row created by officer, approved by line manager",
            )

    # ================================================================== output
    def write(self, out: str) -> dict:
        os.makedirs(out, exist_ok=True)
        self.t["officers"] = [
            {k: v for k, v in o.items() if not k.startswith("_")} for o in self.officers.values()
        ]
        self.t["cases"] = [{k: v for k, v in c.items() if not k.startswith("_")} for c in self.cases.values()]
        counts = {}
        for name, rows in self.t.items():
            df = pd.DataFrame([{k: v for k, v in x.items() if not k.startswith("_")} for x in rows])
            df.to_csv(os.path.join(out, f"{name}.csv"), index=False)
            counts[name] = len(df)
        pd.DataFrame(
            self.truth,
            columns=["officer_id", "detector", "group_id", "window_start", "window_end", "form", "note"],
        ).to_csv(os.path.join(out, "truth.csv"), index=False)
        pd.DataFrame(self.looks, columns=["officer_id", "detector", "form", "note"]).to_csv(
            os.path.join(out, "lookalikes.csv"), index=False
        )
        return counts


def generate(out: str, officers: int = 400, days: int = 90, seed: int = 1) -> dict:
    f = Force(officers, days, seed)
    f.build_structure()
    f.build_records()
    f.build_roster()
    f.plant_pre()
    f.build_events_planned()
    f.build_orgs()
    f.plant_access()
    f.plant_assoc()
    f.plant_attendance()
    f.plant_network()
    f.plant_roster()
    f.build_complaints()
    return f.write(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--officers", type=int, default=400)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    counts = generate(a.out, a.officers, a.days, a.seed)
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), "total", sum(counts.values()))


if __name__ == "__main__":
    main()
