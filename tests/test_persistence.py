"""A user's home is a named volume of their own: it outlives their container."""

import base64

from dockerctl import docker


def put_file(stack, token, name, path, text, servername=""):
    r = stack.hub.server(
        token,
        name,
        "PUT",
        f"api/contents/{path}",
        servername=servername,
        json={"type": "file", "format": "text", "content": text},
    )
    assert r.status_code in (200, 201), r.text


def get_file(stack, token, name, path, servername=""):
    r = stack.hub.server(token, name, "GET", f"api/contents/{path}", servername=servername, params={"content": 1})
    return r.json()["content"] if r.status_code == 200 else None


def test_file_survives_stop_container_removal_and_start(stack, user_token):
    name, token = "dave", user_token("dave")
    stack.hub.start(token, name)
    put_file(stack, token, name, "work.txt", "precious")
    first = stack.container_of(name)["id"]

    stack.hub.stop(token, name)
    # DockerSpawner removes it on stop; make sure nothing of it is left either way.
    if stack.container_of(name):
        docker("rm", "-f", f"{stack.project}-{name}")
    assert stack.container_of(name) is None

    stack.hub.start(token, name)
    assert stack.container_of(name)["id"] != first
    assert get_file(stack, token, name, "work.txt") == "precious"
    # It is really on the user's own named volume.
    mounts = docker(
        "inspect", "-f", "{{range .Mounts}}{{.Name}}:{{.Destination}} {{end}}", stack.container_of(name)["id"]
    )
    assert f"{stack.project}-home-{name}:/home/jovyan" in mounts.split()


def test_named_server_shares_the_home_volume(stack, running_user):
    name, token = running_user
    put_file(stack, token, name, "shared.txt", base64.b64encode(b"from default").decode())
    stack.hub.start(token, name, servername="second")
    try:
        assert stack.container_of(name, "second")["state"] == "running"
        assert (
            get_file(stack, token, name, "shared.txt", servername="second")
            == base64.b64encode(b"from default").decode()
        )
    finally:
        stack.hub.stop(token, name, servername="second")
