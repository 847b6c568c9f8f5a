"""The admin's own certificate: served by the proxy, and HSTS on every response."""

import socket
import ssl
import subprocess

import pytest
from hubclient import new_session


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hub.test",
         "-addext", "subjectAltName=DNS:hub.test,IP:127.0.0.1",
         "-keyout", str(d / "privkey.pem"), "-out", str(d / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (d / "privkey.pem").chmod(0o644)  # the proxy's user must read it (a test key)
    d.chmod(0o755)
    return d


@pytest.fixture(scope="module")
def own(extra_stack, cert_dir):
    return extra_stack(
        "t", TLS_DIR=str(cert_dir), TLS_CERT_FILE="fullchain.pem", TLS_KEY_FILE="privkey.pem", HSTS_MAX_AGE="600"
    )


def test_the_proxy_serves_the_given_certificate(own, cert_dir):
    ctx = ssl.create_default_context(cafile=str(cert_dir / "fullchain.pem"))
    with socket.create_connection(("127.0.0.1", int(own.env["HTTPS_PORT"]))) as sock:
        with ctx.wrap_socket(sock, server_hostname="hub.test") as tls:
            assert tls.getpeercert()["subject"] == ((("commonName", "hub.test"),),)


def test_hsts_on_hub_and_user_server_responses(own):
    r = new_session().get(f"{own.hub.url}/hub/login")
    assert r.headers.get("Strict-Transport-Security") == "max-age=600"
    token = own.hub.new_token(own.hub.login("admin", own.env["DUMMY_ADMIN_PASSWORD"]), "admin")
    own.hub.start(token, "admin")
    try:
        for path in ("lab", "api/status"):
            r = own.hub.server(token, "admin", "GET", path)
            assert r.headers.get("Strict-Transport-Security") == "max-age=600", path
    finally:
        own.hub.stop(token, "admin")


def test_no_hsts_with_the_self_signed_certificate(stack):
    assert "Strict-Transport-Security" not in new_session().get(f"{stack.hub.url}/hub/login").headers
