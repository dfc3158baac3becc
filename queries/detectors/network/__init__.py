"""Network detectors: NetworkX on small projections of the graph (and the event store).
One module per detector, each query it runs in a file of its own beside it.

Projections hold only what the detector needs (ids and weights), filtered first by kind,
score and hub size, so they stay small at force scale.
"""

from __future__ import annotations

from queries.detectors.network.crew import CREW
from queries.detectors.network.hidden_link import HIDDEN_LINK

__all__ = ["CREW", "HIDDEN_LINK"]
