"""Request-size cap and last-resort error handlers: the sandbox never answers with a traceback."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gwa_wizard.sandbox")


class BodyLimitMiddleware:
    """Refuse bodies larger than ``limit`` bytes with 413, by header and while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    @classmethod
    def spec(cls, limit: int) -> Middleware:
        return Middleware(cls, limit=limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = True
                if too_big:
                    await _too_large(self.limit)(scope, receive, send)
                    return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _too_large(self.limit)(scope, receive, send)


class BodyTooLarge(Exception):
    """Raised by the size-limited receive; handlers answer 413."""

    pass


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"message": f"Request body is larger than the sandbox limit of {limit} bytes"},
        status_code=413,
    )


def http_error_response(exc: HTTPException) -> JSONResponse:
    """Starlette's own 404/405 (no route, wrong method) in the portal's words."""
    if exc.status_code == 404:
        return JSONResponse({"message": "Resource not found"}, status_code=404)
    if exc.status_code == 405:
        return JSONResponse({"message": "Method Not Allowed"}, status_code=405)
    return JSONResponse({"message": str(exc.detail)}, status_code=exc.status_code)


def problem_handlers() -> dict:
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return http_error_response(exc)

    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("sandbox error on %s %s", request.method, request.url.path)
        return JSONResponse({"message": "Internal Server Error"}, status_code=500)

    return {HTTPException: http_error, Exception: crash}
