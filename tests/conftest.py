"""The real stack under test, started with pytest-docker under its own Compose project name.

Everything the tests create is removed at the end, even when start-up fails:
the project's containers, networks and volumes, and the user containers and
home volumes the hub spawned (found by the stack's project label).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from dockerctl import docker, free_port
from hubclient import Hub, new_session, wait_for

ROOT = Path(__file__).resolve().parent.parent
LABEL = "io.jupyterhub-stack.project"


@dataclass
class Stack:
    """A running stack: how to reach it and how to drive its Compose project."""

    project: str
    env_file: Path
    env: dict[str, str]
    hub: Hub

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.env['HTTP_PORT']}"

    def compose(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            compose_command(self.project, self.env_file) + list(args),
            check=check,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def container_of(self, username: str, servername: str = "") -> dict | None:
        name = f"{self.project}-{username}" + (f"--{servername}" if servername else "")
        out = docker("ps", "-a", "--filter", f"name=^/{name}$", "--format", "{{.ID}} {{.State}}").split()
        return {"id": out[0], "state": out[1]} if out else None

    def wait_healthy(self, service: str, timeout: float = 120) -> None:
        def healthy():
            cid = self.compose("ps", "-q", service).stdout.strip()
            return cid and docker("inspect", "-f", "{{.State.Health.Status}}", cid).strip() == "healthy"

        wait_for(healthy, timeout, f"{service} to be healthy", interval=0.5)


def compose_command(project: str, env_file: Path) -> list[str]:
    # --env-file keeps a developer's own .env out of the tests.
    return [
        "docker",
        "compose",
        "--project-directory",
        str(ROOT),
        "-f",
        str(ROOT / "docker-compose.yml"),
        "--env-file",
        str(env_file),
        "-p",
        project,
    ]


def remove_everything(project: str, env_file: Path) -> None:
    """Remove user containers first: they hold the network open."""
    ids = docker("ps", "-aq", "--filter", f"label={LABEL}={project}").split()
    if ids:
        docker("rm", "-f", *ids, check=False)
    subprocess.run(
        compose_command(project, env_file) + ["down", "--volumes", "--remove-orphans", "--timeout", "5"],
        capture_output=True,
        check=False,
    )
    vols = docker("volume", "ls", "-q", "--filter", f"label={LABEL}={project}").split()
    if vols:
        docker("volume", "rm", "-f", *vols, check=False)


def write_env(path: Path, env: dict[str, str]) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in env.items()))


def base_env(**overrides: str) -> dict[str, str]:
    env = {
        "AUTHENTICATOR": "dummy",
        "DUMMY_PASSWORD": secrets.token_urlsafe(12),
        "DUMMY_ADMIN_PASSWORD": secrets.token_hex(20),
        "ADMIN_USERS": "admin",
        "HTTPS_PORT": str(free_port()),
        "HTTP_PORT": str(free_port()),
        "HTTPS_BIND_IP": "127.0.0.1",
        "ALLOW_NAMED_SERVERS": "true",
        "USER_MEM_LIMIT": "1G",
        "USER_MEM_GUARANTEE": "256M",
        "USER_CPU_LIMIT": "1",
        "USER_CPU_GUARANTEE": "0.25",
    }
    env.update(overrides)
    return env


# --- pytest-docker hooks -------------------------------------------------------


@pytest.fixture(scope="session")
def docker_compose_project_name() -> str:
    return f"jhtest{os.getpid()}"


@pytest.fixture(scope="session")
def stack_env_file(tmp_path_factory, docker_compose_project_name) -> tuple[Path, dict[str, str]]:
    env = base_env()
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
    s = Stack(docker_compose_project_name, env_file, env, Hub(f"https://127.0.0.1:{env['HTTPS_PORT']}"))
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


@pytest.fixture(scope="module")
def extra_stack(tmp_path_factory, docker_compose_project_name):
    """Start another stack with other settings, under its own project name, beside the main one."""
    started: list[tuple[str, Path]] = []

    def start(suffix: str, **overrides: str) -> Stack:
        project = f"{docker_compose_project_name}{suffix}"
        env = base_env(**overrides)
        env_file = tmp_path_factory.mktemp(project) / "test.env"
        write_env(env_file, env)
        started.append((project, env_file))
        s = Stack(project, env_file, env, Hub(f"https://127.0.0.1:{env['HTTPS_PORT']}"))
        result = s.compose("up", "--detach", "--wait", "--wait-timeout", "180", check=False)
        assert result.returncode == 0, result.stderr + s.compose("logs", check=False).stdout
        return s

    yield start
    for project, env_file in started:
        remove_everything(project, env_file)
