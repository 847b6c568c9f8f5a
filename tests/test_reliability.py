"""Faults injected into the real stack: nothing is lost, and users' servers carry on."""

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from dockerctl import docker
from hubclient import KernelDied, new_session, wait_for
from stackctl import LABEL, write_env


def user_containers(stack) -> list[str]:
    return docker("ps", "-a", "--filter", f"label={LABEL}={stack.project}", "--format", "{{.Names}}").split()


def reachable(stack, token, name) -> bool:
    return stack.hub.server(token, name, "GET", "api/status", allow_redirects=False).status_code == 200


def test_hub_restart_keeps_servers_and_open_kernel_connections(stack, running_user, user_token):
    alice, alice_token = running_user
    hank_token = user_token("hank")
    stack.hub.start(hank_token, "hank")
    before = {n: stack.container_of(n)["id"] for n in (alice, "hank")}
    with stack.hub.kernel(alice_token, alice) as kernel:
        assert kernel.run("x = 6")["error"] is None
        stack.compose("stop", "hub")
        # The hub is down; the open websocket goes through the proxy straight to the server.
        assert kernel.run("print(x * 7)")["stdout"].strip() == "42"
        stack.compose("start", "hub")
        stack.wait_healthy("hub")
        assert kernel.run("print(x * 8)")["stdout"].strip() == "48"
    # Same containers, taken back by the hub: no orphans, no duplicates.
    assert {n: stack.container_of(n)["id"] for n in (alice, "hank")} == before
    assert stack.hub.ready(alice_token, alice) and stack.hub.ready(hank_token, "hank")
    assert sorted(c for c in user_containers(stack) if c.endswith(("-alice", "-hank"))) == sorted(
        f"{stack.project}-{n}" for n in (alice, "hank")
    )


def test_changing_a_setting_recreates_only_the_hub(stack, running_user):
    name, token = running_user
    before = stack.container_of(name)["id"]
    proxy_before = stack.compose("ps", "-q", "proxy").stdout.strip()
    stack.env["IDLE_TIMEOUT"] = "7200"
    write_env(stack.env_file, stack.env)
    stack.compose("up", "--detach", "--wait")
    assert "--timeout=7200" in stack.compose("logs", "hub").stdout
    assert stack.compose("ps", "-q", "proxy").stdout.strip() == proxy_before
    assert stack.container_of(name)["id"] == before and reachable(stack, token, name)


def test_proxy_restart_restores_routes_within_30s(stack, running_user):
    name, token = running_user
    stack.compose("restart", "proxy")
    stack.wait_healthy("proxy")
    started = time.monotonic()
    # The hub's own pages at once (the proxy's default target is the hub)...
    assert new_session().get(f"{stack.hub.url}/hub/login").status_code == 200
    # ...and users' routes as soon as the hub notices, with no user action.
    wait_for(lambda: reachable(stack, token, name), 30, f"{name}'s route after a proxy restart", interval=0.5)
    assert time.monotonic() - started < 30


def test_killed_server_is_noticed_and_starts_again_with_its_files(stack, running_user, user_token):
    alice, _ = running_user
    name, token = "kate", user_token("kate")
    stack.hub.start(token, name)
    put = {"type": "file", "format": "text", "content": "survives"}
    assert stack.hub.server(token, name, "PUT", "api/contents/keep.txt", json=put).ok
    alice_before = stack.container_of(alice)["id"]

    docker("kill", f"{stack.project}-{name}")
    # The hub polls its servers (every 10 s) and marks this one stopped.
    wait_for(lambda: "" not in stack.hub.api(token, "GET", f"/users/{name}").json()["servers"], 40, "the hub to notice")
    stack.hub.start(token, name)
    r = stack.hub.server(token, name, "GET", "api/contents/keep.txt")
    assert r.ok and r.json()["content"] == "survives"
    assert stack.container_of(alice) == {"id": alice_before, "state": "running"}
    stack.hub.stop(token, name)


