"""Every scanner flow by name; the runner looks flows up here."""

from __future__ import annotations

from wms.flows.move import MoveFlow
from wms.flows.purchase_return import PurchaseReturnFlow
from wms.flows.putaway import PutawayFlow
from wms.flows.qc import QcFlow
from wms.flows.receive import ReceiveFlow
from wms.flows.runner import Flow

FLOWS: dict[str, type[Flow]] = {
    flow.name: flow for flow in (MoveFlow, ReceiveFlow, QcFlow, PutawayFlow, PurchaseReturnFlow)
}
