"""Dependencies shared by the routers: the settings, and the workspace a request reads
(one snapshot of the graph store for the whole request; see
:meth:`graph.workspace.Workspace.pinned`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from graph.settings import Settings
from graph.workspace import Workspace


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def server_workspace(request: Request) -> Workspace:
    """The server's shared workspace (opened once, at start-up)."""
    ws: Workspace = request.app.state.workspace
    return ws


def get_workspace(request: Request) -> Iterator[Workspace]:
    """The workspace with the graph store pinned to one snapshot until the request ends."""
    with server_workspace(request).pinned() as view:
        yield view


SettingsDep = Annotated[Settings, Depends(get_settings)]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
