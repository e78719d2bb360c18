"""Every scanner flow by name; the runner looks flows up here."""

from __future__ import annotations

from wms.flows.count import CountFlow
from wms.flows.move import MoveFlow
from wms.flows.runner import Flow
from wms.flows.status import StatusFlow
from wms.flows.transfer import TransferFlow

FLOWS: dict[str, type[Flow]] = {MoveFlow.name: MoveFlow, CountFlow.name: CountFlow,
                               StatusFlow.name: StatusFlow,
                               TransferFlow.name: TransferFlow}
