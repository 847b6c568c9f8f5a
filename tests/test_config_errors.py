"""Bad settings stop the containers at startup with one clear line naming the variable."""

import pytest


def run_once(stack, service, *env):
    args = ["run", "--rm", "--no-deps", "-T"]
    for e in env:
        args += ["-e", e]
    return stack.compose(*args, service, check=False, timeout=120)


@pytest.mark.parametrize(
    "env, expected",
    [
        (["AUTHENTICATOR=ldapish"], "CONFIG ERROR: AUTHENTICATOR='ldapish': unknown value; use one of: native, dummy"),
        (["USER_MEM_LIMIT=12X"], "CONFIG ERROR: USER_MEM_LIMIT='12X': not a memory size"),
        (["AUTHENTICATOR=dummy", "DUMMY_PASSWORD=short"], "CONFIG ERROR: DUMMY_PASSWORD: AUTHENTICATOR=dummy"),
        (
            # Port 9 on the hub's own loopback: refused at once, and no traffic leaves the host.
            ["AUTHENTICATOR=generic", "OAUTH_CLIENT_ID=x", "OAUTH_CLIENT_SECRET=y", "OAUTH_ALLOW_ALL=true"]
            + ["OIDC_ISSUER=http://127.0.0.1:9"],
            "CONFIG ERROR: OIDC_ISSUER='http://127.0.0.1:9': cannot reach http://127.0.0.1:9/.well-known/",
        ),
        (["AUTHENTICATOR=github", "OAUTH_CLIENT_ID=x"], "CONFIG ERROR: OAUTH_CLIENT_SECRET is required"),
    ],
)
def test_hub_refuses_bad_settings(stack, env, expected):
    result = run_once(stack, "hub", *env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_proxy_refuses_missing_certificate(stack):
    result = run_once(stack, "proxy", "TLS_CERT_FILE=missing.pem", "TLS_KEY_FILE=missing.key")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "CONFIG ERROR: TLS_CERT_FILE='missing.pem' not found" in result.stderr


def test_proxy_refuses_bad_port(stack):
    result = run_once(stack, "proxy", "HTTPS_PORT=44x3")
    assert result.returncode == 2
    assert "CONFIG ERROR: HTTPS_PORT='44x3' is not a port number" in result.stderr
