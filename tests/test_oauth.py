"""Login with OpenID Connect against a real provider process (tests/oidc) on the stack's network.

The browser (here: requests, following the redirects and submitting the
provider's form as a browser does) reaches the provider's authorize URL on the
host; the hub reaches discovery, token and userinfo inside the network.
"""

from urllib.parse import parse_qs, urlparse

import pytest
from dockerctl import free_port
from hubclient import new_session

OIDC_PORT = free_port()


@pytest.fixture(scope="module")
def oidc(extra_stack):
    return extra_stack(
        "o",
        files=("tests/oidc/compose.yml",),
        build=("oidc",),
        AUTHENTICATOR="generic",
        DUMMY_PASSWORD="",
        DUMMY_ADMIN_PASSWORD="",
        ADMIN_USERS="",
        PUBLIC_HOSTNAME="127.0.0.1",
        OIDC_PORT=str(OIDC_PORT),
        OIDC_ISSUER="http://oidc:9400",
        # Only the browser-facing URL is explicit; token and userinfo come from discovery.
        OAUTH2_AUTHORIZE_URL=f"http://127.0.0.1:{OIDC_PORT}/oauth2/authorize",
        OAUTH_CLIENT_ID="jupyterhub",
        OAUTH_CLIENT_SECRET="test-client-secret",
        ALLOWED_GROUPS="students,staff",
        ADMIN_GROUPS="staff",
        OAUTH_PASS_TOKENS="true",
    )


def login(stack, sub: str, claims: dict):
    """The whole browser round trip; returns (session, the hub's answer to the callback)."""
    provider = f"http://127.0.0.1:{OIDC_PORT}"
    new_session().put(f"{provider}/users/{sub}", json=claims).raise_for_status()
    s = new_session()
    r = s.get(f"{stack.hub.url}/hub/oauth_login", allow_redirects=False)
    authorize = r.headers["Location"]
    assert authorize.startswith(f"{provider}/oauth2/authorize?"), authorize
    form = s.get(authorize)
    assert form.ok and 'name="sub"' in form.text
    r = s.post(authorize, data={"sub": sub}, allow_redirects=False)  # the provider's login form
    callback = r.headers["Location"]
    assert callback.startswith(f"{stack.hub.url}/hub/oauth_callback?code="), callback
    return s, s.get(callback, allow_redirects=False)


def test_callback_url_defaults_from_public_hostname_and_port(oidc):
    r = new_session().get(f"{oidc.hub.url}/hub/oauth_login", allow_redirects=False)
    redirect_uri = parse_qs(urlparse(r.headers["Location"]).query)["redirect_uri"][0]
    assert redirect_uri == f"https://127.0.0.1:{oidc.env['HTTPS_PORT']}/hub/oauth_callback"


def test_discovery_from_issuer_fills_token_and_userinfo_urls(oidc):
    code = "from stack.settings import load; o = load().oauth; print(o.authorize_url, o.token_url, o.userdata_url)"
    out = oidc.compose("exec", "-T", "hub", "python3", "-c", code).stdout.split()
    assert out == [
        f"http://127.0.0.1:{OIDC_PORT}/oauth2/authorize",  # explicit wins
        "http://oidc:9400/oauth2/token",  # discovered
        "http://oidc:9400/userinfo",  # discovered
    ]


def test_group_member_logs_in_and_spawns_with_tokens(oidc):
    claims = {"preferred_username": "Olivia.Smith", "email": "olivia@example.org", "groups": ["students"]}
    session, r = login(oidc, "olivia-sub", claims)
    assert r.status_code == 302, r.text
    # Normalised like local accounts: lower case.
    token = oidc.hub.new_token(session, "olivia.smith")
    user = oidc.hub.api(token, "GET", "/users/olivia.smith").json()
    assert user["admin"] is False and user["groups"] == ["students"]
    oidc.hub.start(token, "olivia.smith")
    try:
        out = oidc.hub.execute(token, "olivia.smith", "import os; print(len(os.environ.get('OAUTH_ACCESS_TOKEN', '')))")
        assert int(out["stdout"]) > 10, "OAUTH_PASS_TOKENS did not hand the access token to the server"
    finally:
        oidc.hub.stop(token, "olivia.smith")


def test_admin_group_member_is_admin_and_auth_state_is_kept(oidc):
    session, r = login(oidc, "sam-sub", {"preferred_username": "sam", "groups": ["staff"]})
    assert r.status_code == 302
    token = oidc.hub.new_token(session, "sam")
    user = oidc.hub.api(token, "GET", "/users/sam").json()
    assert user["admin"] is True
    # Auth state: the provider's tokens, encrypted with the generated crypt key.
    olivia = oidc.hub.api(token, "GET", "/users/olivia.smith").json()
    assert olivia["auth_state"]["access_token"]
    mode = oidc.compose("exec", "-T", "hub", "stat", "-c", "%a", "/srv/jupyterhub/data/jupyterhub_crypt_key")
    assert mode.stdout.strip() == "600"


def test_user_outside_allowed_groups_is_refused_clearly(oidc):
    _, r = login(oidc, "vic-sub", {"preferred_username": "vic", "groups": ["visitors"]})
    assert r.status_code == 403
    assert "Your account is not allowed to use this hub" in r.text


def test_user_without_preferred_username_falls_back_to_email(oidc):
    session, r = login(oidc, "ed-sub", {"email": "ed@example.org", "groups": ["students"]})
    assert r.status_code == 302
    token = oidc.hub.new_token(session, "ed@example.org")
    assert oidc.hub.api(token, "GET", "/user").json()["name"] == "ed@example.org"


def test_down_and_up_keep_the_encrypted_auth_state(oidc):
    session, _ = login(oidc, "sam-sub", {"preferred_username": "sam", "groups": ["staff"]})
    token = oidc.hub.new_token(session, "sam")
    oidc.compose("down", check=False)
    assert oidc.compose("up", "--detach", "--wait", "--wait-timeout", "180").returncode == 0
    # Readable only with the same crypt key, generated on the first start and kept on the volume.
    assert oidc.hub.api(token, "GET", "/users/sam").json()["auth_state"]["access_token"]
