"""Who may call: bearer keys with scopes, and every writing call in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.conftest import Erp, assert_problem
from wms.model import ApiClient, AuditLog
from wms.services.access import create_api_key, revoke_api_key


def test_no_key_is_a_401_that_says_how_to_send_one(client):
    response = Erp(client, None).get("/items")

    assert "Bearer" in assert_problem(response, 401, "authentication_failed")["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_a_401(client):
    assert_problem(Erp(client, "wms_not-a-key").get("/items"), 401)


def test_a_revoked_key_is_a_401(client, floor, erp):
    with floor.factory() as s, s.begin():
        (client_id,) = s.scalars(select(ApiClient.id)).all()
        revoke_api_key(s, client_id=client_id)

    assert_problem(erp.get("/items"), 401)


def test_a_key_without_the_scope_is_a_403_naming_it(erp_as):
    reader = erp_as(scopes=["master:read"])

    problem = assert_problem(reader.post("/items", {"sku": "X", "name": "x"}), 403)

    assert "master:write" in problem["detail"]
    assert reader.get("/items").status_code == 200


def test_a_writing_call_is_audited_with_who_when_and_where(erp, floor):
    erp.post("/items", {"sku": "X-1", "name": "x"}, headers={"X-Request-ID": "req-42"})

    with floor.factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "api.upsert_items_view")).one()
    assert entry.actor_type == "api_client"
    assert entry.actor_name and entry.actor_name.startswith("erp-")
    assert entry.remote_addr == "127.0.0.1"
    assert entry.request_id == "req-42"
    assert entry.target == "item X-1"
    assert entry.success and entry.details["status"] == 201


def test_a_refused_writing_call_is_audited_as_failed(erp, floor):
    erp.post("/items", {"sku": "X-1"})

    with floor.factory() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "api.upsert_items_view")).one()
    assert not entry.success
    assert entry.details["error"] == "validation_failed"


def test_reads_are_not_audited(erp, floor):
    erp.get("/items")

    with floor.factory() as s:
        actions = s.scalars(select(AuditLog.action)).all()
    assert actions == ["api_client.created"]


def test_a_revoked_key_stops_working_once_its_cache_time_is_over(settings, engine, floor):
    import time

    from wms.app import create_app

    app = create_app(settings.with_overrides(api={"key_cache_seconds": 0.2}), engine=engine)
    with floor.factory() as s, s.begin():
        client, key = create_api_key(s, name="erp", scopes=["master:read"])
    erp = Erp(app.test_client(), key)
    assert erp.get("/items").status_code == 200

    with floor.factory() as s, s.begin():
        revoke_api_key(s, client_id=client.id)
    time.sleep(0.3)

    assert_problem(erp.get("/items"), 401)


def test_a_bulk_larger_than_the_configured_limit_is_refused(settings, engine):
    from wms.app import create_app

    app = create_app(settings.with_overrides(api={"max_bulk_items": 2}), engine=engine)
    with app.extensions["wms"].session_factory() as s, s.begin():
        key = create_api_key(s, name="erp", scopes=["master:write"])[1]
    items = [{"sku": f"S{i}", "name": "n"} for i in range(3)]

    response = Erp(app.test_client(), key).post("/items", {"items": items})

    assert "at most 2" in assert_problem(response, 422)["detail"]
