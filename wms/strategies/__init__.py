"""Pure strategies (putaway, removal, routing, count selection, task assignment): no session."""
