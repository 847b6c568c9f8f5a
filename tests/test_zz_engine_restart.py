"""A Docker engine restart, last in the run because it stops every container on the host.

`restart: unless-stopped` brings the proxy and the hub back; users' containers
are gone (they are removed when stopped), and the hub, reconciling its database
with the containers that exist, shows their servers as stopped; users start
them again and find their files.
"""

import os
import signal
import subprocess
from pathlib import Path

import pytest
from hubclient import new_session, wait_for
from stackctl import ROOT

PIDFILE = Path("/var/run/docker.pid")
PROVISION = ROOT.parent / "shared" / "docker-host" / "provision"


def engine_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def test_stack_comes_back_after_a_docker_engine_restart(stack, user_token):
    if os.geteuid() != 0 or not PIDFILE.exists() or not PROVISION.exists():
        pytest.fail(f"restarting the engine needs root, {PIDFILE} and {PROVISION} (as in CI)")
    name, token = "ursula", user_token("ursula")
    stack.hub.start(token, name)
    put = {"type": "file", "format": "text", "content": "outlives the engine"}
    assert stack.hub.server(token, name, "PUT", "api/contents/engine.txt", json=put).ok

    pid = int(PIDFILE.read_text())
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), 120, "dockerd to exit", interval=0.5)
    subprocess.run([str(PROVISION)], check=True, capture_output=True)
    assert engine_answers()

    stack.wait_healthy("proxy", timeout=120)
    stack.wait_healthy("hub", timeout=120)
    assert new_session().get(f"{stack.hub.url}/hub/login").status_code == 200
    # Reconciled: no server the hub believes in without a container behind it.
    wait_for(
        lambda: (
            "" not in stack.hub.api(token, "GET", f"/users/{name}").json()["servers"] or stack.hub.ready(token, name)
        ),
        60,
        "the hub to reconcile ursula's server",
    )
    container = stack.container_of(name)
    hub_says_running = "" in stack.hub.api(token, "GET", f"/users/{name}").json()["servers"]
    assert hub_says_running == (container is not None and container["state"] == "running"), container
    stack.hub.start(token, name)
    r = stack.hub.server(token, name, "GET", "api/contents/engine.txt")
    assert r.ok and r.json()["content"] == "outlives the engine"
    stack.hub.stop(token, name)
