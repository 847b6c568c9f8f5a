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


def test_user_container_reaches_the_hub_api_but_not_the_proxy_api(stack, running_user):
    name, token = running_user
    code = (
        "import socket\n"
        "def reach(host, port):\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=3).close()\n"
        "        return 'open'\n"
        "    except OSError as e:\n"
        "        return type(e).__name__\n"
        "print(reach('hub', 8081), reach('proxy', 8001), reach('proxy-api', 8001))\n"
    )
    out = stack.hub.execute(token, name, code)
    hub, proxy_api_by_name, proxy_api_alias = out["stdout"].split()
    assert hub == "open"
    assert proxy_api_by_name != "open", "the proxy's REST API is reachable from a user's server"
    assert proxy_api_alias == "gaierror", "the proxy-api network is visible from a user's server"
