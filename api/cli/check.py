"""``linkwatch check``: find (and with ``--repair`` mend) relationships a Ladybug 0.22
defect damaged (:mod:`graph.check`)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import app, errors, out, store_options
from api.ops.look import cli_look
from graph import check as gcheck
from graph.settings import Settings
from graph.workspace import Workspace


@app.command("check")
@store_options
def check(
    settings: Settings,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Rebuild each damaged relationship type from what is whole (embedded store; one "
            "working copy, published only when every type was rewritten and read back).",
        ),
    ] = False,
    rel_type: Annotated[
        list[str] | None, typer.Option("--type", help="Check only this relationship type (repeatable).")
    ] = None,
    examples: Annotated[int, typer.Option(help="Damaged links to show per label pair and side.")] = 3,
) -> None:
    """Check every relationship for a null key or null required provenance, or ends other
    than the src/dst it carries (Ladybug 0.22 damaged some links of types that join
    several label pairs, MEMBER_OF and RESOLVED_TO, when they were updated). Exits 1 when
    damage is found (with --repair: when some of it could not be mended)."""
    with errors():
        with Workspace(settings) as ws:  # read-only: no writer lock, no working copy
            found = gcheck.check(ws.store, rel_type or None, examples=examples)
        for line in found.lines():
            out.print(line, highlight=False, markup=False, soft_wrap=True)
        if found.ok:
            return
        if not repair:
            out.print(
                "run `linkwatch check --repair` to mend them", highlight=False, markup=False, soft_wrap=True
            )
            raise typer.Exit(1)
        # the writer's working copy: published when the block ends, discarded if it raises
        with Workspace(settings, write=True) as ws:
            done = gcheck.repair(ws.store, gcheck.check(ws.store, list(found.damaged()), examples=examples))
            cli_look().record(
                ws.audit,
                "graph_repair",
                "relationships",
                params={"types": [m.type for m in done.mends]},
                result_size=sum(m.damaged for m in done.mends),
                mended=done.ok,
            )
        for line in done.lines():
            out.print(line, highlight=False, markup=False, soft_wrap=True)
        if not done.ok:
            raise typer.Exit(1)
