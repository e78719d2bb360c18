"""Outbound tests reuse the ERP client fixtures of the API tests."""

from tests.api.conftest import erp, new_key  # noqa: F401  (fixtures)
