"""Read-side queries: plain selects shared by services and edges."""
