"""The API Services Portal's web pages, as the tutorial clicks through them.

Server-rendered (Starlette + Jinja2) on the portal origin, beside ``/ds/api``: sign in, the
Gateways tab, Products, the Directory preview, Request Access → Generate Secrets, My Access
and the Consumers page with Delete. Labels and paths follow ``portal-pages.md``. The pages
share the REST API's store and consumer functions, so both always agree.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..context import SandboxContext
from . import devportal, manager, sessions, signin, store
from .render import STATIC, redirect

SCHEMA = sessions.SCHEMA + store.SCHEMA


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    async def home(request: Request) -> Response:
        return redirect("/devportal/api-directory")

    static = StaticFiles(directory=Path(__file__).with_name("static"))
    return [
        Route("/", home, methods=["GET"]),
        *signin.routes(ctx),
        *manager.routes(ctx),
        *devportal.routes(ctx),
        Mount(STATIC, app=static, name="portal-static"),
    ]
