"""The Docker API behind the socket proxy: what a compromised hub could ask for is refused."""

import json

import pytest
from stackctl import LABEL

# Runs inside the hub container, the only one on the socket proxy's network.
CALL = """
import json, sys, urllib.request, urllib.error
method, path, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request("http://socket-proxy:2375" + path, method=method,
                             data=body.encode() if body else None, headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=20) as r:
        print(r.status); print(r.read().decode()[:300])
except urllib.error.HTTPError as e:
    print(e.code); print(e.read().decode()[:300])
"""


def call(stack, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
    out = stack.compose(
        "exec", "-T", "hub", "python3", "-c", CALL, method, path, json.dumps(body) if body else ""
    ).stdout.split("\n", 1)
    return int(out[0]), out[1]


def spec(stack, **host) -> dict:
    """A container create body like DockerSpawner's, with HostConfig overrides."""
    base = {
        "NetworkMode": f"{stack.project}_jupyterhub",
        "CapDrop": ["ALL"],
        "SecurityOpt": ["no-new-privileges:true"],
        "Mounts": [{"Type": "volume", "Source": f"{stack.project}-home-probe", "Target": "/home/jovyan"}],
    }
    return {
        "Image": "jupyterhub-stack/singleuser:latest",
        "Labels": {LABEL: stack.project},
        "HostConfig": {**base, **host},
    }


@pytest.mark.parametrize(
    "host, reason",
    [
        ({"Privileged": True}, "privileged mode is not allowed"),
        ({"Binds": ["/etc:/host-etc"]}, "bind mount of host path /etc:/host-etc"),
        ({"Mounts": [{"Type": "bind", "Source": "/", "Target": "/host"}]}, "mount of type bind"),
        ({"NetworkMode": "host"}, "network mode host"),
        ({"PidMode": "host"}, "PidMode host"),
        ({"IpcMode": "host"}, "IpcMode host"),
        ({"CapAdd": ["SYS_ADMIN"]}, "CapAdd is not allowed"),
        ({"CapDrop": []}, "CapDrop must be ALL"),
        ({"SecurityOpt": ["seccomp=unconfined", "no-new-privileges:true"]}, "seccomp=unconfined"),
        ({"Devices": [{"PathOnHost": "/dev/kmsg", "PathInContainer": "/dev/kmsg"}]}, "Devices is not allowed"),
        ({"DeviceRequests": [{"Driver": "nvidia", "Count": -1}]}, "DeviceRequests is not allowed"),
        ({"UTSMode": "host"}, "UTSMode host"),
        ({"UsernsMode": "host"}, "UsernsMode host"),
        ({"Sysctls": {"kernel.shm_rmid_forced": "1"}}, "Sysctls is not allowed"),
        ({"VolumesFrom": ["other-container"]}, "VolumesFrom is not allowed"),
        ({"SecurityOpt": []}, "SecurityOpt must include no-new-privileges"),
        ({"Binds": ["./here:/x"]}, "bind mount of host path ./here:/x"),
    ],
)
def test_dangerous_container_creates_are_refused(stack, host, reason):
    status, body = call(stack, "POST", "/v1.41/containers/create?name=probe", spec(stack, **host))
    assert status == 403 and reason in body, body


def test_other_images_and_root_are_refused(stack):
    status, body = call(stack, "POST", "/containers/create", {**spec(stack), "Image": "debian:trixie-slim"})
    assert status == 403 and "image debian:trixie-slim is not allowed" in body
    status, body = call(stack, "POST", "/containers/create", {**spec(stack), "User": "root"})
    assert status == 403 and "setting the user is not allowed" in body
    status, body = call(stack, "POST", "/images/create?fromImage=alpine&tag=latest")
    assert status == 403 and "pulling alpine:latest is not allowed" in body


def test_calls_outside_the_list_are_refused(stack, running_user):
    name, _ = running_user
    target = stack.container_of(name)["id"]
    for method, path in [
        ("POST", f"/containers/{target}/exec"),
        ("GET", "/containers/json"),
        ("GET", f"/containers/{target}/archive?path=/home/jovyan"),
        ("POST", "/volumes/create"),
        ("GET", "/info"),
    ]:
        status, body = call(stack, method, path)
        assert status == 403 and "is not an allowed call" in body, (method, path, body)


def test_what_dockerspawner_needs_passes(stack, running_user):
    name, _ = running_user
    status, _ = call(stack, "GET", "/_ping")
    assert status == 200
    status, body = call(stack, "GET", f"/containers/{stack.project}-{name}/json")
    assert status == 200 and '"Running":true' in body.replace(" ", "")
    status, _ = call(stack, "GET", "/images/jupyterhub-stack/singleuser:latest/json")
    assert status == 200


def test_hub_has_no_socket_and_no_root(stack):
    out = stack.compose(
        "exec", "-T", "hub", "sh", "-c", "id -u; test -e /var/run/docker.sock && echo socket; true"
    ).stdout
    assert out.split() == ["991"]


def test_user_container_cannot_reach_the_socket_proxy(stack, running_user):
    name, token = running_user
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('socket-proxy', 2375), timeout=3); print('open')\n"
        "except OSError as e:\n"
        "    print(type(e).__name__)\n"
    )
    assert stack.hub.execute(token, name, code)["stdout"].strip() == "gaierror"
