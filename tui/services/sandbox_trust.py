"""Certificate authorities the wizard trusts besides the system's: the sandbox's own CA.

The sandbox's data plane answers ``https://<host>.localhost:<port>`` with certificates from
a CA of its own (``gwa-wizard sandbox ca``). When the wizard runs its embedded sandbox it
registers that CA here, and every TLS context the wizard builds (``http.shared_ssl_context``)
trusts it as well as the system's authorities. Nothing else is trusted this way.
"""

from __future__ import annotations

import ssl
import threading

_pems: list[str] = []
_lock = threading.Lock()


def trust(pem: str) -> None:
    """Trust ``pem`` (a CA certificate) in every TLS context built from now on."""
    ssl.PEM_cert_to_DER_cert(pem.strip())  # refuse anything that is not one certificate
    with _lock:
        if pem not in _pems:
            _pems.append(pem)


def add_trusted(context: ssl.SSLContext) -> ssl.SSLContext:
    """``context`` with the registered CAs added to its trust store."""
    with _lock:
        pems = list(_pems)
    for pem in pems:
        context.load_verify_locations(cadata=pem)
    return context
