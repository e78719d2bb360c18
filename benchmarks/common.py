"""Shared benchmark helpers: a scratch PostgreSQL database and latency statistics."""

from __future__ import annotations

import os
import statistics

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from wms.db import make_engine
from wms.model import Base

SERVER = os.environ.get("WMS_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def fresh_database(name: str) -> str:
    """(Re)create database ``name`` with the current schema; returns its URL."""
    url = f"{SERVER}/{name}"
    admin = make_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
        pool_size=1,
    )
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{name}" with (force)'))
        conn.execute(text(f'create database "{name}"'))
    admin.dispose()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summary(samples_ms: list[float]) -> str:
    return (
        f"p50 {percentile(samples_ms, 50):.2f} ms, p99 {percentile(samples_ms, 99):.2f} ms, "
        f"mean {statistics.fmean(samples_ms):.2f} ms"
    )


def engine_for(url: str) -> Engine:
    return make_engine(url, pool_size=20, max_overflow=10)
