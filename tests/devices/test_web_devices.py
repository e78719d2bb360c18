"""The supervisor's device pages and JSON, with the demo's fake devices."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from flask import Flask

from wms.devices.fakes import protocol_fakescale
from wms.model import Warehouse
from wms.settings import Settings
from wms.web.devices import init_devices
from wms.web.devices_runtime import start_devices


@pytest.fixture
def client(file_factory, tmp_path):
    with file_factory.begin() as s:
        s.add(Warehouse(code="WH1", name="Demo"))
    settings = Settings().with_overrides(devices={"spool_dir": str(tmp_path / "spool")})
    runtime = start_devices(settings, file_factory)
    runtime.spooler.poll_interval = 0.05
    app = Flask(__name__)
    init_devices(app, runtime)
    yield app.test_client()
    runtime.stop()


def wait_for(client, job_id, state):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = client.get(f"/devices/api/jobs/{job_id}").get_json()
        if body["state"] == state:
            return body
        time.sleep(0.05)
    raise AssertionError(body)


def test_supervisor_test_prints_and_sees_the_job_sent_with_its_history(client):
    response = client.post("/devices/api/printers/DEMO-LPN/test-print")
    assert response.status_code == 202

    job = wait_for(client, response.get_json()["id"], "sent")

    assert [e["event"] for e in job["events"]] == ["queued", "sent"]


def test_supervisor_previews_a_job_as_png(client):
    job_id = client.post("/devices/api/printers/DEMO-LPN/test-print").get_json()["id"]

    response = client.get(f"/devices/api/jobs/{job_id}/preview.png")

    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")


def test_a_reprint_is_recorded_on_the_original_job(client):
    job_id = client.post("/devices/api/printers/DEMO-LPN/test-print").get_json()["id"]
    wait_for(client, job_id, "sent")

    again = client.post(f"/devices/api/jobs/{job_id}/reprint", json={"reason": "torn"})

    assert again.status_code == 202 and again.get_json()["reprint_of_id"] == job_id
    events = client.get(f"/devices/api/jobs/{job_id}").get_json()["events"]
    assert events[-1]["event"] == "reprinted"


def test_printers_list_shows_live_state(client):
    printers = client.get("/devices/api/printers").get_json()

    assert {p["code"] for p in printers} == {"DEMO-SHIP", "DEMO-LPN", "DEMO-ITEM"}


def test_pack_station_weight_is_read_in_grams(client):
    protocol_fakescale.simulator("DEMO-SCALE").gross_kg = Decimal("2.5")

    body = client.get("/devices/api/scales/DEMO-SCALE/weight").get_json()

    assert body["grams"] == 2500 and body["stable"]


def test_an_overloaded_scale_is_a_clear_503_not_a_500(client):
    sim = protocol_fakescale.simulator("DEMO-SCALE")
    sim.overload = True
    try:
        response = client.get("/devices/api/scales/DEMO-SCALE/weight")
    finally:
        sim.overload = False

    assert response.status_code == 503
    assert response.get_json()["code"] == "scale_overload"


def test_an_unknown_printer_is_a_404_with_a_code(client):
    response = client.post("/devices/api/printers/NOPE/test-print")

    assert response.status_code == 404 and response.get_json()["code"] == "unknown_printer"


@pytest.mark.parametrize(("lang", "word"), [("zh", "打印机"), ("en", "Printers")])
def test_device_pages_render_in_chinese_and_english(client, lang, word):
    client.post("/devices/api/printers/DEMO-LPN/test-print")

    for page in ("/devices/", "/devices/jobs", "/devices/scales"):
        response = client.get(f"{page}?lang={lang}")
        assert response.status_code == 200 and word in response.get_data(as_text=True)


def test_label_template_preview_with_sample_data(client):
    response = client.get("/devices/api/labels/shipping/preview.png?dpi=300")

    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
