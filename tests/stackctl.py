"""A stack under test: its settings, its Compose project, and its removal."""

from __future__ import annotations

import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dockerctl import docker, free_port
from hubclient import Hub, wait_for

ROOT = Path(__file__).resolve().parent.parent
LABEL = "io.jupyterhub-stack.project"


@dataclass
class Stack:
    """A running stack: how to reach it and how to drive its Compose project."""

    project: str
    env_file: Path
    env: dict[str, str]
    hub: Hub
    files: tuple[str, ...] = ()  # extra compose files, relative to ROOT

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.env['HTTP_PORT']}"

    def compose(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            compose_command(self.project, self.env_file, self.files) + list(args),
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


def hub_for(env: dict[str, str]) -> Hub:
    prefix = env.get("BASE_URL", "/").strip("/")
    return Hub(f"https://127.0.0.1:{env['HTTPS_PORT']}" + (f"/{prefix}" if prefix else ""))


def compose_command(project: str, env_file: Path, files: tuple[str, ...] = ()) -> list[str]:
    # --env-file keeps a developer's own .env out of the tests.
    return [
        "docker",
        "compose",
        "--project-directory",
        str(ROOT),
        "-f",
        str(ROOT / "docker-compose.yml"),
        *[arg for f in files for arg in ("-f", str(ROOT / f))],
        "--env-file",
        str(env_file),
        "-p",
        project,
    ]


def remove_everything(project: str, env_file: Path, files: tuple[str, ...] = ()) -> None:
    """Remove user containers first: they hold the network open."""
    ids = docker("ps", "-aq", "--filter", f"label={LABEL}={project}").split()
    if ids:
        docker("rm", "-f", *ids, check=False)
    subprocess.run(
        compose_command(project, env_file, files) + ["down", "--volumes", "--remove-orphans", "--timeout", "5"],
        capture_output=True,
        check=False,
    )
    vols = docker("volume", "ls", "-q", "--filter", f"label={LABEL}={project}").split()
    if vols:
        docker("volume", "rm", "-f", *vols, check=False)


def write_env(path: Path, env: dict[str, str]) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in env.items()))


def login_env() -> dict[str, str]:
    """What every stack under test needs: a shared password to log users in, loopback ports."""
    return {
        "AUTHENTICATOR": "dummy",
        "DUMMY_PASSWORD": secrets.token_urlsafe(12),
        "DUMMY_ADMIN_PASSWORD": secrets.token_hex(20),
        "ADMIN_USERS": "admin",
        "HTTPS_PORT": str(free_port()),
        "HTTP_PORT": str(free_port()),
        "HTTPS_BIND_IP": "127.0.0.1",
    }


def base_env(**overrides: str) -> dict[str, str]:
    env = login_env() | {
        "ALLOW_NAMED_SERVERS": "true",
        "USER_MEM_LIMIT": "1G",
        "USER_MEM_GUARANTEE": "256M",
        "USER_CPU_LIMIT": "1",
        "USER_CPU_GUARANTEE": "0.25",
    }
    env.update(overrides)
    return env


INITIAL_PASSWORD = re.compile(r"Initial password for admin user 'admin': (\S+)")


def admin_password(stack: Stack) -> str:
    """The native authenticator's initial admin password, from the hub's log."""
    return INITIAL_PASSWORD.findall(stack.compose("logs", "hub").stdout)[0]
