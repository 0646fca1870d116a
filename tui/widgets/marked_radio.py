"""A radio button whose state is told by its mark, ``(•)`` or ``( )``, not by colour alone.

Textual draws every radio button with the same ``●`` and tells the chosen one by its
colour; in a plain capture, a monochrome terminal or for a colour-blind learner, all rows
look chosen. This one draws ``(•)`` for the chosen row and ``( )`` for the others (colour
comes on top), so the state survives without colour.

Textual's radio button is also one line high and cuts a long label with ``…``; at 80
columns that hid the end of labels ("(recommended)"). This one wraps its label under
itself, indented past the mark, and grows as high as the label needs.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widgets import RadioButton

ON = "(•)"
OFF = "( )"
# The mark and the space on each side of the label: what a wrapped line is indented by.
_INDENT = len(ON) + 1


class MarkedRadioButton(RadioButton):
    # Unscoped, so the rules below can name the RadioSet around the button and outrank the
    # set's own rule for its buttons' marks.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    MarkedRadioButton, RadioSet > MarkedRadioButton {
        height: auto;
        text-wrap: wrap;
    }
    MarkedRadioButton > .toggle--button,
    RadioSet > MarkedRadioButton > .toggle--button {
        color: $text-muted;
        background: transparent;
        text-style: not bold;
    }
    MarkedRadioButton.-on > .toggle--button,
    RadioSet > MarkedRadioButton.-on > .toggle--button {
        color: $text-success;
        background: transparent;
        text-style: bold;
    }
    """

    @property
    def _button(self) -> Content:
        return Content.styled(ON if self.value else OFF, self.get_visual_style("toggle--button"))

    def _label_lines(self, width: int) -> list[Content]:
        room = max(8, width - _INDENT - 1)
        return self.label.wrap(room) or [Content("")]

    def render(self) -> Content:
        label_style = self.get_visual_style("toggle--label")
        lines = self._label_lines(self.content_size.width or self.size.width)
        rows = []
        for index, line in enumerate(lines):
            lead = self._button if index == 0 else Content(" " * len(ON))
            rows.append(lead + line.pad(1, 1).stylize_before(label_style))
        return Content("\n").join(rows)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return _INDENT + 1 + self.label.cell_length

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._label_lines(width))
