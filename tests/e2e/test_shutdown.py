"""Graceful shutdown: SIGTERM stops every deployable cleanly (exit status 0)."""

import httpx
import pytest

from deploy.localstack.stack import AppStack, Ports

pytestmark = pytest.mark.e2e


def test_every_process_exits_cleanly_on_sigterm(e2e_env, tmp_path):
    app = AppStack(ports=Ports.free(), env=e2e_env, run_dir=tmp_path, log_dir=tmp_path / "logs")
    app.start()
    assert httpx.get(f"{app.ports.base_url}/api/v2/healthz").status_code == 200
    codes = app.stop()
    logs = "\n".join(p.tail() for p in app.processes)
    # uvicorn finishes its graceful shutdown, then re-raises the signal it received so
    # that its exit status tells a supervisor why it stopped.
    assert codes.pop("async (uvicorn)") in {0, -15}, logs
    assert "Finished server process" in app.processes[1].tail()
    assert codes == {
        "ingress (caddy)": 0,
        "sync (gunicorn)": 0,
        "worker": 0,
        "payment sandbox": 0,
    }, logs
    assert "Shutting down: Master" in app.processes[0].tail()
