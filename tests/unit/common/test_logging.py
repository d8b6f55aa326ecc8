import json
import logging

from shared_domain.common import context
from shared_domain.common.logging import JsonFormatter, logging_config


def _record(msg="hello %s", args=("world",), **extra):
    record = logging.LogRecord("fashionistar.test", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_line_has_the_spec_fields():
    token = context.request_id.set("rid-1")
    user = context.user_id.set(7)
    try:
        line = JsonFormatter(service="sync").format(_record(status=201, duration_ms=3.5))
    finally:
        context.request_id.reset(token)
        context.user_id.reset(user)
    data = json.loads(line)
    assert data["message"] == "hello world"
    assert data["level"] == "info"
    assert data["logger"] == "fashionistar.test"
    assert data["service"] == "sync"
    assert data["request_id"] == "rid-1"
    assert data["user_id"] == 7
    assert data["status"] == 201
    assert data["duration_ms"] == 3.5
    assert data["timestamp"].endswith("Z")
    assert "\n" not in line


def test_exceptions_are_kept_inside_the_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = _record(msg="failed", args=())
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exc_info"]


def test_unserialisable_extras_are_stringified():
    line = JsonFormatter().format(_record(thing=object()))
    assert json.loads(line)["thing"].startswith("<object object")


def test_logging_config_silences_server_access_logs():
    config = logging_config(level="INFO", service="async")
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
    assert config["loggers"]["gunicorn.access"]["handlers"] == []
    assert config["formatters"]["json"]["service"] == "async"
