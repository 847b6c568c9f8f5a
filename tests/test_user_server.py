"""Log in, spawn, and use the server: kernels over the websocket, Bokeh, both UIs."""

import json
import re
from urllib.parse import urlparse

import pytest
from dockerctl import docker
from hubclient import wait_for


def test_form_login_spawns_lab(stack):
    """A browser's path: login form -> spawn -> /user/<name>/lab."""
    session = stack.hub.login("carol", stack.env["DUMMY_PASSWORD"])
    r = session.get(f"{stack.hub.url}/hub/spawn", allow_redirects=True)
    assert r.ok
    # Follow the pending page until the server is up and Lab is served.
    lab = wait_for(
        lambda: (resp := session.get(f"{stack.hub.url}/user/carol/lab")).ok and "JupyterLab" in resp.text and resp,
        120,
        "carol's JupyterLab",
        interval=0.5,
    )
    assert urlparse(lab.url).path == "/user/carol/lab"
    container = stack.container_of("carol")
    assert container and container["state"] == "running"


def test_python_kernel_over_websocket(stack, running_user):
    name, token = running_user
    out = stack.hub.execute(token, name, "print(6*7)")
    assert out["error"] is None
    assert out["stdout"].strip() == "42"


def test_r_kernel_over_websocket(stack, running_user):
    name, token = running_user
    out = stack.hub.execute(token, name, "cat(6*7)", kernel="ir")
    assert out["error"] is None
    assert out["stdout"].strip() == "42"


def test_bokeh_show_emits_bokeh_mimetype(stack, running_user):
    name, token = running_user
    code = (
        "from bokeh.io import output_notebook, show\n"
        "from bokeh.plotting import figure\n"
        "output_notebook()\n"
        "p = figure(width=200, height=200)\n"
        "p.line([1, 2, 3], [4, 6, 5])\n"
        "show(p)\n"
    )
    out = stack.hub.execute(token, name, code)
    assert out["error"] is None
    mimetypes = {m for bundle in out["data"] for m in bundle}
    assert "application/vnd.bokehjs_exec.v0+json" in mimetypes


def test_lab_has_bokeh_extension_and_is_default(stack, running_user):
    name, token = running_user
    r = stack.hub.server(token, name, "GET", "lab")
    assert r.status_code == 200
    config = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', r.text, re.S).group(1)
    assert "jupyter_bokeh" in config, "Bokeh's Lab extension is not loaded"
    # No prompt asking each user whether Lab may fetch news.
    assert "@jupyterlab/apputils-extension:announcements" in json.loads(config)["disabledExtensions"]
    user = stack.hub.api(token, "GET", f"/users/{name}").json()
    assert user["servers"][""]["url"] == f"/user/{name}/"
    # The server's default URL is Lab.
    r = stack.hub.server(token, name, "GET", "", allow_redirects=False)
    assert r.status_code == 302 and urlparse(r.headers["Location"]).path == f"/user/{name}/lab"


def test_notebook7_tree(stack, running_user):
    name, token = running_user
    r = stack.hub.server(token, name, "GET", "tree")
    assert r.status_code == 200
    assert '"appName": "Jupyter Notebook"' in r.text or "Jupyter Notebook" in r.text


@pytest.mark.parametrize("module", ["numpy", "pandas", "matplotlib", "bokeh", "ipywidgets"])
def test_everyday_python_packages(stack, running_user, module):
    name, token = running_user
    out = stack.hub.execute(token, name, f"import {module}; print('ok')")
    assert out["stdout"].strip() == "ok", out


def test_user_container_runs_as_jovyan_with_limits(stack, running_user):
    name, token = running_user
    out = stack.hub.execute(token, name, "import os; print(os.getuid(), os.getcwd(), os.environ['HOME'])")
    assert out["stdout"].split() == ["1000", "/home/jovyan", "/home/jovyan"]
    cid = stack.container_of(name)["id"]
    host = docker(
        "inspect",
        "-f",
        "{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} "
        "{{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpuShares}}",
        cid,
    ).split()
    assert host == ["1073741824", "268435456", "0", "100000", "256"]
