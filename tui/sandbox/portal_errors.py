"""The portal's and gwa-api's error bodies, authentication and request-body checks.

Handlers raise :class:`Problem` with the exact status and body of the real system (contract
§3.2 for ``/ds/api``, §3.3 for ``/gw/api``); :func:`handler` (one exception handler per
mount, :func:`mount_handlers`) turns it into a response and anything unexpected into the
system's own 500 body, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .context import SandboxContext
from .limits import BodyTooLarge, http_error_response
from .strict_json import strict_json
from .tokens import TokenProblem, bearer_from_header, username_of, verify_provider_token

log = logging.getLogger("gwa_wizard.sandbox")

# Scopes (docs/contract.md#s5.5). The creator of a gateway holds all of CREATOR_SCOPES.
NAMESPACE_MANAGE = "Namespace.Manage"
ISSUER_ADMIN = "CredentialIssuer.Admin"
ISSUER_GENERATE = "CredentialIssuer.Generate"
PUBLISH = "GatewayConfig.Publish"
ACCESS_MANAGE = "Access.Manage"
CREATOR_SCOPES = (NAMESPACE_MANAGE, ISSUER_ADMIN, ISSUER_GENERATE, PUBLISH, ACCESS_MANAGE)


class Problem(Exception):
    """An error answer: HTTP status plus the JSON body the real system sends."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status)


# -- portal (/ds/api) bodies ------------------------------------------------------------------
def validation_failed(message: str, fields: dict[str, dict[str, Any]]) -> Problem:
    return Problem(422, {"code": "validation_error", "message": message, "fields": fields})


def graphql_failure(message: str, *texts: str) -> Problem:
    """Controller-wrapped GraphQL errors: ``fields.d0.message``, ``d1``…"""
    return validation_failed(message, {f"d{i}": {"message": t} for i, t in enumerate(texts)})


def assertion(message: str) -> Problem:
    return Problem(422, {"message": message})


def not_found() -> Problem:
    return Problem(404, {"message": "Resource not found"})


def forbidden(gateway_id: str, scope: str) -> Problem:
    return Problem(
        403,
        {"code": "permission_denied", "message": f"Missing required scope: {gateway_id}:{scope}"},
    )


def mount_handlers(crash_body: Any) -> dict[Any, Callable[..., Awaitable[Response]]]:
    """The exception handlers of one mount (``/ds/api``, ``/gw/api``, ``/auth``, ``/sandbox``).

    This is the one place errors are caught: a :class:`Problem` becomes its response, an
    unknown path or method the portal's 404/405 body, anything unexpected ``crash_body`` with
    status 500 (logged, never a traceback). :class:`BodyTooLarge` passes through to the size
    cap's middleware, which answers 413.
    """

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return exc.response()

    async def too_large(request: Request, exc: Exception) -> Response:
        raise exc

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return http_error_response(exc)

    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("sandbox error on %s %s", request.method, request.url.path)
        return JSONResponse(crash_body, status_code=500)

    return {Problem: problem, BodyTooLarge: too_large, HTTPException: http_error, Exception: crash}


PORTAL_CRASH = {"message": "Internal Server Error"}
GWA_CRASH = {"error": "Unexpected Error"}


# -- authentication ---------------------------------------------------------------------------
def portal_user(ctx: SandboxContext, request: Request) -> str:
    """The caller's username, or the portal's 401 (express-jwt codes and messages)."""
    header = request.headers.get("authorization")
    if not header and request.headers.get("x-forwarded-access-token"):
        header = "Bearer " + request.headers["x-forwarded-access-token"]
    try:
        token = bearer_from_header(header)
        claims = verify_provider_token(ctx, token)
    except TokenProblem as problem:
        code = {
            "missing": "credentials_required",
            "bad_scheme": "credentials_bad_scheme",
            "bad_format": "credentials_bad_format",
        }.get(problem.kind, "invalid_token")
        raise Problem(401, {"code": code, "message": problem.message}) from None
    return username_of(claims)


