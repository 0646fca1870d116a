"""``gwa-wizard generate-config``: same bytes as gwa in the current folder, gwa's refusals.

The golden files are the ones of test_templates.py (rendered by gwa's own Go templates).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

GOLDEN_DIR = Path(__file__).parent / "golden"

CASES = {
    "cc-httpbin": ["-t", "client-credentials-shared-idp", "-s", "my-service", "-u",
                   "https://httpbin.org", "-g", "gw-1a2b3"],
    "cc-sandbox-loopback": ["--template", "client-credentials-shared-idp", "--service",
                            "example-protected-service", "--upstream", "http://127.0.0.1:8462",
                            "--gateway", "gw-de82c"],
    "cc-trailing-slash-org": ["-t", "client-credentials-shared-idp", "-s", "Orders_API v2",
                              "-u", "https://httpbin.org/", "-g", "gw-00aa1", "--org", "my-org",
                              "--org-unit", "my-unit"],
    "kong-httpbin": ["-t", "kong-httpbin", "-s", "my-service", "-u", "https://httpbin.org",
                     "-g", "gw-1a2b3"],
    "qs-httpbin": ["-t", "quick-start", "-s", "my-service", "-u", "https://httpbin.org",
                   "-g", "gw-1a2b3"],
}  # fmt: skip


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("stem", sorted(CASES))
def test_cli_writes_gwa_bytes(stem: str, workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate-config", *CASES[stem], "--out", f"{stem}.yaml"]) == 0
    written = (workdir / f"{stem}.yaml").read_bytes()
    assert written == (GOLDEN_DIR / f"{stem}.yaml").read_bytes()
    assert f"File {stem}.yaml created" in capsys.readouterr().out


def test_cli_default_out_file_is_gw_config_yaml(workdir: Path) -> None:
    assert main(["generate-config", *CASES["kong-httpbin"]]) == 0
    assert (workdir / "gw-config.yaml").read_bytes() == (
        GOLDEN_DIR / "kong-httpbin.yaml"
    ).read_bytes()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["-t", "quickstart"], "quickstart is not a valid template"),
        (["-u", "httpbin.org"], "Include the scheme, like https://httpbin.org"),
        (["--out", "gw-config.json"], "Only YAML files are accepted"),
        (["--out", "../gw-config.yaml"], "'..'"),
        (["-s", "<MYSERVICE>"], "placeholder"),
    ],
)
def test_cli_refuses_with_the_reason(
    change: list[str], message: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate-config", *CASES["kong-httpbin"], *change]) != 0
    assert message in capsys.readouterr().err
    assert list(workdir.iterdir()) == []


def test_cli_as_a_process(workdir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "generate-config", *CASES["qs-httpbin"], "-o", "q.yml"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (workdir / "q.yml").read_bytes() == (GOLDEN_DIR / "qs-httpbin.yaml").read_bytes()
