"""The proxy: HTTPS with a certificate made once, HTTP redirected, login page served."""

import http.client
import socket
import ssl
import subprocess

from dockerctl import docker
from hubclient import new_session, wait_for


def server_cert(port: int) -> dict:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port)) as sock, ctx.wrap_socket(sock) as tls:
        der = tls.getpeercert(binary_form=True)
    return {"der": der, "pem": ssl.DER_cert_to_PEM_cert(der)}


def test_http_redirects_to_published_https_port(stack):
    r = new_session().get(f"{stack.http_url}/hub/login?next=%2Fhub%2Fhome", allow_redirects=False)
    assert r.status_code == 301
    assert r.headers["Location"] == f"https://127.0.0.1:{stack.env['HTTPS_PORT']}/hub/login?next=%2Fhub%2Fhome"


def test_login_page_over_https(stack):
    r = new_session().get(f"{stack.hub.url}/hub/login")
    assert r.status_code == 200
    assert 'name="username"' in r.text and 'name="password"' in r.text


def test_self_signed_certificate_covers_localhost_and_is_kept(stack, tmp_path):
    before = server_cert(int(stack.env["HTTPS_PORT"]))
    # The certificate verifies for localhost and 127.0.0.1 when trusted explicitly.
    (tmp_path / "cert.pem").write_text(before["pem"])
    ctx = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    for host in ("localhost", "127.0.0.1"):
        with socket.create_connection(("127.0.0.1", int(stack.env["HTTPS_PORT"]))) as sock:
            with ctx.wrap_socket(sock, server_hostname=host) as tls:
                assert tls.version() in ("TLSv1.2", "TLSv1.3")
    # Made once, on the proxy's volume: a restarted proxy serves the same one.
    stack.compose("restart", "proxy")
    stack.wait_healthy("proxy")
    assert server_cert(int(stack.env["HTTPS_PORT"]))["der"] == before["der"]
    stack.wait_healthy("hub")


def test_only_the_proxy_publishes_ports(stack):
    bindings = {}
    for service in ("proxy", "hub"):
        cid = stack.compose("ps", "-q", service).stdout.strip()
        bindings[service] = docker("inspect", "-f", "{{json .HostConfig.PortBindings}}", cid).strip()
    assert "8443/tcp" in bindings["proxy"] and "8080/tcp" in bindings["proxy"]
    assert bindings["hub"] in ("{}", "null")


def test_proxy_keeps_connections_alive(stack, running_user):
    """One TLS connection carries request after request, to a user's server and to the
    hub: configurable-http-proxy 4.5.3 as Debian ships it closed it after each one."""
    name, token = running_user

    # A test before this one restarts the proxy: the hub re-adds routes within 10 s.
    def routed() -> bool:
        return stack.hub.server(token, name, "GET", "api/status", allow_redirects=False).status_code == 200

    wait_for(routed, 60, f"{name}'s route")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", int(stack.env["HTTPS_PORT"]), context=ctx, timeout=30)
    sockets = set()
    try:
        for path in [f"/user/{name}/api/status", "/hub/api/", f"/user/{name}/api/status"] * 2:
            conn.request("GET", path, headers={"Authorization": f"token {token}"})
            r = conn.getresponse()
            r.read()
            assert r.status == 200, (path, r.status)
            assert (r.getheader("Connection") or "").lower() != "close", path
            sockets.add(id(conn.sock))
    finally:
        conn.close()
    assert len(sockets) == 1


def test_healthchecks_fail_when_their_service_would_not_work(stack):
    proxy = stack.compose("ps", "-q", "proxy").stdout.strip()
    hub = stack.compose("ps", "-q", "hub").stdout.strip()

    def check(container: str, command: str, *env: str) -> int:
        args = [arg for e in env for arg in ("-e", e)]
        return subprocess.run(["docker", "exec", *args, container, command], capture_output=True).returncode

    assert check(proxy, "proxy-healthcheck") == 0 and check(hub, "hub-healthcheck") == 0
    # A token the hub could not use; a hub not answering where users reach it.
    assert check(proxy, "proxy-healthcheck", "CONFIGPROXY_AUTH_TOKEN=not-the-token") == 1
    assert check(hub, "hub-healthcheck", "BASE_URL=/elsewhere/") == 1
