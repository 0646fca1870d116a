"""The limits a published configuration is held to (``publish_config``), each tried at its
edge: exactly the limit is read, one past it is refused with a message naming the limit. A
learner near a limit gets the same answer every time; a bomb never gets past it."""

from __future__ import annotations

import pytest

from tui.sandbox import publish_config
from tui.sandbox.portal_errors import Problem


def refusal(text: str) -> str:
    with pytest.raises(Problem) as caught:
        publish_config.load_documents(text)
    assert caught.value.status == 400
    return caught.value.body["error"]


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def aliased(count: int) -> str:
    return "a: &a x\nb: [" + ", ".join(["*a"] * count) + "]\n"


def test_nesting_is_read_to_64_levels_and_refused_past_them() -> None:
    assert publish_config.load_documents(nested(publish_config.MAX_DEPTH))
    assert refusal(nested(publish_config.MAX_DEPTH + 1)) == (
        "Validation Errors:\nConfiguration is nested deeper than 64 levels"
    )


def test_nesting_is_counted_down_the_deepest_branch_not_across_siblings() -> None:
    """A shallow branch closed before a deep one lends the deep one no levels."""
    limit = publish_config.MAX_DEPTH
    shallow = nested(10)
    assert publish_config.load_documents(f"[{shallow}, {nested(limit - 1)}]")
    assert refusal(f"[{shallow}, {nested(limit)}]") == (
        "Validation Errors:\nConfiguration is nested deeper than 64 levels"
    )


def test_aliases_are_read_to_64_and_refused_past_them() -> None:
    loaded = publish_config.load_documents(aliased(publish_config.MAX_ALIASES))
    assert loaded[0]["b"] == ["x"] * 64
    assert refusal(aliased(publish_config.MAX_ALIASES + 1)) == (
        "Validation Errors:\nConfiguration uses more than 64 YAML aliases"
    )


def test_a_configuration_of_exactly_the_size_limit_is_read() -> None:
    head = "services: []\n"
    text = head + "#" * (publish_config.MAX_TEXT - len(head))
    assert publish_config.load_documents(text) == [{"services": []}]
    assert refusal(text + "#") == (
        f"Validation Errors:\nConfiguration is larger than {publish_config.MAX_TEXT} characters"
    )


def test_values_are_counted_as_if_aliases_were_expanded() -> None:
    """A list and its items count one each: 100,000 values are read, one more is refused,
    however few of them were written out (aliases count at their expanded size)."""
    limit = publish_config.MAX_NODES
    items = limit - 1  # the list itself is a value too
    assert len(publish_config.load_documents("[" + ",".join(["0"] * items) + "]")[0]) == items
    assert refusal("[" + ",".join(["0"] * (items + 1)) + "]") == (
        "Validation Errors:\nConfiguration expands to too many values"
    )
    # 2 + 64 * 2,000 values written as 2,000 items and 64 aliases to them
    wide = "a: &a [" + ",".join(["0"] * 2000) + "]\nb: [" + ", ".join(["*a"] * 64) + "]\n"
    assert refusal(wide) == "Validation Errors:\nConfiguration expands to too many values"


def test_every_document_of_a_multi_document_file_counts_and_empty_ones_are_skipped() -> None:
    half = "[" + ",".join(["0"] * (publish_config.MAX_NODES // 2)) + "]"
    assert refusal(f"{half}\n---\n{half}\n") == (
        "Validation Errors:\nConfiguration expands to too many values"
    )
    assert publish_config.load_documents("---\n---\nservices: []\n") == [{"services": []}]
