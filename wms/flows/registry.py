"""Every scanner flow by name; the runner looks flows up here."""

from __future__ import annotations

from wms.flows.move import MoveFlow
from wms.flows.pack_check import PackCheckFlow
from wms.flows.pick import PickFlow
from wms.flows.rma import RmaFlow
from wms.flows.runner import Flow
from wms.flows.ship import ShipFlow

FLOWS: dict[str, type[Flow]] = {
    flow.name: flow for flow in (MoveFlow, PickFlow, PackCheckFlow, ShipFlow, RmaFlow)
}
