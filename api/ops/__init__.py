"""Operations: everything a person can do with linkwatch, written once, below the doors.

The command line (:mod:`api.cli`), the HTTP API (:mod:`api.routes`) and the web pages
(:mod:`api.routes.pages`) parse input, call one operation and render its result. Each
operation takes the :class:`~graph.workspace.Workspace` (the stores) and a
:class:`~api.ops.look.Look` (who is looking and why), asks for the purpose it needs, and
records its own audit entry through the one writer, :meth:`Look.record`: so every door
audits the same way by construction.

========================  ==================================================
module                    operations
========================  ==================================================
:mod:`~api.ops.look`      who is looking: tokens to people, permissions, the audit writer
:mod:`~api.ops.search`    search entities by name or id
:mod:`~api.ops.entities`  one node; an entity with provenance, links, flags, postings
:mod:`~api.ops.network`   neighbourhoods, shortest paths, standalone pages
:mod:`~api.ops.flags`     flag list, one flag with its card, evidence, assessments, assess
:mod:`~api.ops.saved_queries`  list, show, save, revise, delete, run saved queries
:mod:`~api.ops.cypher`    ad-hoc read-only Cypher
:mod:`~api.ops.exports`   subgraphs, flags and query results as files; the bulk export
:mod:`~api.ops.tokens`    API tokens: create, list, revoke
:mod:`~api.ops.audit_log` read, verify and export the audit log
:mod:`~api.ops.runs`      detector runs (audited)
========================  ==================================================
"""
