"""Reusable widgets shared by the app and its steps."""

from .busy import BusyLine
from .command_box import CommandBox
from .error_panel import ErrorPanel
from .focus_scroll import FocusScroll
from .footer import WizardFooter
from .header import WizardHeader
from .log_lines import LogLines
from .marked_radio import MarkedRadioButton
from .secret_field import SecretField
from .sidebar import StepSidebar
from .text_field import TextField

__all__ = [
    "BusyLine",
    "CommandBox",
    "ErrorPanel",
    "FocusScroll",
    "LogLines",
    "MarkedRadioButton",
    "SecretField",
    "StepSidebar",
    "TextField",
    "WizardFooter",
    "WizardHeader",
]
