"""gwa-wizard: learn the API Services Portal by doing it."""

import sys

__version__ = "0.1.0"

# httpx's package __init__ imports its command-line client (``httpx._main``: click, pygments,
# rich tables), which costs about half of ``import httpx`` and which neither the wizard nor
# the sandbox runs. A None entry makes that import fail the way a missing optional
# dependency does, and httpx then leaves its ``httpx`` console command unset; every other
# part of httpx is untouched. Set only when nothing imported the module yet.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
