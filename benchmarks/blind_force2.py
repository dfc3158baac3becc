#!/usr/bin/env python3
"""Independent synthetic force ("blind force 2") for testing linkwatch detectors.

Written only from the source contract (sources.md) and the test brief.
Usage: python blind_force2.py OUT --officers 500 --days 120 --seed 1
Writes every contract table as CSV into OUT plus truth.csv and lookalikes.csv.
Everything is invented.

Written at stop 29 by a second outside party, who read neither linkwatch's code nor the first
blind force (``benchmarks/blind_force.py``); its forms, look-alikes and data conventions are in
``docs/blind_force2.md``, what it found in ``docs/measurements.md`` ("Stop 29"). Rows of
``truth.csv`` whose form starts with ``secondary_`` are side effects (a partner's record looked up
also lacks a purpose): score the primary rows with ``linkwatch evaluate`` after leaving them out.
"""

import argparse
import datetime as dt
import math
import os
import random
from collections import defaultdict

import numpy as np
import pandas as pd

D = dt.date
T = dt.datetime
TD = dt.timedelta

# ---------------------------------------------------------------- vocabulary
SURNAMES = """Abbott Ahmed Akhtar Allen Anderson Armstrong Atkinson Bailey Baker Ball Banks Barker
Barnes Bell Bennett Berry Bibi Bird Bishop Black Booth Bradley Brooks Brown Burton Butler Campbell
Carr Carter Chapman Chaudhry Clark Clarke Cole Collins Cook Cooper Cox Davies Davis Dawson Dixon
Doyle Edwards Ellis Evans Fisher Fletcher Ford Foster Fox Gibson Gill Graham Grant Gray Green
Griffiths Hall Hamilton Harris Harrison Hart Hayes Henderson Hill Holmes Hook Hughes Hunt Hussain
Jackson James Jenkins Johnson Jones Kaur Kelly Kennedy Khan King Knight Lane Lawrence Lee Lewis
Lloyd Malik Marshall Martin Mason Matthews McDonald Miah Miller Mills Mitchell Moore Morgan Morris
Murphy Murray Nowak Owen Palmer Parker Patel Pearce Phillips Powell Price Quinn Reid Reynolds
Richards Richardson Roberts Robinson Rogers Rose Russell Saunders Scott Shah Sharp Shaw Simpson
Singh Smith Spencer Stevens Stewart Stone Sutton Taylor Thomas Thompson Turner Walker Wallace Walsh
Ward Watson Webb Wells West White Wilkinson Williams Wilson Wood Wright Young Okafor Mensah Kowalski
Novak Byrne Doherty Lynch Ryan Begum Iqbal Rahman Ali""".split()
MALE = """Aaron Adam Adrian Alan Alex Alexander Andrew Anthony Ben Benjamin Bradley Callum Carl Charles
Chris Christopher Colin Craig Daniel Darren David Dean Dominic Edward Gareth Gary George Graham Harry
Ian Imran Jack Jacob James Jamie Jason Joe John Jonathan Joseph Kevin Kieran Lee Liam Luke Mark
Martin Matthew Michael Mohammed Neil Nathan Nicholas Oliver Patrick Paul Peter Philip Richard Robert
Ryan Samuel Scott Sean Simon Stephen Steven Stuart Thomas Tom Tony William Zain Kwame Tomasz Arjun""".split()
FEMALE = """Abigail Aisha Alice Alison Amanda Amy Angela Anna Charlotte Chloe Claire Danielle Deborah
Elizabeth Ellie Emily Emma Fatima Gemma Georgia Hannah Helen Holly Jade Jane Jennifer Jessica Joanne
Julie Karen Kate Katherine Kelly Laura Lauren Leanne Lisa Louise Lucy Maria Megan Michelle Natalie
Nicola Olivia Priya Rachel Rebecca Samantha Sarah Sophie Stacey Stephanie Susan Victoria Zoe Amira
Agnieszka Ngozi Sinead""".split()
# nickname / formal variants used by outside lists
NICK = {
    "Robert": "Rob",
    "William": "Bill",
    "Richard": "Rick",
    "Michael": "Mike",
    "Christopher": "Chris",
    "Jonathan": "Jon",
    "Katherine": "Kate",
    "Elizabeth": "Liz",
    "Rebecca": "Becky",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "Daniel": "Dan",
    "Stephen": "Steve",
    "Steven": "Steve",
    "Nicholas": "Nick",
    "Andrew": "Andy",
    "Anthony": "Tony",
    "Victoria": "Vicky",
    "Samantha": "Sam",
    "Alexander": "Alex",
    "Matthew": "Matt",
    "Joseph": "Joe",
    "Benjamin": "Ben",
    "Jennifer": "Jen",
    "Stephanie": "Steph",
    "Peter": "Pete",
    "James": "Jim",
    "David": "Dave",
    "Philip": "Phil",
    "Gareth": "Gaz",
    "Susan": "Sue",
    "Deborah": "Debbie",
    "Nicola": "Nicky",
    "Edward": "Ed",
    "Charlotte": "Lottie",
}
STREETS = """Acacia Albert Alder Ash Aspen Beech Birch Blackthorn Bramble Bridge Brook Castle Cedar
Chapel Cherry Chestnut Church Clifton Clover Coronation Cross Dale Elm Fern Field Forge Garden Glebe
Grange Granville Green Grove Hawthorn Hazel Heath High Hill Holly Ivy Juniper Kings Larch Laurel Lime
Linden Maple Market Meadow Mill Moor Oak Orchard Park Pine Poplar Priory Queens Railway Rectory
Regent Riverside Rose Rowan School Spring Station Sycamore Tannery Thorn Victoria Vine Walnut Well
Westfield Willow Windmill Wood Yew""".split()
STREET_SUFFIX = ["Road", "Street", "Lane", "Avenue", "Close", "Way", "Drive", "Crescent", "Court", "Gardens"]
SUFFIX_ABBR = {
    "Road": "Rd",
    "Street": "St",
    "Lane": "Ln",
    "Avenue": "Ave",
    "Close": "Cl",
    "Way": "Way",
    "Drive": "Dr",
    "Crescent": "Cres",
    "Court": "Ct",
    "Gardens": "Gdns",
}
TOWNS = ["Northam", "Carrow", "Southby", "Westmere", "Elmford", "Hallington"]
OUTWARD_LOCAL = ["WX1", "WX2", "WX3", "WX4", "WX5", "WX6", "WX7", "WX8", "WX9", "WX10", "WX11", "WX12"]
OUTWARD_AWAY = ["WY3", "WY7", "QT2", "QT9"]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ETHNICITY = (
    ["W1"] * 70
    + ["W2"] * 3
    + ["W9"] * 5
    + ["A1"] * 4
    + ["A2"] * 4
    + ["A9"] * 2
    + ["B1"] * 3
    + ["B2"] * 2
    + ["M1"] * 3
    + ["M9"] * 2
    + ["O9"] * 2
)

# England & Wales bank holidays (enough years to cover any sensible --start)
BANK_HOLIDAYS = {
    D(2023, 1, 2),
    D(2023, 4, 7),
    D(2023, 4, 10),
    D(2023, 5, 1),
    D(2023, 5, 8),
    D(2023, 5, 29),
    D(2023, 8, 28),
    D(2023, 12, 25),
    D(2023, 12, 26),
    D(2024, 1, 1),
    D(2024, 3, 29),
    D(2024, 4, 1),
    D(2024, 5, 6),
    D(2024, 5, 27),
    D(2024, 8, 26),
    D(2024, 12, 25),
    D(2024, 12, 26),
    D(2025, 1, 1),
    D(2025, 4, 18),
    D(2025, 4, 21),
    D(2025, 5, 5),
    D(2025, 5, 26),
    D(2025, 8, 25),
    D(2025, 12, 25),
    D(2025, 12, 26),
}


def last_sunday(y, m):
    d = D(y, m + 1, 1) - TD(days=1) if m < 12 else D(y, 12, 31)
    while d.weekday() != 6:
        d -= TD(days=1)
    return d


def london_offset_h(local):
    """UTC offset (hours) of a naive Europe/London local time."""
    y = local.year
    bst_start = T.combine(last_sunday(y, 3), dt.time(2, 0))
    bst_end = T.combine(last_sunday(y, 10), dt.time(1, 0))
    return 1 if bst_start <= local < bst_end else 0


def fix_gap(local):
    """Move a naive local time out of the spring-forward gap (01:00-02:00 local does not exist)."""
    y = local.year
    ls = last_sunday(y, 3)
    if local.date() == ls and 1 <= local.hour < 2:
        return local + TD(hours=1)
    return local


def f_naive(t):
    return fix_gap(t).strftime("%Y-%m-%dT%H:%M:%S")


def f_offset(t):
    t = fix_gap(t)
    o = london_offset_h(t)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("+01:00" if o else "+00:00")


def f_utc(t):
    t = fix_gap(t)
    return (t - TD(hours=london_offset_h(t))).strftime("%Y-%m-%dT%H:%M:%SZ")


def f_date(d):
    if d is None:
        return ""
    if isinstance(d, T):
        d = d.date()
    return d.isoformat()


# ---------------------------------------------------------------- org template
SITES = [
    # site_id, name, kind, postcode, readers
    ("001", "Force Headquarters, Elmford", "office", "WX1 2AB", 4),
    ("002", "Northam Police Station", "station", "WX3 4DE", 3),
    ("003", "Carrow Central Police Station", "station", "WX5 1FG", 4),
    ("004", "Southby Police Station", "station", "WX8 7HJ", 3),
    ("005", "Carrow Custody Suite", "custody", "WX5 1FL", 2),
    ("006", "Northam Custody Suite", "custody", "WX3 4DQ", 2),
    ("007", "Force Control Room", "other", "WX1 2AS", 2),
    ("008", "Public Protection Hub, Hallington", "office", "WX6 3NP", 2),
    ("009", "Learning and Development Centre", "other", "WX2 9TU", 2),
    ("010", "Carrow Crown Court", "other", "WX5 2WX", 0),
    ("011", "Southby Magistrates' Court", "other", "WX8 1YA", 0),
    ("012", "Westmere Stadium", "other", "WX11 6BD", 0),
    ("013", "Westmere Police Office", "station", "WX11 3EF", 1),
]
SITE_KIND = {s[0]: s[2] for s in SITES}
SITE_READERS = {s[0]: ["%s-R%02d" % (s[0], i + 1) for i in range(s[4])] for s in SITES}

UNIT_TEMPLATE = (
    [
        # unit_id, name, parent, site, kind, weight
        ("FHQ", "Force Headquarters", None, "001", "root", 0),
        ("EXEC", "Chief Officer Team", "FHQ", "001", "exec", 0),
        ("LPC", "Local Policing Command", "FHQ", "001", "cmd", 0),
        ("LPA-N", "Northam Local Policing Area", "LPC", "002", "lpa", 0),
        ("LPA-C", "Carrow Local Policing Area", "LPC", "003", "lpa", 0),
        ("LPA-S", "Southby Local Policing Area", "LPC", "004", "lpa", 0),
    ]
    + [
        ("RSP-%s-%s" % (a, t), "%s Response Team %s" % (n, t), "LPA-%s" % a, s, "response", 11)
        for a, n, s in [("N", "Northam", "002"), ("C", "Carrow", "003"), ("S", "Southby", "004")]
        for t in "ABCD"
    ]
    + [
        ("NH-N", "Northam Neighbourhood Policing Team", "LPA-N", "002", "nbh", 22),
        ("NH-C", "Carrow Neighbourhood Policing Team", "LPA-C", "003", "nbh", 22),
        ("NH-S", "Southby and Westmere Neighbourhood Policing Team", "LPA-S", "004", "nbh", 22),
        ("CRM", "Crime Command", "FHQ", "001", "cmd", 0),
        ("CID-C", "Carrow CID", "CRM", "003", "cid", 22),
        ("CID-N", "Northam CID", "CRM", "002", "cid", 20),
        ("MIT", "Major Investigation Team", "CRM", "001", "mit", 16),
        ("PPU", "Public Protection Command", "CRM", "008", "ppu", 0),
        ("MASH", "Multi-Agency Safeguarding Hub", "PPU", "008", "mash", 18),
        ("RASSO", "Rape and Serious Sexual Offences Team", "PPU", "008", "rasso", 14),
        ("DAIT", "Domestic Abuse Investigation Team", "PPU", "008", "dait", 14),
        ("FIB", "Force Intelligence Bureau", "CRM", "001", "intel", 14),
        ("OPS", "Operations Command", "FHQ", "001", "cmd", 0),
        ("CUST-C", "Carrow Custody", "OPS", "005", "custody", 20),
        ("CUST-N", "Northam Custody", "OPS", "006", "custody", 14),
        ("FCR", "Force Control Room", "OPS", "007", "fcr", 45),
        ("SUP", "Corporate Support", "FHQ", "001", "cmd", 0),
        ("HR", "People Services", "SUP", "001", "hq", 12),
        ("FIN", "Finance and Payroll", "SUP", "001", "hq", 8),
        ("PSD", "Professional Standards Department", "SUP", "001", "psd", 10),
        ("IMU", "Information Management Unit", "SUP", "001", "imu", 14),
        ("TRG", "Learning and Development", "SUP", "009", "trg", 8),
        ("RPU", "Resource Planning Unit", "SUP", "001", "rpu", 6),
    ]
)
LEVEL = {
    "ACC": 9,
    "CSUPT": 8,
    "Director": 8,
    "SUPT": 7,
    "CI": 6,
    "DCI": 6,
    "PO4": 6,
    "INSP": 5,
    "DI": 5,
    "PO3": 5,
    "PO2": 5,
    "PS": 4,
    "DS": 4,
    "SO2": 4,
    "SO1": 4,
    "PC": 3,
    "DC": 3,
    "PO1": 3,
    "Scale 6": 3,
    "Scale 5": 3,
    "Scale 4": 3,
    "PCSO": 2,
    "SC": 2,
}


