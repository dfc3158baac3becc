"""Association detectors, in Cypher on the graph: undeclared memberships of notifiable
organisations, and undeclared links (a shared address or phone) to people flagged in
police records. One module per detector, its query beside it."""

from __future__ import annotations

from queries.detectors.association.undeclared_link import UNDECLARED_LINK
from queries.detectors.association.undeclared_membership import UNDECLARED_MEMBERSHIP

__all__ = ["UNDECLARED_LINK", "UNDECLARED_MEMBERSHIP"]