def test_kernel_over_the_memory_limit_dies_not_the_server(stack, user_token):
    name, token = "oscar", user_token("oscar")
    stack.hub.start(token, name)
    try:
        with stack.hub.kernel(token, name) as kernel:
            # 1.5 GiB of touched memory in a container limited to 1 GiB (USER_MEM_LIMIT in the tests).
            with pytest.raises((KernelDied, TimeoutError)):
                kernel.run("x = b'\\x01' * (1536 * 1024 * 1024)", timeout=60)
        assert stack.container_of(name)["state"] == "running"
        assert reachable(stack, token, name)
        assert stack.hub.execute(token, name, "print('alive')")["stdout"].strip() == "alive"
    finally:
        stack.hub.stop(token, name)


# Unicode, dots, an escape look-alike ("a-2eb" is how "a.b" once escaped), 70 characters.
USERNAMES = ["émilie", "zoë.smith", "a.b", "a-2eb", "x" * 70, "ωmega-user", "b_c"]


def home_volume(container: str) -> str:
    return docker("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", container).strip()


def test_usernames_get_distinct_valid_stable_containers_and_volumes(stack, user_token):
    containers = {}
    for name in USERNAMES:
        token = user_token(name)
        before = set(user_containers(stack))
        stack.hub.start(token, name)
        (containers[name],) = set(user_containers(stack)) - before
        assert stack.hub.execute(token, name, "print(1)")["stdout"].strip() == "1", name
    volumes = {name: home_volume(c) for name, c in containers.items()}
    assert len(set(containers.values())) == len(set(volumes.values())) == len(USERNAMES)

    # Names are normalised to lower case: "Mixed.Case" and "mixed.case" are one user.
    session = stack.hub.login("Mixed.Case", stack.env["DUMMY_PASSWORD"])
    assert stack.hub.api(stack.hub.new_token(session, "mixed.case"), "GET", "/user").json()["name"] == "mixed.case"

    stack.compose("restart", "hub")
    stack.wait_healthy("hub")
    for name in USERNAMES:
        token = user_token(name)
        assert stack.hub.ready(token, name), f"{name} lost after a hub restart"
        assert home_volume(containers[name]) == volumes[name]
        stack.hub.stop(token, name)
        # Start again: the same container name and the same volume, from the names alone.
        before = set(user_containers(stack))
        stack.hub.start(token, name)
        assert set(user_containers(stack)) - before == {containers[name]}
        assert home_volume(containers[name]) == volumes[name]
        stack.hub.stop(token, name)


def test_twenty_users_at_once(stack):
    """Log in, start, run code, stop: 20 users at the same time, zero failures."""

    def one_user(i: int) -> str | None:
        name = f"load{i:02d}"
        try:
            session = stack.hub.login(name, stack.env["DUMMY_PASSWORD"])
            token = stack.hub.new_token(session, name)
            for _ in range(60):  # a full hub answers 429 "try again": do so
                r = stack.hub.api(token, "POST", f"/users/{name}/server")
                if r.status_code != 429:
                    break
                time.sleep(1)
            assert r.status_code in (201, 202), r.text
            wait_for(lambda: stack.hub.ready(token, name), 180, f"{name}'s server")
            out = stack.hub.execute(token, name, f"print({i} * 2)", timeout=120)
            assert out["stdout"].strip() == str(i * 2), out
            stack.hub.stop(token, name, timeout=120)
        except Exception as e:  # counted, not raised: the test reports every failure
            return f"{name}: {e!r}"
        return None

    with ThreadPoolExecutor(max_workers=20) as pool:
        failures = [f for f in pool.map(one_user, range(20)) if f]
    assert failures == []


