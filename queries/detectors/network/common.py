"""What the network detectors share."""

from __future__ import annotations

from queries.detectors.base import Param

BACKEND = Param(
    "backend", str, "", "NetworkX backend to dispatch to (e.g. 'parallel', 'cugraph'); empty: networkx"
)
