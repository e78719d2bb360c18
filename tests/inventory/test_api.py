"""ERP API for inventory control: approved requisitions out, transfer orders in."""

from decimal import Decimal

import pytest

from tests.api.conftest import Erp
from tests.factories import Floor
from tests.taskfloor import person
from wms.model import ReorderRule, Role, User
from wms.services import reorder
from wms.services.access import create_api_key


@pytest.fixture
def erp(floor, client):
    floor.warehouse()
    with floor.factory() as s, s.begin():
        _, key = create_api_key(s, name="erp", scopes=["orders:read", "orders:write"])
    return Erp(client, key)


def approved_requisition(floor) -> int:
    floor.item("SKU-1")
    floor.stock("SKU-1", "A-01-01-1", 2)
    buyer = person(floor, "sue", role=Role.supervisor)
    item_id = floor.item("SKU-1").id
    with floor.factory() as s, s.begin():
        s.add(ReorderRule(item_id=item_id, warehouse_id=floor.warehouse_id,
                          safety_stock=Decimal(5), reorder_point=Decimal(10),
                          reorder_qty=Decimal(50)))
        s.flush()
        (req,) = reorder.check(s)
        reorder.decide(s, requisition_id=req.id, approve=True, user=s.get(User, buyer.id))
        return req.id


def test_the_erp_lists_approved_requisitions_and_marks_them_exported(floor, erp):
    rid = approved_requisition(floor)

    listed = erp.get("/purchase-requisitions")
    exported = erp.post(f"/purchase-requisitions/{rid}/exported")
    again = erp.post(f"/purchase-requisitions/{rid}/exported")

    assert listed.status_code == 200
    (row,) = listed.json["items"]
    assert (row["id"], row["sku"], row["qty"], row["status"]) == (rid, "SKU-1", "50", "approved")
    assert exported.status_code == 200
    assert exported.json["status"] == "exported"
    assert erp.get("/purchase-requisitions").json["items"] == []
    assert again.status_code == 409


def test_a_transfer_order_is_created_and_read_back(floor, erp):
    floor.item("SKU-1")
    Floor(floor.factory, "WH2").warehouse()

    made = erp.post("/transfer-orders", {"external_id": "TO-9", "from_warehouse": "WH1",
                                         "to_warehouse": "WH2",
                                         "lines": [{"sku": "SKU-1", "qty": "12.5"}]})
    read = erp.get("/transfer-orders/TO-9")
    same_site = erp.post("/transfer-orders", {"external_id": "TO-10", "from_warehouse": "WH1",
                                              "to_warehouse": "WH1",
                                              "lines": [{"sku": "SKU-1", "qty": 1}]})

    assert made.status_code == 201
    assert read.json["lines"] == [{"line_no": 1, "sku": "SKU-1", "lot": None, "qty": "12.5",
                                   "shipped_qty": "0", "received_qty": "0", "in_transit": "0"}]
    assert read.json["status"] == "open"
    assert same_site.status_code == 422
    assert erp.get("/transfer-orders/NOPE").status_code == 404
