"""The OpenAPI document is the contract: schemathesis throws generated requests at it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import Floor
from wms.app import create_app
from wms.db import make_session_factory
from wms.services.access import SCOPES, create_api_key
from wms.settings import ApiSettings, DeviceSettings, Settings
from wms.web.api import operations


@pytest.fixture
def seeded(sqlite_engine, tmp_path):
    """An app on a small warehouse: stock to move, an item to read, an API key."""
    floor = Floor(make_session_factory(sqlite_engine))
    floor.stock("SKU-1", "A-01-01-1", 1000)
    floor.location("B-01-01-1")
    with floor.factory() as s, s.begin():
        key = create_api_key(s, name="fuzzer", scopes=SCOPES)[1]
    settings_ = Settings(
        database_url="sqlite://",
        testing=True,
        log_level="CRITICAL",
        devices=DeviceSettings(spool_dir=str(tmp_path), start_workers=False),
        api=ApiSettings(start_webhook_worker=False),
    )
    return create_app(settings_, engine=sqlite_engine), key


def test_the_document_is_openapi_3_1_with_every_path_of_the_contract(client):
    doc = client.get("/api/v1/openapi.json").get_json()

    assert doc["openapi"] == "3.1.0"
    assert {
        "/items",
        "/items/{sku}",
        "/locations",
        "/partners",
        "/stock",
        "/stock-moves",
        "/webhooks",
        "/webhooks/{id}",
    } <= set(doc["paths"])
    post = doc["paths"]["/stock-moves"]["post"]
    assert "application/problem+json" in post["responses"]["409"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])


OPERATIONS = [(op.method, op.path) for op in operations()]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_generated_requests_get_no_5xx_and_answers_match_the_schema(seeded, method, path):
    app, key = seeded
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def call(case):
        # Schema-valid data may still be refused for what only the database knows (an
        # unknown SKU, a cursor we did not make): that acceptance check does not apply.
        case.call_and_validate(
            headers={"Authorization": f"Bearer {key}"}, excluded_checks=[positive_data_acceptance]
        )

    call()
