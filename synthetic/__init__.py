"""A synthetic force in the source-contract format, with known planted cases.

Everything here is invented: names are drawn from short lists of common words, dates,
addresses, phone numbers and postcodes are random, IP addresses come from the shared
address space ``100.64.0.0/10``. Deterministic for a seed. Test data for the detectors:
imported by the command line (``linkwatch generate``, ``linkwatch demo``), the tests and
the benchmarks, never by the layers the product runs on (an import-linter contract).

Two entry points:

- :func:`generate` builds a force in memory. With ``days=0`` (the default) it writes the
  organisation-structure and association tables only (sites, units, officers,
  organisations, memberships, declarations) and the truth for
  ``association.undeclared_membership``, exactly as before. With ``days > 0`` it also
  simulates ``days`` days before ``as_of`` and returns every contract table.
- :func:`write_force` writes the same force to a folder, the event tables streamed in
  blocks of :data:`BLOCK` officers (Parquet through ``pyarrow.parquet.ParquetWriter``,
  or CSV appended block by block), so memory stays flat at any size.

Both also give ``truth.csv`` — the planted cases, one row per officer and detector
(``officer_id, detector, group_id, window_start, window_end, form, note``; a group case
shares a ``group_id``) — and ``lookalikes.csv`` in the same columns: innocent officers whose
data resembles a detector's pattern and who must **not** be flagged (for measuring precision).

The detectors, their forms and their look-alikes are the registry's
(``queries.detectors.DETECTORS``, each detector's method card; :mod:`synthetic.catalogue`).
The package mirrors the detector families: the ordinary force (:mod:`~synthetic.structure`,
:mod:`~synthetic.world`, :mod:`~synthetic.events`), the writer (:mod:`~synthetic.writer`),
and one module per family (:mod:`~synthetic.access`, :mod:`~synthetic.roster`,
:mod:`~synthetic.attendance`, :mod:`~synthetic.association`, :mod:`~synthetic.network`),
each with the planting of its detectors' cases and look-alikes and a ``PLANTING`` that says
how each form and look-alike is planted (:class:`~synthetic.catalogue.Planting`).

Conventions a detector may rely on (they are what the contract's columns say):

- one ``shifts`` row per officer per day from the officer's ``start_date`` (rest days
  included, ``duty_type`` ``rest_day``, unless the force's ``rest_day_rows`` style is
  off, or for ``access.off_duty`` ``no_duty_row`` cases in their window), plus extra rows for overtime (``pay_code``
  ``overtime``) and rest-day working (``rest_day_worked``); leave, sickness and rest days
  span the whole local day; a working duty with an empty ``site_id`` is a remote (home)
  or court duty, so *rostered office days* are ``day``/``early``/``late``/``night``/
  ``training`` duties with a site; a ``cancelled`` row did not happen;
- ``roster_changes`` is the audit trail: every leave booking, sickness report, swap,
  correction and approval is one row, and ``shifts`` holds the values after the edits;
- badge swipes are at the officer's unit site; remote sessions come from the officer's
  home IP, except VDI sessions from an office network (``10.x``);
- ``system_access`` rows for case work carry ``case_ref`` and purpose ``INV`` (``CRN``, the
  crime number, on the case's crime record: the force never uses ``CRN`` without a case).

Timestamps are timezone-aware: UTC timestamp columns in Parquet (read natively by the
event store), local time with its offset (``+00:00``/``+01:00``) in CSV.

Both files have a ``form`` column: each planted case takes one of its detector's forms
(:data:`FORMS`) uniformly at random, every form once before any twice (so at least one
case per form), and every look-alike of :data:`LOOKALIKES` is planted for several officers
(about 0.3% of officers each, at least 2; 1 below 250 officers). Plants vary counts,
dates and times of day. ``clean=True`` plants no case at all (ordinary behaviour and
every look-alike), for measuring false flags. Planted cases: about 0.5% of officers per
detector, at least as many as it has forms; event cases need ``days >= 28``.

Force-level styles (:data:`STYLES`, drawn from the seed unless given, returned by
:func:`write_force` and kept in ``Force.styles``): ``rest_day_rows`` — whether the duty
system writes rest-day rows. A few officers are not on the duty system at all (no
shift rows), one site has no badge readers, a system (``ANPR``) never records purpose
codes, and one small unit has too few officers for a peer rate.
"""

from __future__ import annotations

from synthetic.catalogue import DETECTORS, FORMS, LOOKALIKES
from synthetic.common import (
    BLOCK,
    CODELESS_SYSTEM,
    NO_CODE_SHARE,
    PLACEHOLDER_CODES,
    STYLES,
    TRUTH_COLUMNS,
    Force,
    arrow_schema,
)
from synthetic.force import generate
from synthetic.writer import write_force

__all__ = [
    "BLOCK",
    "CODELESS_SYSTEM",
    "DETECTORS",
    "FORMS",
    "LOOKALIKES",
    "NO_CODE_SHARE",
    "PLACEHOLDER_CODES",
    "STYLES",
    "TRUTH_COLUMNS",
    "Force",
    "arrow_schema",
    "generate",
    "write_force",
]
