"""A damaged saved-ports file never stops the sandbox: it starts on free ports and writes a
good file again; values that are not ports are ignored one by one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sandbox.portal_kit import start_server
from tui.sandbox.ports import PORTS_FILE, load


@pytest.mark.parametrize("text", ["{half a file", "[8000, 8001, 8002]", '"8000"', ""])
def test_a_damaged_ports_file_is_replaced_by_the_ports_in_use(tmp_path: Path, text: str) -> None:
    (tmp_path / PORTS_FILE).write_text(text, encoding="utf-8")
    server = start_server(tmp_path, keep_ports=True)
    try:
        bound = dict(server.ctx.bound)
        assert server.moved == []  # nothing was "moved": there was nothing usable to keep
    finally:
        server.stop()
    assert json.loads((tmp_path / PORTS_FILE).read_text(encoding="utf-8")) == bound


def test_values_that_are_not_ports_are_ignored_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / PORTS_FILE
    saved = {"portal": 8460, "data_plane": "8461", "upstream": True, "extra": 70000, "x": 0}
    path.write_text(json.dumps(saved), encoding="utf-8")
    assert load(path) == {"portal": 8460}
