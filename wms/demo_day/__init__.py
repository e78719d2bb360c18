"""``wms demo-day``: a whole warehouse day played live over HTTP against a running server."""

from wms.demo_day.day import DayError, DayReport, play_day

__all__ = ["DayError", "DayReport", "play_day"]
