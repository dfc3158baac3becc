from __future__ import annotations

from fastapi import APIRouter

from api.deps import SettingsDep, StoreDep
from api.models import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(settings: SettingsDep, store: StoreDep) -> Health:
    """Liveness and store reachability (the store answers a trivial query)."""
    store.query("RETURN 1 AS ok")
    return Health(status="ok", store=settings.store)
