"""The wizard's screens: one module per step (``screens/<step id>.py``), the start-up and
summary screens, and the modals. ``screens/steps.py`` binds each step id of ``tui.steps`` to
its screen class."""
