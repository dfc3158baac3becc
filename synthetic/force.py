"""Build a synthetic force in memory: :func:`generate`."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from graph.contract import TABLES
from synthetic.common import EVENT_TABLES, Force, _innocent, _styles, _truth
from synthetic.events import blocks
from synthetic.structure import structure
from synthetic.world import World, frames


def generate(
    officers: int = 300,
    seed: int = 7,
    as_of: dt.date = dt.date(2026, 1, 1),
    days: int = 0,
    clean: bool = False,
    rest_day_rows: bool | None = None,
) -> Force:
    """Generate a force of ``officers`` people, with ``days`` days of events before ``as_of``.

    ``days=0`` gives the organisation and association tables only (the first version
    of this generator, unchanged). ``days > 0`` gives every contract table, all planted
    cases in ``truth`` and the innocent look-alikes in ``lookalikes``; it holds
    everything in memory, so use :func:`write_force` for large forces.

    ``clean=True`` plants no case at all (``truth`` is empty): ordinary behaviour and
    every look-alike only, for measuring false flags. ``rest_day_rows`` sets that
    force-level style (default: drawn from the seed, see :data:`~synthetic.common.STYLES`); the styles
    used are in ``Force.styles``.

    >>> from synthetic import DETECTORS, TRUTH_COLUMNS
    >>> f = generate(officers=120, seed=1)
    >>> sorted(f.tables)
    ['declarations', 'memberships', 'officers', 'organisations', 'sites', 'units']
    >>> len(f.tables["officers"])
    120
    >>> f.truth["detector"].unique().tolist()
    ['association.undeclared_membership']
    >>> g = generate(officers=120, seed=1, days=30)
    >>> len(g.tables), sorted(g.truth["detector"].unique()) == sorted(DETECTORS)
    (18, True)
    >>> c = generate(officers=120, seed=1, days=30, clean=True)
    >>> len(c.truth), list(c.truth.columns) == TRUTH_COLUMNS, len(c.lookalikes) > 0
    (0, True, True)
    """
    styles = _styles(seed, rest_day_rows)
    base = structure(officers, seed, as_of, clean)
    if days <= 0:
        base.styles = styles
        return base
    w = World(base, seed, as_of, days, styles, clean)
    parts: dict[str, list[pa.Table]] = {t: [] for t in EVENT_TABLES}
    for block in blocks(w):
        for name, table in block.items():
            parts[name].append(table)
    tables = frames(w)
    for name, ts in parts.items():
        tables[name] = pa.concat_tables(ts).to_pandas()
    order = [t for t in TABLES if t in tables]
    truth = _truth(w.truth_rows)
    return Force({t: tables[t] for t in order}, truth, _innocent(_truth(w.look_rows), truth), styles)