def gwa_user(ctx: SandboxContext, request: Request) -> str:
    """The caller's username, or gwa-api's (authlib's) 401."""
    try:
        token = bearer_from_header(request.headers.get("authorization"))
        claims = verify_provider_token(ctx, token)
    except TokenProblem as problem:
        message = "Token Expired" if problem.kind == "expired" else "Invalid Token"
        raise Problem(401, {"error": message}) from None
    return username_of(claims)


def has_scope(ctx: SandboxContext, username: str, gateway_id: str, scope: str) -> bool:
    row = ctx.db.query_one(
        "SELECT 1 FROM permissions WHERE gateway_id=? AND username=? AND scope=?",
        (gateway_id, username, scope),
    )
    return row is not None


def require_scope(ctx: SandboxContext, request: Request, gateway_id: str, scope: str) -> str:
    """Authenticate, then check the UMA scope on the gateway (unknown gateway → same 403)."""
    username = portal_user(ctx, request)
    if not has_scope(ctx, username, gateway_id, scope):
        raise forbidden(gateway_id, scope)
    return username


def require_publish(ctx: SandboxContext, request: Request, gateway_id: str) -> str:
    username = gwa_user(ctx, request)
    if not has_scope(ctx, username, gateway_id, PUBLISH):
        raise Problem(
            403,
            {"error": f"Not authorized to access namespace {gateway_id} with {PUBLISH}"},
        )
    return username


# -- request bodies ---------------------------------------------------------------------------
async def json_body(request: Request) -> Any:
    """Parse a JSON body; malformed → 422 ``Syntax Error Parsing JSON`` (body-parser)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return strict_json(raw)  # NaN/Infinity are not JSON (body-parser refuses them too)
    except (ValueError, RecursionError):
        raise Problem(422, {"message": "Syntax Error Parsing JSON"}) from None


# A tiny tsoa: a model is {prop: spec}; a spec is "string", "boolean", "any",
# ("enum", [...]), ("array", spec), ("model", {...}), ("map", spec).
Spec = Any


def check_model(value: Any, model: dict[str, Spec], *, required: tuple[str, ...] = ()) -> None:
    """Validate a request body as tsoa does with throw-on-extras; 422 with every field error."""
    errors: dict[str, dict[str, Any]] = {}
    _check(value, ("model", model), "body", errors, required)
    if errors:
        raise validation_failed("", errors)


def _check(
    value: Any,
    spec: Spec,
    path: str,
    errors: dict[str, dict[str, Any]],
    required: tuple[str, ...] = (),
) -> None:
    if value is None and path != "body":
        return  # optional properties may be null or absent
    if spec == "any":
        return
    if spec == "string":
        if not isinstance(value, str):
            errors[path] = {"message": "invalid string value", "value": value}
        return
    if spec == "boolean":
        if not isinstance(value, bool):
            errors[path] = {"message": "invalid boolean value", "value": value}
        return
    kind, inner = spec
    if kind == "enum":
        if value not in inner:
            options = ",".join(f"'{v}'" for v in inner)
            errors[path] = {
                "message": f"should be one of the following; [{options}]",
                "value": value,
            }
        return
    if kind == "array":
        if not isinstance(value, list):
            errors[path] = {"message": "invalid array", "value": value}
            return
        for i, item in enumerate(value):
            _check(item, inner, f"{path}.${i}", errors)
        return
    if kind == "map":
        if not isinstance(value, dict):
            errors[path] = {"message": "invalid object", "value": value}
            return
        for key, item in value.items():
            _check(item, inner, f"{path}.{key}", errors)
        return
    # model
    if not isinstance(value, dict):
        errors[path] = {"message": "invalid object", "value": value}
        return
    extra = [k for k in value if k not in inner]
    if extra:
        errors[path] = {
            "message": f'"{",".join(extra)}" is an excess property and therefore is not allowed',
            "value": {k: value[k] for k in extra},
        }
    for name in required:
        if value.get(name) in (None, ""):
            errors[f"{path}.{name}"] = {"message": f"'{name}' is required"}
    for key, item_spec in inner.items():
        if key in value:
            _check(value[key], item_spec, f"{path}.{key}", errors)
