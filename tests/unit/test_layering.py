"""Layering rules: services never pull in textual or the sandbox; screens never import the
I/O libraries; and the tests exercise this checkout, not an installed copy."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import tui
import tui.services

ROOT = Path(__file__).resolve().parents[2]


def test_tui_is_imported_from_this_repository() -> None:
    assert Path(tui.__file__).resolve().parent == ROOT / "tui"


def test_services_import_neither_textual_nor_the_sandbox() -> None:
    modules = sorted(f"tui.services.{m.name}" for m in pkgutil.iter_modules(tui.services.__path__))
    assert "tui.services.http" in modules and "tui.services.bundle" in modules
    script = (
        "import importlib, json, sys\n"
        f"mods = {modules!r}\n"
        "importlib.import_module('tui.services')\n"
        "for m in mods: importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k == 'textual' or k.startswith('textual.')"
        " or k == 'tui.sandbox' or k.startswith('tui.sandbox.'))\n"
        "print(json.dumps(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


FORBIDDEN_IN_SCREENS = {"httpx", "keyring", "pyperclip", "yaml"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_screens_never_import_io_libraries() -> None:
    files = sorted((ROOT / "screens").rglob("*.py"))
    assert files, "screens/ should exist"
    offenders = {
        str(f.relative_to(ROOT)): sorted(_imported_roots(f) & FORBIDDEN_IN_SCREENS)
        for f in files
        if _imported_roots(f) & FORBIDDEN_IN_SCREENS
    }
    assert offenders == {}


def test_the_checker_would_catch_an_offender(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import httpx\nfrom yaml import safe_load\nfrom . import x\n")
    assert _imported_roots(sample) & FORBIDDEN_IN_SCREENS == {"httpx", "yaml"}
