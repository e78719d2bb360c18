"""Inventory fixtures: the live server and PDA contexts of the terminal tests."""

from tests.terminal.conftest import live_factory, pda_factory  # noqa: F401  (fixtures)
