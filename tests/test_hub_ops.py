"""Hub operations: restart without dropping servers, metrics, admin panel."""

from hubclient import new_session


def test_hub_restart_keeps_servers_running_and_reachable(stack, running_user):
    name, token = running_user
    before = stack.container_of(name)["id"]
    stack.compose("restart", "hub")
    stack.wait_healthy("hub")
    assert stack.container_of(name) == {"id": before, "state": "running"}
    assert stack.hub.ready(token, name), "the hub lost track of the running server"
    out = stack.hub.execute(token, name, "print('still here')")
    assert out["stdout"].strip() == "still here"


def test_metrics_need_a_token(stack, admin_token):
    assert new_session().get(f"{stack.hub.url}/hub/metrics").status_code == 403
    r = new_session().get(f"{stack.hub.url}/hub/metrics", headers={"Authorization": f"token {admin_token}"})
    assert r.status_code == 200
    assert "jupyterhub_running_servers" in r.text


def test_admin_panel_for_admins_only(stack, admin_token, user_token):
    users = stack.hub.api(admin_token, "GET", "/users").json()
    assert any(u["name"] == "admin" and u["admin"] for u in users)
    session = stack.hub.login("admin", stack.env["DUMMY_ADMIN_PASSWORD"])
    assert session.get(f"{stack.hub.url}/hub/admin").status_code == 200
    assert stack.hub.api(user_token("erin"), "GET", "/users").status_code == 403
