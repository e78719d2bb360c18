"""Inbound fixtures: every scenario built on ``dock`` ends with a ledger check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import Floor
from tests.inbound.dock import Dock


@pytest.fixture
def dock(floor: Floor) -> Iterator[Dock]:
    built = Dock(floor)
    yield built
    built.ledger_ok()


from tests.api.conftest import erp, erp_as, new_key  # noqa: E402,F401  (the ERP fixtures)
from tests.terminal.conftest import live_factory, pda_factory  # noqa: E402,F401
