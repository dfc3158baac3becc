"""Every detector's :class:`~synthetic.catalogue.Planting`, gathered from the family modules,
and the order the simulator plans and plants in, which follows from them and the registry."""

from __future__ import annotations

from synthetic import access, association, attendance, network, roster
from synthetic.catalogue import DETECTORS, FORMS, LOOKALIKES, Planter, Planting, Stage

PLANTING: dict[str, Planting] = {
    **association.PLANTING,
    **roster.PLANTING,
    **attendance.PLANTING,
    **access.PLANTING,
    **network.PLANTING,
}
"""How each detector is planted, by detector name (a registered detector missing here is
not planted at all)."""
NOTHING = Planting({}, {})


def planting(det: str) -> Planting:
    return PLANTING.get(det, NOTHING)


def forms(det: str, stage: Stage) -> tuple[str, ...]:
    """``det``'s forms planned at ``stage``, in the order of its method card."""
    own = planting(det).forms
    return tuple(f for f in FORMS[det] if own.get(f) == stage)


def lookalikes(det: str, stage: Stage) -> tuple[str, ...]:
    """``det``'s look-alikes planned at ``stage``: the card's, in the card's order, then
    any of the simulator's own that the card does not list."""
    own, card = planting(det).lookalikes, LOOKALIKES[det]
    return tuple(x for x in card if own.get(x) == stage) + tuple(
        x for x, s in own.items() if s == stage and x not in card
    )


WINDOW: dict[str, int] = {det: n for det in DETECTORS if (n := planting(det).window)}
"""The event detectors, in the registry's order (the order their cases and look-alikes are
planned and planted in), with the length in days of a planted case's window."""
PLANTERS: dict[str, Planter] = {det: p for det in DETECTORS if (p := planting(det).plant) is not None}
"""What plants each event detector's cases and look-alikes in a block's events."""
SIDE_LOOKALIKES: tuple[tuple[str, str], ...] = tuple(
    (det, la) for det in DETECTORS for la in lookalikes(det, Stage.SIDE)
)
"""Look-alikes planned and planted on random streams of their own, after everything else
(:meth:`~synthetic.world.World._side_plans`, :meth:`~synthetic.events.Block._plant_side`):
added after the rest, they leave every other row of a seed's force as it was."""
LATE_FORMS: frozenset[tuple[str, str]] = frozenset(
    (det, f) for det in DETECTORS for f in (*forms(det, Stage.LATE), *lookalikes(det, Stage.LATE))
)
"""Forms and look-alikes planned and planted after the side look-alikes, on random streams of
their own (:meth:`~synthetic.world.World._late_plans`, :meth:`~synthetic.events.Block._plant_late`;
their lookups join the side look-alikes' after theirs): added later, they leave every other
row of a seed's force as it was."""
DUTY_SIDE_LOOKALIKES: tuple[tuple[str, str], ...] = tuple(
    (det, la) for det in DETECTORS for la in lookalikes(det, Stage.DUTY)
)
"""Roster and attendance look-alikes planned and planted last, after :data:`LATE_FORMS`, on
random streams of their own (:meth:`~synthetic.world.World._duty_plans`,
:meth:`~synthetic.events.Block._plant_duty`): the officers every other plan picks stay the
same (a block's emitted rows still get other jitter, their draws depending on row counts,
and shift rows change where ``unrecorded_leave`` takes an officer off the duty system)."""
