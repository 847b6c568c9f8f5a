"""Users cannot reach each other's servers."""


def test_other_users_token_is_refused(stack, running_user, user_token):
    name, _ = running_user
    intruder = user_token("mallory")
    r = stack.hub.server(intruder, name, "GET", "api/contents", allow_redirects=False)
    assert r.status_code == 403
    r = stack.hub.server(intruder, name, "POST", "api/kernels", json={"name": "python3"}, allow_redirects=False)
    assert r.status_code == 403


def test_other_users_token_cannot_control_server(stack, running_user, user_token):
    name, _ = running_user
    intruder = user_token("mallory")
    assert stack.hub.api(intruder, "DELETE", f"/users/{name}/server").status_code in (403, 404)
    assert stack.hub.api(intruder, "GET", f"/users/{name}").status_code in (403, 404)


def test_anonymous_request_to_server_goes_to_login(stack, running_user):
    from hubclient import new_session

    name, _ = running_user
    r = new_session().get(stack.hub.server_url(name) + "api/contents", allow_redirects=False)
    assert r.status_code in (302, 403)
    if r.status_code == 302:
        assert "/hub/" in r.headers["Location"]
