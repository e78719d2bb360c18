"""Putting a parcel on the demo's fake scale over HTTP; a real scale refuses, bad weights too."""

from __future__ import annotations

import pytest
from flask import Flask

from wms.devices.config import ScaleConfig
from wms.devices.fakes import protocol_fakescale
from wms.model import Warehouse
from wms.settings import Settings
from wms.web.devices import init_devices
from wms.web.devices_runtime import start_devices


@pytest.fixture
def runtime(file_factory, tmp_path):
    with file_factory.begin() as s:
        s.add(Warehouse(code="WH1", name="Demo"))
    settings = Settings().with_overrides(
        devices={"spool_dir": str(tmp_path / "spool"), "start_workers": False}
    )
    runtime = start_devices(settings, file_factory)
    yield runtime
    runtime.stop()


@pytest.fixture
def client(runtime):
    app = Flask(__name__)
    init_devices(app, runtime)
    return app.test_client()


def test_a_parcel_put_on_the_fake_scale_is_what_the_scale_reads(client):
    loaded = client.post("/devices/api/scales/DEMO-SCALE/load", json={"grams": 1234})

    assert loaded.status_code == 200
    assert client.get("/devices/api/scales/DEMO-SCALE/weight").get_json()["grams"] == 1234
    client.post("/devices/api/scales/DEMO-SCALE/load", json={"grams": 0})
    assert client.get("/devices/api/scales/DEMO-SCALE/weight").get_json()["grams"] == 0


@pytest.mark.parametrize(
    "body", [{}, {"grams": -1}, {"grams": 1.5}, {"grams": "12"}, {"grams": True}, [1]]
)
def test_a_weight_that_is_not_whole_grams_is_refused_and_the_scale_keeps_its_load(client, body):
    protocol_fakescale.simulator("DEMO-SCALE").gross_kg = 0
    client.post("/devices/api/scales/DEMO-SCALE/load", json={"grams": 500})

    refused = client.post("/devices/api/scales/DEMO-SCALE/load", json=body)

    assert refused.status_code == 422 and refused.get_json()["code"] == "validation_failed"
    assert client.get("/devices/api/scales/DEMO-SCALE/weight").get_json()["grams"] == 500


def test_a_real_scale_cannot_be_loaded_from_the_web(runtime, client):
    runtime.registry.configure(
        [], [ScaleConfig(code="DOCK-FLOOR", driver="toledo", url="socket://192.0.2.30:4001")]
    )

    refused = client.post("/devices/api/scales/DOCK-FLOOR/load", json={"grams": 100})
    unknown = client.post("/devices/api/scales/NOPE/load", json={"grams": 100})

    assert refused.status_code == 409 and refused.get_json()["code"] == "not_a_fake_scale"
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "unknown_device"
