"""Pure strategies that choose and order floor work: putaway, removal, routing,
batching, count selection, task assignment.

No database, no session, no Flask: plain frozen dataclasses in, plain
results out. Each strategy carries the ``name`` it is chosen by in config;
``registry.get(kind, name)`` builds one.
"""

from wms.strategies.registry import UnknownStrategy, get, names, putaway_chain

__all__ = ["UnknownStrategy", "get", "names", "putaway_chain"]
