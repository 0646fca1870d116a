"""What the tutorial teaches beyond doing the steps (no textual, no I/O).

* :mod:`install_gwa` — installing the ``gwa`` CLI, per operating system;
* :mod:`recap` — the API Directory and private preview, and the "Access your API" recap;
* :mod:`next_steps` — the tutorial's Next steps and Get help, for the Summary;
* :mod:`glossary` — insider words, explained at the step where they first appear;
* :mod:`quiz` — "Check your understanding": one question at four points, with feedback.
"""

from typing import Any


def lesson_markdown(step_id: str, session: Any) -> str:
    """The tutorial's lesson that belongs to a step's F1 help ('' for most steps)."""
    from . import install_gwa, recap

    if step_id == "target":
        return "\n\n## Install the gwa CLI\n\n" + install_gwa.as_markdown(
            install_gwa.install_steps()
        )
    if step_id == "apply":
        return "\n\n## The API Directory\n\n" + recap.DIRECTORY_LESSON
    if step_id == "status":
        pairs = recap.access_recap(session.service, session.api_url)
        items = "\n".join(f"- **{what}**: {why}" for what, why in pairs)
        return "\n\n## Access your API: what you have set up\n\n" + items
    return ""
