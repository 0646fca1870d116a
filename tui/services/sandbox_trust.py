"""Certificate authorities the wizard trusts besides the system's: the sandbox's own CA.

The sandbox's data plane answers ``https://<host>.localhost:<port>`` with certificates from
a CA of its own (``gwa-wizard sandbox ca``). When the wizard runs its embedded sandbox it
registers that CA here, and every TLS context the wizard builds (``http.shared_ssl_context``)
trusts it as well as the system's authorities. Nothing else is trusted this way.
"""

from __future__ import annotations

import ssl
import threading
import weakref

_pems: list[str] = []
_contexts: weakref.WeakSet[ssl.SSLContext] = weakref.WeakSet()
_lock = threading.Lock()


def trust(pem: str) -> None:
    """Trust ``pem`` (a CA certificate) in every context made by :func:`add_trusted`, before or
    after this call."""
    ssl.PEM_cert_to_DER_cert(pem.strip())  # refuse anything that is not one certificate
    with _lock:
        if pem in _pems:
            return
        _pems.append(pem)
        built = list(_contexts)
    # Contexts built before the CA was known (the shared one is made early, at start-up)
    # trust it too, for every connection from now on.
    for context in built:
        context.load_verify_locations(cadata=pem)


def add_trusted(context: ssl.SSLContext) -> ssl.SSLContext:
    """``context`` with the registered CAs added to its trust store."""
    with _lock:
        pems = list(_pems)
        _contexts.add(context)
    for pem in pems:
        context.load_verify_locations(cadata=pem)
    return context
