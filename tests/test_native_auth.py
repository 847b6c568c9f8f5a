"""The default authenticator: local accounts, admin created on first start, sign-ups approved."""

import re

import pytest
from hubclient import new_session

BANNER = re.compile(r"Initial password for admin user 'admin': (\S+)")


@pytest.fixture(scope="module")
def native(extra_stack):
    return extra_stack("n", AUTHENTICATOR="native", DUMMY_PASSWORD="", DUMMY_ADMIN_PASSWORD="")


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
    password = BANNER.findall(native.compose("logs", "hub").stdout)[0]
    assert sign_up(native.hub, "newbie", "a-long-password-42").ok
    with pytest.raises(PermissionError):
        native.hub.login("newbie", "a-long-password-42")
    admin = native.hub.login("admin", password)
    assert admin.get(f"{native.hub.url}/hub/authorize/newbie").ok
    assert native.hub.login("newbie", "a-long-password-42")
