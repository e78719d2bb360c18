"""A packer scans the pack station's label on the PDA: the terminal works there from then on."""

from __future__ import annotations

import pytest

from tests.taskfloor import person
from tests.webterm import sign_in
from wms.model import ScaleDevice, ScaleDriver, TerminalWorkstation, Workstation


@pytest.fixture
def station(floor):
    with floor.factory() as s, s.begin():
        ws = Workstation(code="PACK-09", name="Pack station 9", warehouse_id=floor.warehouse_id)
        s.add(ws)
        s.flush()
        s.add(
            ScaleDevice(
                code="PACK9-SCALE", name="Scale", driver=ScaleDriver.fake, workstation_id=ws.id
            )
        )
    return floor


def pda(client, floor, device_id: str | None = "PDA-PACK-1"):
    token = sign_in(
        client, person(floor, "pat"), device_id=device_id, warehouse_id=floor.warehouse_id
    )
    client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    return client


def test_scanning_the_station_label_binds_the_terminal_and_names_its_scale(client, station):
    answer = pda(client, station).post("/t/api/workstation", json={"scan": "WS:PACK-09"})

    assert answer.status_code == 200
    assert answer.get_json() == {
        "workstation": "PACK-09",
        "name": "Pack station 9",
        "scale": "PACK9-SCALE",
    }
    with station.factory() as s:
        binding = s.get(TerminalWorkstation, "PDA-PACK-1")
        assert binding is not None and s.get(Workstation, binding.workstation_id).code == "PACK-09"


def test_an_unknown_station_is_explained_and_binds_nothing(client, station):
    answer = pda(client, station).post("/t/api/workstation", json={"scan": "WS:PACK-99"})

    assert answer.status_code == 404
    assert answer.get_json()["message"]["text"] == (
        "Unknown workstation PACK-99: scan the station's label"
    )
    with station.factory() as s:
        assert s.get(TerminalWorkstation, "PDA-PACK-1") is None


def test_a_terminal_without_a_name_or_an_empty_scan_is_refused(client, station):
    nameless = pda(client, station, device_id=None).post(
        "/t/api/workstation", json={"scan": "WS:PACK-09"}
    )
    assert nameless.status_code == 422
    empty = pda(client, station).post("/t/api/workstation", json={"scan": " "})
    assert empty.status_code == 422
