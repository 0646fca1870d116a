"""The portal's public API Directory lists only APIs with an active environment; a private
one is neither listed nor shown by its address (a 404 page), and "Your Products" without a
chosen gateway goes to My Gateways."""

from __future__ import annotations

import httpx

from tests.sandbox.portal_kit import client, product_doc
from tests.web.portal_world import tutorial_world
from tests.web.test_portal_forms import signed_in


def _dataset_id(sandbox, world) -> str:
    return sandbox.ctx.db.query_one(
        "SELECT id FROM datasets WHERE name=?", (f"{world.service}-dataset",)
    )["id"]


def test_only_apis_with_an_active_environment_are_in_the_public_directory(sandbox) -> None:
    private = tutorial_world(sandbox)
    public = tutorial_world(sandbox)
    with client(sandbox, public.username) as c:
        doc = product_doc(public.gateway, public.service, active=True)
        assert c.put(f"/ds/api/v3/gateways/{public.gateway}/products", json=doc).status_code == 200
    private_id, public_id = _dataset_id(sandbox, private), _dataset_id(sandbox, public)

    with httpx.Client(base_url=sandbox.info.portal_url, timeout=15) as anyone:
        directory = anyone.get("/devportal/api-directory")
        assert directory.status_code == 200
        assert f"/devportal/api-directory/{public_id}?preview=false" in directory.text
        assert private_id not in directory.text
        shown = anyone.get(f"/devportal/api-directory/{public_id}")
        assert shown.status_code == 200
        hidden = anyone.get(f"/devportal/api-directory/{private_id}")
        assert hidden.status_code == 404
        assert "There is no such API in the directory." in hidden.text


def test_your_products_without_a_chosen_gateway_goes_to_my_gateways(sandbox) -> None:
    world = tutorial_world(sandbox)
    c, _csrf = signed_in(world.base, world.username)
    try:
        r = c.get("/devportal/api-directory/your-products")
    finally:
        c.close()
    assert (r.status_code, r.headers["location"]) == (303, "/manager/gateways/list")
