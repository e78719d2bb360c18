"""Web edge: Flask blueprints and pages."""
