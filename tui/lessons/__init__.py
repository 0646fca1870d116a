"""What the tutorial teaches beyond doing the steps (no textual, no I/O).

* :mod:`install_gwa` — installing the ``gwa`` CLI, per operating system;
* :mod:`recap` — the API Directory and private preview, and the "Access your API" recap;
* :mod:`next_steps` — the tutorial's Next steps and Get help, for the Summary;
* :mod:`glossary` — insider words, explained at the step where they first appear;
* :mod:`quiz` — "Check your understanding": one question at four points, with feedback.
"""
