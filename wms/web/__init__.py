"""The edges: HTTP API, terminal pages, console pages, Socket.IO. Flask lives only here."""
