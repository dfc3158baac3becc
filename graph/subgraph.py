"""One neutral subgraph shape shared by the stores, the API and the visualisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx


@dataclass
class Subgraph:
    """Nodes by id (labels, properties) and edges (type, ends, properties).

    The shape every store method that returns a graph gives
    (:meth:`graph.store.GraphStore.neighbourhood`, ``project``), and the one the API,
    the pages and the exports take (:mod:`graph.export`).

    Parameters
    ----------
    nodes : dict, optional
        Node id to node (``{"id", "labels", "properties"}``).
    edges : dict, optional
        ``"TYPE:id"`` to edge (``{"id", "type", "source", "target", "properties"}``):
        relationship ids are only unique within a type.
    truncated : bool, default False
        Whether nodes were left out at a limit.

    See Also
    --------
    graph.values : The node and edge shapes.

    Examples
    --------
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
        """Add a node; a node already there (by id) is kept as it is.

        Parameters
        ----------
        node : dict
            A node, ``{"id", "labels", "properties"}``.

        Examples
        --------
        >>> g = Subgraph()
        >>> g.add_node({"id": "Unit:U1", "labels": ["Unit"], "properties": {"name": "CID"}})
        >>> g.add_node({"id": "Unit:U1", "labels": ["Unit"], "properties": {}})
        >>> g.nodes["Unit:U1"]["properties"]
        {'name': 'CID'}
        """
        self.nodes.setdefault(node["id"], node)

    def add_edge(self, edge: dict[str, Any]) -> None:
        """Add an edge under ``"TYPE:id"``; an edge already there is kept as it is.

        The ends need not be nodes of the subgraph.

        Parameters
        ----------
        edge : dict
            An edge, ``{"id", "type", "source", "target", "properties"}``.

        Examples
        --------
        >>> g = Subgraph()
        >>> g.add_edge({"id": "k1", "type": "REPORTS_TO", "source": "Officer:B",
        ...             "target": "Officer:A", "properties": {}})
        >>> list(g.edges)
        ['REPORTS_TO:k1']
        """
        self.edges.setdefault(f"{edge['type']}:{edge['id']}", edge)

    def to_dict(self, properties: bool = True) -> dict[str, Any]:
        """JSON-ready form: ``{"nodes": {id: node}, "edges": [edge], "truncated": bool}``.

        Parameters
        ----------
        properties : bool, default True
            Keep each node's and edge's ``properties`` (``False``: ids, labels, types
            and ends only).

        Returns
        -------
        dict
            Nodes sorted by id, edges by ``"TYPE:id"``.

        Examples
        --------
        >>> g = Subgraph()
        >>> g.add_node({"id": "Officer:A", "labels": ["Officer"], "properties": {"surname": "Ash"}})
        >>> g.to_dict(properties=False)
        {'nodes': {'Officer:A': {'id': 'Officer:A', 'labels': ['Officer']}}, 'edges': [], 'truncated': False}
        """

        def strip(x: dict[str, Any]) -> dict[str, Any]:
            return x if properties else {k: v for k, v in x.items() if k != "properties"}

        return {
            "nodes": {k: strip(v) for k, v in sorted(self.nodes.items())},
            "edges": [strip(e) for _, e in sorted(self.edges.items())],
            "truncated": self.truncated,
        }

    def to_networkx(self) -> nx.MultiDiGraph:
        """The subgraph as a NetworkX ``MultiDiGraph``.

        Returns
        -------
        networkx.MultiDiGraph
            Nodes keyed by id, with attribute ``label`` (the first label) and one
            attribute per property; edges from source to target keyed ``"TYPE:id"``,
            with attribute ``type`` and one per property. Parallel relationships stay
            apart.

        Examples
        --------
        >>> g = Subgraph()
        >>> g.add_node({"id": "Officer:A", "labels": ["Officer"], "properties": {"rank": "PC"}})
        >>> g.add_node({"id": "Unit:U1", "labels": ["Unit"], "properties": {}})
        >>> g.add_edge({"id": "k1", "type": "IN_UNIT", "source": "Officer:A",
        ...             "target": "Unit:U1", "properties": {}})
        >>> G = g.to_networkx()
        >>> G.nodes["Officer:A"]
        {'label': 'Officer', 'rank': 'PC'}
        >>> list(G.edges(keys=True, data="type"))
        [('Officer:A', 'Unit:U1', 'IN_UNIT:k1', 'IN_UNIT')]
        """
        g = nx.MultiDiGraph()
        for uid, n in self.nodes.items():
            g.add_node(uid, label=n["labels"][0], **n.get("properties", {}))
        for e in self.edges.values():
            g.add_edge(
                e["source"], e["target"], key=f"{e['type']}:{e['id']}", type=e["type"], **e["properties"]
            )
        return g
