"""The default authenticator: local accounts, admin created on first start, sign-ups approved."""

import re

import pytest
from dockerctl import docker
from hubclient import new_session, wait_for
from stackctl import INITIAL_PASSWORD as BANNER
from stackctl import admin_password


def sign_up(hub, username, password):
    s = new_session()
    page = s.get(f"{hub.url}/hub/signup")
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    r = s.post(
        f"{hub.url}/hub/signup",
        data={
            "_xsrf": xsrf,
            "username": username,
            "signup_password": password,
            "signup_password_confirmation": password,
        },
    )
    return r


def test_admin_exists_from_first_start_and_cannot_be_claimed(native):
    logs = native.compose("logs", "hub").stdout
    passwords = BANNER.findall(logs)
    assert len(passwords) == 1, "the initial admin password must be shown exactly once"
    password = passwords[0]

    # Someone racing to sign up as admin gets nowhere, and the password is unchanged.
    sign_up(native.hub, "admin", "attacker-password-123")
    with pytest.raises(PermissionError):
        native.hub.login("admin", "attacker-password-123")
    session = native.hub.login("admin", password)
    assert session.get(f"{native.hub.url}/hub/admin").status_code == 200

    # A restart neither prints a new password nor replaces the account.
    native.compose("restart", "hub")
    native.wait_healthy("hub")
    assert len(BANNER.findall(native.compose("logs", "hub").stdout)) == 1
    native.hub.login("admin", password)


def test_sign_up_needs_admin_approval(native):
    password = admin_password(native)
    assert sign_up(native.hub, "newbie", "a-long-password-42").ok
    with pytest.raises(PermissionError):
        native.hub.login("newbie", "a-long-password-42")
    admin = native.hub.login("admin", password)
    assert admin.get(f"{native.hub.url}/hub/authorize/newbie").ok
    assert native.hub.login("newbie", "a-long-password-42")


def test_two_stacks_side_by_side(stack, admin_token, native):
    """Same user name in two projects: separate containers, volumes and networks."""
    native_token = native.hub.new_token(native.hub.login("admin", admin_password(native)), "admin")
    stack.hub.start(admin_token, "admin")
    native.hub.start(native_token, "admin")
    try:
        a, b = stack.container_of("admin"), native.container_of("admin")
        assert a["id"] != b["id"] and a["state"] == b["state"] == "running"
        put = {"type": "file", "format": "text", "content": "main stack"}
        assert stack.hub.server(admin_token, "admin", "PUT", "api/contents/where.txt", json=put).ok
        assert native.hub.server(native_token, "admin", "GET", "api/contents/where.txt").status_code == 404
        nets = {
            s.project: docker(
                "inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", c["id"]
            ).strip()
            for s, c in ((stack, a), (native, b))
        }
        assert nets == {stack.project: f"{stack.project}_jupyterhub", native.project: f"{native.project}_jupyterhub"}
    finally:
        stack.hub.stop(admin_token, "admin")
        native.hub.stop(native_token, "admin")


def test_compose_down_and_up_keeps_accounts_sessions_and_files(native):
    password = admin_password(native)
    session = native.hub.login("admin", password)
    token = native.hub.new_token(session, "admin")
    native.hub.start(token, "admin")
    put = {"type": "file", "format": "text", "content": "kept"}
    assert native.hub.server(token, "admin", "PUT", "api/contents/kept.txt", json=put).ok
    container = native.container_of("admin")["id"]

    # The running server holds the network, so down reports it cannot remove it: expected.
    native.compose("down", check=False)
    assert native.container_of("admin") == {"id": container, "state": "running"}
    assert native.compose("up", "--detach", "--wait", "--wait-timeout", "180").returncode == 0

    # Same login session (cookie secret), account, admin flag and API token (database),
    # the server taken back, and its files (home volume).
    home = session.get(f"{native.hub.url}/hub/home", allow_redirects=False)
    assert home.status_code == 200, "the login session did not survive"
    assert native.hub.api(token, "GET", "/users/admin").json()["admin"] is True
    native.hub.login("admin", password)
    wait_for(lambda: native.hub.server(token, "admin", "GET", "api/status").ok, 30, "the server's route")
    r = native.hub.server(token, "admin", "GET", "api/contents/kept.txt")
    assert r.ok and r.json()["content"] == "kept"
    native.hub.stop(token, "admin")
