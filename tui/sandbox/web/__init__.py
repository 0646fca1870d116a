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

from . import devportal, manager, sessions, signin, store
from .render import STATIC, page_handlers, redirect

SCHEMA = sessions.SCHEMA + store.SCHEMA
__all__ = ["ASSETS", "ROUTES", "SCHEMA", "page_handlers"]


async def home(request: Request) -> Response:
    return redirect("/devportal/api-directory")


# The pages, at the root of the portal origin: ``app.py`` mounts them with
# :func:`render.page_handlers`, which turn their errors into pages.
ROUTES: list[BaseRoute] = [
    Route("/", home, methods=["GET"]),
    *signin.ROUTES,
    *manager.ROUTES,
    *devportal.ROUTES,
]

# The pages' stylesheet and script, beside them (a missing file is a plain 404, not a page).
ASSETS = Mount(
    STATIC, app=StaticFiles(directory=Path(__file__).with_name("static")), name="portal-static"
)
