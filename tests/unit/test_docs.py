"""The repository explains itself: every section of docs/contract.md the code cites exists,
and no comment cites a contract that is not in this repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITE = re.compile(r"docs/contract\.md((?:#s[\d.]+(?:, | to )?)+)")


def _sources() -> list[Path]:
    return sorted(p for d in ("tui", "screens", "tests") for p in (ROOT / d).rglob("*.py"))


def test_every_cited_contract_section_exists() -> None:
    anchors = set(re.findall(r'<a id="s([\d.]+)"></a>', (ROOT / "docs/contract.md").read_text()))
    assert {"2.3", "3.1", "4.3", "5.4", "8.2", "13", "16"} <= anchors
    cited: dict[str, set[str]] = {}
    for path in _sources():
        for match in CITE.finditer(path.read_text(encoding="utf-8")):
            for section in re.findall(r"#s([\d]+(?:\.\d+)?)", match.group(1)):
                cited.setdefault(section, set()).add(str(path.relative_to(ROOT)))
    assert len(cited) >= 20  # the code does cite it
    missing = {s: sorted(files) for s, files in cited.items() if s not in anchors}
    assert missing == {}


def test_no_comment_cites_a_contract_outside_the_repository() -> None:
    outside = re.compile(r"contract §\d|aps-contract\.md")
    offenders = [
        str(p.relative_to(ROOT)) for p in _sources() if outside.search(p.read_text("utf-8"))
    ]
    assert offenders == []
