"""The wizard's text input: Textual's ``Input``, with its own keys applied in the order typed.

Textual inserts a typed character as soon as the focused ``Input`` sees the key, but runs a
bound key's action (ctrl+u, backspace, the arrows, …) only once that key has bubbled up to the
app. Keys that arrive together (a fast typist, a paste of keystrokes, a terminal that sends a
burst) then apply out of order: ctrl+u followed at once by "amy" left an empty field, the
name typed and then wiped (Textual's issue 6605, open). ``TextField`` runs the ``Input``'s own
bindings as the key reaches it, as the app would run them; keys bound further up (ctrl+n,
F1, the screen's) still go up as before.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextField(Input):
    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            # Priority bindings were checked before the key reached this widget.
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)
