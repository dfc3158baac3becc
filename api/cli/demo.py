"""``linkwatch demo``: the whole path once, on a synthetic force."""

from __future__ import annotations

import shlex
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import app, errors, flags_table, launcher, out, progress, store_options
from api.cli.ingest import run_ingest
from api.ops import network, runs
from api.ops.look import cli_look
from graph.model import MODEL
from graph.settings import Settings
from graph.workspace import Workspace
from queries.evaluate import evaluate
from viz.pages import render_subgraph, write_page


@app.command()
@store_options
def demo(
    settings: Settings,
    officers: Annotated[int, typer.Option(help="Officers in the synthetic force.")] = 300,
    days: Annotated[int, typer.Option(help="Days of events (shifts, swipes, lookups) to simulate.")] = 90,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """The whole path once: generate a synthetic force with planted cases, ingest it, run
    every detector, score them against the planted truth, and write the flags file and an
    interactive page of the top flag's neighbourhood."""
    from synthetic import generate as gen

    with errors():
        t0 = time.perf_counter()
        s = settings
        src = Path(tempfile.mkdtemp(prefix="linkwatch-demo-"))
        force = gen(officers=officers, seed=seed, days=days)
        force.write(src)
        out.print(
            f"synthetic force ({len(force.tables['officers'])} officers, {days} days of events, "
            f"{len(force.truth)} planted cases, {len(force.lookalikes)} innocent look-alikes) written to {src}"
        )
        out_dir = Path(s.data_dir) / "demo"
        page_file = None
        look = cli_look("demo (synthetic data)")
        with Workspace(s, write=True) as ws:
            run_ingest(ws.store, src, s)
            with progress() as step:
                rep, _record = runs.detect(ws, look, None, out_dir / "flags.csv", progress=step)
            flags = rep.flags
            flags_file = out_dir / "flags.csv"
            out.print(flags_table(flags, limit=10))
            if len(flags):
                top = flags.sort_values(["score", "officer_id"], ascending=[False, True]).iloc[0]
                uid = MODEL.uid("Officer", top.officer_id)
                sg = network.page(ws, look, uid, depth=2, limit=300)
                html = render_subgraph(
                    sg,
                    f"Officer {top.officer_id}: neighbourhood",
                    subtitle=f"{top.detector} — score {top.score:.2f} ({top.severity})",
                    focus=uid,
                    notices=[top.explanation],
                )
                page_file = write_page(html, out_dir / f"officer-{top.officer_id}.html")
        ev = evaluate(force.truth, flags)
        t = Table(
            "detector", "planted", "found", "flags", "precision", "recall", title="against the planted truth"
        )
        for r in ev.to_dict(orient="records"):
            prec = r["precision"]
            t.add_row(
                str(r["detector"]),
                str(r["cases"]),
                str(r["found"]),
                str(r["flags"]),
                "" if prec is None or prec != prec else f"{float(prec):.2f}",
                f"{float(r['recall']):.2f}",
            )
        out.print(t)
        total = ev[ev["detector"] == "overall"].iloc[0]
        out.print(
            f"planted cases found: {total['found']} of {total['cases']}; "
            f"flags naming a planted case: {total['correct']} of {total['flags']}"
        )
        looks = force.lookalikes.merge(flags[["detector", "officer_id"]], on=["detector", "officer_id"])
        out.print(f"innocent look-alikes flagged: {len(looks)} of {len(force.lookalikes)}")
        out.print(f"flags file: {flags_file}")
        if page_file:
            out.print(f"page:       {page_file}  (open it in a browser; it needs no network)")
        out.print(f"store:      {s.store} ({s.data_dir if s.store == 'embedded' else s.neo4j_uri})")
        if len(flags) and s.store == "embedded":
            me, data = launcher(), shlex.quote(str(s.data_dir))
            out.print("explore it in a browser (see the README's walkthrough):", highlight=False)
            # whole lines, never wrapped at the terminal's width: they are to be copied
            out.print(
                f"  {me} token create --user YOU --role investigator --data-dir {data}",
                highlight=False,
                soft_wrap=True,
            )
            out.print(f"  {me} serve --data-dir {data}", highlight=False, soft_wrap=True)
            out.print(
                f"  then open http://127.0.0.1:8000/ui/entity/Officer:{top.officer_id} and sign in with the token"
            )
        out.print(f"done in {time.perf_counter() - t0:.1f} s")
