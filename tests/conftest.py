"""The real stack under test, started with pytest-docker under its own Compose project name.

Everything the tests create is removed at the end, even when start-up fails:
the project's containers, networks and volumes, and the user containers and
home volumes the hub spawned (found by the stack's project label).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dockerctl import free_port
from hubclient import new_session, wait_for
from stackctl import ROOT, Stack, base_env, hub_for, remove_everything, write_env

# --- pytest-docker hooks -------------------------------------------------------


@pytest.fixture(scope="session")
def docker_compose_project_name() -> str:
    return f"jhtest{os.getpid()}"


@pytest.fixture(scope="session")
def portal_ports() -> dict[str, int]:
    """Ports for the embedding tests' portal pages: one origin allowed to frame the hub, one not."""
    return {"allowed": free_port(), "other": free_port()}


@pytest.fixture(scope="session")
def stack_env_file(tmp_path_factory, docker_compose_project_name, portal_ports) -> tuple[Path, dict[str, str]]:
    # The main stack allows embedding; the native stack below keeps the default.
    env = base_env(EMBED_ALLOWED_ORIGINS=f"http://127.0.0.1:{portal_ports['allowed']}")
    path = tmp_path_factory.mktemp("stack") / "test.env"
    write_env(path, env)
    return path, env


@pytest.fixture(scope="session")
def docker_compose_command(stack_env_file) -> str:
    return f'docker compose --project-directory "{ROOT}" --env-file "{stack_env_file[0]}"'


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return str(ROOT / "docker-compose.yml")


@pytest.fixture(scope="session")
def docker_setup() -> list[str]:
    return ["up --build --detach --wait --wait-timeout 300"]


@pytest.fixture(scope="session")
def docker_cleanup() -> list[str]:
    return []  # done by _teardown below, which also runs when start-up failed


@pytest.fixture(scope="session")
def _teardown(docker_compose_project_name, stack_env_file):
    yield
    remove_everything(docker_compose_project_name, stack_env_file[0])


@pytest.fixture(scope="session")
def stack(_teardown, docker_services, docker_compose_project_name, stack_env_file) -> Stack:
    env_file, env = stack_env_file
    s = Stack(docker_compose_project_name, env_file, env, hub_for(env))
    wait_for(lambda: new_session().get(f"{s.hub.url}/hub/login").ok, 60, "the login page")
    return s


@pytest.fixture(scope="session")
def admin_token(stack) -> str:
    session = stack.hub.login("admin", stack.env["DUMMY_ADMIN_PASSWORD"])
    return stack.hub.new_token(session, "admin")


@pytest.fixture(scope="session")
def user_token(stack):
    """user_token(name): log `name` in through the form and return an API token of theirs."""
    cache: dict[str, str] = {}

    def make(name: str) -> str:
        if name not in cache:
            cache[name] = stack.hub.new_token(stack.hub.login(name, stack.env["DUMMY_PASSWORD"]), name)
        return cache[name]

    return make


@pytest.fixture(scope="session")
def running_user(stack, user_token):
    """A user whose default server is running: (name, token)."""
    name = "alice"
    token = user_token(name)
    stack.hub.start(token, name)
    return name, token


@pytest.fixture(scope="session")
def extra_stack(tmp_path_factory, docker_compose_project_name, stack):
    """Start another stack with other settings, under its own project name, beside the main one."""
    started: list[Stack] = []

    def start(suffix: str, files: tuple[str, ...] = (), build: tuple[str, ...] = (), **overrides: str) -> Stack:
        project = f"{docker_compose_project_name}{suffix}"
        env = base_env(**overrides)
        env_file = tmp_path_factory.mktemp(project) / "test.env"
        write_env(env_file, env)
        s = Stack(project, env_file, env, hub_for(env), files)
        started.append(s)
        # The main stack built the images. Building them again under this project
        # would relabel them (Compose labels images with the project that built
        # them), change their IDs and make the main stack's next `up` recreate
        # its containers; only services of extra compose files are built here.
        if build:
            s.compose("build", *build)
        result = s.compose("up", "--detach", "--wait", "--wait-timeout", "180", check=False)
        assert result.returncode == 0, result.stderr + s.compose("logs", check=False).stdout
        return s

    yield start
    for s in started:
        remove_everything(s.project, s.env_file, s.files)


@pytest.fixture(scope="session")
def native(extra_stack) -> Stack:
    """A second stack beside the main one: default authenticator (native), default embedding
    (none), and served under a BASE_URL."""
    return extra_stack("n", AUTHENTICATOR="native", DUMMY_PASSWORD="", DUMMY_ADMIN_PASSWORD="", BASE_URL="/jupyter/")
