"""The proxy: HTTPS with a certificate made once, HTTP redirected, login page served."""

import socket
import ssl

from dockerctl import docker
from hubclient import new_session


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
