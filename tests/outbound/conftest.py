"""Outbound tests reuse the ERP client fixtures of the API tests and the console desks."""

from tests.api.conftest import erp, new_key  # noqa: F401  (fixtures)
from tests.console.conftest import cheap_password_hashing, desk, people, supervisor  # noqa: F401
from tests.terminal.conftest import live_factory, pda_factory  # noqa: F401
