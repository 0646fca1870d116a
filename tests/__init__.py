"""The test suite. Imported before any test module, conftest or helper of it, so this is
where the test processes are told to cache compiled bytecode.

Where ``PYTHONDONTWRITEBYTECODE`` is set (as on the project's 2-core machine), Python never
writes ``__pycache__``: every pytest worker then rewrites the asserts of all ~150 test modules
again at collection (about 3.3 s of CPU each, of 5.9 s) and every process the suite starts
(the embedded sandbox's child, ``python -m tui``, the browser learners' wizards) compiles
the project's modules from source again. Caching is Python's default behaviour; the caches
go to ``__pycache__`` folders, which git ignores. Child processes keep the environment
as it is: they only read what the workers wrote. (Third-party packages are compiled once
by ``uv sync --compile-bytecode``; see the README's development section.)
"""

import sys

sys.dont_write_bytecode = False
