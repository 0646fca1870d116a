"""The built-in upstream: an httpbin-compatible service at the root of its own origin.

The tutorial protects ``https://httpbin.org`` and calls ``/uuid``; the sandbox's generated
configuration points at this origin instead, so the same calls work offline. Endpoints:
``/`` (HTML index, what status probes fetch), ``/uuid``, ``/get``, ``/headers``, ``/ip``,
``/user-agent``, ``/anything[/…]`` (any method), ``/status/{codes}`` and ``/delay/{n}``
(``n`` capped at :data:`MAX_DELAY` seconds). JSON is indented as httpbin's is.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

SCHEMA = ""
MAX_DELAY = 10.0
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
BODY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sandbox httpbin</title></head>
<body><h1>sandbox httpbin</h1>
<p>The APS sandbox's built-in upstream, answering like httpbin.org.</p>
<ul><li>GET /uuid</li><li>GET /get</li><li>GET /headers</li><li>GET /ip</li>
<li>GET /user-agent</li><li>ANY /anything</li><li>/status/{code}</li><li>/delay/{n}</li></ul>
</body></html>
"""


def pretty(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _headers(request: Request) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in request.headers.items():
        key = _title(name)
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def _args(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        args[key] = values[0] if len(values) == 1 else values
    return args


def _origin(request: Request) -> str:
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded
    return request.client.host if request.client else ""


class _Gone(Exception):
    """The caller went away while sending its body (e.g. the gateway refused it)."""


async def _body_fields(request: Request) -> dict[str, Any]:
    try:
        raw = await request.body()
    except ClientDisconnect as exc:
        raise _Gone from exc
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    data = ""
    parsed_json: Any = None
    parsed_form = None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            parsed_form = await request.form()
        except HTTPException:  # beyond the form parser's limits: show it as raw data instead
            parsed_form = None
    if parsed_form is not None:
        for key, value in parsed_form.multi_items():
            if isinstance(value, str):
                form[key] = value
            else:
                content = await value.read()
                files[key] = content.decode("utf-8", "replace")
    else:
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError:
            encoded = base64.b64encode(raw).decode("ascii")
            data = f"data:application/octet-stream;base64,{encoded}"
        if raw:
            try:
                parsed_json = json.loads(raw)
            except ValueError:
                parsed_json = None
    return {"data": data, "files": files, "form": form, "json": parsed_json}


def _status_choice(spec: str) -> int | None:
    """httpbin's ``/status/200,404`` and ``/status/200:0.9,500:0.1`` forms."""
    choices: list[tuple[int, float]] = []
    for part in spec.split(","):
        code, _, weight = part.partition(":")
        try:
            value = int(code)
            share = float(weight) if weight else 1.0
        except ValueError:
            return None
        if not 100 <= value <= 599 or share < 0:
            return None
        choices.append((value, share))
    if not choices:
        return None
    if len(choices) == 1:
        return choices[0][0]
    codes, weights = zip(*choices, strict=True)
    if sum(weights) <= 0:
        return None
    return random.choices(codes, weights=weights)[0]


async def index(request: Request) -> Response:
    return HTMLResponse(_INDEX)


async def uuid_(request: Request) -> Response:
    return pretty({"uuid": str(uuid.uuid4())})


async def get(request: Request) -> Response:
    return pretty(
        {
            "args": _args(request),
            "headers": _headers(request),
            "origin": _origin(request),
            "url": str(request.url),
        }
    )


async def headers(request: Request) -> Response:
    return pretty({"headers": _headers(request)})


async def ip(request: Request) -> Response:
    return pretty({"origin": _origin(request)})


async def user_agent(request: Request) -> Response:
    return pretty({"user-agent": request.headers.get("user-agent")})


async def anything(request: Request) -> Response:
    try:
        fields = await _body_fields(request)
    except _Gone:
        return Response(status_code=400)  # nobody is listening any more
    return pretty(
        {
            "args": _args(request),
            **fields,
            "headers": _headers(request),
            "method": request.method,
            "origin": _origin(request),
            "url": str(request.url),
        }
    )


async def status(request: Request) -> Response:
    code = _status_choice(request.path_params["codes"])
    if code is None:
        return Response("Invalid status code", status_code=400, media_type="text/html")
    extra: dict[str, str] = {}
    if code == 401:
        extra["WWW-Authenticate"] = 'Basic realm="Fake Realm"'
    elif code in (301, 302, 303, 305, 307):
        extra["Location"] = "/redirect/1"
    if code in (204, 304) or code < 200:
        return Response(status_code=code, headers=extra)
    return Response(b"", status_code=code, headers=extra, media_type="text/html")


async def delay(request: Request) -> Response:
    try:
        seconds = float(request.path_params["n"])
    except ValueError:
        return Response("Invalid delay", status_code=400, media_type="text/html")
    await asyncio.sleep(min(max(seconds, 0.0), MAX_DELAY))
    try:
        fields = await _body_fields(request)
    except _Gone:
        return Response(status_code=400)
    return pretty(
        {
            "args": _args(request),
            "data": fields["data"],
            "files": fields["files"],
            "form": fields["form"],
            "headers": _headers(request),
            "origin": _origin(request),
            "url": str(request.url),
        }
    )


ROUTES: list[BaseRoute] = [
    Route("/", index, methods=["GET"]),
    Route("/uuid", uuid_, methods=["GET"]),
    Route("/get", get, methods=["GET"]),
    Route("/headers", headers, methods=["GET"]),
    Route("/ip", ip, methods=["GET"]),
    Route("/user-agent", user_agent, methods=["GET"]),
    Route("/anything", anything, methods=ANY_METHOD),
    Route("/anything/{rest:path}", anything, methods=ANY_METHOD),
    Route("/status/{codes}", status, methods=BODY_METHODS),
    Route("/delay/{n}", delay, methods=BODY_METHODS),
]
