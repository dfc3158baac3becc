"""``linkwatch token``: API tokens for ``linkwatch serve``."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.common import console, data_dir_option, errors, group, out, print_rows
from api.ops import tokens as ops
from api.ops.look import cli_look
from graph.settings import Settings
from graph.workspace import Workspace

token_app = group(
    "token", "API tokens for `linkwatch serve`: create (shown once, stored hashed), list, revoke."
)


@token_app.command("create")
@data_dir_option
def token_create(
    user: Annotated[str, typer.Option("--user", help="Who the token speaks for.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="investigator, analyst, auditor, admin, appropriate_authority or subject_access.",
        ),
    ],
    settings: Settings,
    expires_days: Annotated[int | None, typer.Option("--expires-days", help="Days until it expires.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What it is for.")] = None,
    officer_id: Annotated[
        str | None,
        typer.Option("--officer-id", help="The user's own officer id in the HR data (conflict checks)."),
    ] = None,
) -> None:
    """Make an API token. The token is printed once (on stdout, alone); only its hash is kept."""
    with errors(), Workspace(settings) as ws:
        t = ops.create(
            ws, cli_look(), user, role, note=note, expires_days=expires_days, officer_id=officer_id
        )
        console.print(
            f"token {t.token_id} for {t.user} ({t.role})"
            + (f", expires {t.expires_at}" if t.expires_at else "")
            + ": keep it secret; it is not shown again"
        )
        print(t.secret)


@token_app.command("list")
@data_dir_option
def token_list(settings: Settings) -> None:
    """List tokens (never the secrets)."""
    with errors(), Workspace(settings) as ws:
        rows = ws.meta.tokens()
        cols = [
            "token_id",
            "user",
            "role",
            "officer_id",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "note",
        ]
        print_rows([{c: r.get(c) for c in cols} for r in rows], "table")


@token_app.command("revoke")
@data_dir_option
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id.")], settings: Settings
) -> None:
    """Revoke a token at once."""
    with errors(), Workspace(settings) as ws:
        ops.revoke(ws, cli_look(), token_id)
        out.print(f"token {token_id} revoked")
