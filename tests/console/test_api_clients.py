"""API clients: the key is shown once, only its hash is kept, and revoking stops it at once."""

import re

import pytest
from sqlalchemy import select

from wms.errors import AuthenticationFailed
from wms.model import ApiClient
from wms.services.access import authenticate_api_key, key_digest


def test_an_admin_creates_a_key_that_is_shown_once_and_stored_as_a_hash(admin, session, floor):
    response = admin.post("/console/api-clients/new", {
        "name": "ERP production", "scopes": ["orders:write", "stock:read"],
        "warehouses": [str(floor.warehouse_id)]})

    key = re.search(r'<code id="api-key">([^<]+)</code>', response.text).group(1)
    client = session.scalar(select(ApiClient).where(ApiClient.name == "ERP production"))
    assert response.headers["Cache-Control"] == "no-store"
    assert client.key_hash == key_digest(key) and key not in str(client.__dict__)
    assert client.scopes == ["orders:write", "stock:read"]
    assert [w.code for w in client.warehouses] == ["WH1"]
    listing = admin.page("/console/api-clients")
    assert key not in listing and client.key_prefix in listing
    assert authenticate_api_key(session, key).id == client.id


def test_a_key_without_scopes_or_with_a_taken_name_is_refused(admin, session):
    admin.post("/console/api-clients/new", {"name": "MES", "scopes": ["stock:read"]})

    no_scope = admin.post("/console/api-clients/new?lang=en", {"name": "AGV"})
    taken = admin.post("/console/api-clients/new?lang=en", {
        "name": "MES", "scopes": ["stock:read"]})

    assert no_scope.status_code == taken.status_code == 422
    assert "choose at least one scope" in no_scope.text
    assert "api-key" not in taken.text
    assert len(session.scalars(select(ApiClient)).all()) == 1


def test_revoking_a_key_stops_it_and_is_audited(admin, session, people):
    created = admin.post("/console/api-clients/new", {"name": "MES", "scopes": ["stock:read"]})
    key = re.search(r'<code id="api-key">([^<]+)</code>', created.text).group(1)
    client_id = re.search(r'/console/api-clients/(\d+)/revoke', admin.page(
        "/console/api-clients")).group(1)

    admin.post(f"/console/api-clients/{client_id}/revoke")

    assert [a.action for a in people.audit("api_client.")] == [
        "api_client.created", "api_client.revoked"]
    assert people.audit("api_client.")[1].actor_name == "ada"
    with pytest.raises(AuthenticationFailed):
        authenticate_api_key(session, key)


def test_a_supervisor_cannot_create_keys(supervisor, session):
    response = supervisor.post("/console/api-clients/new", {"name": "X", "scopes": ["stock:read"]})

    assert response.status_code == 403
    assert session.scalars(select(ApiClient)).all() == []
