"""What the simulator plants, named as the detector registry names it.

The detectors, their forms and their look-alikes are read from the registry
(:data:`queries.detectors.DETECTORS`: each detector's method card lists its forms and its
innocent look-alikes); the simulator keeps no list of its own. What is the simulator's own
is *how* it plants each of them: a :class:`Planting` per detector, next to the code that
plants it, in the module of the detector's family (``synthetic.access``, ``.roster``,
``.attendance``, ``.association``, ``.network``, as in ``queries.detectors``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from queries.detectors import DETECTORS as REGISTRY

if TYPE_CHECKING:
    from synthetic.events import Block

DETECTORS: tuple[str, ...] = tuple(REGISTRY)
"""Every registered detector (the ``detector`` column of the truth), in the registry's order."""
FORMS: dict[str, tuple[str, ...]] = {
    name: tuple(f.name for f in d.card.forms) for name, d in REGISTRY.items()
}
"""The forms of each detector, from its method card (the ``form`` column of ``truth.csv``)."""
LOOKALIKES: dict[str, tuple[str, ...]] = {
    name: tuple(la.name for la in d.card.lookalikes) for name, d in REGISTRY.items()
}
"""The innocent look-alikes of each detector, from its method card (the ``form`` column of
``lookalikes.csv``)."""


class Stage(StrEnum):
    """When a form or look-alike is planned. Each stage after ``plan`` draws on random
    streams of its own, so what a later stage adds leaves every row of the earlier ones as
    it was."""

    PLAN = "plan"
    """In the plan of planted cases and look-alikes (:meth:`synthetic.world.World._plan`):
    officers taken in turn, for the forms and look-alikes in the order the registry lists
    them, then the simulator's own look-alikes."""
    OWN = "own"
    """By code of the family's own, at a point of the simulation that suits it (a special
    unit, the case work, the first version's membership lists, crews and teams)."""
    SIDE = "side"
    """After the plan, on a random stream of its own (:meth:`synthetic.world.World._side_plans`)."""
    LATE = "late"
    """After the ``side`` look-alikes, on a random stream of its own
    (:meth:`synthetic.world.World._late_plans`; ``access.no_purpose``'s after every other
    plan, :func:`synthetic.access.late_no_purpose`)."""
    DUTY = "duty"
    """Last, on a random stream of its own (:meth:`synthetic.world.World._duty_plans`)."""


Planter = Callable[["Block", int, dict[str, Any], bool], None]
"""Plants one officer's case (``look=False``) or look-alike (``look=True``) in a block's events."""


@dataclass(frozen=True)
class Planting:
    """How the simulator plants one detector's forms and look-alikes (its own choices, keyed
    by the names on the detector's method card).

    A card's form or look-alike with no entry here is not planted: the generator cannot
    plant it, and ``tests/test_generate.py`` says so. An entry the card does not list is a
    look-alike of the simulator's own (planted, and named in ``lookalikes.csv``)."""

    forms: Mapping[str, Stage]
    """Form name: the stage it is planned in."""
    lookalikes: Mapping[str, Stage]
    """Look-alike name: the stage it is planned in."""
    window: int | None = None
    """Event detectors: length in days of the window each planted case is placed in (clipped
    to the simulated days)."""
    plant: Planter | None = None
    """Event detectors: plants a planned case or look-alike in a block's events."""
