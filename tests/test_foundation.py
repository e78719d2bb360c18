"""The foundation: settings, engines, the app factory, request ids and errors."""

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from wms.db import make_engine
from wms.settings import load_settings


def test_environment_overrides_the_config_file_including_nested_keys(tmp_path: Path):
    (tmp_path / "default.toml").write_text(
        'database_url = "sqlite:///a.db"\n[tasks]\nlease_seconds = 60\n'
    )

    settings = load_settings(
        tmp_path,
        {
            "WMS_DATABASE_URL": "sqlite:///b.db",
            "WMS_TASKS__LEASE_SECONDS": "30",
            "WMS_SESSION_COOKIE_SECURE": "true",
        },
    )

    assert settings.database_url == "sqlite:///b.db"
    assert settings.tasks.lease_seconds == 30
    assert settings.session_cookie_secure is True


def test_an_unknown_setting_in_a_config_file_is_refused(tmp_path: Path):
    (tmp_path / "default.toml").write_text("databse_url = 'typo'\n")

    with pytest.raises(ValueError, match="databse_url"):
        load_settings(tmp_path, {})


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")

    with engine.connect() as conn:
        assert conn.scalar(text("pragma journal_mode")) == "wal"
        assert conn.scalar(text("pragma foreign_keys")) == 1


def test_every_response_carries_a_request_id_and_the_log_line_names_it(client, caplog):
    caplog.set_level(logging.INFO, logger="wms.access")

    response = client.get("/api/v1/does-not-exist", headers={"X-Request-ID": "scan-42"})

    assert response.headers["X-Request-ID"] == "scan-42"
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["request_id"] == "scan-42"
    assert any(
        r.getMessage() == "request" and r.__dict__.get("status") == 404 for r in caplog.records
    )


def test_a_log_line_written_during_a_request_carries_its_request_id(app):
    from wms.web.logs import JsonFormatter

    with app.test_request_context("/t/", headers={"X-Request-ID": "scan-43"}):
        app.preprocess_request()
        record = logging.LogRecord("wms", logging.INFO, __file__, 1, "step", (), None)
        line = json.loads(JsonFormatter().format(record))

    assert line["request_id"] == "scan-43"


def test_json_log_lines_are_machine_readable():
    from wms.web.logs import JsonFormatter

    record = logging.LogRecord("wms", logging.INFO, __file__, 1, "moved %s", ("3",), None)
    record.sku = "SKU-1"

    line = json.loads(JsonFormatter().format(record))

    assert line["msg"] == "moved 3" and line["sku"] == "SKU-1" and line["level"] == "INFO"
