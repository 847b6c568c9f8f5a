"""The user images: the spawn page's picker, and a check that they fit this hub."""

import html
import sys

import docker
import jupyterhub

VERSION_LABEL = "io.jupyterhub-stack.jupyterhub-version"


def options_form(images: dict[str, str]):
    """DockerSpawner.options_form: a picker whose default is the user's last choice.

    JupyterHub keeps a server's last user_options and reuses them when a start
    gives none (the REST API without options); the form shows the same choice.
    """

    def form(spawner) -> str:
        last = (spawner.orm_spawner.user_options or {}).get("image") if spawner.orm_spawner else None
        chosen = last if last in images else next(iter(images))
        options = "".join(
            f'<option value="{html.escape(name)}"{" selected" if name == chosen else ""}>{html.escape(name)}</option>'
            for name in images
        )
        return (
            '<label for="image-select">Image</label>'
            f'<select id="image-select" class="form-control" name="image" required autofocus>{options}</select>'
        )

    return form


def check_versions(images: dict[str, str], expected: str = jupyterhub.__version__) -> list[str]:
    """Warnings for images whose jupyterhub differs from the hub's, or that cannot be checked."""
    try:
        client = docker.from_env(timeout=10)
    except docker.errors.DockerException as e:
        return [f"cannot check the user images' jupyterhub version: {e}"]
    warnings = []
    for name, image in images.items():
        try:
            labels = client.images.get(image).labels or {}
        except docker.errors.ImageNotFound:
            warnings.append(f"image {image!r} ({name}) is not on this host: build it (docker compose build) or pull it")
            continue
        except docker.errors.DockerException as e:
            warnings.append(f"cannot inspect image {image!r} ({name}): {e}")
            continue
        found = labels.get(VERSION_LABEL)
        if found is None:
            warnings.append(
                f"image {image!r} ({name}) has no {VERSION_LABEL} label: build it FROM the stack's "
                f"single-user image, with jupyterhub=={expected}"
            )
        elif found != expected:
            warnings.append(
                f"image {image!r} ({name}) has jupyterhub {found}, the hub runs {expected}: servers may fail to "
                f"start or misbehave; rebuild it on the current single-user image (docker compose build)"
            )
    return warnings


def warn(warnings: list[str]) -> None:
    for w in warnings:
        print("!" * 78, f"IMAGE WARNING: {w}", "!" * 78, sep="\n", file=sys.stderr, flush=True)
