"""Insider words, each explained at the step where the learner first meets it.

The steps' own key terms cover the tutorial's vocabulary; these are the words that the
portal, Kong and the terminal use without explaining them. :func:`terms_for` gives the words
to explain on a step (only where they first appear, so they are not repeated everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    word: str
    meaning: str
    first_step: str  # the step id where the learner first meets the word


TERMS: tuple[Term, ...] = (
    Term(
        "Kong",
        "the open-source API gateway APS runs: it receives every call to your API, applies "
        "the plugins and forwards it to your upstream",
        "target",
    ),
    Term(
        "OSC 52",
        "a terminal escape sequence that lets a program put text on your clipboard, even over "
        "SSH; some terminals ignore it, then select and copy by hand",
        "login",
    ),
    Term(
        "CredentialIssuer",
        "called an authorization profile in the portal: it says how consumers get credentials "
        "for your API (here: client ID and secret from the shared IdP)",
        "template",
    ),
    Term(
        "azp",
        "the 'authorized party' claim of a token: the client ID it was issued to; the gateway "
        "finds the consumer by it",
        "review",
    ),
    Term(
        "decK",
        "Kong's declarative configuration tool: APS uses it to compare your GatewayServices "
        "with what Kong runs, then create, update or delete to match",
        "review",
    ),
    Term(
        "appId",
        "the short ID the portal gives a product environment (or a consumer's application); "
        "access is requested for that environment's appId",
        "credentials",
    ),
)


def terms_for(step_id: str) -> tuple[tuple[str, str], ...]:
    """(word, meaning) pairs first met on ``step_id``, in the steps' KEY_TERMS shape."""
    return tuple((t.word, t.meaning) for t in TERMS if t.first_step == step_id)


def explain(word: str) -> str:
    """The meaning of ``word`` (case-insensitive), or '' when it is not an insider word."""
    lowered = word.lower()
    return next((t.meaning for t in TERMS if t.word.lower() == lowered), "")
