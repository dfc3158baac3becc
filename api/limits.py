"""A cap on the size of request bodies, before anything reads them."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException

Scope = dict[str, Any]


class BodyLimit:
    """ASGI middleware: a request whose body is larger than ``max_bytes`` gets 413 (by
    its ``Content-Length``, or as soon as a chunked body passes the cap), so no handler
    parses, guards or stores a megabytes-long query (a 16 MB query once took the server
    to 3 GB)."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:  # a chunked body: the handler that reads it answers 413
                    raise HTTPException(413, self.message)
            return message

        await self.app(scope, limited, send)

    @property
    def message(self) -> str:
        return f"the request body is larger than {self.max_bytes // 1024} KiB (LINKWATCH_MAX_REQUEST_KB)"

    async def _refuse(self, send: Any) -> None:
        body = json.dumps({"detail": self.message}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