def unit_members(kind, n, r):
    """Return list of (rank, staff_type, role, work_pattern) for a unit of size n."""
    out = []
    if kind == "exec":
        return [
            ("ACC", "officer", "Assistant Chief Constable", "hybrid"),
            ("CSUPT", "officer", "Head of Local Policing", "hybrid"),
            ("CSUPT", "officer", "Head of Crime and Operations", "hybrid"),
            ("SUPT", "officer", "Superintendent Operations", "hybrid"),
            ("SUPT", "officer", "Superintendent Crime", "hybrid"),
            ("Director", "staff", "Director of Corporate Services", "office"),
        ]
    if kind == "lpa":
        return [
            ("CI", "officer", "Area Commander", "hybrid"),
            ("INSP", "officer", "Response Inspector", "frontline"),
            ("INSP", "officer", "Neighbourhood Inspector", "frontline"),
        ]
    if kind == "ppu":
        return [("DCI", "officer", "Head of Public Protection", "hybrid")]
    if kind == "response":
        out.append(("PS", "officer", "Response Sergeant", "frontline"))
        if n >= 13:
            out.append(("PS", "officer", "Response Sergeant", "frontline"))
        if n >= 8:
            out.append(("SC", "special", "Special Constable", "frontline"))
        while len(out) < n:
            out.append(("PC", "officer", "Response Officer", "frontline"))
    elif kind == "nbh":
        for _ in range(max(1, n // 10)):
            out.append(("PS", "officer", "Neighbourhood Sergeant", "frontline"))
        npcso = int(round(n * 0.4))
        for _ in range(npcso):
            out.append(("PCSO", "pcso", "Police Community Support Officer", "frontline"))
        while len(out) < n:
            out.append(("PC", "officer", "Neighbourhood Officer", "frontline"))
    elif kind in ("cid", "mit", "rasso", "dait"):
        if kind == "mit":
            out.append(("DCI", "officer", "Senior Investigating Officer", "hybrid"))
        out.append(("DI", "officer", "Detective Inspector", "hybrid" if kind != "mit" else "frontline"))
        for _ in range(max(1, n // 6)):
            out.append(("DS", "officer", "Detective Sergeant", "frontline"))
        if kind in ("cid", "mit"):
            out.append(("Scale 6", "staff", "Police Staff Investigator", "frontline"))
        role = {
            "cid": "Detective Constable",
            "mit": "Detective Constable",
            "rasso": "Specially Trained Investigator",
            "dait": "Domestic Abuse Investigator",
        }[kind]
        while len(out) < n:
            out.append(("DC", "officer", role, "frontline"))
    elif kind == "mash":
        out.append(("DS", "officer", "MASH Detective Sergeant", "hybrid"))
        out.append(("SO2", "staff", "MASH Team Leader", "hybrid"))
        out.append(("DC", "officer", "MASH Investigator", "hybrid"))
        while len(out) < n:
            out.append(
                ("Scale 5", "staff", "Safeguarding Practitioner", "hybrid" if r.random() < 0.8 else "office")
            )
    elif kind == "intel":
        out.append(("PO3", "staff", "Principal Intelligence Analyst", "hybrid"))
        out.append(("DS", "officer", "Intelligence Sergeant", "hybrid"))
        k = 0
        while len(out) < n:
            if k % 2 == 0:
                out.append(("PO1", "staff", "Intelligence Analyst", "hybrid"))
            else:
                out.append(
                    (
                        "Scale 5",
                        "staff",
                        "Intelligence Researcher",
                        "hybrid" if r.random() < 0.7 else "office",
                    )
                )
            k += 1
    elif kind == "custody":
        out.append(("INSP", "officer", "Custody Inspector", "frontline"))
        for _ in range(max(2, int(n * 0.35))):
            out.append(("PS", "officer", "Custody Sergeant", "frontline"))
        while len(out) < n:
            out.append(("Scale 4", "staff", "Detention Officer", "frontline"))
    elif kind == "fcr":
        out.append(("INSP", "officer", "Control Room Inspector", "frontline"))
        out.append(("PS", "officer", "Control Room Sergeant", "frontline"))
        out.append(("PS", "officer", "Control Room Sergeant", "frontline"))
        for _ in range(max(1, n // 12)):
            out.append(("SO1", "staff", "Control Room Supervisor", "frontline"))
        k = 0
        while len(out) < n:
            out.append(("Scale 4", "staff", "Call Handler" if k % 5 < 3 else "Dispatcher", "frontline"))
            k += 1
    elif kind == "hq":
        out.append(("PO4", "staff", "Head of Department", "hybrid"))
        for _ in range(max(1, n // 5)):
            out.append(("SO2", "staff", "Team Leader", "hybrid" if r.random() < 0.6 else "office"))
        while len(out) < n:
            out.append(
                (
                    r.choice(["Scale 4", "Scale 5", "Scale 6"]),
                    "staff",
                    r.choice(["Adviser", "Officer", "Assistant", "Business Partner"]),
                    "hybrid" if r.random() < 0.6 else "office",
                )
            )
    elif kind == "psd":
        out.append(("DI", "officer", "PSD Inspector", "hybrid"))
        out.append(("DS", "officer", "PSD Sergeant", "hybrid"))
        out.append(("Scale 6", "staff", "Counter-Corruption Analyst", "hybrid"))
        while len(out) < n:
            out.append(("DC", "officer", "PSD Investigator", "hybrid"))
    elif kind == "imu":
        out.append(("PO2", "staff", "Information Manager", "hybrid"))
        out.append(("SO1", "staff", "PNC Bureau Supervisor", "office"))
        k = 0
        while len(out) < n:
            out.append(
                (
                    "Scale 4",
                    "staff",
                    "PNC Operator" if k % 2 == 0 else "Data Quality Officer",
                    "office" if r.random() < 0.5 else "hybrid",
                )
            )
            k += 1
    elif kind == "trg":
        out.append(("PO2", "staff", "Training Manager", "office"))
        while len(out) < n:
            if len(out) % 2:
                out.append(("PS", "officer", "Police Trainer", "office"))
            else:
                out.append(("Scale 5", "staff", "Trainer", "office"))
    elif kind == "rpu":
        out.append(("SO2", "staff", "Resource Planning Manager", "hybrid"))
        while len(out) < n:
            out.append(("Scale 4", "staff", "Resource Planner", "office" if r.random() < 0.5 else "hybrid"))
    return out[: max(n, 1)] if kind not in ("exec", "lpa", "ppu") else out


# ---------------------------------------------------------------- generator
class Gen:
    def __init__(self, n_off, days, seed, start):
        self.r = random.Random(seed)
        self.npr = np.random.default_rng(seed)
        self.seed = seed
        self.N = n_off
        self.days = days
        self.start = start
        self.end = start + TD(days=days - 1)
        self.dates = [start + TD(days=i) for i in range(days)]
        self.t = defaultdict(list)  # table name -> list of dict rows
        self.truth = []
        self.look = []
        self.used = set()  # officers already given a planted role or look-alike
        self.ctr = defaultdict(int)
        self._phones = set()
        self._addr_used = set()
        self._make_streets()

    # ------------------------------------------------------------ helpers
    def nid(self, kind):
        self.ctr[kind] += 1
        return self.ctr[kind]

    def phone(self):
        while True:
            p = "07%03d %06d" % (self.r.randint(100, 999), self.r.randint(0, 999999))
            if p not in self._phones:
                self._phones.add(p)
                return p

    def _make_streets(self):
        r = random.Random(self.seed * 7919 + 3)
        self.streets = []
        combos = [(s, suf) for s in STREETS for suf in STREET_SUFFIX]
        r.shuffle(combos)
        for i, (s, suf) in enumerate(combos[:260]):
            away = r.random() < 0.15
            outward = r.choice(OUTWARD_AWAY if away else OUTWARD_LOCAL)
            town = r.choice(TOWNS) if not away else r.choice(["Kingsbridge", "Oakhampton Vale", "Lowmoor"])
            blocks = {}
            for b in range(0, 20):
                blocks[b] = "%d%s%s" % (r.randint(1, 9), r.choice(LETTERS), r.choice(LETTERS))
            self.streets.append(
                dict(
                    name=s,
                    suffix=suf,
                    outward=outward,
                    town=town,
                    blocks=blocks,
                    flats=(suf == "Court"),
                    away=away,
                )
            )
        self.local_streets = [i for i, s in enumerate(self.streets) if not s["away"]]
        self.away_streets = [i for i, s in enumerate(self.streets) if s["away"]]

    def addr_str(self, si, no, flat, style=0):
        s = self.streets[si]
        suf = s["suffix"] if style == 0 else SUFFIX_ABBR[s["suffix"]]
        base = "%d %s %s" % (no, s["name"], suf)
        if style == 1:
            base = "%d, %s %s" % (no, s["name"], suf)
        if flat:
            if style == 0:
                return "Flat %d, %s" % (flat, base)
            return "%s, Flat %d" % (base, flat)
        return base

    def postcode(self, si, no, style=0):
        s = self.streets[si]
        pc = "%s %s" % (s["outward"], s["blocks"][(no // 12) % 20])
        if style == 1:
            return pc.replace(" ", "")
        if style == 2:
            return pc.lower()
        return pc

    def new_address(self, local=True, street=None, no=None):
        for _ in range(1000):
            si = (
                street
                if street is not None
                else self.r.choice(
                    self.local_streets if local or not self.away_streets else self.away_streets
                )
            )
            n = no if no is not None else self.r.randint(1, 220)
            flat = self.r.randint(1, 24) if self.streets[si]["flats"] else 0
            key = (si, n, flat)
            if key not in self._addr_used:
                self._addr_used.add(key)
                return dict(
                    si=si, no=n, flat=flat, address=self.addr_str(si, n, flat), postcode=self.postcode(si, n)
                )
        raise RuntimeError("address space exhausted")

    def rand_dob(self, age_lo, age_hi, ref=None):
        ref = ref or self.start
        days = self.r.randint(int(age_lo * 365.25), int(age_hi * 365.25))
        return ref - TD(days=days)

    def person_name(self, gender=None):
        g = gender or self.r.choice("MF")
        fn = self.r.choice(MALE if g == "M" else FEMALE)
        if self.r.random() < 0.18:
            fn = fn + " " + self.r.choice(MALE if g == "M" else FEMALE)
        return self.r.choice(SURNAMES), fn, g

    def mark(self, oid, detector, form, note, w0, w1, group=""):
        self.truth.append(
            dict(
                officer_id=oid,
                detector=detector,
                group_id=group,
                window_start=f_date(w0),
                window_end=f_date(w1),
                form=form,
                note=note,
            )
        )
        self.used.add(oid)

    def lookalike(self, oid, detector, form, note):
        self.look.append(dict(officer_id=oid, detector=detector, form=form, note=note))
        self.used.add(oid)

    def pick(self, pred, k=1, avoid_used=True):
        cands = [o for o in self.officer_ids if (not avoid_used or o not in self.used) and pred(self.off[o])]
        if len(cands) < k:
            raise RuntimeError("not enough candidates for plant (have %d need %d)" % (len(cands), k))
        ch = self.r.sample(cands, k)
        for o in ch:
            self.used.add(o)
        return ch

    # ------------------------------------------------------------ organisation & people
    def build_org(self):
        r = self.r
        for sid, name, kind, pc, _ in SITES:
            self.t["sites"].append(dict(site_id=sid, name=name, kind=kind, postcode=pc))
        fixed = 6 + 9 + 1
        weighted = [u for u in UNIT_TEMPLATE if u[5] > 0]
        tot_w = sum(u[5] for u in weighted)
        avail = max(self.N - fixed, len(weighted) * 3)
        raw = {u[0]: u[5] * avail / tot_w for u in weighted}
        size = {k: max(3, int(v)) for k, v in raw.items()}
        rem = avail - sum(size.values())
        for k in sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True):
            if rem <= 0:
                break
            size[k] += 1
            rem -= 1
        self.units = {}
        for uid, name, parent, site, kind, w in UNIT_TEMPLATE:
            self.units[uid] = dict(unit_id=uid, name=name, parent=parent, site=site, kind=kind, members=[])
            self.t["units"].append(dict(unit_id=uid, name=name, parent_unit_id=parent or "", site_id=site))
        self.off = {}
        used_ids = set()
        for uid, name, parent, site, kind, w in UNIT_TEMPLATE:
            if kind in ("root", "cmd"):
                continue
            n = size.get(uid, 0)
            mem = unit_members(kind, n, r)
            for idx, (rank, stype, role, wp) in enumerate(mem):
                while True:
                    num = r.randint(1000, 89999)
                    if num not in used_ids:
                        used_ids.add(num)
                        break
                oid = "%06d" % num
                g = "M" if r.random() < (0.62 if stype == "officer" else 0.4) else "F"
                sur, fn, _ = self.person_name(g)
                lvl = LEVEL[rank]
                age_lo = {2: 19, 3: 21, 4: 27, 5: 31, 6: 36, 7: 40, 8: 44, 9: 46}[lvl]
                dob = self.rand_dob(age_lo, min(age_lo + 24, 62))
                age = (self.start - dob).days / 365.25
                service = r.uniform(0.5, max(1.0, min(age - 20, 32)))
                sd = self.start - TD(days=int(service * 365.25))
                addr = self.new_address(local=r.random() < 0.78)
                em_fn = fn.split()[0].lower()
                o = dict(
                    officer_id=oid,
                    surname=sur,
                    forenames=fn,
                    rank=rank,
                    staff_type=stype,
                    unit_id=uid,
                    work_pattern=wp,
                    start_date=sd,
                    end_date=None,
                    line_manager_id="",
                    date_of_birth=dob,
                    home_postcode=addr["postcode"],
                    home_address=addr["address"],
                    phone=self.phone() if r.random() < 0.93 else "",
                    email="%s.%s%s@wxpolice.example"
                    % (em_fn, sur.lower(), "" if r.random() < 0.7 else str(r.randint(1, 9))),
                    gender=g,
                    ethnicity=r.choice(ETHNICITY),
                    # internal
                    _kind=kind,
                    _level=lvl,
                    _role=role,
                    _site=site,
                    _addr=addr,
                    _team=idx % 4,
                    _home_ip="%d.%d.%d.%d"
                    % (
                        r.choice([81, 86, 90, 92, 109, 151, 178, 212]),
                        r.randint(0, 255),
                        r.randint(0, 255),
                        r.randint(1, 254),
                    ),
                )
                self.off[oid] = o
                self.units[uid]["members"].append(oid)
        self.officer_ids = sorted(self.off)
        # a few joiners / leavers inside the period (response & neighbourhood only)
        for oid in self.officer_ids:
            o = self.off[oid]
            if o["_kind"] in ("response", "nbh", "fcr") and o["_level"] <= 3 and r.random() < 0.025:
                if r.random() < 0.5:
                    o["start_date"] = self.start + TD(days=r.randint(10, self.days - 30))
                    o["_joiner"] = True
                else:
                    o["end_date"] = self.start + TD(days=r.randint(20, self.days - 10))
                    o["_leaver"] = True
        self._assign_managers()
        self._assignments()

    def head_of(self, uid):
        """Most senior member of a unit, walking up the tree when a unit has no members."""
        u = self.units[uid]
        special = {
            "LPC": ("EXEC", 1),
            "CRM": ("EXEC", 2),
            "OPS": ("EXEC", 3),
            "SUP": ("EXEC", 5),
            "FHQ": ("EXEC", 0),
        }
        if uid in special:
            ex = self.units["EXEC"]["members"]
            i = special[uid][1]
            return ex[i] if i < len(ex) else (ex[0] if ex else None)
        if u["members"]:
            return max(u["members"], key=lambda m: (self.off[m]["_level"], m))
        return self.head_of(u["parent"]) if u["parent"] else None

    def _assign_managers(self):
        r = self.r
        for uid, u in self.units.items():
            mem = u["members"]
            if not mem:
                continue
            head = self.head_of(uid)
            levels = sorted({self.off[m]["_level"] for m in mem}, reverse=True)
            for m in mem:
                o = self.off[m]
                if m == head:
                    mgr = None
                    if uid == "EXEC":
                        mgr = (
                            self.units["EXEC"]["members"][0]
                            if m != self.units["EXEC"]["members"][0]
                            else None
                        )
                    else:
                        # response/neighbourhood sergeants report to the LPA inspectors
                        p = u["parent"]
                        if u["kind"] == "response" and p in self.units:
                            lp = self.units[p]["members"]
                            mgr = lp[1] if len(lp) > 1 else self.head_of(p)
                        elif u["kind"] == "nbh" and p in self.units:
                            lp = self.units[p]["members"]
                            mgr = lp[2] if len(lp) > 2 else self.head_of(p)
                        else:
                            mgr = self.head_of(p) if p else None
                    o["line_manager_id"] = mgr or ""
                    continue
                lvl = o["_level"]
                above = [x for x in mem if self.off[x]["_level"] > lvl]
                if not above:
                    o["line_manager_id"] = head if head != m else ""
                    continue
                nxt = min(self.off[x]["_level"] for x in above)
                cands = [x for x in above if self.off[x]["_level"] == nxt]
                # same team first (shift teams), else any
                same = [x for x in cands if self.off[x]["_team"] == o["_team"]]
                o["line_manager_id"] = r.choice(same or cands)
        # LPA officers report to the head of local policing
        for a in ("LPA-N", "LPA-C", "LPA-S"):
            mem = self.units[a]["members"]
            if mem:
                self.off[mem[0]]["line_manager_id"] = self.head_of("LPC")
                for m in mem[1:]:
                    self.off[m]["line_manager_id"] = mem[0]

    def _assignments(self):
        r = self.r
        other_units = [u for u in self.units if self.units[u]["kind"] not in ("root", "cmd", "exec")]
        for oid in self.officer_ids:
            o = self.off[oid]
            join = o["start_date"]
            cur_start = join
            if not o.get("_joiner") and (self.start - join).days > 700 and r.random() < 0.6:
                cur_start = join + TD(days=r.randint(365, (self.start - join).days - 60))
                prev = r.choice(other_units)
                prev_rank = o["rank"]
                if o["staff_type"] == "officer" and o["_level"] >= 4 and r.random() < 0.5:
                    prev_rank = {
                        "PS": "PC",
                        "DS": "DC",
                        "INSP": "PS",
                        "DI": "DS",
                        "CI": "INSP",
                        "DCI": "DI",
                        "SUPT": "CI",
                        "CSUPT": "SUPT",
                        "ACC": "CSUPT",
                    }.get(prev_rank, prev_rank)
                self.t["assignments"].append(
                    dict(
                        officer_id=oid,
                        unit_id=prev,
                        start_date=join,
                        end_date=cur_start - TD(days=1),
                        rank=prev_rank,
                        role="",
                    )
                )
            self.t["assignments"].append(
                dict(
                    officer_id=oid,
                    unit_id=o["unit_id"],
                    start_date=cur_start,
                    end_date=o["end_date"],
                    rank=o["rank"],
                    role=o["_role"],
                )
            )

    # ------------------------------------------------------------ persons, cases, records
    CASE_TYPES = [  # case_type, weight, offence_category, owner units
        ("burglary", 12, "acquisitive", ["response", "response", "nbh", "cid"]),
        ("theft", 15, "acquisitive", ["response", "nbh", "nbh", "cid"]),
        ("assault", 13, "violence", ["response", "response", "cid"]),
        ("domestic abuse", 14, "domestic", ["response", "dait", "dait"]),
        ("sexual offence", 6, "sexual", ["rasso"]),
        ("fraud", 7, "fraud", ["cid"]),
        ("drugs", 7, "drugs", ["nbh", "cid"]),
        ("robbery", 4, "violence", ["cid"]),
        ("criminal damage", 8, "damage", ["response", "nbh"]),
        ("public order", 5, "public_order", ["response"]),
        ("child protection", 3, "child_abuse", ["rasso", "dait"]),
        ("missing person", 3, "", ["response", "nbh"]),
        ("serious violence", 1.5, "violence", ["mit"]),
        ("homicide", 0.3, "homicide", ["mit"]),
    ]
    FLAGS = [
        "drugs",
        "violence",
        "weapons",
        "burglary",
        "fraud",
        "sex_offender",
        "dv_perpetrator",
        "wanted",
        "firearms",
    ]

    def new_person(self, addr=None, surname=None, gender=None, age=(16, 85), flags="", phone=None):
        pid = "P%06d" % self.nid("person")
        sur, fn, g = self.person_name(gender)
        if surname:
            sur = surname
        addr = addr or self.new_address(local=self.r.random() < 0.92)
        p = dict(
            person_id=pid,
            surname=sur,
            forenames=fn,
            date_of_birth=self.rand_dob(*age),
            postcode=addr["postcode"],
            address=addr["address"],
            phone=phone if phone is not None else (self.phone() if self.r.random() < 0.55 else ""),
            nominal_flags=flags,
            _g=g,
            _addr=addr,
        )
        self.persons[pid] = p
        return p

    def new_record(self, rtype, person_id="", case_ref="", sensitivity="none", offcat=""):
        rid = "R%07d" % self.nid("record")
        rec = dict(
            record_id=rid,
            record_type=rtype,
            person_id=person_id or "",
            case_ref=case_ref or "",
            sensitivity=sensitivity,
            offence_category=offcat,
        )
        self.records[rid] = rec
        return rec

    def build_people_cases(self):
        r = self.r
        self.persons = {}
        self.records = {}
        n_persons = 16 * self.N
        # households
        while len(self.persons) < n_persons:
            addr = self.new_address(local=r.random() < 0.93)
            k = r.choice([1, 1, 1, 2, 2, 2, 3, 4])
            fam = r.choice(SURNAMES)
            for j in range(k):
                same = j == 0 or r.random() < 0.7
                self.new_person(addr=addr, surname=fam if same else None)
        pids = list(self.persons)
        # criminal flags (ordinary) and organised crime groups (shared phones / addresses)
        for pid in r.sample(pids, int(0.06 * len(pids))):
            self.persons[pid]["nominal_flags"] = ";".join(sorted(r.sample(self.FLAGS, r.choice([1, 1, 2]))))
        self.ocgs = []
        free = [p for p in pids if not self.persons[p]["nominal_flags"]]
        for g in range(max(3, self.N // 120)):
            members = r.sample(free, r.randint(7, 12))
            free = [p for p in free if p not in members]
            for pid in members:
                extra = r.sample(["drugs", "firearms", "violence", "money_laundering"], r.choice([1, 2]))
                self.persons[pid]["nominal_flags"] = ";".join(["ocg"] + sorted(extra))
            # some members share a phone (burner passed around) or an address
            for a, b in zip(members[::3], members[1::3]):
                if r.random() < 0.5 and self.persons[a]["phone"]:
                    self.persons[b]["phone"] = self.persons[a]["phone"]
            self.ocgs.append(members)
        self.flagged = [p for p in pids if self.persons[p]["nominal_flags"]]
        self.unflagged = [p for p in pids if not self.persons[p]["nominal_flags"]]
        # VIP / restricted people (local celebrities, councillors, protected persons)
        self.vip_records = []
        for pid in r.sample(self.unflagged, 18):
            self.vip_records.append(self.new_record("person", pid, sensitivity="vip")["record_id"])
        # nominal records for everybody
        self.nominal = {}
        for pid in pids:
            sens = "restricted" if r.random() < 0.01 else "none"
            self.nominal[pid] = self.new_record("person", pid, sensitivity=sens)["record_id"]
        self.vehicle_recs = [
            self.new_record("vehicle", r.choice(pids) if r.random() < 0.85 else "")["record_id"]
            for _ in range(2 * self.N)
        ]
        self.address_recs = [self.new_record("address")["record_id"] for _ in range(int(1.5 * self.N))]
        self.intel_recs = []
        self.intel_by_person = defaultdict(list)
        for _ in range(4 * self.N):
            pid = r.choice(self.flagged) if r.random() < 0.65 else r.choice(pids)
            rec = self.new_record(
                "intel",
                pid,
                sensitivity="restricted" if r.random() < 0.15 else "none",
                offcat=r.choice(["drugs", "violence", "fraud", "acquisitive", "weapons"]),
            )
            self.intel_recs.append(rec["record_id"])
            self.intel_by_person[pid].append(rec["record_id"])
        # cases
        self.cases = {}
        self.case_recs = defaultdict(lambda: defaultdict(list))  # case -> role -> [record ids]
        self.assign_by_off = defaultdict(list)  # officer -> [(case, start, end)]
        self.case_officers = defaultdict(list)
        self.cases_opened_on = defaultdict(list)
        inv_pool = defaultdict(list)
        for oid in self.officer_ids:
            o = self.off[oid]
            if (
                o["staff_type"] in ("officer", "staff")
                and 3 <= o["_level"] <= 4
                and o["_kind"] in ("response", "nbh", "cid", "mit", "rasso", "dait")
                and not o.get("_leaver")
            ):
                inv_pool[o["_kind"]].append(oid)
        weights = [c[1] for c in self.CASE_TYPES]
        n_cases = 7 * self.N
        years = {}
        for i in range(n_cases):
            ct, _, offcat, owners = r.choices(self.CASE_TYPES, weights)[0]
            opened = self.start + TD(days=r.randint(-200, self.days - 1))
            closed = None
            if r.random() < 0.75:
                cl = opened + TD(days=int(r.expovariate(1 / 60)) + 3)
                if cl <= self.end:
                    closed = cl
            yr = opened.year
            years[yr] = years.get(yr, 0) + 1
            cref = "CR/%d/%06d" % (yr, years[yr] * 7 + r.randint(0, 6))
            while cref in self.cases:
                cref = cref[:-1] + str(r.randint(0, 9))
            self.cases[cref] = dict(case_ref=cref, opened=opened, closed=closed, case_type=ct, _cat=offcat)
            self.cases_opened_on[opened].append(cref)
            self.case_recs[cref]["crime"].append(
                self.new_record("crime", "", cref, "none", offcat)["record_id"]
            )
            nv = 0 if ct in ("drugs", "public order") else (1 if r.random() < 0.85 else 2)
            for _ in range(nv):
                self.case_recs[cref]["victim"].append(
                    self.new_record("person", r.choice(self.unflagged), cref, "victim", offcat)["record_id"]
                )
            for _ in range(r.choice([0, 0, 1, 1, 2])):
                self.case_recs[cref]["witness"].append(
                    self.new_record("person", r.choice(self.unflagged), cref, "witness", offcat)["record_id"]
                )
            for _ in range(r.choice([0, 1, 1, 1, 2])):
                pid = r.choice(self.flagged) if r.random() < 0.35 else r.choice(pids)
                self.case_recs[cref]["suspect"].append(
                    self.new_record("person", pid, cref, "suspect", offcat)["record_id"]
                )
            # officers
            okind = r.choice(owners)
            pool = inv_pool.get(okind) or inv_pool["response"]
            n_off = 1 if r.random() < 0.75 else 2
            if okind == "mit":
                n_off = r.randint(4, 7)
            chosen = r.sample(pool, min(n_off, len(pool)))
            for j, oid in enumerate(chosen):
                st = max(opened + TD(days=r.choice([0, 0, 1, 2])), self.off[oid]["start_date"])
                role = (
                    "OIC"
                    if j == 0
                    else r.choice(["Assisting Officer", "Disclosure Officer", "Exhibits Officer"])
                )
                self.t["case_assignments"].append(
                    dict(case_ref=cref, officer_id=oid, role=role, start_date=st, end_date=closed)
                )
                self.assign_by_off[oid].append((cref, st, closed))
                self.case_officers[cref].append(oid)
        for c in self.cases.values():
            self.t["cases"].append(
                dict(case_ref=c["case_ref"], opened=c["opened"], closed=c["closed"], case_type=c["case_type"])
            )

    def active_cases(self, oid, d):
        return [c for c, s, e in self.assign_by_off.get(oid, ()) if s <= d and (e is None or e >= d)]

    def case_any_record(self, cref, roles=("crime", "victim", "witness", "suspect"), w=(3, 2, 1, 3)):
        cr = self.case_recs[cref]
        opts = [(ro, wt) for ro, wt in zip(roles, w) if cr.get(ro)]
        ro = self.r.choices([o[0] for o in opts], [o[1] for o in opts])[0]
        return self.r.choice(cr[ro])

    # ------------------------------------------------------------ roster
    OFFICE_KINDS = ("mash", "intel", "hq", "imu", "trg", "rpu", "exec", "ppu", "psd")

    def pattern_of(self, o):
        k = o["_kind"]
        if k == "response":
            return "resp"
        if k in ("custody", "fcr"):
            return "twelve"
        if k == "nbh" or (k == "lpa" and o["_level"] == 5):
            return "nbh"
        if k in ("cid", "mit", "rasso", "dait"):
            return "det" if o["work_pattern"] == "frontline" else "office"
        return "office"

    def base_duty(self, o, d):
        """(duty_type, start, end) or ('rest_day', ...) or None for no row."""
        pat = o["_pattern"]
        day0 = T.combine(d, dt.time(0))
        if pat == "resp":
            team = "ABCD".index(o["unit_id"][-1]) if o["unit_id"][-1] in "ABCD" else 0
            c = ["E", "E", "L", "L", "N", "N", "R", "R", "R", "R"][
                ((d - D(2020, 1, 6)).days + [0, 3, 5, 8][team]) % 10
            ]
            if c == "E":
                return ("early", day0 + TD(hours=7), day0 + TD(hours=16))
            if c == "L":
                return ("late", day0 + TD(hours=14), day0 + TD(hours=23))
            if c == "N":
                return ("night", day0 + TD(hours=22), day0 + TD(hours=31))
            return ("rest_day", day0, day0 + TD(days=1))
        if pat == "twelve":
            c = ["D", "D", "N", "N", "R", "R", "R", "R"][((d - D(2020, 1, 6)).days + 2 * o["_team"]) % 8]
            if c == "D":
                return ("day", day0 + TD(hours=7), day0 + TD(hours=19))
            if c == "N":
                return ("night", day0 + TD(hours=19), day0 + TD(hours=31))
            return ("rest_day", day0, day0 + TD(days=1))
        wk = (d - D(2020, 1, 6)).days // 7
        wd = d.weekday()
        if pat == "nbh":
            sat_week = (wk + o["_team"]) % 3 == 0
            working = (wd < 5 and not (sat_week and wd == 2)) or (sat_week and wd == 5)
            if not working:
                return ("rest_day", day0, day0 + TD(days=1))
            if (wk + o["_team"]) % 2 == 0:
                return ("day", day0 + TD(hours=8), day0 + TD(hours=16))
            return ("late", day0 + TD(hours=14), day0 + TD(hours=22))
        if pat == "det":
            if wd >= 5:
                return ("rest_day", day0, day0 + TD(days=1))
            if (wk + o["_team"]) % 4 == 0:
                return ("late", day0 + TD(hours=12), day0 + TD(hours=20))
            return ("day", day0 + TD(hours=8), day0 + TD(hours=17))
        # office
        if wd >= 5 or d in BANK_HOLIDAYS:
            return None
        if o.get("_compressed") and wd == 4:
            return None
        h = o["_office_start"]
        length = 9.5 if o.get("_compressed") else 8
        return ("day", day0 + TD(hours=h), day0 + TD(hours=h + length))

    def add_shift(
        self,
        oid,
        duty,
        start,
        end,
        pay="basic",
        site=None,
        status="worked",
        created_by=None,
        created_at=None,
        approved_by="",
        approved_at=None,
        hours=None,
        **internal,
    ):
        sid = "SH%07d" % self.nid("shift")
        if hours is None and duty != "rest_day":
            hours = round((end - start).total_seconds() / 3600, 2)
        row = dict(
            shift_id=sid,
            officer_id=oid,
            start=start,
            end=end,
            duty_type=duty,
            pay_code=pay,
            site_id=site if site is not None else self.off[oid]["_site"],
            status=status,
            created_by=created_by or self.r.choice(self.planners),
            created_at=created_at,
            approved_by=approved_by or "",
            approved_at=approved_at,
            hours_claimed=hours,
            _date=start.date() if duty != "rest_day" else start.date(),
        )
        row.update(internal)
        self.shifts.append(row)
        self.sh_by_off[oid].append(row)
        return row

    def add_change(self, shift, by, at, field, old, new, reason=""):
        self.t["roster_changes"].append(
            dict(
                change_id="%d" % (500000 + self.nid("change")),
                shift_id=shift["shift_id"],
                changed_by=by,
                changed_at=at,
                field=field,
                old_value="" if old is None else str(old),
                new_value="" if new is None else str(new),
                reason=reason,
            )
        )

    def fmt_val(self, v):
        if isinstance(v, T):
            return f_naive(v)
        return v

    def free(self, oid, st, en, gap_h=0, ignore=None):
        """True when no live working/leave/sick row of the officer overlaps [st-gap, en+gap]."""
        a, b = st - TD(hours=gap_h), en + TD(hours=gap_h)
        for x in self.sh_by_off[oid]:
            if (
                x is ignore
                or x["status"] == "cancelled"
                or x["duty_type"] == "rest_day"
                or x["pay_code"] == "on_call"
            ):
                continue
            if x["start"] < b and a < x["end"]:
                return False
        return True

    def is_active(self, o, d):
        return o["start_date"] <= d and (o["end_date"] is None or d <= o["end_date"])

    def build_roster(self):
        r = self.r
        self.shifts = []
        self.sh_by_off = defaultdict(list)
        self.planners = [m for m in self.units["RPU"]["members"]] or self.officer_ids[:2]
        for oid in self.officer_ids:
            o = self.off[oid]
            o["_pattern"] = self.pattern_of(o)
            o["_office_start"] = r.choice([7.5, 8, 8, 8.5, 8.5, 9, 9])
            if o["unit_id"] == "NH-S" and r.random() < 0.35:
                o["_site"] = "013"
        for oid in self.officer_ids:
            o = self.off[oid]
            mgr = o["line_manager_id"]
            # leave blocks and sickness (dates)
            leave = set()
            for _ in range(r.choice([1, 1, 2, 2, 3])):
                s = self.start + TD(days=r.randint(0, self.days - 5))
                for i in range(r.randint(3, 9)):
                    leave.add(s + TD(days=i))
            leave |= o.get("_extra_leave", set())
            sick = set(o.get("_extra_sick", set()))
            if r.random() < 0.25 and not o.get("_no_random_sick"):
                s = self.start + TD(days=r.randint(0, self.days - 5))
                for i in range(r.randint(1, 4)):
                    sick.add(s + TD(days=i))
            if r.random() < 0.03 and not o.get("_no_random_sick"):
                s = self.start + TD(days=r.randint(0, self.days - 20))
                for i in range(r.randint(10, 25)):
                    sick.add(s + TD(days=i))
            training = set()
            if o["_pattern"] != "office" and r.random() < 0.35:
                training.add(self.start + TD(days=r.randint(0, self.days - 1)))
            court = set()
            if (
                o["_kind"] in ("response", "cid", "nbh", "dait", "rasso")
                and o["staff_type"] != "pcso"
                and r.random() < 0.12
            ):
                court.add(self.start + TD(days=r.randint(0, self.days - 1)))
            for d in self.dates:
                if not self.is_active(o, d):
                    continue
                bd = self.base_duty(o, d)
                if bd is None:
                    continue
                duty, st, en = bd
                cre_at = T.combine(
                    d - TD(days=r.randint(28, 56)), dt.time(r.randint(8, 16), r.randint(0, 59))
                )
                if duty == "rest_day":
                    if d in court:
                        rd = self.add_shift(
                            oid, "rest_day", st, en, status="cancelled", created_at=cre_at, hours=None
                        )
                        t0 = cre_at + TD(days=r.randint(3, 20))
                        self.add_change(
                            rd,
                            rd["created_by"],
                            t0,
                            "status",
                            "planned",
                            "cancelled",
                            "Court warning - rest day cancelled",
                        )
                        cs = T.combine(d, dt.time(9, 0))
                        self.add_shift(
                            oid,
                            "court",
                            cs,
                            cs + TD(hours=8),
                            pay="rest_day_worked",
                            site=r.choice(["010", "011"]),
                            created_at=t0,
                            approved_by=mgr,
                            approved_at=t0 + TD(hours=r.randint(2, 48)),
                            _court=True,
                        )
                    else:
                        self.add_shift(
                            oid,
                            "rest_day",
                            st,
                            en,
                            status="planned",
                            created_at=cre_at,
                            hours=None,
                            _rest=True,
                        )
                    continue
                pay = "bank_holiday" if d in BANK_HOLIDAYS else "basic"
                if d in leave:
                    self.add_shift(
                        oid,
                        "annual_leave",
                        st,
                        en,
                        created_at=cre_at - TD(days=r.randint(0, 40)),
                        approved_by=mgr,
                        approved_at=cre_at + TD(days=r.randint(0, 5)),
                        _leave=True,
                    )
                    continue
                if d in sick:
                    row = self.add_shift(oid, "sick", st, en, created_at=cre_at, _sick=True)
                    self.add_change(
                        row,
                        mgr or row["created_by"],
                        st - TD(minutes=r.randint(30, 180)),
                        "duty_type",
                        duty,
                        "sick",
                        "Reported sick",
                    )
                    continue
                if d in training:
                    ts = T.combine(d, dt.time(8, 0))
                    self.add_shift(
                        oid, "training", ts, ts + TD(hours=8), site="009", created_at=cre_at, _work=True
                    )
                    continue
                if d in court:
                    cs = T.combine(d, dt.time(9, 0))
                    self.add_shift(
                        oid,
                        "court",
                        cs,
                        cs + TD(hours=8),
                        site=r.choice(["010", "011"]),
                        created_at=cre_at,
                        _court=True,
                        _work=True,
                    )
                    continue
                row = self.add_shift(oid, duty, st, en, pay=pay, created_at=cre_at, _work=True, _basic=True)
                if r.random() < 0.015:
                    # shift swap / adjusted start agreed in advance
                    new_st = st + TD(hours=r.choice([-1, 1, 2]))
                    self.add_change(
                        row,
                        row["created_by"],
                        st - TD(days=r.randint(2, 14), hours=r.randint(0, 8)),
                        "start",
                        f_naive(st),
                        f_naive(new_st),
                        "Shift swap agreed by supervisor",
                    )
                    row["end"] = row["end"] + (new_st - st)
                    row["start"] = new_st
        self._background_overtime()
        self._on_call()

    def _background_overtime(self):
        r = self.r
        self._extended = set()
        for oid in self.officer_ids:
            o = self.off[oid]
            if o["_pattern"] == "office" or o.get("_no_bg_ot"):
                continue
            mgr = o["line_manager_id"]
            for row in list(self.sh_by_off[oid]):
                if row.get("_basic") and row["status"] == "worked" and r.random() < 0.035:
                    st = row["end"]
                    en = st + TD(minutes=15 * r.randint(4, 16))
                    if not self.free(oid, st, en, 1, ignore=row):
                        continue
                    self._extended.add(row["shift_id"])
                    ca = en + TD(minutes=r.randint(15, 18 * 60))
                    self.add_shift(
                        oid,
                        row["duty_type"],
                        st,
                        en,
                        pay="overtime",
                        site=row["site_id"],
                        created_by=oid if r.random() < 0.8 else None,
                        created_at=ca,
                        approved_by=mgr,
                        approved_at=ca + TD(hours=r.randint(6, 96)),
                        _work=True,
                        _ot=True,
                        _reason="Late arrest / continuity",
                    )
                elif (
                    row.get("_rest")
                    and row["status"] == "planned"
                    and o["_kind"] in ("response", "nbh", "custody", "fcr", "cid")
                    and r.random() < 0.03
                ):
                    d = row["start"].date()
                    if not self.free(oid, T.combine(d, dt.time(8)), T.combine(d, dt.time(20)), 8):
                        continue
                    ca = T.combine(d - TD(days=r.randint(7, 28)), dt.time(r.randint(9, 16), r.randint(0, 59)))
                    row["status"] = "cancelled"
                    self.add_change(
                        row,
                        row["created_by"],
                        ca,
                        "status",
                        "planned",
                        "cancelled",
                        "Rest day worked - operational requirement",
                    )
                    if r.random() < 0.4 and o["_kind"] != "fcr":
                        st, en, site = T.combine(d, dt.time(12)), T.combine(d, dt.time(20)), "012"
                        duty = "late"
                    else:
                        st, en, site = T.combine(d, dt.time(8)), T.combine(d, dt.time(18)), o["_site"]
                        duty = "day"
                    self.add_shift(
                        oid,
                        duty,
                        st,
                        en,
                        pay="rest_day_worked",
                        site=site,
                        created_at=ca,
                        approved_by=mgr,
                        approved_at=ca + TD(hours=r.randint(4, 72)),
                        _work=True,
                        _ot=True,
                    )

    def _on_call(self):
        r = self.r
        self.on_call_rows = []
        for uid in ("CID-C", "CID-N", "MIT", "RASSO", "DAIT"):
            mem = [
                m
                for m in self.units[uid]["members"]
                if self.off[m]["_level"] in (3, 4)
                and self.off[m]["staff_type"] == "officer"
                and self.off[m]["work_pattern"] == "frontline"
                and not self.off[m].get("_no_on_call")
            ]
            if not mem:
                continue
            for i, d in enumerate(self.dates):
                day_rows = {}
                cands = []
                for m in mem:
                    rows = [x for x in self.sh_by_off[m] if x["_date"] == d and x["status"] != "cancelled"]
                    if any(x.get("_leave") or x.get("_sick") or x.get("_ot") for x in rows):
                        continue
                    cands.append(m)
                if not cands:
                    continue
                m = cands[(i * 7 + len(uid)) % len(cands)]
                wd = d.weekday()
                st = T.combine(d, dt.time(17 if wd < 5 else 8))
                en = T.combine(d + TD(days=1), dt.time(8))
                row = self.add_shift(
                    m,
                    "night",
                    st,
                    en,
                    pay="on_call",
                    created_at=st - TD(days=r.randint(20, 40)),
                    hours=0,
                    _on_call=True,
                )
                self.on_call_rows.append(row)

    # ------------------------------------------------------------ attendance
    def badge(self, oid, site, ts, direction, reader=None):
        rd = reader or self.r.choice(SITE_READERS[site])
        ev = dict(
            event_id="BE%08d" % self.nid("badge"),
            officer_id=oid,
            site_id=site,
            reader_id=rd,
            ts=ts,
            direction=direction,
        )
        self.t["badge_events"].append(ev)
        self.badge_by_off[oid].append(ev)
        return rd

    def vpn(self, oid, st, en, ip=None):
        o = self.off[oid]
        self.t["remote_sessions"].append(
            dict(
                session_id="RS%07d" % self.nid("rs"),
                officer_id=oid,
                start=st,
                end=en,
                client=o["_client"],
                source_ip=ip or o["_home_ip"],
            )
        )

    def worked_blocks(self, oid):
        """Merge touching worked (non-fake) shifts at the same site into presence blocks."""
        rows = sorted(
            [
                x
                for x in self.sh_by_off[oid]
                if x["status"] == "worked" and x.get("_work") and not x.get("_fake")
            ],
            key=lambda x: x["start"],
        )
        blocks = []
        for x in rows:
            st, en = x.get("_present") or (x["start"], x["end"])
            if blocks and blocks[-1][2] == x["site_id"] and st <= blocks[-1][1]:
                blocks[-1][1] = max(blocks[-1][1], en)
            else:
                blocks.append([st, en, x["site_id"]])
        return blocks

    def office_days(self, oid):
        return sorted(
            {x["_date"] for x in self.sh_by_off[oid] if x.get("_basic") and x["status"] == "worked"}
        )

    def build_attendance(self):
        r = self.r
        self.presence = {}  # (oid, date) -> dict(mode, site, t0, t1)
        self.badge_by_off = defaultdict(list)
        order = sorted(
            self.officer_ids, key=lambda x: self.off[x].get("_att", {}).get("form") == "buddy_swiped"
        )
        for oid in order:
            o = self.off[oid]
            o["_client"] = "vpn" if r.random() < 0.8 else "vdi"
            if o["_pattern"] != "office":
                for st, en, site in self.worked_blocks(oid):
                    if not SITE_READERS.get(site):
                        continue
                    t_in = st - TD(minutes=r.randint(4, 25))
                    t_out = en + TD(minutes=r.randint(0, 25))
                    rd = self.badge(oid, site, t_in, "in")
                    if (en - st) > TD(hours=5) and r.random() < 0.35:
                        a = st + TD(minutes=r.randint(60, 180))
                        b = a + TD(minutes=r.randint(40, 240))
                        if b < en:
                            self.badge(oid, site, a, "out")
                            self.badge(oid, site, b, "in")
                    if r.random() > 0.01:
                        self.badge(oid, site, t_out, "out")
                continue
            self._office_attendance(oid)

    def _week_groups(self, days):
        g = defaultdict(list)
        for d in days:
            g[(d - D(2020, 1, 6)).days // 7].append(d)
        return [g[k] for k in sorted(g)]

    def _office_attendance(self, oid):
        r = self.r
        o = self.off[oid]
        att = o.get("_att", {"form": "normal"})
        form = att["form"]
        days = self.office_days(oid)
        remote = set()
        manufactured = set()
        if o["work_pattern"] == "office":
            p_week = 0.12
        else:
            p_week = r.uniform(0.2, 0.85)
        for wk in self._week_groups(days):
            if form in (
                "normal",
                "approved_long_absence",
                "compressed_hours",
                "works_other_site",
                "missing_out_swipe",
                "multi_site_day",
            ):
                if len(wk) >= 5 and r.random() < p_week and form != "compressed_hours":
                    remote.add(r.choice(wk))
            elif form == "chronic_low":
                remote |= set(r.sample(wk, min(len(wk), r.choice([2, 2, 3]))))
            elif form == "declining":
                if wk[0] >= att["from"]:
                    remote |= set(r.sample(wk, min(len(wk), r.choice([3, 3, 4]))))
                elif len(wk) >= 5 and r.random() < 0.3:
                    remote.add(r.choice(wk))
            elif form == "tue_thu_only":
                remote |= {d for d in wk if d.weekday() in (0, 4)}
            elif form == "near_threshold":
                k = 1 if r.random() < 0.55 else 2
                remote |= set(r.sample(wk, min(len(wk) - 1, k))) if len(wk) > 1 else set()
            elif form in (
                "swipe_and_leave",
                "in_only_then_remote",
                "buddy_swiped",
                "card_left_with_colleague",
            ):
                if wk[0] >= att["from"]:
                    k = r.choice([1, 2, 2])
                    picks = r.sample(wk, min(len(wk), k))
                    manufactured |= set(picks)
        o["_remote_days"] = remote
        o["_manufactured"] = manufactured
        rowmap = {x["_date"]: x for x in self.sh_by_off[oid] if x.get("_basic") and x["status"] == "worked"}
        for d in days:
            st, en = rowmap[d]["start"], rowmap[d]["end"]
            site = o["_site"]
            if form == "works_other_site":
                site = att["site"]
            if d in manufactured:
                self._manufactured_day(oid, d, st, en, form, att)
                continue
            if d in remote:
                a = st + TD(minutes=r.randint(-20, 20))
                b = en + TD(minutes=r.randint(-30, 45))
                ip = (
                    o["_home_ip"]
                    if r.random() < 0.9
                    else "31.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
                )
                if r.random() < 0.15:
                    m = a + TD(hours=r.uniform(3, 4))
                    self.vpn(oid, a, m, ip)
                    self.vpn(oid, m + TD(minutes=r.randint(20, 50)), b, ip)
                else:
                    self.vpn(oid, a, b, ip)
                self.presence[(oid, d)] = dict(
                    mode="remote", site=None, t0=a + TD(minutes=5), t1=b - TD(minutes=5)
                )
                continue
            # genuine office day
            if form == "multi_site_day" and r.random() < 0.3:
                t1 = st - TD(minutes=r.randint(0, 20))
                self.badge(oid, site, t1, "in")
                t2 = t1 + TD(minutes=r.randint(25, 50))
                self.badge(oid, site, t2, "out")
                other = att["site2"]
                t3 = t2 + TD(minutes=r.randint(25, 45))
                self.badge(oid, other, t3, "in")
                t4 = en + TD(minutes=r.randint(0, 30))
                self.badge(oid, other, t4, "out")
                self.presence[(oid, d)] = dict(
                    mode="office", site=other, t0=t3 + TD(minutes=5), t1=t4 - TD(minutes=5)
                )
                continue
            if r.random() < 0.04:
                site = r.choice(["001", "008", "003"])
            t_in = st + TD(minutes=r.randint(-25, 25))
            t_out = en + TD(minutes=r.randint(-20, 50))
            self.badge(oid, site, t_in, "in")
            if r.random() < 0.25:
                lo = t_in + TD(hours=r.uniform(3.5, 4.5))
                self.badge(oid, site, lo, "out")
                self.badge(oid, site, lo + TD(minutes=r.randint(15, 50)), "in")
            miss = 0.01 if form != "missing_out_swipe" else 0.35
            if r.random() > miss:
                self.badge(oid, site, t_out, "out")
            elif form == "missing_out_swipe":
                o.setdefault("_missing_out_days", []).append(d)
            self.presence[(oid, d)] = dict(
                mode="office", site=site, t0=t_in + TD(minutes=5), t1=t_out - TD(minutes=5)
            )

    def _manufactured_day(self, oid, d, st, en, form, att):
        r = self.r
        o = self.off[oid]
        site = o["_site"]
        ip = o["_home_ip"]
        o.setdefault("_manu_days", []).append(d)
        if form == "swipe_and_leave":
            t_in = st + TD(minutes=r.randint(-10, 25))
            t_out = t_in + TD(minutes=r.randint(6, 22))
            self.badge(oid, site, t_in, "in")
            self.badge(oid, site, t_out, "out")
            a = t_out + TD(minutes=r.randint(35, 70))
            b = en + TD(minutes=r.randint(-20, 30))
            self.vpn(oid, a, b, ip)
            self.presence[(oid, d)] = dict(
                mode="remote", site=None, t0=a + TD(minutes=5), t1=b - TD(minutes=5)
            )
        elif form == "in_only_then_remote":
            t_in = st + TD(minutes=r.randint(-30, 0))
            self.badge(oid, site, t_in, "in")
            a = t_in + TD(minutes=r.randint(40, 75))
            b = en + TD(minutes=r.randint(-20, 30))
            self.vpn(oid, a, b, ip)
            self.presence[(oid, d)] = dict(
                mode="remote", site=None, t0=a + TD(minutes=5), t1=b - TD(minutes=5)
            )
        elif form == "buddy_swiped":
            buddy = att["buddy"]
            ev = [e for e in self.badge_by_off[buddy] if e["ts"].date() == d]
            ins = [e for e in ev if e["direction"] == "in"]
            outs = [e for e in ev if e["direction"] == "out"]
            if ins:
                e = ins[0]
                self.badge(oid, e["site_id"], e["ts"] + TD(seconds=r.randint(3, 15)), "in", e["reader_id"])
                o.setdefault("_buddy_days", []).append(d)
            else:
                self.badge(oid, site, st, "in")
            if outs:
                e = outs[-1]
                self.badge(oid, e["site_id"], e["ts"] + TD(seconds=r.randint(3, 20)), "out", e["reader_id"])
            a = st + TD(minutes=r.randint(-10, 20))
            b = en + TD(minutes=r.randint(-20, 30))
            self.vpn(oid, a, b, ip)
            self.presence[(oid, d)] = dict(
                mode="remote", site=None, t0=a + TD(minutes=5), t1=b - TD(minutes=5)
            )
        elif form == "card_left_with_colleague":
            t_in = st + TD(minutes=r.randint(-20, 15))
            t_out = en + TD(minutes=r.randint(-10, 30))
            self.badge(oid, site, t_in, "in")
            self.badge(oid, site, t_out, "out")
            a = t_in + TD(minutes=r.randint(5, 30))
            b = t_out - TD(minutes=r.randint(5, 30))
            self.vpn(oid, a, b, ip)
            self.presence[(oid, d)] = dict(
                mode="remote", site=None, t0=a + TD(minutes=5), t1=b - TD(minutes=5)
            )

    # ------------------------------------------------------------ system access
    RATE = {  # (kind, role-substring or rank) -> accesses per 8 hours
        "response": {"PC": 8, "PS": 5, "SC": 4},
        "nbh": {"PC": 6, "PCSO": 2, "PS": 4},
        "lpa": {"INSP": 3, "CI": 1},
        "cid": {"DC": 14, "DS": 10, "DI": 4, "Scale 6": 10},
        "mit": {"DC": 16, "DS": 12, "DI": 5, "DCI": 4, "Scale 6": 12},
        "rasso": {"DC": 13, "DS": 9, "DI": 4},
        "dait": {"DC": 13, "DS": 9, "DI": 4},
        "mash": {"*": 18},
        "intel": {"Intelligence Analyst": 35, "Intelligence Researcher": 45, "DS": 10, "PO3": 12},
        "custody": {"PS": 12, "Scale 4": 8, "INSP": 4},
        "fcr": {"Call Handler": 20, "Dispatcher": 16, "*": 7},
        "imu": {"PNC Operator": 55, "Data Quality Officer": 45, "SO1": 15, "*": 3},
        "psd": {"Counter-Corruption Analyst": 10, "*": 5},
        "hq": {"*": 0.3},
        "trg": {"*": 1},
        "rpu": {"*": 0.2},
        "exec": {"*": 0.5},
        "ppu": {"*": 3},
    }
    MIX = {
        "response": [("case", 35), ("incident", 65)],
        "nbh": [("case", 30), ("incident", 55), ("intel", 15)],
        "lpa": [("incident", 60), ("intel", 40)],
        "cid": [("case", 85), ("intel", 10), ("incident", 5)],
        "mit": [("case", 90), ("intel", 10)],
        "rasso": [("case", 92), ("safeguard", 8)],
        "dait": [("case", 85), ("safeguard", 15)],
        "mash": [("safeguard", 90), ("intel", 10)],
        "intel": [("intel", 85), ("flagged", 15)],
        "custody": [("custody", 100)],
        "fcr": [("incident", 88), ("fcr_dv", 12)],
        "imu": [("dq", 100)],
        "psd": [("psd", 100)],
        "ppu": [("safeguard", 100)],
    }

    def rate_of(self, o):
        tab = self.RATE.get(o["_kind"], {"*": 0.3})
        if o["_role"] in tab:
            return tab[o["_role"]]
        if o["rank"] in tab:
            return tab[o["rank"]]
        return tab.get("*", 2)

    def add_access(
        self, oid, system, action, rid, ts, site=None, purpose="", case_ref="", incident_ref="", **kw
    ):
        row = dict(
            access_id="%d" % (10000000 + self.nid("access")),
            officer_id=oid,
            system=system,
            action=action,
            record_id=rid,
            ts=ts,
            site_id=site or "",
            purpose_code=purpose,
            case_ref=case_ref or "",
            incident_ref=incident_ref,
        )
        self.t["system_access"].append(row)
        return row

    def _prep_access_pools(self):
        self.nominal_plain = [self.nominal[p] for p in self.unflagged]
        self.nominal_flagged = [self.nominal[p] for p in self.flagged]
        self.sens_cases_by_day = {}
        sens = [c for c in self.cases.values() if c["_cat"] in ("domestic", "sexual", "child_abuse")]
        for d in self.dates:
            self.sens_cases_by_day[d] = [
                c["case_ref"]
                for c in sens
                if d - TD(days=21) <= c["opened"] <= d and self.case_recs[c["case_ref"]]["victim"]
            ]
        self.dom_cases_opened = defaultdict(list)
        for c in sens:
            if c["_cat"] == "domestic" and self.case_recs[c["case_ref"]]["victim"]:
                self.dom_cases_opened[c["opened"]].append(c["case_ref"])
        self.recent_suspects = defaultdict(list)
        for c in self.cases.values():
            for rid in self.case_recs[c["case_ref"]]["suspect"]:
                self.recent_suspects[c["opened"]].append((rid, c["case_ref"]))

    def _one_bg_access(self, oid, o, cat, ts, site, d, incs):
        r = self.r
        rr = r.random()
        purpose_blank = rr < 0.0025
        if cat == "case":
            cs = self.active_cases(oid, d)
            if not cs:
                cat = "incident" if o["_kind"] in ("response", "nbh") else "intel"
            else:
                c = r.choice(cs)
                rid = self.case_any_record(c)
                rec = self.records[rid]
                system = "PNC" if rec["sensitivity"] == "suspect" and r.random() < 0.5 else "RMS"
                act = r.choices(["view", "update", "search", "print"], [60, 25, 10, 5])[0]
                return self.add_access(oid, system, act, rid, ts, site, "" if purpose_blank else "INV", c)
        if cat == "incident":
            k = r.random()
            if k < 0.5:
                rid, system = (
                    r.choice(self.nominal_plain if r.random() < 0.8 else self.nominal_flagged),
                    "PNC",
                )
            elif k < 0.85:
                rid, system = r.choice(self.vehicle_recs), "PNC"
            else:
                rid, system = r.choice(self.address_recs), "CAD"
            inc = r.choice(incs)
            return self.add_access(
                oid,
                system,
                "search" if r.random() < 0.55 else "view",
                rid,
                ts,
                site,
                "" if purpose_blank else "INC",
                "",
                inc,
            )
        if cat == "fcr_dv":
            cs = self.dom_cases_opened.get(d)
            if cs:
                c = r.choice(cs)
                rid = r.choice(self.case_recs[c]["victim"])
                return self.add_access(oid, "RMS", "view", rid, ts, site, "INC", c, r.choice(incs))
            return self._one_bg_access(oid, o, "incident", ts, site, d, incs)
        if cat == "intel":
            rid = r.choice(self.intel_recs)
            act = r.choices(
                ["search", "view", "print", "export"],
                [40, 55, 3, 2] if o["_kind"] == "intel" else [40, 60, 0, 0],
            )[0]
            return self.add_access(
                oid, r.choice(["INTEL", "INTEL", "PND"]), act, rid, ts, site, "" if purpose_blank else "INT"
            )
        if cat == "flagged":
            rid = r.choice(self.nominal_flagged)
            return self.add_access(
                oid,
                r.choice(["PNC", "PND"]),
                r.choice(["search", "view"]),
                rid,
                ts,
                site,
                "" if purpose_blank else "INT",
            )
        if cat == "safeguard":
            cs = self.sens_cases_by_day.get(d)
            if cs:
                c = r.choice(cs)
                rid = r.choice(self.case_recs[c]["victim"] + self.case_recs[c]["crime"])
                return self.add_access(
                    oid,
                    r.choice(["PROTECT", "PROTECT", "RMS"]),
                    "view" if r.random() < 0.8 else "update",
                    rid,
                    ts,
                    site,
                    "" if purpose_blank else "SAFE",
                    c,
                )
            return self._one_bg_access(oid, o, "intel", ts, site, d, incs)
        if cat == "custody":
            pool = []
            for k in range(0, 3):
                pool += self.recent_suspects.get(d - TD(days=k), [])
            if pool and r.random() < 0.7:
                rid, c = r.choice(pool)
                return self.add_access(
                    oid,
                    r.choice(["CUSTODY", "CUSTODY", "PNC"]),
                    r.choice(["view", "update", "search"]),
                    rid,
                    ts,
                    site,
                    "" if purpose_blank else "CUS",
                    c,
                )
            rid = r.choice(self.nominal_flagged if r.random() < 0.5 else self.nominal_plain)
            return self.add_access(
                oid,
                r.choice(["CUSTODY", "PNC"]),
                r.choice(["view", "search"]),
                rid,
                ts,
                site,
                "" if purpose_blank else "CUS",
            )
        if cat == "dq":
            rid = (
                r.choice(self.nominal_plain + self.vehicle_recs)
                if r.random() < 0.3
                else r.choice(self.vehicle_recs + self.nominal_flagged)
            )
            return self.add_access(
                oid,
                "PNC",
                "update" if r.random() < 0.7 else "view",
                rid,
                ts,
                site,
                "" if purpose_blank else "DQ",
            )
        if cat == "psd":
            rid = r.choice(self.nominal_plain + self.intel_recs)
            return self.add_access(oid, r.choice(["RMS", "INTEL"]), "view", rid, ts, site, "PSD")
        # admin
        rid = r.choice(self.address_recs + self.vehicle_recs)
        return self.add_access(
            oid, r.choice(["CAD", "PNC"]), "view", rid, ts, site, "" if purpose_blank else "ADM"
        )

    def build_access(self):
        r = self.r
        self._prep_access_pools()
        self.nominal_plain_set = None
        inc_ctr = [0]

        def incidents(d, k):
            out = []
            for _ in range(k):
                inc_ctr[0] += 1
                out.append("INC-%s-%04d" % (d.strftime("%y%m%d"), inc_ctr[0] % 10000))
            return out

        for oid in self.officer_ids:
            o = self.off[oid]
            rate = self.rate_of(o) * o.get("_rate_mult", 1.0)
            mix = self.MIX.get(o["_kind"], [("admin", 100)])
            cats, wts = [m[0] for m in mix], [m[1] for m in mix]
            blocks = []
            if o["_pattern"] == "office":
                for d in self.office_days(oid):
                    p = self.presence.get((oid, d))
                    if p:
                        blocks.append((p["t0"], p["t1"], p["site"]))
            else:
                blocks = [tuple(b) for b in self.worked_blocks(oid)]
            mobile = o["_kind"] in ("response", "nbh", "lpa")
            for st, en, site in blocks:
                hrs = (en - st).total_seconds() / 3600
                if hrs <= 0.3:
                    continue
                n = self.npr.poisson(rate * hrs / 8)
                if n == 0:
                    continue
                d = st.date()
                incs = incidents(d, max(1, min(6, n // 3)))
                span = (en - st).total_seconds() - 1200
                for i in range(n):
                    ts = st + TD(seconds=600 + r.random() * max(span, 60))
                    s = site if site and not (mobile and r.random() < 0.5) else ""
                    if site == "012":
                        s = ""
                    cat = r.choices(cats, wts)[0]
                    self._one_bg_access(oid, o, cat, ts, s, ts.date(), incs)
        # on-call call-outs (ordinary)
        for row in self.on_call_rows:
            if r.random() < 0.12:
                self._callout(row)

    def _callout(self, row, n=None):
        r = self.r
        oid = row["officer_id"]
        o = self.off[oid]
        d = row["_date"] + TD(days=1)
        if row.get("_called") or d > self.end:
            return None
        row["_called"] = True
        t0 = T.combine(d, dt.time(0)) + TD(minutes=r.randint(20, 200))
        unit_cases = []
        for m in self.units[o["unit_id"]]["members"]:
            unit_cases += self.active_cases(m, d)
        if not unit_cases:
            unit_cases = self.active_cases(oid, row["_date"])
        if not unit_cases:
            return None
        c = r.choice(unit_cases)
        n = n or r.randint(2, 6)
        last = t0
        for i in range(n):
            last = t0 + TD(minutes=5 + 12 * i + r.randint(0, 8))
            self.add_access(
                oid,
                r.choice(["RMS", "PNC"]),
                r.choice(["view", "search", "update"]),
                self.case_any_record(c),
                last,
                "",
                "INV",
                c,
            )
        en = last + TD(minutes=r.randint(30, 90))
        ca = T.combine(d, dt.time(9)) + TD(minutes=r.randint(0, 120))
        self.add_shift(
            oid,
            "night",
            t0 - TD(minutes=15),
            en,
            pay="overtime",
            site="",
            created_by=oid,
            created_at=ca,
            approved_by=o["line_manager_id"],
            approved_at=ca + TD(hours=r.randint(3, 30)),
            _work=True,
            _ot=True,
            _callout=True,
        )
        return c

    # ================================================================ PLANTS
    def _fl(self, o):
        """ordinary frontline worker available for the whole period"""
        return (
            o["_pattern"] in ("resp", "nbh", "det", "twelve")
            and not o.get("_joiner")
            and not o.get("_leaver")
            and o["_kind"] != "lpa"
        )

    def _office_pool(self, o):
        return (
            o["_pattern"] == "office"
            and o["work_pattern"] in ("office", "hybrid")
            and o["_kind"] not in ("rpu", "exec")
            and not o.get("_joiner")
            and not o.get("_leaver")
        )

    def plan_plants(self):
        """Choose officers whose roster/attendance must be shaped before the roster is generated."""
        r = self.r
        for oid in self.officer_ids:
            self.off[oid]["_pattern"] = self.pattern_of(self.off[oid])
        self.plan = defaultdict(list)
        # ---- attendance.below_threshold
        for form in ("chronic_low", "declining", "tue_thu_only", "near_threshold"):
            for oid in self.pick(lambda o: self._office_pool(o) and o["work_pattern"] == "hybrid", 2):
                att = {"form": form}
                if form == "declining":
                    att["from"] = self.start + TD(days=int(self.days * r.uniform(0.5, 0.6)))
                self.off[oid]["_att"] = att
                self.plan["below"].append((oid, form))
        for form in ("approved_long_absence", "compressed_hours", "works_other_site"):
            for oid in self.pick(self._office_pool, 2):
                o = self.off[oid]
                att = {"form": form}
                if form == "approved_long_absence":
                    s = self.start + TD(days=r.randint(15, self.days - 45))
                    o["_extra_leave"] = {s + TD(days=i) for i in range(12)}
                    s2 = s + TD(days=r.randint(20, 26))
                    o["_extra_sick"] = {s2 + TD(days=i) for i in range(15)}
                elif form == "compressed_hours":
                    o["_compressed"] = True
                else:
                    att["site"] = "008" if o["_site"] != "008" else "001"
                o["_att"] = att
                self.plan["below_look"].append((oid, form))
        # ---- attendance.badge_only (buddy = colleague whose swipes are shadowed)
        for form in ("swipe_and_leave", "in_only_then_remote", "buddy_swiped", "card_left_with_colleague"):
            for oid in self.pick(self._office_pool, 2):
                o = self.off[oid]
                att = {"form": form, "from": self.start + TD(days=r.randint(5, 20))}
                if form == "buddy_swiped":
                    site = o["_site"]
                    buddy = self.pick(lambda b: self._office_pool(b) and b["_site"] == site, 1)[0]
                    self.off[buddy]["_att"] = {"form": "normal_buddy"}
                    att["buddy"] = buddy
                o["_att"] = att
                o["_no_random_sick"] = True
                self.plan["badge"].append((oid, form))
        for form in ("missing_out_swipe", "multi_site_day"):
            for oid in self.pick(self._office_pool, 2):
                att = {"form": form}
                if form == "multi_site_day":
                    att["site2"] = r.choice(["002", "003", "004"])
                self.off[oid]["_att"] = att
                self.plan["badge_look"].append((oid, form))
        # ---- access.off_duty: sick-leave form needs sickness rostered
        for oid in self.pick(
            lambda o: (
                self._fl(o) and o["_kind"] in ("response", "cid", "nbh") and o["staff_type"] == "officer"
            ),
            2,
        ):
            s = self.start + TD(days=r.randint(20, self.days - 30))
            self.off[oid]["_extra_sick"] = {s + TD(days=i) for i in range(6)}
            self.off[oid]["_no_random_sick"] = True
            self.plan["offduty_sick"].append(oid)
        for oid in self.pick(
            lambda o: self._fl(o) and o["_kind"] in ("response", "custody") and o["staff_type"] == "officer",
            2,
        ):
            s = self.start + TD(days=r.randint(20, self.days - 30))
            self.off[oid]["_extra_sick"] = {s + TD(days=i) for i in range(6)}
            self.off[oid]["_no_random_sick"] = True
            self.plan["overlap_sick"].append(oid)
        # ---- access.volume_outlier: sustained high volume needs a rate multiplier
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_kind"] in ("response", "cid")
                and o["_level"] == 3
                and o["staff_type"] == "officer"
            ),
            2,
        ):
            self.off[oid]["_rate_mult"] = self.r.uniform(3.2, 4.0)
            self.plan["vol_sustained"].append(oid)
        # on-call officers kept out of the rota for other plants that would be confused by call-outs: none

    # ---------------------------------------------------------------- roster helpers
    def basic_rows(self, oid, lo=3, hi=3):
        a, b = self.start + TD(days=lo), self.end - TD(days=hi)
        return sorted(
            [
                x
                for x in self.sh_by_off[oid]
                if x.get("_basic")
                and x["status"] == "worked"
                and a <= x["_date"] <= b
                and x["shift_id"] not in self._extended
                and self.free(oid, x["end"], x["end"] + TD(hours=5), 0, ignore=x)
            ],
            key=lambda x: x["start"],
        )

    def rest_rows(self, oid, lo=3, hi=3):
        a, b = self.start + TD(days=lo), self.end - TD(days=hi)
        return sorted(
            [
                x
                for x in self.sh_by_off[oid]
                if x.get("_rest")
                and x["status"] == "planned"
                and a <= x["_date"] <= b
                and self.free(oid, x["start"] + TD(hours=8), x["start"] + TD(hours=22), 8)
            ],
            key=lambda x: x["start"],
        )

    def mgr(self, oid):
        return self.off[oid]["line_manager_id"]

    def spread(self, rows, k):
        """k rows spread through a sorted list"""
        if len(rows) <= k:
            return list(rows)
        step = len(rows) / k
        return [rows[int(i * step + self.r.random() * step * 0.8)] for i in range(k)]

    def ext_ot(self, oid, base, hours, created_at=None, approved_by=None, approved_at=None, **kw):
        self._extended.add(base["shift_id"])
        st = base["end"]
        en = st + TD(hours=hours)
        ca = created_at or en + TD(hours=self.r.uniform(0.3, 10))
        ab = approved_by if approved_by is not None else self.mgr(oid)
        aa = approved_at or ca + TD(hours=self.r.uniform(5, 60))
        kw.setdefault("_work", True)
        return self.add_shift(
            oid,
            base["duty_type"],
            st,
            en,
            pay="overtime",
            site=base["site_id"],
            created_by=oid,
            created_at=ca,
            approved_by=ab,
            approved_at=aa,
            _ot=True,
            **kw,
        )

    def rdw(
        self,
        oid,
        restrow,
        st_h=8,
        hours=10,
        site=None,
        duty="day",
        created_at=None,
        approved_by=None,
        approved_at=None,
        cancel_by=None,
        **kw,
    ):
        d = restrow["_date"]
        ca = created_at or T.combine(
            d - TD(days=self.r.randint(5, 20)), dt.time(self.r.randint(9, 16), self.r.randint(0, 59))
        )
        restrow["status"] = "cancelled"
        self.add_change(
            restrow,
            cancel_by or restrow["created_by"],
            ca,
            "status",
            "planned",
            "cancelled",
            "Rest day worked",
        )
        st = T.combine(d, dt.time(0)) + TD(hours=st_h)
        kw.setdefault("_work", True)
        return self.add_shift(
            oid,
            duty,
            st,
            st + TD(hours=hours),
            pay="rest_day_worked",
            site=site if site is not None else self.off[oid]["_site"],
            created_at=ca,
            approved_by=approved_by if approved_by is not None else self.mgr(oid),
            approved_at=approved_at or ca + TD(hours=self.r.randint(3, 48)),
            _ot=True,
            **kw,
        )

    def plant_roster(self):
        r = self.r
        DET = "roster.self_approval"
        # ---- self approval
        sgt = lambda o: self._fl(o) and o["rank"] == "PS" and o["_kind"] in ("response", "custody", "nbh")
        for oid in self.pick(sgt, 2):
            rows = self.spread(self.basic_rows(oid), r.randint(2, 3))
            for b in rows:
                x = self.ext_ot(oid, b, r.choice([2, 2.5, 3, 3.5]), approved_by=oid)
                x["approved_at"] = x["created_at"] + TD(minutes=r.randint(1, 12))
            self.mark(
                oid,
                DET,
                "direct_self_approval",
                "Sergeant approved own overtime claims (%d) in the duty system" % len(rows),
                rows[0]["_date"],
                rows[-1]["_date"],
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_level"] == 3 and o["staff_type"] == "officer", 2):
            rows = self.spread(self.basic_rows(oid), r.randint(2, 3))
            for b in rows:
                x = self.ext_ot(oid, b, r.choice([2, 3, 4]), approved_by=self.mgr(oid))
                x["approved_at"] = x["created_at"] + TD(minutes=r.randint(2, 20))
                self.add_change(x, oid, x["approved_at"], "approved_by", "", self.mgr(oid), "")
            self.mark(
                oid,
                DET,
                "forged_manager_approval",
                "Officer entered line manager's id as approver on own overtime (audit trail shows officer made the approval edit)",
                rows[0]["_date"],
                rows[-1]["_date"],
            )
        for oid in self.pick(
            lambda o: (
                sgt(o)
                and any(
                    self.off[m]["line_manager_id"] == o["officer_id"]
                    for m in self.units[o["unit_id"]]["members"]
                )
            ),
            2,
        ):
            subs = [
                m
                for m in self.units[self.off[oid]["unit_id"]]["members"]
                if self.off[m]["line_manager_id"] == oid
            ]
            sub = r.choice(subs)
            rows = self.spread(self.basic_rows(oid), 3)
            for b in rows:
                self.ext_ot(oid, b, r.choice([2, 3, 4]), approved_by=sub)
            self.mark(
                oid,
                DET,
                "subordinate_approver",
                "Sergeant's own overtime approved by constable %s who reports to them" % sub,
                rows[0]["_date"],
                rows[-1]["_date"],
            )
        for oid in self.pick(
            lambda o: self._fl(o) and o["_kind"] in ("custody", "fcr", "response") and o["_level"] >= 3, 2
        ):
            rows = self.spread(self.basic_rows(oid, 10, 10), 3)
            for b in rows:
                old = b["duty_type"]
                b["duty_type"] = "annual_leave"
                b.pop("_basic", None)
                b.pop("_work", None)
                b["_leave"] = True
                at = b["start"] - TD(hours=r.randint(8, 30))
                b["approved_by"] = oid
                b["approved_at"] = at + TD(minutes=r.randint(1, 5))
                self.add_change(b, oid, at, "duty_type", old, "annual_leave", "Leave request")
                self.add_change(b, oid, b["approved_at"], "approved_by", "", oid, "")
            self.mark(
                oid,
                DET,
                "self_approved_duty_change",
                "Short-notice changes of own duties to annual leave approved by the officer themself",
                rows[0]["_date"],
                rows[-1]["_date"],
            )
        # look-alikes
        for oid in self.pick(lambda o: self._fl(o) and o["_level"] == 3, 2):
            for b in self.spread(self.basic_rows(oid), 3):
                self.ext_ot(oid, b, r.choice([1.5, 2, 3]))
            self.lookalike(
                oid,
                DET,
                "self_created_manager_approved",
                "Officer created own overtime requests (created_by=self) but line manager approved them",
            )
        for oid in self.pick(lambda o: o["_kind"] == "rpu" and o["_level"] == 3 and not o.get("_joiner"), 2):
            own = [x for x in self.sh_by_off[oid] if x.get("_basic")]
            for x in own:
                x["created_by"] = oid
            for x in self.spread(own, 4):
                nst = x["start"] + TD(minutes=30)
                self.add_change(
                    x,
                    oid,
                    x["start"] - TD(days=r.randint(1, 6)),
                    "start",
                    f_naive(x["start"]),
                    f_naive(nst),
                    "Flexi start",
                )
                x["end"] += nst - x["start"]
                x["start"] = nst
            self.lookalike(
                oid,
                DET,
                "duty_planner_own_roster",
                "Resource planner creates/edits all rosters incl. own basic shifts; nothing pay-bearing self-approved",
            )

        # ---- overtime overlap
        DET = "roster.overtime_overlap"
        for oid in self.pick(
            lambda o: self._fl(o) and o["_pattern"] in ("resp", "twelve", "nbh") and o["_level"] == 3, 2
        ):
            rows = self.spread(self.basic_rows(oid), r.randint(2, 3))
            for b in rows:
                st = b["start"] + TD(hours=r.choice([1, 2, 3]))
                self.add_shift(
                    oid,
                    "day",
                    st,
                    st + TD(hours=r.choice([4, 5, 6])),
                    pay="overtime",
                    site=r.choice(["012", "005", "003"]),
                    created_by=oid,
                    created_at=b["end"] + TD(hours=r.randint(2, 30)),
                    approved_by=self.mgr(oid),
                    approved_at=b["end"] + TD(days=r.randint(2, 5)),
                    _fake=True,
                    _ot=True,
                )
            self.mark(
                oid,
                DET,
                "ot_overlaps_own_shift",
                "Overtime claimed at another site during own rostered worked shift",
                rows[0]["_date"],
                rows[-1]["_date"],
            )
        for i, oid in enumerate(self.plan["overlap_sick"]):
            self.used.add(oid)
            sick = sorted([x for x in self.sh_by_off[oid] if x.get("_sick")], key=lambda x: x["start"])
            leave = sorted(
                [x for x in self.sh_by_off[oid] if x.get("_leave") and self.start < x["_date"] < self.end],
                key=lambda x: x["start"],
            )
            picks = sick[:1] + self.spread(leave, 1)
            if len(picks) < 2:
                picks = (sick + leave)[:2]
            for b in picks:
                st = T.combine(b["_date"], dt.time(r.choice([8, 10, 12])))
                self.add_shift(
                    oid,
                    "day",
                    st,
                    st + TD(hours=r.choice([6, 8, 10])),
                    pay=r.choice(["overtime", "rest_day_worked"]),
                    site=r.choice(["012", self.off[oid]["_site"]]),
                    created_by=oid,
                    created_at=st + TD(days=r.randint(1, 4)),
                    approved_by=self.mgr(oid),
                    approved_at=st + TD(days=r.randint(4, 9)),
                    _fake=True,
                    _ot=True,
                )
            ds = [b["_date"] for b in picks]
            self.mark(
                oid,
                DET,
                "ot_during_leave_or_sick",
                "Overtime/rest-day working claimed on days rostered sick or on annual leave",
                min(ds),
                max(ds),
            )
        for oid in self.pick(
            lambda o: self._fl(o) and o["_pattern"] in ("resp", "twelve") and o["_level"] == 3, 2
        ):
            rests = self.spread(self.rest_rows(oid), 2)
            for rr in rests:
                self.rdw(oid, rr, st_h=12, hours=8, site="012", duty="late")
                st = T.combine(rr["_date"], dt.time(14))
                self.add_shift(
                    oid,
                    "late",
                    st,
                    st + TD(hours=7),
                    pay="overtime",
                    site=r.choice(["005", "006"]),
                    created_by=oid,
                    created_at=st + TD(days=r.randint(1, 3)),
                    approved_by=r.choice(
                        [m for m in self.units["CUST-C"]["members"] if self.off[m]["rank"] == "PS"]
                        or [self.mgr(oid)]
                    ),
                    approved_at=st + TD(days=r.randint(3, 6)),
                    _fake=True,
                    _ot=True,
                )
            self.mark(
                oid,
                DET,
                "concurrent_ot_claims",
                "Two overlapping overtime claims at different sites on the same rest day (stadium event and custody cover)",
                rests[0]["_date"],
                rests[-1]["_date"],
            )
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_pattern"] in ("resp", "nbh", "twelve")
                and o["_level"] == 3
                and SITE_READERS.get(o["_site"])
            ),
            2,
        ):
            rests = self.spread(self.rest_rows(oid), 2)
            for rr in rests:
                x = self.rdw(oid, rr, st_h=8, hours=10)
                x["_present"] = (
                    x["start"] + TD(minutes=r.randint(0, 20)),
                    x["start"] + TD(hours=r.uniform(2.5, 3.5)),
                )
            self.mark(
                oid,
                DET,
                "claimed_hours_exceed_presence",
                "Rest day worked claimed 08:00-18:00 at own station but badge/system activity shows ~3h presence",
                rests[0]["_date"],
                rests[-1]["_date"],
            )
        for oid in self.pick(
            lambda o: self._fl(o) and o["_pattern"] in ("resp", "twelve") and o["_level"] == 3, 2
        ):
            for b in self.spread(self.basic_rows(oid), 3):
                self.ext_ot(oid, b, r.choice([2, 3]))
            self.lookalike(
                oid,
                DET,
                "back_to_back_extension",
                "Overtime extensions starting exactly when the basic shift ends (touching, not overlapping)",
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_pattern"] in ("resp", "twelve", "det"), 2):
            lv = [
                x
                for x in self.sh_by_off[oid]
                if x.get("_leave") and self.start + TD(days=3) < x["_date"] < self.end - TD(days=3)
            ]
            if not lv:
                continue
            x = r.choice(lv)
            x["status"] = "cancelled"
            at = x["start"] - TD(hours=r.randint(6, 20))
            self.add_change(
                x, self.mgr(oid), at, "status", "worked", "cancelled", "Recalled to duty - critical incident"
            )
            self.add_shift(
                oid,
                "day",
                x["start"],
                x["end"],
                pay="overtime",
                created_by=self.mgr(oid),
                created_at=at,
                approved_by=self.mgr(oid),
                approved_at=at + TD(minutes=20),
                _work=True,
                _ot=True,
            )
            self.lookalike(
                oid,
                DET,
                "recalled_from_leave",
                "Annual leave cancelled (recalled to duty) and overtime worked in its place",
            )
        for oid in self.pick(
            lambda o: self._fl(o) and o["_kind"] in ("response", "cid") and o["staff_type"] == "officer", 2
        ):
            for rr in self.spread(self.rest_rows(oid), 2):
                self.rdw(oid, rr, st_h=9, hours=8, site=r.choice(["010", "011"]), duty="court", _court=True)
            self.lookalike(
                oid,
                DET,
                "court_on_rest_day",
                "Rest day worked at Crown/Magistrates court: no badge swipes because courts have no force readers",
            )

        # ---- retro claims
        DET = "roster.retro_claim"
        for oid in self.pick(lambda o: self._fl(o) and o["_level"] == 3, 2):
            rows = self.spread(self.basic_rows(oid, 3, 50), 3)
            for b in rows:
                ca = b["end"] + TD(days=r.randint(24, 45), hours=r.randint(0, 8))
                self.ext_ot(
                    oid, b, r.choice([2, 3, 3.5]), created_at=ca, approved_at=ca + TD(hours=r.randint(20, 70))
                )
            self.mark(
                oid,
                DET,
                "late_created_claim",
                "Overtime claims entered 3-6 weeks after the shifts they relate to",
                rows[0]["_date"],
                rows[-1]["_date"] + TD(days=45),
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_level"] == 3, 2):
            rows = self.spread(self.basic_rows(oid, 3, 20), 3)
            last = None
            for b in rows:
                x = self.ext_ot(oid, b, 2)
                at = x["approved_at"] + TD(days=r.randint(4, 14), hours=r.randint(0, 8))
                newh = r.choice([4.5, 5, 5.5])
                self.add_change(x, oid, at, "hours_claimed", x["hours_claimed"], newh, "Amended")
                x["hours_claimed"] = newh
                last = at.date()
            self.mark(
                oid,
                DET,
                "hours_raised_after_approval",
                "Hours on approved overtime raised by the officer days after approval (2h -> ~5h)",
                rows[0]["_date"],
                last,
            )
            self.mark(
                oid,
                "roster.overtime_overlap",
                "secondary_hours_raised_after_approval",
                "secondary: claimed hours exceed the recorded overtime period",
                rows[0]["_date"],
                last,
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_level"] == 3, 2):
            rows = self.spread(self.basic_rows(oid, 3, 25), 2)
            last = None
            for b in rows:
                at = b["end"] + TD(days=r.randint(7, 20), hours=r.randint(0, 8))
                newp = "overtime" if r.random() < 0.6 else "bank_holiday"
                self.add_change(b, oid, at, "pay_code", b["pay_code"], newp, "Correction")
                b["pay_code"] = newp
                last = at.date()
            self.mark(
                oid,
                DET,
                "paycode_upgraded_after",
                "Basic worked shifts re-coded to overtime/bank holiday pay 1-3 weeks later by the officer",
                rows[0]["_date"],
                last,
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_level"] == 3, 2):
            rows = self.spread(self.basic_rows(oid, 3, 20), 2)
            last = None
            for b in rows:
                x = self.ext_ot(oid, b, 1.5)
                at = x["approved_at"] + TD(days=r.randint(5, 12))
                new_end = x["end"] + TD(hours=r.choice([2.5, 3]))
                x["_present"] = (x["start"], x["end"])
                self.add_change(
                    x, oid, at, "end", f_naive(x["end"]), f_naive(new_end), "Finished later than recorded"
                )
                x["end"] = new_end
                newh = round((new_end - x["start"]).total_seconds() / 3600, 2)
                self.add_change(x, oid, at + TD(seconds=20), "hours_claimed", x["hours_claimed"], newh, "")
                x["hours_claimed"] = newh
                last = at.date()
            self.mark(
                oid,
                DET,
                "end_extended_after",
                "Overtime end time pushed out ~3h a week after approval; badge shows left at original end",
                rows[0]["_date"],
                last,
            )
            self.mark(
                oid,
                "roster.overtime_overlap",
                "secondary_end_extended_after",
                "secondary: extended overtime hours not supported by presence",
                rows[0]["_date"],
                last,
            )
        # look-alikes
        oc = defaultdict(list)
        for row in self.on_call_rows:
            oc[row["officer_id"]].append(row)
        cands = [o for o in oc if o not in self.used and len(oc[o]) >= 6]
        self.callout_look = []
        for oid in r.sample(cands, 4):
            self.used.add(oid)
            self.callout_look.append(oid)
        for oid in self.callout_look[:2]:
            self.lookalike(
                oid,
                DET,
                "next_day_callout_entry",
                "On-call call-out overtime entered next morning (inherently after the event) and approved by DI",
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_level"] == 3, 2):
            for b in self.spread(self.basic_rows(oid, 3, 20), 2):
                x = self.ext_ot(oid, b, 4)
                at = x["approved_at"] + TD(days=r.randint(1, 6))
                self.add_change(
                    x, self.mgr(oid), at, "hours_claimed", 4, 3, "Correction - claim exceeds time recorded"
                )
                x["hours_claimed"] = 3
                self.add_change(
                    x,
                    self.mgr(oid),
                    at + TD(seconds=30),
                    "end",
                    f_naive(x["end"]),
                    f_naive(x["end"] - TD(hours=1)),
                    "Correction",
                )
                x["end"] -= TD(hours=1)
            self.lookalike(
                oid,
                DET,
                "admin_downward_correction",
                "Line manager corrected overtime hours downward after the shift",
            )

        # ---- network.crew: mutual approval rings among sergeants
        DET = "network.crew"
        ps_pool = lambda o: self._fl(o) and o["rank"] == "PS" and o["_kind"] in ("response", "custody", "nbh")
        for g in range(2):
            gid = "CREW-APPROVE-%d" % (g + 1)
            ring = []
            for _ in range(200):
                ring = self.pick(ps_pool, 3, avoid_used=True)
                mgrs = {self.off[x]["line_manager_id"] for x in ring}
                if not any(self.off[a]["line_manager_id"] == b for a in ring for b in ring):
                    break
                for x in ring:
                    self.used.discard(x)
            spans = []
            for i, oid in enumerate(ring):
                appr = ring[(i + 1) % 3]
                rows = self.spread(self.basic_rows(oid), r.randint(3, 5))
                for b in rows:
                    self.ext_ot(oid, b, r.choice([2, 3, 4]), approved_by=appr)
                spans.append((rows[0]["_date"], rows[-1]["_date"]))
            w0, w1 = min(s[0] for s in spans), max(s[1] for s in spans)
            for i, oid in enumerate(ring):
                self.mark(
                    oid,
                    DET,
                    "mutual_approval_ring",
                    "Three sergeants (not each other's managers) approve one another's overtime in a ring: %s"
                    % "->".join(ring),
                    w0,
                    w1,
                    gid,
                )
        # look-alike: sergeants covering each other's teams (approve team members' claims, never each other's own)
        pair = self.pick(lambda o: ps_pool(o) and o["_kind"] == "response", 2)
        for a, b in ((pair[0], pair[1]), (pair[1], pair[0])):
            team = [
                m
                for m in self.units[self.off[b]["unit_id"]]["members"]
                if self.off[m]["line_manager_id"] == b and m not in self.used
            ]
            for m in team[:4]:
                rows = self.basic_rows(m)
                if rows:
                    self.ext_ot(m, r.choice(rows), 2, approved_by=a)
            self.lookalike(
                a,
                DET,
                "sergeant_cross_cover",
                "Sergeant approves claims of the other sergeant's team while covering; the two never approve each other's own claims",
            )
        # rest-day-worked officers (look-alike for access.off_duty, used later)
        rdw_look = self.pick(
            lambda o: self._fl(o) and o["_kind"] in ("response", "nbh") and o["_level"] == 3, 2
        )
        for oid in rdw_look:
            for rr in self.spread(self.rest_rows(oid), 2):
                self.rdw(oid, rr)
        self.plan["rdw_look"] = rdw_look

    # ---------------------------------------------------------------- access plants
    def duty_slots(self, oid, k, lo=3, hi=3, min_len=3, day_filter=None):
        """k random (ts, site, block_start, block_end) moments while the officer is genuinely on duty."""
        a, b = self.start + TD(days=lo), self.end - TD(days=hi)
        if self.off[oid]["_pattern"] == "office":
            blocks = [(p["t0"], p["t1"], p["site"]) for (o2, d), p in self.presence.items() if o2 == oid]
        else:
            blocks = [tuple(x) for x in self.worked_blocks(oid)]
        blocks = sorted(
            [
                x
                for x in blocks
                if a <= x[0].date() <= b
                and (x[1] - x[0]) >= TD(hours=min_len)
                and (day_filter is None or day_filter(x[0].date()))
            ]
        )
        picks = self.spread(blocks, k)
        out = []
        for st, en, site in picks:
            ts = st + TD(seconds=900 + self.r.random() * max(60, (en - st).total_seconds() - 1800))
            out.append((ts, site if site not in ("012", None) else "", st, en))
        return sorted(out)

    def sec_nopurpose(self, oid, form, w0, w1, group=""):
        self.mark(
            oid,
            "access.no_purpose",
            "secondary_" + form,
            "secondary: the %s lookups had no genuine operational purpose" % form.replace("_", " "),
            w0,
            w1,
            group,
        )

    def plant_access(self):
        r = self.r
        fl_off = lambda o: (
            self._fl(o)
            and o["staff_type"] in ("officer", "special")
            and o["_kind"] in ("response", "nbh", "custody")
        )
        # ---------------- no purpose
        DET = "access.no_purpose"
        for oid in self.pick(fl_off, 2):
            sl = self.duty_slots(oid, r.randint(5, 8))
            for ts, site, _, _ in sl:
                self.add_access(
                    oid,
                    r.choice(["PNC", "RMS"]),
                    "view",
                    r.choice(self.vip_records),
                    ts,
                    site,
                    r.choice(["", "", "OTH"]),
                )
            self.mark(
                oid,
                DET,
                "celebrity_browsing",
                "Views of VIP/celebrity person records with no case, incident or purpose",
                sl[0][0],
                sl[-1][0],
            )
        for oid in self.pick(fl_off, 2):
            sl = self.duty_slots(oid, r.randint(6, 9))
            n = 0
            for ts, site, _, en in sl:
                for j in range(r.randint(2, 4)):
                    self.add_access(
                        oid, "PNC", "search", r.choice(self.nominal_plain), ts + TD(minutes=3 * j), site, ""
                    )
                    n += 1
            self.mark(
                oid,
                DET,
                "fishing_person_searches",
                "%d PNC person searches with blank purpose and no incident/case" % n,
                sl[0][0],
                sl[-1][0],
            )
        closed = [c for c in self.cases.values() if c["closed"] and c["closed"] < self.start - TD(days=30)]
        for oid in self.pick(
            lambda o: fl_off(o) or (self._fl(o) and o["_kind"] == "cid" and o["_level"] == 3), 2
        ):
            sl = self.duty_slots(oid, r.randint(6, 9))
            c = r.choice([x for x in closed if oid not in self.case_officers[x["case_ref"]]])
            for ts, site, _, _ in sl:
                self.add_access(
                    oid,
                    r.choice(["PNC", "RMS"]),
                    "view",
                    r.choice(self.nominal_plain),
                    ts,
                    site,
                    "INV",
                    c["case_ref"],
                )
            self.mark(
                oid,
                DET,
                "closed_case_pretext",
                "Person lookups citing an old closed case (%s) the officer never worked and that does not involve those people"
                % c["case_ref"],
                sl[0][0],
                sl[-1][0],
            )
        hom = [
            c
            for c in self.cases.values()
            if c["case_type"] in ("homicide", "serious violence")
            and self.start <= c["opened"] <= self.end - TD(days=20)
        ]
        if not hom:
            hom = [c for c in self.cases.values() if c["case_type"] in ("homicide", "serious violence")]
        for oid in self.pick(
            lambda o: (
                self._fl(o) and o["_kind"] in ("response", "custody", "nbh", "cid") and o["_level"] == 3
            ),
            2,
        ):
            c = r.choice(hom)
            sl = self.duty_slots(oid, r.randint(6, 9), lo=max(3, (c["opened"] - self.start).days))
            for ts, site, _, _ in sl:
                self.add_access(
                    oid, "RMS", "view", self.case_any_record(c["case_ref"]), ts, site, "INV", c["case_ref"]
                )
            self.mark(
                oid,
                DET,
                "unassigned_major_case_browsing",
                "Repeated views of a major case (%s, %s) the officer is not assigned to, purpose entered as investigation"
                % (c["case_ref"], c["case_type"]),
                sl[0][0],
                sl[-1][0],
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_role"] == "Call Handler", 2):
            sl = self.duty_slots(oid, 12)
            for ts, site, _, _ in sl:
                inc = "INC-%s-%04d" % (ts.strftime("%y%m%d"), r.randint(0, 9999))
                for j in range(3):
                    self.add_access(
                        oid,
                        "PNC",
                        "search",
                        r.choice(self.nominal_plain + self.vehicle_recs),
                        ts + TD(minutes=j),
                        site,
                        "INC",
                        "",
                        inc,
                    )
            self.lookalike(
                oid,
                DET,
                "control_room_incident_checks",
                "Call handler: many person/vehicle checks with no case_ref, all tied to live incidents (INC + incident_ref)",
            )
        for oid in self.pick(
            lambda o: self._fl(o) and o["rank"] in ("PS",) and o["_kind"] == "nbh", 1
        ) + self.pick(lambda o: not o.get("_leaver") and o["_kind"] == "lpa" and o["rank"] == "INSP", 1):
            sl = self.duty_slots(oid, 10)
            for ts, site, st, _ in sl:
                for j in range(r.randint(3, 6)):
                    self.add_access(
                        oid,
                        r.choice(["INTEL", "PNC"]),
                        "view",
                        r.choice(self.intel_recs + self.nominal_flagged),
                        st + TD(minutes=5 + 2 * j),
                        site,
                        "BRF",
                    )
            self.lookalike(
                oid,
                DET,
                "briefing_preparation",
                "Supervisor views intel/flagged nominals at shift start with purpose BRF (briefing), no case",
            )

        # ---------------- off duty
        DET = "access.off_duty"
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_kind"] in ("response", "cid", "nbh", "dait")
                and self.assign_by_off.get(o["officer_id"])
            ),
            2,
        ):
            rests = self.spread(self.rest_rows(oid, 5, 5), 3)
            ds = []
            for rr in rests:
                cs = self.active_cases(oid, rr["_date"]) or [c for c, _, _ in self.assign_by_off[oid]]
                t0 = T.combine(rr["_date"], dt.time(r.randint(18, 22), r.randint(0, 59)))
                for j in range(r.randint(3, 5)):
                    c = r.choice(cs)
                    self.add_access(
                        oid,
                        r.choice(["RMS", "PNC"]),
                        "view",
                        self.case_any_record(c),
                        t0 + TD(minutes=4 * j + r.randint(0, 3)),
                        "",
                        "INV",
                        c,
                    )
                ds.append(rr["_date"])
            self.mark(
                oid,
                DET,
                "rest_day_lookups",
                "Evening lookups from a mobile device on rest days (no shift, no overtime)",
                min(ds),
                max(ds),
            )
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_kind"] in ("response", "cid", "nbh")
                and o["_level"] == 3
                and self.assign_by_off.get(o["officer_id"])
            ),
            2,
        ):
            rows = [
                x for x in self.basic_rows(oid, 5, 5) if x["end"].hour <= 17 and x["end"].date() == x["_date"]
            ]
            rows = self.spread(rows, 4)
            for x in rows:
                cs = self.active_cases(oid, x["_date"]) or [c for c, _, _ in self.assign_by_off[oid]]
                t0 = x["end"] + TD(hours=r.uniform(4, 7))
                for j in range(r.randint(2, 4)):
                    c = r.choice(cs)
                    self.add_access(
                        oid, "RMS", "view", self.case_any_record(c), t0 + TD(minutes=3 * j), "", "INV", c
                    )
            self.mark(
                oid,
                DET,
                "late_night_after_shift",
                "Lookups 4-7 hours after an early/day shift ended, from home",
                rows[0]["_date"],
                rows[-1]["_date"],
            )
        for oid in self.plan["offduty_sick"]:
            self.used.add(oid)
            sick = sorted([x for x in self.sh_by_off[oid] if x.get("_sick")], key=lambda x: x["start"])
            ds = []
            for x in sick[:3]:
                t0 = T.combine(x["_date"], dt.time(r.randint(10, 20), r.randint(0, 59)))
                for j in range(r.randint(2, 4)):
                    self.add_access(
                        oid,
                        "PNC",
                        "search",
                        r.choice(self.nominal_plain + self.vehicle_recs),
                        t0 + TD(minutes=2 * j),
                        "",
                        "INC",
                    )
                ds.append(x["_date"])
            self.mark(
                oid,
                DET,
                "during_sick_leave",
                "PNC searches while rostered sick (purpose code INC entered, no incident)",
                min(ds),
                max(ds),
            )
            self.sec_nopurpose(oid, "during_sick_leave", min(ds), max(ds))
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_kind"] in ("response", "custody", "nbh")
                and any(
                    x.get("_leave") and self.start + TD(days=5) < x["_date"] < self.end - TD(days=5)
                    for x in self.sh_by_off[o["officer_id"]]
                )
            ),
            2,
        ):
            lv = sorted(
                [
                    x
                    for x in self.sh_by_off[oid]
                    if x.get("_leave")
                    and x["status"] == "worked"
                    and self.start + TD(days=5) < x["_date"] < self.end - TD(days=5)
                ],
                key=lambda x: x["start"],
            )
            ds = []
            for x in self.spread(lv, 3):
                t0 = T.combine(x["_date"], dt.time(r.randint(9, 22), r.randint(0, 59)))
                for j in range(r.randint(2, 4)):
                    self.add_access(
                        oid,
                        r.choice(["PNC", "INTEL"]),
                        "view",
                        r.choice(self.nominal_flagged + self.intel_recs),
                        t0 + TD(minutes=3 * j),
                        "",
                        "INT",
                    )
                ds.append(x["_date"])
            self.mark(
                oid, DET, "during_annual_leave", "Intel/PNC views on annual-leave days", min(ds), max(ds)
            )
            self.sec_nopurpose(oid, "during_annual_leave", min(ds), max(ds))
        # look-alikes
        for oid in self.plan.get("rdw_look", []):
            self.lookalike(
                oid,
                DET,
                "rest_day_worked_lookups",
                "Lookups on a rostered rest day that was cancelled and worked as paid rest-day-working",
            )
        for oid in self.callout_look[:2]:
            rows = [
                x
                for x in self.on_call_rows
                if x["officer_id"] == oid and not x.get("_called") and x["_date"] < self.end
            ]
            for x in self.spread(rows, 3):
                self._callout(x)
        for oid in self.callout_look[2:4]:
            rows = [
                x
                for x in self.on_call_rows
                if x["officer_id"] == oid and not x.get("_called") and x["_date"] < self.end
            ]
            for x in self.spread(rows, 3):
                self._callout(x)
            self.lookalike(
                oid,
                DET,
                "on_call_callout",
                "Detective on call (on_call shift) called out overnight; lookups at 01:00-03:00 on unit cases",
            )
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_kind"] in ("cid", "response")
                and o["_level"] == 3
                and self.assign_by_off.get(o["officer_id"])
            ),
            2,
        ):
            for x in self.spread(self.basic_rows(oid, 5, 5), 4):
                cs = self.active_cases(oid, x["_date"]) or [c for c, _, _ in self.assign_by_off[oid]]
                c = r.choice(cs)
                t0 = x["end"] + TD(minutes=r.randint(15, 45))
                for j in range(2):
                    self.add_access(
                        oid,
                        "RMS",
                        "update",
                        self.case_any_record(c),
                        t0 + TD(minutes=4 * j),
                        x["site_id"],
                        "INV",
                        c,
                    )
            self.lookalike(
                oid,
                DET,
                "shift_overrun_paperwork",
                "Updates on own case 15-50 min after shift end (finishing paperwork, no overtime claimed)",
            )

        # ---------------- personal link
        DET = "access.personal_link"

        def lookups(oid, recs, k, purposes=("", "", "INC", "OTH")):
            sl = self.duty_slots(oid, k)
            for ts, site, _, _ in sl:
                for j, rid in enumerate(r.sample(recs, min(len(recs), r.randint(1, 2)))):
                    self.add_access(
                        oid,
                        r.choice(["PNC", "RMS"]),
                        r.choice(["search", "view", "view"]),
                        rid,
                        ts + TD(minutes=j),
                        site,
                        r.choice(purposes),
                    )
            return sl[0][0], sl[-1][0]

        def person_records(p, roles=("witness",), offcat="violence"):
            recs = [self.nominal[p["person_id"]]] if p["person_id"] in self.nominal else []
            if not recs:
                rec = self.new_record("person", p["person_id"])
                self.nominal[p["person_id"]] = rec["record_id"]
                recs.append(rec["record_id"])
            cs = [
                c for c in self.cases.values() if c["opened"] < self.end - TD(days=30) and c["_cat"] == offcat
            ]
            c = r.choice(cs)
            for ro in roles:
                rec = self.new_record("person", p["person_id"], c["case_ref"], ro, offcat)
                self.case_recs[c["case_ref"]][ro].append(rec["record_id"])
                recs.append(rec["record_id"])
            return recs

        pl_pool = lambda o: (
            self._fl(o) and o["_kind"] in ("response", "nbh", "custody", "cid", "fcr") and o["_level"] <= 4
        )
        for oid in self.pick(pl_pool, 2):
            o = self.off[oid]
            p = self.new_person(addr=o["_addr"], gender="F" if o["gender"] == "M" else "M", age=(22, 55))
            recs = person_records(p, ("suspect",), "damage")
            w0, w1 = lookups(oid, recs, r.randint(3, 5))
            self.mark(
                oid,
                DET,
                "household_member_lookup",
                "Looked up %s who lives at the officer's home address (partner)" % p["person_id"],
                w0,
                w1,
            )
            self.sec_nopurpose(oid, "household_member_lookup", w0, w1)
        for oid in self.pick(pl_pool, 2):
            o = self.off[oid]
            a = o["_addr"]
            addr = self.new_address(street=a["si"], no=None)
            # same postcode block: choose a neighbour number in the same 12-block
            blk = (a["no"] // 12) * 12
            for no in list(range(blk, blk + 12)):
                if no > 0 and (a["si"], no, 0) not in self._addr_used and no != a["no"]:
                    self._addr_used.add((a["si"], no, 0))
                    addr = dict(
                        si=a["si"],
                        no=no,
                        flat=0,
                        address=self.addr_str(a["si"], no, 0),
                        postcode=self.postcode(a["si"], no),
                    )
                    break
            p = self.new_person(addr=addr, surname=o["surname"], age=(50, 80))
            recs = person_records(p, ("victim",), "acquisitive")
            w0, w1 = lookups(oid, recs, r.randint(3, 5))
            self.mark(
                oid,
                DET,
                "relative_same_surname_postcode",
                "Looked up %s: same surname, same postcode (parent living nearby)" % p["person_id"],
                w0,
                w1,
            )
            self.sec_nopurpose(oid, "relative_same_surname_postcode", w0, w1)
        self.declared_assoc = []
        for oid in self.pick(pl_pool, 2):
            o = self.off[oid]
            p = self.new_person(
                surname=o["surname"], flags="drugs" if r.random() < 0.5 else "violence;drugs", age=(20, 50)
            )
            self.flagged.append(p["person_id"])
            recs = person_records(p, ("suspect",), "drugs")
            for _ in range(2):
                rec = self.new_record("intel", p["person_id"], sensitivity="none", offcat="drugs")
                recs.append(rec["record_id"])
            self.t["declarations"].append(
                dict(
                    declaration_id="DEC%05d" % self.nid("decl"),
                    officer_id=oid,
                    kind="association",
                    org_id="",
                    org_name="Brother - criminal convictions",
                    person_id=p["person_id"],
                    declared_at=self.start - TD(days=r.randint(200, 700)),
                    valid_until=None,
                    status="approved",
                    associated_officer_id="",
                )
            )
            w0, w1 = lookups(oid, recs, r.randint(4, 6), ("", "INT", "INC"))
            self.mark(
                oid,
                DET,
                "declared_associate_lookup",
                "Looked up own declared associate %s (brother with convictions); declaring does not authorise access"
                % p["person_id"],
                w0,
                w1,
            )
            self.sec_nopurpose(oid, "declared_associate_lookup", w0, w1)
        for oid in self.pick(lambda o: pl_pool(o) and o["phone"], 2):
            o = self.off[oid]
            p = self.new_person(gender="F" if o["gender"] == "M" else "M", age=(22, 50), phone=o["phone"])
            recs = person_records(p, ("victim",), "public_order")
            w0, w1 = lookups(oid, recs, r.randint(7, 10), ("", "", "INC"))
            self.mark(
                oid,
                DET,
                "ex_partner_shared_phone",
                "Repeatedly looked up %s (ex-partner) whose recorded phone is the officer's own number"
                % p["person_id"],
                w0,
                w1,
            )
            self.sec_nopurpose(oid, "ex_partner_shared_phone", w0, w1)
        common = {
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Davies",
            "Evans",
            "Patel",
            "Khan",
            "Thomas",
            "Roberts",
            "Johnson",
            "Walker",
            "Wright",
        }
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_kind"] in ("response", "cid")
                and o["_level"] == 3
                and self.assign_by_off.get(o["officer_id"])
            ),
            2,
        ):
            o = self.off[oid]
            c = r.choice([c for c, s, e in self.assign_by_off[oid] if s < self.end - TD(days=20)])
            p = self.new_person(surname=o["surname"], addr=self.new_address(local=True))
            rec = self.new_record("person", p["person_id"], c, "suspect", self.cases[c]["_cat"])
            self.case_recs[c]["suspect"].append(rec["record_id"])
            sl = self.duty_slots(oid, 4, lo=max(3, (self.cases[c]["opened"] - self.start).days + 1))
            for ts, site, _, _ in sl:
                self.add_access(oid, "PNC", "view", rec["record_id"], ts, site, "INV", c)
            self.lookalike(
                oid,
                DET,
                "common_surname_coincidence",
                "Officer looks up an unrelated suspect who shares their surname (different postcode) on own assigned case %s"
                % c,
            )
        for oid in self.pick(
            lambda o: (
                self._fl(o)
                and o["_kind"] == "nbh"
                and o["_level"] == 3
                and self.assign_by_off.get(o["officer_id"])
                and not self.streets[o["_addr"]["si"]]["away"]
            ),
            2,
        ):
            o = self.off[oid]
            a = o["_addr"]
            c = r.choice([c for c, s, e in self.assign_by_off[oid] if s < self.end - TD(days=20)])
            blk = (a["no"] // 12) * 12
            addr = None
            for no in range(blk, blk + 12):
                if no > 0 and (a["si"], no, 0) not in self._addr_used:
                    self._addr_used.add((a["si"], no, 0))
                    addr = dict(
                        si=a["si"],
                        no=no,
                        flat=0,
                        address=self.addr_str(a["si"], no, 0),
                        postcode=self.postcode(a["si"], no),
                    )
                    break
            p = self.new_person(addr=addr)
            while p["surname"] == o["surname"]:
                p["surname"] = r.choice(SURNAMES)
            rec = self.new_record("person", p["person_id"], c, "suspect", self.cases[c]["_cat"])
            self.case_recs[c]["suspect"].append(rec["record_id"])
            sl = self.duty_slots(oid, 4, lo=max(3, (self.cases[c]["opened"] - self.start).days + 1))
            for ts, site, _, _ in sl:
                self.add_access(oid, "RMS", "view", rec["record_id"], ts, site, "INV", c)
            self.lookalike(
                oid,
                DET,
                "neighbourhood_officer_same_postcode",
                "Beat officer living on their beat looks up a suspect in own postcode on own case %s" % c,
            )

        # ---------------- sensitive victims
        DET = "access.sensitive_victims"
        sens_cases = [
            c
            for c in self.cases.values()
            if c["_cat"] in ("sexual", "domestic")
            and self.case_recs[c["case_ref"]]["victim"]
            and c["opened"] < self.end - TD(days=10)
        ]
        sv_pool = lambda o: (
            self._fl(o) and o["_kind"] in ("response", "nbh", "custody", "cid") and o["_level"] <= 4
        )

        def not_mine(oid, cat):
            return [
                c for c in sens_cases if c["_cat"] == cat and oid not in self.case_officers[c["case_ref"]]
            ]

        for oid in self.pick(sv_pool, 2):
            sl = self.duty_slots(oid, r.randint(6, 9))
            for ts, site, _, _ in sl:
                c = r.choice(not_mine(oid, "sexual"))
                self.add_access(
                    oid,
                    "RMS",
                    "view",
                    r.choice(self.case_recs[c["case_ref"]]["victim"]),
                    ts,
                    site,
                    r.choice(["", "OTH", ""]),
                )
            self.mark(
                oid,
                DET,
                "sexual_victim_browsing",
                "Views of victim records from several sexual-offence cases the officer has no part in",
                sl[0][0],
                sl[-1][0],
            )
            self.sec_nopurpose(oid, "sexual_victim_browsing", sl[0][0], sl[-1][0])
        for oid in self.pick(sv_pool, 2):
            c = r.choice(
                [
                    c
                    for c in not_mine(oid, "domestic")
                    if self.start - TD(days=60) < c["opened"] < self.start + TD(days=40)
                ]
            )
            rid = self.case_recs[c["case_ref"]]["victim"][0]
            sl = self.duty_slots(oid, r.randint(7, 10), lo=max(3, (c["opened"] - self.start).days + 1))
            for ts, site, _, _ in sl:
                self.add_access(oid, r.choice(["RMS", "PNC"]), "view", rid, ts, site, r.choice(["", "INC"]))
            self.mark(
                oid,
                DET,
                "repeated_single_victim",
                "Same domestic-abuse victim record (%s) viewed repeatedly over weeks, not assigned" % rid,
                sl[0][0],
                sl[-1][0],
            )
            self.sec_nopurpose(oid, "repeated_single_victim", sl[0][0], sl[-1][0])
        for oid in self.pick(
            lambda o: (
                sv_pool(o) and o["_kind"] == "cid" and len(self.assign_by_off.get(o["officer_id"], [])) >= 2
            ),
            2,
        ):
            sl = self.duty_slots(oid, r.randint(5, 7))
            for ts, site, _, _ in sl:
                own = self.active_cases(oid, ts.date()) or [c for c, _, _ in self.assign_by_off[oid]]
                c = r.choice(not_mine(oid, r.choice(["sexual", "domestic"])))
                self.add_access(
                    oid,
                    "RMS",
                    "view",
                    r.choice(self.case_recs[c["case_ref"]]["victim"]),
                    ts,
                    site,
                    "INV",
                    r.choice(own),
                )
            self.mark(
                oid,
                DET,
                "pretext_own_case_ref",
                "Victim records of unrelated sexual/domestic cases opened under one of the officer's own case references",
                sl[0][0],
                sl[-1][0],
            )
            self.sec_nopurpose(oid, "pretext_own_case_ref", sl[0][0], sl[-1][0])
        for oid in self.pick(lambda o: sv_pool(o) and o["_kind"] in ("response", "cid"), 2):
            unit = self.units[self.off[oid]["unit_id"]]["members"]
            cands = [
                c
                for c in sens_cases
                if c["_cat"] == "domestic"
                and oid not in self.case_officers[c["case_ref"]]
                and any(m in unit for m in self.case_officers[c["case_ref"]])
            ] or not_mine(oid, "domestic")
            sl = self.duty_slots(oid, r.randint(5, 7))
            for ts, site, _, _ in sl:
                c = r.choice(cands)
                recs = self.case_recs[c["case_ref"]]["witness"] + self.case_recs[c["case_ref"]]["victim"]
                self.add_access(oid, "RMS", "view", r.choice(recs), ts, site, "INV", c["case_ref"])
            self.mark(
                oid,
                DET,
                "colleague_case_witness_victim",
                "Views of victims/witnesses in domestic cases run by team colleagues, citing those cases but never assigned",
                sl[0][0],
                sl[-1][0],
            )
            self.sec_nopurpose(oid, "colleague_case_witness_victim", sl[0][0], sl[-1][0])
        for oid in self.pick(
            lambda o: (
                o["_kind"] == "mash" and o["_role"] == "Safeguarding Practitioner" and self._office_pool(o)
            ),
            2,
        ):
            sl = self.duty_slots(oid, 12, min_len=2)
            for ts, site, _, _ in sl:
                cs = self.sens_cases_by_day.get(ts.date()) or [c["case_ref"] for c in sens_cases]
                c = r.choice(cs)
                self.add_access(
                    oid, "PROTECT", "view", r.choice(self.case_recs[c]["victim"]), ts, site, "SAFE", c
                )
            self.lookalike(
                oid,
                DET,
                "mash_triage",
                "MASH practitioner screens new domestic/sexual referrals (victim records, SAFE, case_ref) without a case assignment",
            )
        for oid in self.pick(lambda o: self._fl(o) and o["_role"] == "Call Handler", 2):
            n = 0
            for d in self.dates:
                blocks = [b for b in self.worked_blocks(oid) if b[0].date() == d]
                cs = self.dom_cases_opened.get(d)
                if blocks and cs and n < 6:
                    st, en, site = blocks[0]
                    c = r.choice(cs)
                    ts = st + TD(minutes=r.randint(30, 300))
                    self.add_access(
                        oid,
                        "RMS",
                        "view",
                        r.choice(self.case_recs[c]["victim"]),
                        ts,
                        site,
                        "INC",
                        c,
                        "INC-%s-%04d" % (d.strftime("%y%m%d"), r.randint(0, 9999)),
                    )
                    n += 1
            self.lookalike(
                oid,
                DET,
                "control_room_dv_call",
                "Call handler views the domestic victim's record during the live 999 call on the day the case opened",
            )

        # ---------------- volume outliers
        DET = "access.volume_outlier"
        for oid in self.pick(lambda o: self._fl(o) and o["_kind"] == "response" and o["rank"] == "PC", 2):
            sl = self.duty_slots(oid, 2, min_len=7)
            n = 0
            for ts, site, st, en in sl:
                k = r.randint(140, 230)
                for j in range(k):
                    t = st + TD(seconds=600 + (en - st - TD(minutes=20)).total_seconds() * j / k)
                    self.add_access(
                        oid,
                        "PNC",
                        "search",
                        r.choice(self.nominal_plain + self.nominal_flagged),
                        t,
                        site,
                        "INT",
                    )
                    n += 1
            self.mark(
                oid,
                DET,
                "bulk_search_spree",
                "%d PNC person searches in %d shifts (peers ~8 lookups a shift)" % (n, len(sl)),
                sl[0][0],
                sl[-1][0],
            )
            self.sec_nopurpose(oid, "bulk_search_spree", sl[0][0], sl[-1][0])
        for oid in self.plan["vol_sustained"]:
            self.used.add(oid)
            self.mark(
                oid,
                DET,
                "sustained_high_volume",
                "Ordinary-looking lookups at ~3.5x the rate of same-role peers for the whole period",
                self.start,
                self.end,
            )
        for oid in self.pick(
            lambda o: (
                o["_kind"] == "intel" and o["_role"] == "Intelligence Researcher" and self._office_pool(o)
            ),
            2,
        ):
            sl = self.duty_slots(oid, 3, min_len=4)
            for ts, site, st, en in sl:
                for j in range(r.randint(35, 60)):
                    self.add_access(
                        oid,
                        "INTEL",
                        r.choice(["export", "export", "print"]),
                        r.choice(self.intel_recs),
                        st + TD(seconds=300 + 40 * j),
                        site,
                        "INT",
                    )
            self.mark(
                oid,
                DET,
                "bulk_export",
                "Bulk export/print of intelligence records on 3 days (peers export a handful a month)",
                sl[0][0],
                sl[-1][0],
            )
            self.sec_nopurpose(oid, "bulk_export", sl[0][0], sl[-1][0])
        for oid in self.pick(
            lambda o: self._fl(o) and o["_kind"] == "custody" and o["_role"] == "Detention Officer", 2
        ):
            s0 = self.start + TD(days=r.randint(20, self.days - 40))
            sl = self.duty_slots(oid, 10, lo=(s0 - self.start).days, hi=max(3, (self.end - s0).days - 24))
            for ts, site, st, en in sl:
                for j in range(r.randint(12, 20)):
                    self.add_access(
                        oid,
                        r.choice(["INTEL", "PND"]),
                        r.choice(["search", "view"]),
                        r.choice(self.intel_recs + self.nominal_flagged),
                        st + TD(minutes=20 + 25 * j),
                        site,
                        "CUS",
                    )
            self.mark(
                oid,
                DET,
                "single_system_surge",
                "Detention officer's intelligence-system use surges to several times custody peers over 3 weeks",
                sl[0][0],
                sl[-1][0],
            )
        for oid in self.pick(
            lambda o: o["_kind"] == "imu" and o["_role"] == "PNC Operator" and not o.get("_joiner"), 2
        ):
            self.lookalike(
                oid,
                DET,
                "pnc_bureau_operator",
                "PNC bureau operator: very high PNC update volume, normal for that role (compare to other operators, not HQ staff)",
            )
        mit = [
            m for m in self.units["MIT"]["members"] if self.off[m]["_level"] in (3, 4) and m not in self.used
        ]
        hcases = [
            c
            for c in self.cases.values()
            if c["case_type"] in ("homicide", "serious violence")
            and self.start + TD(days=10) < c["opened"] < self.end - TD(days=20)
        ]
        if hcases and mit:
            c = r.choice(hcases)
            for m in self.units["MIT"]["members"]:
                if m not in self.case_officers[c["case_ref"]]:
                    self.case_officers[c["case_ref"]].append(m)
                    self.t["case_assignments"].append(
                        dict(
                            case_ref=c["case_ref"],
                            officer_id=m,
                            role="Enquiry Team",
                            start_date=c["opened"],
                            end_date=c["closed"],
                        )
                    )
                    self.assign_by_off[m].append((c["case_ref"], c["opened"], c["closed"]))
                for b in self.worked_blocks(m):
                    if c["opened"] <= b[0].date() <= c["opened"] + TD(days=14):
                        for j in range(r.randint(20, 35)):
                            self.add_access(
                                m,
                                "RMS",
                                r.choice(["view", "update", "search"]),
                                self.case_any_record(c["case_ref"]),
                                b[0] + TD(minutes=10 + 12 * j),
                                b[2],
                                "INV",
                                c["case_ref"],
                            )
            for m in r.sample(mit, min(2, len(mit))):
                self.lookalike(
                    m,
                    DET,
                    "major_investigation_surge",
                    "Whole MIT works %s for two weeks; very high case-linked volume shared by the team"
                    % c["case_ref"],
                )

        # ---------------- network.crew: coordinated lookups of organised-crime nominals
        DET = "network.crew"
        for g in range(2):
            gid = "CREW-LOOKUP-%d" % (g + 1)
            grp = (
                self.pick(lambda o: self._fl(o) and o["_kind"] == "response" and o["_level"] == 3, 1)
                + self.pick(lambda o: self._fl(o) and o["_kind"] == "custody", 1)
                + self.pick(lambda o: self._fl(o) and o["_kind"] in ("fcr", "nbh") and o["_level"] == 3, 1)
            )
            days = []
            for d in self.dates[5:-3]:
                bl = []
                for m in grp:
                    bb = [
                        b for b in self.worked_blocks(m) if b[0].date() == d and (b[1] - b[0]) > TD(hours=4)
                    ]
                    if not bb:
                        break
                    bl.append(bb[0])
                else:
                    days.append((d, bl))
            days = self.spread(days, 3)
            ocg = self.ocgs[g % len(self.ocgs)]
            for d, bl in days:
                target = r.choice(ocg)
                recs = [self.nominal[target]] + self.intel_by_person.get(target, [])[:2]
                for m, (st, en, site) in zip(grp, bl):
                    t0 = st + TD(minutes=r.randint(20, 120))
                    for j, rid in enumerate(recs):
                        self.add_access(
                            m,
                            "PNC" if j == 0 else "INTEL",
                            "view",
                            rid,
                            t0 + TD(minutes=2 * j),
                            site if r.random() < 0.5 else "",
                            r.choice(["", "INC"]),
                        )
            w0, w1 = days[0][0], days[-1][0]
            for m in grp:
                self.mark(
                    m,
                    DET,
                    "co_lookup_tipoff",
                    "Officers from three units look up the same organised-crime nominals on the same days, no case: %s"
                    % ",".join(grp),
                    w0,
                    w1,
                    gid,
                )
                self.sec_nopurpose(m, "co_lookup_tipoff", w0, w1)

    # ---------------------------------------------------------------- organisations, memberships, declarations
    ORG_SOURCE = {
        "freemasonry": "Lodge membership roll (provincial return)",
        "business": "Companies register extract - officers",
        "political": "Party branch membership list",
        "club": "Club membership list",
        "charity": "Charity trustees register",
        "religious": "Committee membership list",
        "other": "Members directory",
    }

    def add_org(self, name, kind, postcode=None):
        oid = "ORG%04d" % self.nid("org")
        self.orgs[oid] = dict(
            org_id=oid,
            name=name,
            kind=kind,
            postcode=postcode or self.postcode(self.r.choice(self.local_streets), self.r.randint(1, 200)),
        )
        self.org_members[oid] = []
        return oid

    def add_member(self, org, surname, forenames, dob, postcode, since, until=None, source=None):
        mid = "MB%06d" % self.nid("member")
        row = dict(
            membership_id=mid,
            org_id=org,
            member_surname=surname,
            member_forenames=forenames,
            member_date_of_birth=dob,
            member_postcode=postcode,
            since=since,
            until=until,
            source=source or self.ORG_SOURCE[self.orgs[org]["kind"]],
        )
        self.t["memberships"].append(row)
        self.org_members[org].append(row)
        return row

    def add_decl(
        self,
        oid,
        kind,
        org="",
        org_name="",
        person="",
        declared=None,
        valid_until=None,
        status="approved",
        assoc="",
    ):
        did = "DEC%05d" % self.nid("decl")
        self.t["declarations"].append(
            dict(
                declaration_id=did,
                officer_id=oid,
                kind=kind,
                org_id=org,
                org_name=org_name,
                person_id=person,
                declared_at=declared or self.start - TD(days=self.r.randint(30, 500)),
                valid_until=valid_until,
                status=status,
                associated_officer_id=assoc,
            )
        )
        return did

    def member_from_officer(self, org, oid, since, until=None, name_style=0, pc_style=0):
        o = self.off[oid]
        fn = o["forenames"]
        if name_style == 1:
            first = fn.split()[0]
            fn = NICK.get(first, first[0] + ".") + (" " + fn.split()[1] if len(fn.split()) > 1 else "")
        elif name_style == 2:
            fn = fn.split()[0] + " " + self.r.choice(["J.", "M.", "A.", "R."])
        a = o["_addr"]
        return self.add_member(
            org,
            o["surname"] if name_style != 3 else o["surname"].upper(),
            fn,
            o["date_of_birth"],
            self.postcode(a["si"], a["no"], pc_style),
            since,
            until,
        )

    def member_from_person(self, org, pid, since, until=None):
        p = self.persons[pid]
        return self.add_member(
            org, p["surname"], p["forenames"], p["date_of_birth"], p["postcode"], since, until
        )

    def random_member(self, org, with_dob=True):
        sur, fn, g = self.person_name()
        since = self.start - TD(days=self.r.randint(30, 365 * 20))
        until = None
        if self.r.random() < 0.12:
            until = since + TD(days=self.r.randint(200, 3000))
            if until >= self.start:
                until = None
        si = self.r.choice(
            self.local_streets if self.r.random() < 0.85 else self.away_streets or self.local_streets
        )
        return self.add_member(
            org,
            sur,
            fn,
            self.rand_dob(20, 80) if with_dob else None,
            self.postcode(si, self.r.randint(1, 220)),
            since,
            until,
        )

    def build_associations(self):
        r = self.r
        self.orgs = {}
        self.org_members = defaultdict(list)
        lodges = [
            self.add_org(n, "freemasonry")
            for n in [
                "Lodge of St Aldhelm No. 4127",
                "Elmford Lodge of Harmony No. 7712",
                "Carrow Lodge of Fidelity No. 3311",
            ]
        ]
        biz_names = [
            "Carrow Car Sales Ltd",
            "Northam Security Services Ltd",
            "Elm Vending Ltd",
            "WX Hand Car Wash Ltd",
            "Westmere Lettings Ltd",
            "Bright Nails (Carrow) Ltd",
            "Southby Scaffolding Ltd",
            "Castle Tyres Ltd",
            "Night Owl Private Hire Ltd",
            "Hallington Property Services Ltd",
            "Mill Lane Motors Ltd",
            "Quayside Bar Ltd",
            "Fernleigh Care Ltd",
            "Priory Builders Ltd",
            "Orchard Vape Ltd",
            "Granville Investments Ltd",
            "Station Road Kebabs Ltd",
            "Elmford Driving School Ltd",
            "Peak Fitness Studio Ltd",
            "Moorside Logistics Ltd",
            "Vinewood Recruitment Ltd",
            "Harbour Tanning Ltd",
            "Crossway Cleaning Ltd",
            "Redgate Scrap Metals Ltd",
            "Lantern Events Ltd",
            "Kestrel Consulting Ltd",
            "Sycamore Dental Ltd",
            "Blueline Couriers Ltd",
            "Three Oaks Garden Centre Ltd",
            "Rowan IT Services Ltd",
            "Windmill Bakery Ltd",
            "Hawthorn Tattoo Ltd",
        ]
        biz = [self.add_org(n, "business") for n in biz_names]
        parties = [
            self.add_org(n, "political")
            for n in ["Wessex Independent Alliance - Carrow Branch", "Northam & Elmford People's Party"]
        ]
        clubs = [
            self.add_org(n, "club")
            for n in [
                "Carrow Rugby Football Club",
                "Elmford Golf Club",
                "Northam Amateur Boxing Club",
                "Southby Running Club",
                "Westmere Angling Society",
            ]
        ]
        char = [
            self.add_org(n, "charity")
            for n in ["Carrow Food Bank", "Blue Lamp Benevolent Trust", "Northam Youth Trust"]
        ]
        relg = [
            self.add_org(n, "religious")
            for n in [
                "St Mary's Parish Church Council",
                "Carrow Central Mosque Committee",
                "Elmford Gurdwara Committee",
            ]
        ]
        other = [self.add_org("Carrow Chamber of Commerce", "other")]
        # background members (mostly non-officers)
        for o in lodges:
            for _ in range(r.randint(40, 70)):
                self.random_member(o)
        for o in biz:
            for _ in range(r.randint(1, 3)):
                self.random_member(o)
            if r.random() < 0.3:
                self.member_from_person(
                    o, r.choice(self.unflagged), self.start - TD(days=r.randint(100, 3000))
                )
        # some ordinary flagged directors (front companies with no police connection)
        flagged_biz = r.sample(biz, 6)
        clean_biz = [b for b in biz if b not in flagged_biz]
        for o in flagged_biz:
            self.member_from_person(o, r.choice(self.flagged), self.start - TD(days=r.randint(100, 2000)))
        for o in parties:
            for _ in range(r.randint(120, 180)):
                self.random_member(o, with_dob=r.random() < 0.6)
        big_club = clubs[0]
        for o in clubs:
            for _ in range(r.randint(80, 160) if o == big_club else r.randint(40, 90)):
                self.random_member(o, with_dob=r.random() < 0.5)
            for pid in r.sample(self.flagged, 3 if o in (big_club, clubs[2]) else 1):
                self.member_from_person(o, pid, self.start - TD(days=r.randint(100, 3000)))
        for o in char + relg + other:
            for _ in range(r.randint(8, 30)):
                self.random_member(o)
        # background officers on lists, properly declared (or not needing declaration)
        pool = lambda o: not o.get("_joiner")
        for oid in self.pick(pool, 3):
            org = r.choice(lodges)
            since = self.start - TD(days=r.randint(400, 5000))
            self.member_from_officer(org, oid, since)
            self.add_decl(
                oid,
                "membership",
                org=org,
                declared=since + TD(days=r.randint(5, 60))
                if since > self.start - TD(days=700)
                else self.start - TD(days=r.randint(30, 300)),
                valid_until=self.end + TD(days=r.randint(60, 300)),
            )
        for oid in self.pick(pool, 5):
            org = r.choice(clean_biz)
            since = self.start - TD(days=r.randint(200, 3000))
            self.member_from_officer(org, oid, since)
            self.add_decl(
                oid,
                "business_interest",
                org=org,
                declared=self.start - TD(days=r.randint(20, 300)),
                valid_until=self.end + TD(days=r.randint(30, 300)) if r.random() < 0.7 else None,
            )
        for oid in self.pick(lambda o: pool(o) and o["staff_type"] == "staff", 2):
            org = r.choice(parties)
            self.member_from_officer(org, oid, self.start - TD(days=r.randint(200, 2000)))
            self.add_decl(oid, "membership", org=org, valid_until=self.end + TD(days=200))
        for oid in r.sample([x for x in self.officer_ids if x not in self.used], 18):
            org = r.choice(clubs)
            self.member_from_officer(org, oid, self.start - TD(days=r.randint(100, 4000)))
        for oid in r.sample([x for x in self.officer_ids if x not in self.used], 6):
            org = r.choice(char + relg)
            self.member_from_officer(org, oid, self.start - TD(days=r.randint(100, 4000)))
            if r.random() < 0.4:
                self.add_decl(oid, "association", org=org)
        jobs = [
            "Self-employed driving instructor (weekends)",
            "Bar work - Quayside Bar",
            "Rugby coaching (paid)",
            "Private tutoring",
            "Photography business",
            "Holiday let owner",
            "Personal trainer",
            "Retained firefighter",
            "Musician - function band",
            "Dog walking business",
        ]
        for oid in r.sample(self.officer_ids, 16):
            st = r.choices(["approved", "pending", "rejected"], [80, 12, 8])[0]
            self.add_decl(
                oid,
                "secondary_employment",
                org_name=r.choice(jobs),
                status=st,
                valid_until=self.end + TD(days=r.randint(30, 365)) if r.random() < 0.8 else None,
            )
        for oid in r.sample(self.officer_ids, 10):
            self.add_decl(
                oid,
                "gift",
                org_name=r.choice(
                    [
                        "Hospitality - supplier lunch",
                        "Tickets - charity gala",
                        "Gift - bottle of wine from victim's family (declined)",
                        "Hospitality - conference dinner",
                    ]
                ),
                declared=self.start + TD(days=r.randint(0, self.days - 1)),
                status=r.choice(["approved", "approved", "pending"]),
            )

        # ---------------- association.undeclared_membership
        DET = "association.undeclared_membership"
        notif = lambda o: not o.get("_joiner") and not o.get("_leaver")
        for oid in self.pick(notif, 2):
            since = self.start - TD(days=r.randint(300, 4000))
            self.member_from_officer(r.choice(lodges), oid, since)
            self.mark(
                oid,
                DET,
                "lodge_member_undeclared",
                "On a lodge roll (exact name, DOB, postcode); no declaration at all",
                since,
                self.end,
            )
        for oid in self.pick(
            lambda o: notif(o) and (o["forenames"].split()[0] in NICK or len(o["forenames"].split()) > 1), 2
        ):
            since = self.start - TD(days=r.randint(100, 1500))
            org = r.choice(clean_biz)
            self.member_from_officer(org, oid, since, name_style=1, pc_style=1)
            self.mark(
                oid,
                DET,
                "director_name_variant",
                "Company director under a short/nickname forename and unspaced postcode (same DOB); no declaration",
                since,
                self.end,
            )
        for oid in self.pick(notif, 2):
            since = self.start - TD(days=r.randint(900, 3000))
            org = r.choice(lodges + clean_biz)
            self.member_from_officer(org, oid, since)
            vu = self.start - TD(days=r.randint(40, 300))
            self.add_decl(
                oid,
                "membership" if self.orgs[org]["kind"] == "freemasonry" else "business_interest",
                org=org,
                declared=vu - TD(days=365),
                valid_until=vu,
            )
            self.mark(
                oid,
                DET,
                "expired_declaration",
                "Membership continues but the only declaration expired on %s and was never renewed" % vu,
                vu,
                self.end,
            )
        for i, oid in enumerate(self.pick(notif, 2)):
            since = self.start - TD(days=r.randint(200, 1200))
            org = r.choice(parties)
            self.member_from_officer(org, oid, since, name_style=3 if i == 0 else 0)
            st = "rejected" if i == 0 else "pending"
            self.add_decl(oid, "membership", org=org, declared=since + TD(days=r.randint(10, 100)), status=st)
            self.mark(
                oid,
                DET,
                "declaration_not_approved",
                "Political party member; declaration %s (never approved) yet membership continues" % st,
                since,
                self.end,
            )
        # look-alikes
        for oid in self.pick(notif, 2):
            o = self.off[oid]
            si = r.choice(self.local_streets)
            self.add_member(
                r.choice(lodges),
                o["surname"],
                o["forenames"],
                self.rand_dob(30, 75),
                self.postcode(si, r.randint(1, 200)),
                self.start - TD(days=r.randint(300, 5000)),
            )
            self.lookalike(
                oid,
                DET,
                "namesake_non_officer",
                "A lodge member has exactly the officer's name but a different DOB and postcode",
            )
        for oid in self.pick(notif, 2):
            org = r.choice(lodges + clean_biz)
            since = self.start - TD(days=r.randint(300, 3000))
            self.member_from_officer(org, oid, since)
            self.add_decl(
                oid,
                "membership" if self.orgs[org]["kind"] == "freemasonry" else "business_interest",
                org=org,
                declared=self.start - TD(days=r.randint(20, 200)),
                valid_until=self.end + TD(days=200),
            )
            self.lookalike(
                oid,
                DET,
                "declared_approved_member",
                "On an outside list with an approved, current declaration",
            )
        for oid in self.pick(notif, 2):
            self.member_from_officer(r.choice(clubs), oid, self.start - TD(days=r.randint(300, 3000)))
            self.lookalike(oid, DET, "non_notifiable_club", "Sports club member - clubs need no declaration")
        for oid in self.pick(notif, 2):
            since = self.start - TD(days=r.randint(3000, 6000))
            self.member_from_officer(
                r.choice(lodges), oid, since, until=since + TD(days=r.randint(400, 1500))
            )
            self.lookalike(
                oid, DET, "lapsed_membership", "Left the lodge years ago (until date well before the period)"
            )

        # ---------------- association.undeclared_link
        DET = "association.undeclared_link"
        ul = lambda o: not o.get("_joiner") and not o.get("_leaver")

        def flagged_at(addr, flags=None, **kw):
            p = self.new_person(
                addr=addr,
                flags=flags
                or r.choice(["ocg;drugs", "drugs", "violence;weapons", "ocg;money_laundering", "fraud"]),
                **kw,
            )
            self.flagged.append(p["person_id"])
            self.new_record("intel", p["person_id"], offcat="drugs")
            return p

        for oid in self.pick(ul, 2):
            p = flagged_at(self.off[oid]["_addr"], age=(20, 55))
            self.mark(
                oid,
                DET,
                "flagged_person_at_home",
                "Flagged person %s (%s) lives at the officer's home address; not declared"
                % (p["person_id"], p["nominal_flags"]),
                self.start,
                self.end,
            )
        for oid in self.pick(lambda o: ul(o) and o["phone"], 2):
            o = self.off[oid]
            ph = "+44 " + o["phone"][1:].replace(" ", "")
            p = flagged_at(None, phone=ph, age=(20, 55))
            self.mark(
                oid,
                DET,
                "shared_phone_flagged",
                "Flagged person %s's phone is the officer's number (recorded in +44 format); not declared"
                % p["person_id"],
                self.start,
                self.end,
            )
        for oid in self.pick(ul, 2):
            o = self.off[oid]
            a = o["_addr"]
            p = flagged_at(a, age=(20, 55))
            p["address"] = self.addr_str(a["si"], a["no"], a["flat"], style=1)
            p["postcode"] = self.postcode(a["si"], a["no"], style=r.choice([1, 2]))
            self.mark(
                oid,
                DET,
                "address_format_variant",
                "Flagged person %s at the officer's address written differently ('%s' / '%s'); not declared"
                % (p["person_id"], p["address"], p["postcode"]),
                self.start,
                self.end,
            )
        for i, oid in enumerate(self.pick(ul, 2)):
            p = flagged_at(self.off[oid]["_addr"], age=(20, 55))
            if i == 0:
                self.add_decl(
                    oid,
                    "association",
                    person=p["person_id"],
                    org_name="Partner",
                    declared=self.start - TD(days=500),
                    valid_until=self.start - TD(days=135),
                )
                nt = "declaration expired"
            else:
                self.add_decl(
                    oid,
                    "association",
                    person=p["person_id"],
                    org_name="Partner",
                    declared=self.start - TD(days=250),
                    status="pending",
                )
                nt = "declaration pending for months"
            self.mark(
                oid,
                DET,
                "declaration_not_current",
                "Flagged person %s shares the officer's address; %s" % (p["person_id"], nt),
                self.start,
                self.end,
            )
        for oid in self.pick(ul, 2):
            p = flagged_at(self.off[oid]["_addr"], surname=self.off[oid]["surname"], age=(18, 30))
            self.add_decl(
                oid,
                "association",
                person=p["person_id"],
                org_name="Son - lives at home, convictions",
                declared=self.start - TD(days=r.randint(30, 400)),
                valid_until=self.end + TD(days=r.randint(30, 300)),
            )
            self.lookalike(
                oid,
                DET,
                "declared_family_link",
                "Flagged son at home address with an approved, current association declaration",
            )
        for oid in self.pick(lambda o: ul(o) and o["_addr"]["flat"] > 0, 2):
            a = self.off[oid]["_addr"]
            for fl in range(1, 40):
                if (a["si"], a["no"], fl) not in self._addr_used:
                    self._addr_used.add((a["si"], a["no"], fl))
                    break
            addr = dict(
                si=a["si"],
                no=a["no"],
                flat=fl,
                address=self.addr_str(a["si"], a["no"], fl),
                postcode=self.postcode(a["si"], a["no"]),
            )
            flagged_at(addr, age=(20, 60))
            self.lookalike(
                oid,
                DET,
                "same_building_other_flat",
                "Flagged person lives in another flat of the officer's block (same postcode and building number)",
            )

        # ---------------- network.hidden_link
        DET = "network.hidden_link"
        for oid in self.pick(ul, 2):
            o = self.off[oid]
            x = self.new_person(addr=o["_addr"], gender="F" if o["gender"] == "M" else "M", age=(22, 55))
            y = self.persons[r.choice([p for p in self.ocgs[r.randrange(len(self.ocgs))]])]
            if not y["phone"]:
                y["phone"] = self.phone()
            x["phone"] = y["phone"]
            self.mark(
                oid,
                DET,
                "via_intermediary_person",
                "Officer lives with %s (unflagged) whose phone is also used by OCG nominal %s"
                % (x["person_id"], y["person_id"]),
                self.start,
                self.end,
            )
        for oid in self.pick(ul, 2):
            org = self.add_org(
                r.choice(["Kestrel", "Falcon", "Harrier", "Osprey", "Merlin"])
                + " "
                + r.choice(["Autos", "Property Holdings", "Security", "Vehicle Hire"])
                + " Ltd",
                "business",
            )
            since = self.start - TD(days=r.randint(200, 900))
            self.member_from_officer(org, oid, since)
            self.add_decl(
                oid,
                "business_interest",
                org=org,
                declared=since + TD(days=20),
                valid_until=self.end + TD(days=200),
            )
            y = r.choice(self.ocgs[r.randrange(len(self.ocgs))])
            self.member_from_person(org, y, since - TD(days=r.randint(0, 200)))
            self.random_member(org)
            self.mark(
                oid,
                DET,
                "via_small_business",
                "Declared co-director of %s whose other director is OCG nominal %s (link not declared)"
                % (org, y),
                since,
                self.end,
            )
        pairs = []
        for _ in range(2):
            for _try in range(500):
                a = self.pick(
                    lambda o: (
                        ul(o)
                        and o["_level"] == 3
                        and o["staff_type"] == "officer"
                        and o["line_manager_id"]
                        and o["line_manager_id"] not in self.used
                        and self.off[o["line_manager_id"]]["_level"] == 4
                    ),
                    1,
                )[0]
                b = self.off[a]["line_manager_id"]
                self.used.add(b)
                pairs.append((a, b))
                break
        for i, (a, b) in enumerate(pairs):
            oa, ob = self.off[a], self.off[b]
            oa["_addr"] = ob["_addr"]
            oa["home_address"], oa["home_postcode"] = ob["home_address"], ob["home_postcode"]
            if i == 1 and ob["phone"]:
                oa["phone"] = ob["phone"]
            gid = "TIE-%d" % (i + 1)
            for m in (a, b):
                self.mark(
                    m,
                    DET,
                    "undeclared_officer_tie",
                    "Constable %s and their own line manager %s share a home address%s; no declaration"
                    % (a, b, " and phone" if i == 1 else ""),
                    self.start,
                    self.end,
                    gid,
                )
        for oid in self.pick(lambda o: ul(o) and o["phone"], 2):
            o = self.off[oid]
            x = self.new_person(surname=o["surname"], phone=o["phone"], age=(25, 60))
            org = self.add_org(
                r.choice(["Northgate", "Eastway", "Southfield", "Westbrook"])
                + " "
                + r.choice(["Car Wash", "Trading", "Scrap Metals", "Lettings"])
                + " Ltd",
                "business",
            )
            since = self.start - TD(days=r.randint(100, 700))
            self.member_from_person(org, x["person_id"], since)
            y = r.choice(self.ocgs[r.randrange(len(self.ocgs))])
            self.member_from_person(org, y, since)
            self.mark(
                oid,
                DET,
                "via_relative_business",
                "Officer's phone is recorded for relative %s, co-director of %s with OCG nominal %s"
                % (x["person_id"], org, y),
                since,
                self.end,
            )
        # look-alikes
        for _ in range(2):
            a, b = self.pick(lambda o: ul(o) and o["_level"] <= 4, 2)
            if self.off[a]["unit_id"] == self.off[b]["unit_id"]:
                pass
            oa, ob = self.off[a], self.off[b]
            oa["_addr"] = ob["_addr"]
            oa["home_address"], oa["home_postcode"] = ob["home_address"], ob["home_postcode"]
            d0 = self.start - TD(days=r.randint(100, 900))
            self.add_decl(a, "association", org_name="Married to colleague %s" % b, declared=d0, assoc=b)
            self.add_decl(
                b, "association", org_name="Married to colleague %s" % a, declared=d0 + TD(days=3), assoc=a
            )
            for m in (a, b):
                self.lookalike(
                    m,
                    DET,
                    "declared_officer_couple",
                    "Officers share a home address; relationship declared and approved (associated_officer_id)",
                )
        for oid in self.pick(ul, 2):
            self.member_from_officer(big_club, oid, self.start - TD(days=r.randint(300, 3000)))
            self.lookalike(
                oid,
                DET,
                "large_club_comembership",
                "Member of a large rugby club that also lists flagged people (no personal tie)",
            )
        for o in self.orgs.values():
            self.t["organisations"].append(dict(o))

    # ---------------------------------------------------------------- complaints
    CATS_PUBLIC = [
        ("Use of force", "Excessive force during arrest"),
        ("Incivility", "Rude and dismissive manner"),
        ("Neglect or failure in duty", "Failed to investigate reported crime"),
        ("Unlawful arrest or detention", "Arrest without grounds"),
        ("Search", "Search of vehicle without grounds"),
        ("Property", "Property seized not returned"),
        ("Discriminatory behaviour", "Treated differently because of race"),
        ("Handling of information", "Shared personal details with third party"),
    ]
    CATS_INTERNAL = [
        ("Discreditable conduct", "Behaviour off duty"),
        ("Honesty and integrity", "Inaccurate duty record"),
        ("Confidentiality", "Unauthorised disclosure"),
        ("Orders and instructions", "Failed to follow policy"),
    ]
    FINDINGS = [
        "Not upheld",
        "Not upheld",
        "No case to answer",
        "Service acceptable",
        "Local resolution",
        "Upheld",
        "Pending",
    ]

    def add_complaint(self, received, incident, cat, source, subjects, findings=None, allegation=None):
        yr = received.year
        cid = "CMP-%d-%04d" % (yr, self.nid("cmp%d" % yr))
        self.t["complaints"].append(
            dict(
                complaint_id=cid, received_date=received, incident_date=incident, category=cat, source=source
            )
        )
        for i, s in enumerate(subjects):
            f = (findings[i] if findings else None) or (
                "Pending" if received > self.end - TD(days=40) else self.r.choice(self.FINDINGS)
            )
            self.t["complaint_subjects"].append(
                dict(complaint_id=cid, officer_id=s, allegation=allegation or cat, finding=f)
            )
        return cid

    def build_complaints(self):
        r = self.r
        fl = [
            o
            for o in self.officer_ids
            if self.off[o]["_pattern"] != "office" and self.off[o]["staff_type"] != "special"
        ]
        n = int(len(fl) * 0.3 * 2.2 / 1.6)
        pair_n = defaultdict(int)
        lo = self.start - TD(days=730)
        for _ in range(n):
            a = r.choice(fl)
            inc = lo + TD(days=r.randint(0, 730 + self.days - 10))
            rec = inc + TD(days=r.randint(0, 60))
            if rec > self.end:
                rec = self.end
            if inc < self.off[a]["start_date"]:
                continue
            k = r.choices([1, 2, 3, 4], [55, 30, 10, 5])[0]
            team = [
                m
                for m in self.units[self.off[a]["unit_id"]]["members"]
                if m != a and self.off[m]["start_date"] <= inc
            ]
            subs = [a] + r.sample(team, min(k - 1, len(team)))
            prs = [tuple(sorted((x, y))) for i, x in enumerate(subs) for y in subs[i + 1 :]]
            if any(pair_n[p] >= 2 for p in prs):
                subs = [a]  # background never co-names the same pair a third time
                prs = []
            for p in prs:
                pair_n[p] += 1
            if r.random() < 0.87:
                cat, alg = r.choice(self.CATS_PUBLIC)
                src = "public"
            else:
                cat, alg = r.choice(self.CATS_INTERNAL)
                src = "internal"
            self.add_complaint(rec, inc if r.random() < 0.95 else None, cat, src, subs, allegation=alg)
        # ---- network.crew: co-complaint clusters
        DET = "network.crew"
        for g in range(2):
            gid = "CREW-COMPLAINT-%d" % (g + 1)
            elig = lambda o: (
                self._fl(o)
                and o["_level"] == 3
                and o["staff_type"] == "officer"
                and (self.start - o["start_date"]).days > 500
                and o["officer_id"] not in self.used
            )
            avail = {
                u: sum(1 for m in self.units[u]["members"] if elig(self.off[m]))
                for u in self.units
                if self.units[u]["kind"] in ("response", "nbh")
            }
            unit = max(avail, key=lambda u: (avail[u], u))
            grp = self.pick(
                lambda o: (
                    self._fl(o)
                    and o["unit_id"] == unit
                    and o["_level"] == 3
                    and o["staff_type"] == "officer"
                    and (self.start - o["start_date"]).days > 500
                ),
                r.choice([3, 4]),
            )
            ds = []
            nk = r.randint(5, 6)
            for k in range(nk):
                inc = (
                    self.start
                    - TD(days=420)
                    + TD(days=int((420 + self.days - 25) * (k + 0.3 + r.random() * 0.5) / nk))
                )
                rec = inc + TD(days=r.randint(1, 20))
                subs = grp if len(grp) == 3 or r.random() < 0.5 else r.sample(grp, 3)
                cat, alg = r.choice(
                    [
                        ("Use of force", "Excessive force during arrest"),
                        ("Property", "Cash missing after search"),
                        ("Search", "Strip search without grounds"),
                        ("Unlawful arrest or detention", "Oppressive conduct"),
                    ]
                )
                fnd = [r.choice(["Not upheld", "Not upheld", "Pending", "Upheld"]) for _ in subs]
                self.add_complaint(rec, inc, cat, "public" if k != 2 else "internal", subs, fnd, alg)
                ds += [inc, rec]
            for m in grp:
                self.mark(
                    m,
                    DET,
                    "co_complaint_cluster",
                    "Same %d response officers co-named in %d complaints (force/property/search) over ~18 months"
                    % (len(grp), len(ds) // 2),
                    min(ds),
                    max(ds),
                    gid,
                )
        # look-alikes
        free = lambda u: sum(
            1 for m in self.units[u]["members"] if m not in self.used and self._fl(self.off[m])
        )
        unit = max([u for u in self.units if self.units[u]["kind"] == "response"], key=lambda u: (free(u), u))
        serial = []
        for m in self.units[unit]["members"]:
            if (
                m not in self.used
                and self._fl(self.off[m])
                and self.off[m]["staff_type"] == "officer"
                and len(serial) < 6
                and all(pair_n[tuple(sorted((m, x)))] <= 1 for x in serial)
            ):
                serial.append(m)
        for i, x in enumerate(serial):
            for y in serial[i + 1 :]:
                pair_n[tuple(sorted((x, y)))] += 1
        d = self.start + TD(days=r.randint(10, self.days - 30))
        self.add_complaint(
            d + TD(days=3),
            d,
            "Use of force",
            "public",
            serial,
            ["No case to answer"] * len(serial),
            "Protest policing - crowd dispersal",
        )
        for m in serial:
            self.lookalike(
                m,
                DET,
                "public_order_mass_complaint",
                "Named with %d team-mates in a single complaint about protest policing" % (len(serial) - 1),
            )
        unit = max(
            [u for u in self.units if self.units[u]["kind"] in ("response", "nbh")],
            key=lambda u: (free(u), u),
        )
        cand = [
            m
            for m in self.units[unit]["members"]
            if m not in self.used and self._fl(self.off[m]) and self.off[m]["staff_type"] == "officer"
        ]
        pair = next(
            [x, y] for i, x in enumerate(cand) for y in cand[i + 1 :] if pair_n[tuple(sorted((x, y)))] == 0
        )
        for k in range(2):
            d = (
                self.start - TD(days=r.randint(30, 400))
                if k == 0
                else self.start + TD(days=r.randint(10, self.days - 30))
            )
            self.add_complaint(
                d + TD(days=5),
                d,
                "Incivility",
                "public",
                pair,
                ["Not upheld", "Not upheld"],
                "Rude manner at roadside stop",
            )
        for m in pair:
            self.lookalike(
                m,
                DET,
                "regular_crewmates_pair",
                "Regular double-crew partners named together in two unrelated complaints, not upheld",
            )

    # ---------------------------------------------------------------- attendance truth & checks
    def plant_network(self):
        """Attendance truth rows (need generated presence) and final bookkeeping."""
        for oid, form in self.plan["below"]:
            o = self.off[oid]
            days = self.office_days(oid)
            att = o["_att"]
            if form == "declining":
                days = [d for d in days if d >= att["from"]]
            off_days = [d for d in days if self.presence.get((oid, d), {}).get("mode") == "office"]
            rate = len(off_days) / max(1, len(days))
            self.mark(
                oid,
                "attendance.below_threshold",
                form,
                "In-office on %d of %d working days (%.0f%%)%s"
                % (
                    len(off_days),
                    len(days),
                    100 * rate,
                    " after decline began" if form == "declining" else "",
                ),
                days[0],
                days[-1],
            )
        for oid, form in self.plan["below_look"]:
            self.lookalike(
                oid,
                "attendance.below_threshold",
                form,
                {
                    "approved_long_absence": "Long approved leave and sickness; attends >=80% of days actually rostered",
                    "compressed_hours": "Compressed 4-day week: no shift rows on Fridays, attends every rostered day",
                    "works_other_site": "Badges at a different site from the unit's base (agreed co-location) every working day",
                }[form],
            )
        for oid, form in self.plan["badge"]:
            o = self.off[oid]
            md = sorted(o.get("_manu_days", []))
            days = self.office_days(oid)
            off_days = [d for d in days if self.presence.get((oid, d), {}).get("mode") == "office"]
            rate = len(off_days) / max(1, len(days))
            extra = ""
            if form == "buddy_swiped":
                extra = (
                    "; card swiped seconds after colleague %s at the same reader while officer on VPN from home"
                    % o["_att"]["buddy"]
                )
            self.mark(
                oid,
                "attendance.badge_only",
                form,
                "%d manufactured office days%s" % (len(md), extra),
                md[0],
                md[-1],
            )
            if rate < 0.8:
                self.mark(
                    oid,
                    "attendance.below_threshold",
                    "secondary_" + form,
                    "secondary: genuine in-office rate %.0f%% once manufactured days are discounted"
                    % (100 * rate),
                    days[0],
                    days[-1],
                )
        for oid, form in self.plan["badge_look"]:
            self.lookalike(
                oid,
                "attendance.badge_only",
                form,
                {
                    "missing_out_swipe": "Genuinely in office (site workstation activity, no VPN) but out-swipe often missing",
                    "multi_site_day": "Short swipe at base site then a full day badged in at another station (no VPN)",
                }[form],
            )

    # ------------------------------------------------------------ output
    COLUMNS = {
        "officers": [
            "officer_id",
            "surname",
            "forenames",
            "rank",
            "staff_type",
            "unit_id",
            "work_pattern",
            "start_date",
            "end_date",
            "line_manager_id",
            "date_of_birth",
            "home_postcode",
            "home_address",
            "phone",
            "email",
            "gender",
            "ethnicity",
        ],
        "units": ["unit_id", "name", "parent_unit_id", "site_id"],
        "assignments": ["officer_id", "unit_id", "start_date", "end_date", "rank", "role"],
        "sites": ["site_id", "name", "kind", "postcode"],
        "shifts": [
            "shift_id",
            "officer_id",
            "start",
            "end",
            "duty_type",
            "pay_code",
            "site_id",
            "status",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "hours_claimed",
        ],
        "roster_changes": [
            "change_id",
            "shift_id",
            "changed_by",
            "changed_at",
            "field",
            "old_value",
            "new_value",
            "reason",
        ],
        "badge_events": ["event_id", "officer_id", "site_id", "reader_id", "ts", "direction"],
        "remote_sessions": ["session_id", "officer_id", "start", "end", "client", "source_ip"],
        "system_access": [
            "access_id",
            "officer_id",
            "system",
            "action",
            "record_id",
            "ts",
            "site_id",
            "purpose_code",
            "case_ref",
            "incident_ref",
        ],
        "records": ["record_id", "record_type", "person_id", "case_ref", "sensitivity", "offence_category"],
        "persons": [
            "person_id",
            "surname",
            "forenames",
            "date_of_birth",
            "postcode",
            "address",
            "phone",
            "nominal_flags",
        ],
        "cases": ["case_ref", "opened", "closed", "case_type"],
        "case_assignments": ["case_ref", "officer_id", "role", "start_date", "end_date"],
        "organisations": ["org_id", "name", "kind", "postcode"],
        "memberships": [
            "membership_id",
            "org_id",
            "member_surname",
            "member_forenames",
            "member_date_of_birth",
            "member_postcode",
            "since",
            "until",
            "source",
        ],
        "declarations": [
            "declaration_id",
            "officer_id",
            "kind",
            "org_id",
            "org_name",
            "person_id",
            "declared_at",
            "valid_until",
            "status",
            "associated_officer_id",
        ],
        "complaints": ["complaint_id", "received_date", "incident_date", "category", "source"],
        "complaint_subjects": ["complaint_id", "officer_id", "allegation", "finding"],
    }
    TS_FMT = {
        "shifts": f_naive,
        "roster_changes": f_offset,
        "badge_events": f_naive,
        "remote_sessions": f_utc,
        "system_access": f_offset,
    }

    def finalize(self):
        self.t["officers"] = [
            {k: v for k, v in o.items() if not k.startswith("_")}
            for o in (self.off[x] for x in self.officer_ids)
        ]
        self.t["persons"] = [
            {k: v for k, v in p.items() if not k.startswith("_")} for p in self.persons.values()
        ]
        self.t["records"] = list(self.records.values())
        self.t["shifts"] = self.shifts

    def write(self, out):
        import csv

        os.makedirs(out, exist_ok=True)
        self.finalize()
        counts = {}
        for name, cols in self.COLUMNS.items():
            fmt_ts = self.TS_FMT.get(name, f_naive)
            rows = self.t.get(name, [])
            with open(os.path.join(out, name + ".csv"), "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(cols)
                for row in rows:
                    vals = []
                    for c in cols:
                        v = row.get(c, "")
                        if v is None:
                            v = ""
                        elif isinstance(v, T):
                            v = fmt_ts(v)
                        elif isinstance(v, D):
                            v = v.isoformat()
                        elif isinstance(v, float):
                            v = ("%.2f" % v).rstrip("0").rstrip(".")
                        vals.append(v)
                    w.writerow(vals)
            counts[name] = len(rows)
        tcols = ["officer_id", "detector", "group_id", "window_start", "window_end", "form", "note"]
        pd.DataFrame(self.truth, columns=tcols).to_csv(os.path.join(out, "truth.csv"), index=False)
        pd.DataFrame(self.look, columns=["officer_id", "detector", "form", "note"]).to_csv(
            os.path.join(out, "lookalikes.csv"), index=False
        )
        counts["truth"] = len(self.truth)
        counts["lookalikes"] = len(self.look)
        return counts

    # ------------------------------------------------------------ orchestration
    def run(self):
        self.build_org()
        self.build_people_cases()
        self.plan_plants()  # choose planted officers; set pre-roster flags
        self.build_roster()
        self.plant_roster()
        self.build_attendance()
        self.build_access()
        self.plant_access()
        self.build_associations()
        self.build_complaints()
        self.plant_network()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--officers", type=int, default=500)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2024-02-05", help="first day of the period (YYYY-MM-DD)")
    a = ap.parse_args()
    if a.officers < 300:
        raise SystemExit("need at least 300 officers to plant every form on distinct people")
    if a.days < 84:
        raise SystemExit("need at least 84 days")
    g = Gen(a.officers, a.days, a.seed, D.fromisoformat(a.start))
    g.run()
    counts = g.write(a.out)
    for k, v in counts.items():
        print("%-20s %8d" % (k, v))


if __name__ == "__main__":
    main()
