"""Every scanner flow by name; the runner looks flows up here."""

from __future__ import annotations

from wms.flows.base import Flow
from wms.flows.count import CountFlow
from wms.flows.move import MoveFlow
from wms.flows.pack_check import PackCheckFlow
from wms.flows.pick import PickFlow
from wms.flows.purchase_return import PurchaseReturnFlow
from wms.flows.putaway import PutawayFlow
from wms.flows.qc import QcFlow
from wms.flows.receive import ReceiveFlow
from wms.flows.rma import RmaFlow
from wms.flows.ship import ShipFlow
from wms.flows.status import StatusFlow
from wms.flows.transfer import TransferFlow

FLOWS: dict[str, type[Flow]] = {
    flow.name: flow
    for flow in (
        MoveFlow,
        PickFlow,
        CountFlow,
        StatusFlow,
        TransferFlow,
        PackCheckFlow,
        ShipFlow,
        RmaFlow,
        ReceiveFlow,
        QcFlow,
        PutawayFlow,
        PurchaseReturnFlow,
    )
}
