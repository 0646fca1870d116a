"""A publish on a busy class sandbox (``publish.publish``'s last attempt).

A publish plans against a snapshot and writes only if no other publish changed the services
meanwhile; after ``MAX_ATTEMPTS - 1`` such tries lose, the last plans while it holds the write
lock. With one attempt allowed, that last path is the first: it must sync like any other.
(``test_publish.py::test_concurrent_publishes_serialise`` races real publishes.)
"""

from __future__ import annotations

from tests.sandbox.portal_kit import config_text, publish, service_doc, service_name
from tests.sandbox.test_publish import provider, stored
from tui.sandbox import publish as publish_module

__all__ = ["provider"]  # the fixture, shared with test_publish.py


def test_a_publish_planned_inside_the_write_lock_syncs_and_updates(provider, sandbox, monkeypatch):
    monkeypatch.setattr(publish_module, "MAX_ATTEMPTS", 1)
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    first = publish(c, gw, config_text(doc))
    assert first.status_code == 200, first.text
    assert first.json()["message"] == "Sync successful."
    assert first.json()["results"].startswith(f"creating service {name}-dev\n")
    sid, saved = stored(sandbox, gw)[f"{name}-dev"]
    assert saved["retries"] == 0

    doc["retries"] = 3
    again = publish(c, gw, config_text(doc))
    assert again.status_code == 200, again.text
    assert again.json()["results"].startswith(f"updating service {name}-dev ")
    assert stored(sandbox, gw)[f"{name}-dev"] == (sid, {**saved, "retries": 3})


def test_a_publish_that_loses_every_race_still_lands(provider, sandbox, monkeypatch):
    """In a busy class another learner's publish can land between every plan and its write.
    The optimistic tries give up after ``MAX_ATTEMPTS - 1``; the last one plans under the
    write lock, so the learner's publish is applied rather than failing with a 500."""
    c, gw = provider
    name = service_name()
    versions = iter(range(10_000))  # each read sees a change made since the one before
    monkeypatch.setattr(publish_module, "_version", lambda read: next(versions))
    applied = publish(c, gw, config_text(service_doc(gw, name, sandbox.info.upstream_url)))
    assert applied.status_code == 200, applied.text
    assert applied.json()["message"] == "Sync successful."
    assert f"{name}-dev" in stored(sandbox, gw)
    # Two optimistic tries, each reading the version before planning and again at its write.
    assert next(versions) == 2 * (publish_module.MAX_ATTEMPTS - 1)
