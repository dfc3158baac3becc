"""One neutral subgraph shape shared by the stores, the API and the visualisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx


@dataclass
class Subgraph:
    """Nodes by id (labels, properties) and edges (type, ends, properties).

    >>> g = Subgraph()
    >>> g.add_node({"id": "Officer:1", "labels": ["Officer"], "properties": {}})
    >>> g.add_node({"id": "Unit:U", "labels": ["Unit"], "properties": {}})
    >>> g.add_edge({"id": "k", "type": "IN_UNIT", "source": "Officer:1",
    ...             "target": "Unit:U", "properties": {}})
    >>> g.to_networkx().number_of_edges()
    1
    """

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[str, dict[str, Any]] = field(default_factory=dict)
    truncated: bool = False

    def add_node(self, node: dict[str, Any]) -> None:
        self.nodes.setdefault(node["id"], node)

    def add_edge(self, edge: dict[str, Any]) -> None:
        self.edges.setdefault(f"{edge['type']}:{edge['id']}", edge)

    def to_dict(self, properties: bool = True) -> dict[str, Any]:
        """JSON-ready form: ``{"nodes": {id: node}, "edges": [edge], "truncated": bool}``."""

        def strip(x: dict[str, Any]) -> dict[str, Any]:
            return x if properties else {k: v for k, v in x.items() if k != "properties"}

        return {
            "nodes": {k: strip(v) for k, v in sorted(self.nodes.items())},
            "edges": [strip(e) for _, e in sorted(self.edges.items())],
            "truncated": self.truncated,
        }

    def to_networkx(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        for uid, n in self.nodes.items():
            g.add_node(uid, label=n["labels"][0], **n.get("properties", {}))
        for e in self.edges.values():
            g.add_edge(
                e["source"], e["target"], key=f"{e['type']}:{e['id']}", type=e["type"], **e["properties"]
            )
        return g
