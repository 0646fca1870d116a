"""What every sandbox module shares: configuration, storage, keys and the live URLs."""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection

from .. import __version__
from . import client_secrets
from .db import Database
from .keys import LOGIN_REALM, SHARED_IDP_REALM, KeyRing
from .private_files import create_private, make_private

if TYPE_CHECKING:
    import httpx

# The issuer the client-credentials-shared-idp template hard-codes in ``allowed_iss``.
SHARED_IDP_ISSUER = "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw"
LOGIN_CLIENT_ID = "gwa-cli"
# Suffixes the test portal transforms (docs/contract.md#s8.4); other hosts are custom domains.
TRANSFORMED_SUFFIXES = (
    ".api.gov.bc.ca",
    ".data.gov.bc.ca",
    ".maps.gov.bc.ca",
    ".openmaps.gov.bc.ca",
    ".apps.gov.bc.ca",
    ".apis.gov.bc.ca",
)


@dataclass
class SandboxConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    portal_port: int = 8460  # 0 picks a free port
    data_plane_port: int = 8461
    upstream_port: int = 8462
    passcode: str | None = None
    # The name learners use to reach this machine (a class sandbox on 0.0.0.0); defaults to
    # the bind address, or 127.0.0.1 when bound to every interface.
    public_host: str | None = None
    # Upstreams on loopback and private networks: allowed for the embedded single-user
    # sandbox (its built-in upstream is on loopback), refused by a class sandbox unless the
    # trainer allows them (``sandbox serve --allow-local-upstreams``). See upstream_policy.
    allow_local_upstreams: bool = True
    max_body_bytes: int = 2 * 1024 * 1024
    # Per-learner quotas (quotas.py).
    max_gateways_per_user: int = 25
    max_services_per_gateway: int = 200
    max_config_bytes: int = 1024 * 1024
    # The embedded sandbox asks for the ports it had last time (saved in the data folder), so
    # what the learner published and copied keeps working across launches (tui/sandbox/ports).
    keep_ports: bool = False
    # The embedded sandbox's own process warms up (keys, httpx, jinja2) once the wizard has
    # done its first check, not while it boots and serves that check (tui/sandbox/child.py).
    warm_up_later: bool = False
    # A class sandbox (``sandbox serve``): one name per learner, throttled sign-in, the board.
    classroom: bool = False
    trainer_key: str | None = None  # None: a random key kept in the data dir


