"""Unit tests of the OAuth part of hub/stack/settings.py, with a fake discovery fetch."""

import sys
import urllib.error
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "hub"))

from stack import crypt  # noqa: E402
from stack import oauth as hooks  # noqa: E402
from stack import settings as st  # noqa: E402

ISSUER = "https://idp.example.org/realms/x"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/auth",
    "token_endpoint": f"{ISSUER}/token",
    "userinfo_endpoint": f"{ISSUER}/userinfo",
}
GENERIC = {
    "CONFIGPROXY_AUTH_TOKEN": "t",
    "AUTHENTICATOR": "generic",
    "OAUTH_CLIENT_ID": "hub",
    "OAUTH_CLIENT_SECRET": "s3cret",
    "OIDC_ISSUER": ISSUER,
    "ALLOWED_GROUPS": "students",
}


def fetch_ok(url):
    assert url == f"{ISSUER}/.well-known/openid-configuration"
    return DISCOVERY


def load(fetch=fetch_ok, **env):
    return st.load({**GENERIC, **env}, fetch=fetch)


def error_of(fetch=fetch_ok, **env) -> str:
    with pytest.raises(st.SettingsError) as e:
        load(fetch, **env)
    return str(e.value)


def test_discovery_fills_the_endpoints():
    o = load().oauth
    assert (o.authorize_url, o.token_url, o.userdata_url) == (f"{ISSUER}/auth", f"{ISSUER}/token", f"{ISSUER}/userinfo")
    assert o.scopes == ("openid", "profile", "email")
    assert o.manage_groups and o.allowed_groups == {"students"}


def test_explicit_urls_win_over_discovery():
    o = load(OAUTH2_AUTHORIZE_URL="http://127.0.0.1:9/authorize").oauth
    assert o.authorize_url == "http://127.0.0.1:9/authorize"
    assert o.token_url == f"{ISSUER}/token"


def test_all_explicit_urls_need_no_issuer():
    def no_fetch(url):
        raise AssertionError("must not fetch")

    env = {k: f"https://x/{k}" for k in ("OAUTH2_AUTHORIZE_URL", "OAUTH2_TOKEN_URL", "OAUTH2_USERDATA_URL")}
    assert load(no_fetch, OIDC_ISSUER="", **env).oauth.token_url == "https://x/OAUTH2_TOKEN_URL"


def test_callback_url_default_follows_public_url():
    assert load().oauth.callback_url == "https://localhost/hub/oauth_callback"
    o = load(PUBLIC_HOSTNAME="hub.example.org", HTTPS_PORT="8443", BASE_URL="/j/").oauth
    assert o.callback_url == "https://hub.example.org:8443/j/hub/oauth_callback"
    assert load(OAUTH_CALLBACK_URL="https://h.org/hub/oauth_callback").oauth.callback_url.startswith("https://h.org")


def test_no_default_admin_for_oauth():
    assert load().admin_users == frozenset()
    assert load(ADMIN_USERS="olivia").admin_users == {"olivia"}


def raising(exc):
    def fetch(url):
        raise exc

    return fetch


@pytest.mark.parametrize(
    "fetch, message",
    [
        (raising(urllib.error.URLError("Name or service not known")), "cannot reach"),
        (raising(ConnectionRefusedError(111, "Connection refused")), "cannot reach"),
        (raising(urllib.error.HTTPError("u", 404, "Not Found", {}, None)), "no discovery document at"),
        (raising(ValueError("Expecting value")), "is not JSON"),
        (lambda url: {"issuer": ISSUER}, "lacks authorization_endpoint, token_endpoint, userinfo_endpoint"),
    ],
)
def test_bad_issuer_names_oidc_issuer(fetch, message):
    err = error_of(fetch)
    assert err.startswith(f"OIDC_ISSUER='{ISSUER}': ") and message in err


@pytest.mark.parametrize(
    "env, message",
    [
        ({"OAUTH_CLIENT_ID": ""}, "OAUTH_CLIENT_ID is required with AUTHENTICATOR=generic"),
        ({"OAUTH_CLIENT_SECRET": ""}, "OAUTH_CLIENT_SECRET is required"),
        ({"OIDC_ISSUER": ""}, "OIDC_ISSUER is required with AUTHENTICATOR=generic"),
        ({"ALLOWED_GROUPS": ""}, "AUTHENTICATOR=generic would let nobody in"),
        ({"OAUTH_ALLOW_ALL": "perhaps"}, "OAUTH_ALLOW_ALL='perhaps'"),
        ({"OAUTH_CALLBACK_URL": "not a url"}, "OAUTH_CALLBACK_URL='not a url'"),
        ({"JUPYTERHUB_CRYPT_KEY": "short"}, "JUPYTERHUB_CRYPT_KEY"),
        ({"AUTHENTICATOR": "github"}, "ALLOWED_GROUPS='students': groups from a claim work with AUTHENTICATOR=generic"),
        ({"AUTHENTICATOR": "github", "ALLOWED_GROUPS": ""}, "AUTHENTICATOR=github would let nobody in"),
    ],
)
def test_bad_oauth_settings(env, message):
    assert message in error_of(**env)


def test_any_allow_setting_suffices():
    for env in ({"ALLOWED_USERS": "a"}, {"ADMIN_GROUPS": "staff"}, {"OAUTH_ALLOW_ALL": "true"}):
        assert load(ALLOWED_GROUPS="", **env).oauth is not None


def test_providers_own_restrictions():
    base = {"ALLOWED_GROUPS": "", "OIDC_ISSUER": ""}
    gh = load(AUTHENTICATOR="github", GITHUB_ALLOWED_ORGS="org-a, org-b:team", **base).oauth
    assert gh.github_orgs == {"org-a", "org-b:team"} and "read:org" in gh.scopes
    gl = load(AUTHENTICATOR="gitlab", GITLAB_ALLOWED_GROUPS="g1", GITLAB_URL="https://gl.example.org", **base).oauth
    assert gl.gitlab_groups == {"g1"} and gl.gitlab_url == "https://gl.example.org"
    assert gl.scopes == ("read_user", "read_api")
    go = load(AUTHENTICATOR="google", GOOGLE_HOSTED_DOMAINS="example.org", **base).oauth
    assert go.google_domains == ("example.org",) and go.scopes == ("openid", "email")


def test_username_claim_falls_back():
    username = hooks.username_from("preferred_username")
    assert username({"preferred_username": "Olivia", "email": "o@x", "sub": "1"}) == "Olivia"
    assert username({"email": "o@x", "sub": "1"}) == "o@x"
    assert username({"sub": "1"}) == "1"
    assert hooks.username_from("upn")({"upn": "u", "preferred_username": "p"}) == "u"


def test_pass_tokens_sets_environment():
    class Spawner:
        environment = {}

    hooks.pass_tokens(Spawner, {"access_token": "at", "id_token": "it", "refresh_token": "rt"})
    assert Spawner.environment == {"OAUTH_ACCESS_TOKEN": "at", "OAUTH_ID_TOKEN": "it"}


def test_crypt_key_generated_once_private(tmp_path):
    key = crypt.crypt_key({}, tmp_path)
    assert len(key) == 32
    assert (tmp_path / "jupyterhub_crypt_key").stat().st_mode & 0o777 == 0o600
    assert crypt.crypt_key({}, tmp_path) == key
    assert crypt.crypt_key({"JUPYTERHUB_CRYPT_KEY": "ab" * 32}, tmp_path) == b"\xab" * 32
