"""Reusable widgets shared by the app and its steps."""

from .busy import BusyLine
from .command_box import CommandBox
from .error_panel import ErrorPanel
from .header import WizardHeader
from .log_lines import LogLines
from .secret_field import SecretField
from .sidebar import StepSidebar

__all__ = [
    "BusyLine",
    "CommandBox",
    "ErrorPanel",
    "LogLines",
    "SecretField",
    "StepSidebar",
    "WizardHeader",
]
