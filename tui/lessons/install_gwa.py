"""The tutorial's first step: download the ``gwa`` CLI and put it on ``PATH``, per system.

The wizard does every step for the learner, but the replay script it exports (and the real
portal afterwards) need the real ``gwa``. :func:`install_steps` gives the instructions for the
computer the wizard runs on; :func:`all_systems` for every system (the help and the report).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

TUTORIAL_VERSION = "v3.0.0"  # the release the tutorial names
MIN_VERSION = "v3.1.1"  # older ones can no longer log in interactively (PKCE since 2026-05-12)
RELEASES = "https://github.com/bcgov/gwa-cli/releases"
PATH_NOTE = (
    "export adds gwa to PATH for this shell only; move the gwa file to ~/.local/bin (or "
    "another folder on your PATH) to keep it. If the release offers a .zip, unzip it instead."
)


def _download(asset: str) -> tuple[str, ...]:
    return (
        f"VERSION={MIN_VERSION}   # or newer, see {RELEASES}",
        f"curl -L {RELEASES}/download/$VERSION/{asset} | tar -zxf -",
        "export PATH=$PATH:$PWD",
    )


@dataclass(frozen=True)
class InstallSteps:
    system: str  # what the learner sees: "Linux (x86_64)", "macOS (Apple silicon)", "Windows"
    commands: tuple[str, ...]  # to paste into a terminal
    note: str = ""


LINUX_X86 = InstallSteps("Linux (x86_64)", _download("gwa_Linux_x86_64.tgz"), PATH_NOTE)
LINUX_ARM = InstallSteps("Linux (arm64)", _download("gwa_Linux_arm64.tgz"), PATH_NOTE)
MACOS_ARM = InstallSteps(
    "macOS (Apple silicon)",
    _download("gwa_Darwin_arm64.tgz"),
    "If your version has no arm64 build, the x86_64 one runs through Rosetta 2. "
    "If macOS blocks the file, run: xattr -d com.apple.quarantine gwa",
)
MACOS_INTEL = InstallSteps(
    "macOS (Intel)",
    _download("gwa_Darwin_x86_64.tgz"),
    "If macOS blocks the file, run: xattr -d com.apple.quarantine gwa",
)
WINDOWS = InstallSteps(
    "Windows",
    ("wsl --install", "# then, in the WSL (Ubuntu) terminal, the Linux (x86_64) commands"),
    "The tutorial's commands are for a Unix shell, so use WSL2. An OpenShift web terminal on "
    "a Platform Services cluster also works from any system. Open a new terminal after "
    "changing PATH.",
)
_BY_SYSTEM = {
    ("linux", "x86_64"): LINUX_X86,
    ("linux", "amd64"): LINUX_X86,
    ("linux", "aarch64"): LINUX_ARM,
    ("linux", "arm64"): LINUX_ARM,
}


def install_steps(system: str | None = None, machine: str | None = None) -> InstallSteps:
    """The instructions for this computer (or for ``system``/``machine`` as platform names)."""
    system = (system or platform.system()).lower()
    machine = (machine or platform.machine()).lower()
    if system == "darwin":
        return MACOS_ARM if machine in ("arm64", "aarch64") else MACOS_INTEL
    if system == "windows" or system.startswith(("cygwin", "msys")):
        return WINDOWS
    return _BY_SYSTEM.get((system, machine), LINUX_X86)


def all_systems() -> tuple[InstallSteps, ...]:
    return (LINUX_X86, LINUX_ARM, MACOS_ARM, MACOS_INTEL, WINDOWS)


def as_markdown(steps: InstallSteps) -> str:
    lines = [f"**Install the gwa CLI ({steps.system})**", "", "```sh", *steps.commands, "```"]
    if steps.note:
        lines += ["", steps.note]
    lines += [
        "",
        f"Check it with `gwa --version`: it must be {MIN_VERSION} or later (older versions can "
        f"no longer log in; the tutorial still names {TUTORIAL_VERSION}). Other systems: "
        + RELEASES,
    ]
    return "\n".join(lines)
