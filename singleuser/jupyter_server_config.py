# Server settings baked into the user image (and every image built FROM it);
# JupyterHub adds the rest at spawn.
import json
import os

c = get_config()  # noqa: F821

# Lab is the default UI; Notebook 7 stays at /tree.
c.ServerApp.default_url = "/lab"
# No calls home at start: this also keeps start-up fast on closed networks.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
# The venv is root's: Lab's PyPI manager would offer installs that cannot work.
# Extensions come with the image (README "Custom images").
c.LabApp.extension_manager = "readonly"

# Headers from the hub (embedding's frame-ancestors, HSTS): the same on every
# route of this server (Lab, Notebook, API, files) as on the hub.
headers = json.loads(os.environ.get("JUPYTERHUB_STACK_HEADERS") or "{}")
if headers:
    c.ServerApp.tornado_settings = {"headers": headers}
if os.environ.get("JUPYTERHUB_STACK_PARTITIONED_COOKIES") == "1":
    import partitioned_cookies

    partitioned_cookies.partition_all_cookies()
