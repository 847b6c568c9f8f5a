"""User images: a picker on the spawn page, the REST API option, only listed images, version check."""

import re
import subprocess

import pytest
from dockerctl import docker
from hubclient import wait_for

EXAMPLE = "jupyterhub-stack/example:latest"


def build(tag: str, dockerfile: str) -> str:
    subprocess.run(
        ["docker", "build", "-q", "--force-rm", "-t", tag, "-"],
        input=dockerfile,
        text=True,
        check=True,
        capture_output=True,
    )
    return tag


@pytest.fixture(scope="module")
def old_image(stack):
    """An image built on ours that claims another jupyterhub version."""
    tag = build(
        f"{stack.project}-oldhub:latest",
        "FROM jupyterhub-stack/singleuser:latest\nLABEL io.jupyterhub-stack.jupyterhub-version=5.0.0\n",
    )
    yield tag
    docker("rmi", "-f", tag, check=False)


@pytest.fixture(scope="module")
def broken_image(stack):
    """An image built on ours whose server exits at once, as a bad start hook would."""
    tag = build(
        f"{stack.project}-broken:latest",
        'FROM jupyterhub-stack/singleuser:latest\nCMD ["bash", "-c", "echo this image is broken >&2; exit 3"]\n',
    )
    yield tag
    docker("rmi", "-f", tag, check=False)


@pytest.fixture(scope="module")
def images(extra_stack, old_image, broken_image):
    return extra_stack(
        "i",
        ALLOWED_IMAGES=(
            f"Python and R=jupyterhub-stack/singleuser:latest,Example course={EXAMPLE},Old hub={old_image},"
            f"Broken={broken_image}"
        ),
    )


def image_of(stack, user):
    return docker("inspect", "-f", "{{.Config.Image}}", stack.container_of(user)["id"]).strip()


def selected_option(page: str) -> str:
    return re.search(r'<option value="([^"]+)" selected>', page).group(1)


def test_version_check_flags_an_image_of_another_jupyterhub(images, old_image):
    logs = images.compose("logs", "hub").stdout
    assert f"IMAGE WARNING: image '{old_image}' (Old hub) has jupyterhub 5.0.0, the hub runs 6.1.1" in logs
    assert "(Example course)" not in logs and "(Python and R)" not in logs


def test_form_offers_images_spawns_the_choice_and_remembers_it(images):
    session = images.hub.login("ivy", images.env["DUMMY_PASSWORD"])
    form = session.get(f"{images.hub.url}/hub/spawn")
    assert re.findall(r'<option value="([^"]+)"', form.text) == ["Python and R", "Example course", "Old hub", "Broken"]
    assert selected_option(form.text) == "Python and R"

    # Submit the form as a browser does.
    r = session.post(
        f"{images.hub.url}/hub/spawn/ivy",
        data={"_xsrf": session.cookies["_xsrf"], "image": "Example course"},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text
    token = images.hub.new_token(session, "ivy")
    wait_for(lambda: images.hub.ready(token, "ivy"), 120, "ivy's server")
    try:
        assert image_of(images, "ivy") == EXAMPLE
        # The example's extra packages, and its start hook, inside the running server.
        py = images.hub.execute(token, "ivy", "import os, tabulate; print(os.environ['COURSE_NAME'])")
        assert py["stdout"].strip() == "Course 101", py
        r_out = images.hub.execute(token, "ivy", "library(data.table); cat(nrow(data.table(a = 1:3)))", kernel="ir")
        assert r_out["stdout"].strip() == "3", r_out
    finally:
        images.hub.stop(token, "ivy")
    assert selected_option(session.get(f"{images.hub.url}/hub/spawn").text) == "Example course"


def test_api_takes_the_display_name_and_reuses_the_last_choice(images):
    token = images.hub.new_token(images.hub.login("jay", images.env["DUMMY_PASSWORD"]), "jay")
    r = images.hub.api(token, "POST", "/users/jay/server", json={"image": "Example course"})
    assert r.status_code in (201, 202), r.text
    wait_for(lambda: images.hub.ready(token, "jay"), 120, "jay's server")
    assert image_of(images, "jay") == EXAMPLE
    images.hub.stop(token, "jay")
    images.hub.start(token, "jay")  # no options: the last choice again
    assert image_of(images, "jay") == EXAMPLE
    images.hub.stop(token, "jay")


@pytest.mark.parametrize("image", ["debian:trixie-slim", EXAMPLE, "Not listed"])
def test_images_not_listed_are_refused(images, image):
    token = images.hub.new_token(images.hub.login("kim", images.env["DUMMY_PASSWORD"]), "kim")
    r = images.hub.api(token, "POST", "/users/kim/server", json={"image": image})
    assert r.status_code == 400
    assert "not in allowed list" in r.json()["message"]
    assert images.container_of("kim") is None


def test_a_server_that_exits_at_start_fails_at_once_with_its_exit_status(images):
    """JupyterHub alone would wait out SPAWN_TIMEOUT (120 s) for a server that
    already exited, then say "500: Internal Server Error"; the stack's spawner
    reports the exit within seconds, with a message that names the image."""
    token = images.hub.new_token(images.hub.login("lee", images.env["DUMMY_PASSWORD"]), "lee")
    r = images.hub.api(token, "POST", "/users/lee/server", json={"image": "Broken"})
    if r.status_code == 202:  # the hub answers after 10 s even if the spawn goes on
        message = images.hub.spawn_outcome(token, "lee", timeout=60).get("message", "")
    else:
        assert r.status_code == 500, r.text
        message = r.json()["message"]
    assert "Your server exited before it answered" in message and "-broken:latest" in message, message
    wait_for(lambda: not images.hub.api(token, "GET", "/users/lee").json()["servers"], 30, "lee's server gone")
    assert images.container_of("lee") is None  # removed, as a stopped server's is
