"""gwa-wizard: learn the API Services Portal by doing it."""

import sys as _sys

__version__ = "0.1.0"

# ``import httpx`` also imports httpx's command-line tool whenever click is installed (uvicorn
# brings it): click, pygments and rich's syntax highlighting, about 18 ms of the wizard's
# start-up, on the way to Target's first check. Nothing here runs that tool; httpx defines a
# stand-in ``main`` when the module cannot be imported, which a None entry makes so.
_sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
