"""A hand-made force for the review walk-through (issue 14): one flag, the people who
review it, and the subject who challenges it. Synthetic: every name is made up.

Officer ``A1`` (Alex Example, response team ``U1``, line-managed by ``M1``) was paid
overtime (``SH3``) inside a day of planned annual leave (``SH1``), so
``roster.overtime_overlap`` raises a flag about them. In fact they were recalled from
leave that day and the leave row was never cancelled: the fact they challenge, and the
correction that retires the flag.

The people (:data:`PEOPLE`: user name to role and officer id) are each in their own
unit, clear of the subject's, except ``morgan`` (``M1``), the subject's line manager,
who is refused. The tests (``tests/test_walkthrough.py``, ``tests/test_browser_walkthrough.py``)
and the README's screenshots (``tools/screenshots.py``) walk through the same steps.

>>> import tempfile
>>> from pathlib import Path
>>> sorted(p.name for p in write_force(Path(tempfile.mkdtemp())).iterdir())
['officers.csv', 'shifts.csv', 'sites.csv', 'units.csv']
"""

from __future__ import annotations

from pathlib import Path

DETECTOR = "roster.overtime_overlap"
SUBJECT = "A1"
LEAVE_ROW = "SH1"
"""The subject's leave row the challenge is about (its ``status`` was ``planned``; they
were recalled, so it should read ``cancelled``)."""

FILES = {
    "officers.csv": (
        "officer_id,surname,forenames,rank,staff_type,unit_id,work_pattern,line_manager_id\n"
        "M1,Manager,Morgan,PS,officer,U1,frontline,\n"
        "A1,Example,Alex,PC,officer,U1,frontline,M1\n"
        "C1,Sample,Casey,PC,officer,U1,frontline,M1\n"
        "R1,Reviewer,Riley,DS,officer,U2,office,\n"
        "P1,Approver,Pat,SUPT,officer,U3,office,\n"
        "D1,Decider,Dana,CI,officer,U4,office,\n"
    ),
    "units.csv": (
        "unit_id,name,site_id\nU1,Response Team A,S1\nU2,Professional Standards,S1\n"
        "U3,Command Team,S1\nU4,Legal Services,S1\n"
    ),
    "sites.csv": "site_id,name,kind,postcode\nS1,Central Police Station,station,ZZ1 1AA\n",
    "shifts.csv": (
        "shift_id,officer_id,start,end,duty_type,pay_code,site_id,status,created_by,created_at,"
        "approved_by,approved_at,hours_claimed\n"
        "SH1,A1,2025-03-10T00:00:00Z,2025-03-11T00:00:00Z,annual_leave,basic,,planned,M1,"
        "2025-02-10T10:00:00Z,,,\n"
        "SH3,A1,2025-03-10T09:00:00Z,2025-03-10T15:00:00Z,day,overtime,S1,worked,M1,"
        "2025-02-10T10:00:00Z,M1,2025-03-05T09:00:00Z,\n"
        "SH5,C1,2025-03-10T09:00:00Z,2025-03-10T17:00:00Z,day,basic,S1,worked,M1,"
        "2025-02-10T10:00:00Z,,,\n"
    ),
}

PEOPLE: dict[str, tuple[str, str | None]] = {
    "riley": ("investigator", "R1"),  # the assigned reviewer (professional standards)
    "pat": ("appropriate_authority", "P1"),  # signs off the proposed outcome
    "morgan": ("appropriate_authority", "M1"),  # the subject's line manager: refused
    "dana": ("appropriate_authority", "D1"),  # decides the challenge, independent of the case
    "sam": ("subject_access", None),  # produces the subject's report
    "alex": ("investigator", "A1"),  # the subject, who challenges
}
"""The walk-through's users: role and the officer id their token names."""


def write_force(folder: Path) -> Path:
    """Write the force's source files (the source contract's CSVs) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
