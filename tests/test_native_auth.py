"""The default authenticator: local accounts, admin created on first start, sign-ups approved."""

import re

import pytest
from dockerctl import docker
from hubclient import new_session
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


def test_compose_down_and_up_keeps_accounts_and_files(native):
    password = admin_password(native)
    token = native.hub.new_token(native.hub.login("admin", password), "admin")
    native.hub.start(token, "admin")
    put = {"type": "file", "format": "text", "content": "kept"}
    assert native.hub.server(token, "admin", "PUT", "api/contents/kept.txt", json=put).ok
    native.hub.stop(token, "admin")

    native.compose("down")
    assert native.compose("up", "--detach", "--wait", "--wait-timeout", "180").returncode == 0

    # Same account and password, same API token (hub database), same files (home volume).
    native.hub.login("admin", password)
    native.hub.start(token, "admin")
    r = native.hub.server(token, "admin", "GET", "api/contents/kept.txt")
    assert r.ok and r.json()["content"] == "kept"
    native.hub.stop(token, "admin")
