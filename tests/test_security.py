"""Least privilege, seen from a user's seat and from outside."""

import re
import socket
import ssl

import pytest
from dockerctl import docker
from hubclient import new_session

PROBE = """
import os, shutil
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
pids = next(p for p in ("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max") if os.path.exists(p))
print(status["CapEff"].strip(), status["NoNewPrivs"].strip(), open(pids).read().strip())
try:
    os.setuid(0)
    print("setuid-worked")
except PermissionError:
    print("setuid-denied")
try:
    open("/etc/passwd", "a")
    print("etc-writable")
except OSError:
    print("etc-denied")
print(os.path.exists("/var/run/docker.sock"), shutil.which("sudo") is not None)
mounts = [line.split()[4] for line in open("/proc/self/mountinfo")]
print(sorted(m for m in mounts if m.startswith("/home")))
"""


def test_user_code_runs_without_privileges(stack, running_user):
    name, token = running_user
    out = stack.hub.execute(token, name, PROBE)
    assert out["error"] is None, out
    lines = out["stdout"].splitlines()
    assert lines[0] == "0000000000000000 1 1024"  # no capabilities, no new privileges, pids limit
    assert lines[1:3] == ["setuid-denied", "etc-denied"]
    assert lines[3] == "False False"  # no Docker socket, no sudo
    assert lines[4] == "['/home/jovyan']"  # its own home and nothing else


def test_another_users_server_answers_only_with_a_refusal(stack, running_user, user_token):
    name, token = running_user
    other, other_token = "sally", user_token("sally")
    stack.hub.start(other_token, other)
    try:
        ip = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                    stack.container_of(other)["id"]).strip()  # fmt: skip
        code = (
            "import urllib.request, urllib.error\n"
            f"url = 'http://{ip}:8888/user/{other}/api/contents'\n"
            "try:\n"
            "    print(urllib.request.urlopen(url, timeout=5).status)\n"
            "except urllib.error.HTTPError as e:\n"
            "    print(e.code)\n"
        )
        assert stack.hub.execute(token, name, code)["stdout"].strip() == "403"
    finally:
        stack.hub.stop(other_token, other)


def test_proxy_runs_unprivileged_with_a_read_only_root(stack):
    cid = stack.compose("ps", "-q", "proxy").stdout.strip()
    user, read_only, caps = docker(
        "inspect", "-f", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}", cid
    ).split(" ", 2)
    assert user == "chp" and read_only == "true" and caps.strip() == "[ALL]"
    mode = stack.compose("exec", "-T", "proxy", "stat", "-c", "%a %U", "/srv/secrets/proxy-token").stdout.strip()
    assert mode == "640 chp"


def tls_context(max_version: ssl.TLSVersion) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = max_version
    ctx.set_ciphers("ALL:@SECLEVEL=0")  # let this client offer old protocols at all
    return ctx


def handshake(port: int, max_version: ssl.TLSVersion) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        with tls_context(max_version).wrap_socket(sock) as tls:
            return tls.version()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # offering TLS 1.0/1.1 is the point
def test_tls_below_1_2_is_refused(stack):
    port = int(stack.env["HTTPS_PORT"])
    assert handshake(port, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"  # the same client can talk 1.2
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        with pytest.raises((ssl.SSLError, ConnectionResetError)):
            handshake(port, old)


def test_cookies_are_secure_and_httponly(stack):
    s = new_session()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', s.get(f"{stack.hub.url}/hub/login").text).group(1)
    r = s.post(
        f"{stack.hub.url}/hub/login",
        data={"_xsrf": xsrf, "username": "cookie-check", "password": stack.env["DUMMY_PASSWORD"]},
        allow_redirects=False,
    )
    login_cookies = [h for h in r.raw.headers.getlist("Set-Cookie") if h.startswith("jupyterhub-")]
    assert login_cookies
    for header in login_cookies:
        assert "Secure" in header and "HttpOnly" in header, header


def test_images_hold_no_secrets(stack):
    token = stack.compose("exec", "-T", "proxy", "cat", "/srv/secrets/proxy-token").stdout.strip()
    assert len(token) == 64
    images = ["jupyterhub-stack/hub:latest", "jupyterhub-stack/proxy:latest", "jupyterhub-stack/singleuser:latest"]
    for image in images:
        env = docker("image", "inspect", "-f", "{{json .Config.Env}}", image)
        for word in ("TOKEN=", "SECRET=", "PASSWORD=", "CRYPT_KEY="):
            assert word not in env.upper(), (image, env)
        # Neither this stack's generated secret nor any private key is baked into the image.
        found = docker(
            "run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c",
            f"grep -rlsF '{token}' /etc /opt /srv /home /usr/local 2>/dev/null;"
            " grep -rlsE --exclude='*.py' --exclude='*.pyc' -- '-----BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY-----'"
            " /etc /opt /srv /home /usr/local 2>/dev/null"
            " | grep -v -e '/test' -e '/tests/' || true",
            check=False,
        )  # fmt: skip
        assert found.strip() == "", (image, found)
