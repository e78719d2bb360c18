"""Every scanner flow by name; the runner looks flows up here."""

from __future__ import annotations

from wms.flows.move import MoveFlow
from wms.flows.receive import ReceiveFlow
from wms.flows.runner import Flow

FLOWS: dict[str, type[Flow]] = {MoveFlow.name: MoveFlow, ReceiveFlow.name: ReceiveFlow}