def test_backup_and_restore_onto_a_fresh_host(extra_stack, tmp_path):
    from stackctl import ROOT, admin_password, remove_everything

    s = extra_stack("b", AUTHENTICATOR="native", DUMMY_PASSWORD="", DUMMY_ADMIN_PASSWORD="")
    password = admin_password(s)
    token = s.hub.new_token(s.hub.login("admin", password), "admin")
    s.hub.start(token, "admin")
    put = {"type": "file", "format": "text", "content": "in the backup"}
    assert s.hub.server(token, "admin", "PUT", "api/contents/backed-up.txt", json=put).ok

    env = {**os.environ, "COMPOSE_PROJECT_NAME": s.project}
    backup = subprocess.run(
        [str(ROOT / "scripts/backup"), str(tmp_path / "bk")], env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    assert reachable(s, token, "admin"), "the server did not resume after the backup's pause"

    # A fresh host: no container, no volume of this stack is left.
    remove_everything(s.project, s.env_file)
    assert not docker("volume", "ls", "-q", "--filter", f"name={s.project}").split()

    restore = subprocess.run(
        [str(ROOT / "scripts/restore"), str(tmp_path / "bk")], env=env, capture_output=True, text=True
    )
    assert restore.returncode == 0, restore.stderr
    assert s.compose("up", "--detach", "--wait", "--wait-timeout", "180", check=False).returncode == 0
    s.hub.login("admin", password)  # the account
    s.hub.start(token, "admin")  # the API token
    r = s.hub.server(token, "admin", "GET", "api/contents/backed-up.txt")  # the user's files
    assert r.ok and r.json()["content"] == "in the backup"
    s.hub.stop(token, "admin")
    # Restoring again would overwrite data now: refused.
    again = subprocess.run(
        [str(ROOT / "scripts/restore"), str(tmp_path / "bk")], env=env, capture_output=True, text=True
    )
    assert again.returncode != 0 and "already holds data" in again.stderr


def test_newer_hub_upgrades_an_older_database_after_a_backup(stack, extra_stack, docker_compose_project_name):
    """The hub volume holds a JupyterHub 5.4 database; this hub (6.x) must migrate it, keeping a copy."""
    project = f"{docker_compose_project_name}u"
    old_image = f"{project}-jupyterhub5:latest"
    dockerfile = (
        "FROM jupyterhub-stack/hub:latest\nUSER root\nRUN pip install --no-cache-dir jupyterhub==5.4.6\nUSER hub\n"
    )
    subprocess.run(
        ["docker", "build", "-q", "--force-rm", "-t", old_image, "-"], input=dockerfile, text=True, check=True
    )
    try:
        volume = f"{project}_hub-data"
        docker(
            "volume", "create", f"--label=com.docker.compose.project={project}",
            "--label=com.docker.compose.volume=hub-data", volume,
        )  # fmt: skip
        make_old_db = (
            "import jupyterhub; from jupyterhub import orm; assert jupyterhub.__version__.startswith('5.4')\n"
            "db = orm.new_session_factory('sqlite:////srv/jupyterhub/data/jupyterhub.sqlite')()\n"
            "db.add(orm.User(name='veteran')); db.commit()\n"
        )
        docker(
            "run",
            "--rm",
            "--entrypoint",
            "python3",
            "-v",
            f"{volume}:/srv/jupyterhub/data",
            old_image,
            "-c",
            make_old_db,
        )
    finally:
        docker("rmi", "-f", old_image, check=False)

    s = extra_stack("u")
    assert "Upgrading sqlite:////srv/jupyterhub/data/jupyterhub.sqlite" in s.compose("logs", "hub").stdout
    files = s.compose("exec", "-T", "hub", "ls", "/srv/jupyterhub/data").stdout.split()
    assert any(f.startswith("jupyterhub.sqlite.") for f in files), files  # the copy from before the migration
    token = s.hub.new_token(s.hub.login("admin", s.env["DUMMY_ADMIN_PASSWORD"]), "admin")
    assert s.hub.api(token, "GET", "/users/veteran").status_code == 200