@dataclass
class SandboxContext:
    config: SandboxConfig
    db: Database
    keys: KeyRing
    bound: dict[str, int] = field(default_factory=dict)  # listener name -> bound port
    # Per-sandbox caches and clients, never module globals: issuer keys fetched by the
    # jwt-keycloak plugin (well-known URL -> keys) and one HTTP client for the sandbox's own
    # outgoing calls (status probes, issuer keys), made on first use in the serving loop.
    issuer_keys: dict[str, Any] = field(default_factory=dict)
    verified_tokens: dict[bytes, Any] = field(default_factory=dict)  # token -> key (RS256)
    _http: httpx.AsyncClient | None = field(default=None, repr=False)
    _http_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ca: Any = field(default=None, repr=False)
    warmed: threading.Event = field(default_factory=threading.Event, repr=False)
    # publish_turns.py: the worker-thread lanes, and each learner's turn (while in use)
    publish_lanes: dict[str, Any] = field(default_factory=dict, repr=False)
    publish_turns: weakref.WeakValueDictionary[str, Any] = field(
        default_factory=weakref.WeakValueDictionary, repr=False
    )

    @classmethod
    def open(cls, config: SandboxConfig, schemas: list[str]) -> SandboxContext:
        make_private(config.data_dir)
        db_path = config.data_dir / "sandbox.sqlite3"
        create_private(db_path)
        db = Database(db_path, schemas)
        client_secrets.hash_stored_consumer_secrets(db)
        return cls(config=config, db=db, keys=KeyRing(db))

    def certificate_authority(self) -> Any:
        """The data directory's sandbox CA (``sandbox_ca.py``), made on first use."""
        if self._ca is None:
            from .sandbox_ca import CertificateAuthority

            self._ca = CertificateAuthority(self.config.data_dir)
        return self._ca

    def data_plane_http(self) -> Any:
        """uvicorn's ``http`` protocol for the data plane: plain HTTP and TLS on one port."""
        from .tls_sniff import protocol_class

        return protocol_class(self.certificate_authority().context)

    def http_client(self) -> httpx.AsyncClient:
        """The sandbox's one client for its own outgoing calls (httpx is imported here, on
        first use, so the sandbox starts without it)."""
        with self._http_lock:
            if self._http is not None and not self._http.is_closed:
                return self._http
            import httpx

            self._http = httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            )
        return self._http

    def warm_up(self) -> None:
        """Slow first-use work, done in a thread as the sandbox starts so that no request
        waits for it on the event loop: both realms' signing keys (generated on a first
        launch, then loaded), the status probes' client, the worker-thread machinery."""
        try:
            for realm in (LOGIN_REALM, SHARED_IDP_REALM):
                self.keys.kid(realm)
            self.http_client()  # imports httpx and loads the CA bundle
            import anyio._backends._asyncio  # noqa: F401  (publish's worker threads)
            import jinja2  # noqa: F401  (the portal pages)
        except Exception:  # stopped meanwhile (closed store): first use does it instead
            return
        finally:
            self.warmed.set()

    async def close_clients(self) -> None:
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()

    # -- addresses, always computed from the current listeners (never stored) ---------------
    @property
    def advertised_host(self) -> str:
        if self.config.public_host:
            return self.config.public_host
        if self.config.host in ("0.0.0.0", "::", ""):
            return "127.0.0.1"
        return self.config.host

    def _port(self, name: str) -> int:
        default = {
            "portal": self.config.portal_port,
            "data_plane": self.config.data_plane_port,
            "upstream": self.config.upstream_port,
        }[name]
        return self.bound.get(name, default)

    @property
    def portal_url(self) -> str:
        return f"http://{self.advertised_host}:{self._port('portal')}"

    @property
    def portal_hostport(self) -> str:
        return f"{self.advertised_host}:{self._port('portal')}"

    @property
    def data_plane_port(self) -> int:
        return self._port("data_plane")

    @property
    def upstream_url(self) -> str:
        return f"http://{self.advertised_host}:{self._port('upstream')}"

    @property
    def login_issuer(self) -> str:
        return f"{self.portal_url}/auth/realms/{LOGIN_REALM}"

    @property
    def shared_idp_base(self) -> str:
        """Where the shared IdP realm is served (its tokens still carry SHARED_IDP_ISSUER)."""
        return f"{self.portal_url}/auth/realms/{SHARED_IDP_REALM}"

    @property
    def shared_idp_token_endpoint(self) -> str:
        return f"{self.shared_idp_base}/protocol/openid-connect/token"

    def env_host(self, route_host: str) -> str:
        """The host a learner calls for a route host, as the test portal transforms it.

        ``my-svc.dev.api.gov.bc.ca`` → ``my-svc-dev-api-gov-bc-ca.localhost:<data plane port>``.
        Custom domains are left alone (docs/contract.md#s8.4), with the data plane port added.
        """
        host = route_host.lower()
        if host.endswith(TRANSFORMED_SUFFIXES):
            host = host.replace(".", "-") + ".localhost"
        return f"{host}:{self.data_plane_port}"

    @property
    def version(self) -> str:
        return __version__


def context_of(request: HTTPConnection) -> SandboxContext:
    """The sandbox a request belongs to: ``app.build_apps`` keeps it in each app's state.

    Route handlers are module-level functions; this is how they reach the instance's
    storage, keys and URLs (several sandboxes may run in one process, as the tests do).
    """
    return request.app.state.ctx


_SAFE = re.compile(r"^[A-Za-z0-9._@ ()'/-]*$")


def is_safe_name(value: str) -> bool:
    """Names that may appear in paths: no traversal, no control characters."""
    return bool(_SAFE.match(value)) and ".." not in value
