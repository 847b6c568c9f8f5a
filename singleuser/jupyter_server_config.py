# Server settings baked into the user image; JupyterHub adds the rest at spawn.
c = get_config()  # noqa: F821

# Lab is the default UI; Notebook 7 stays at /tree.
c.ServerApp.default_url = "/lab"
# No calls home at start: this also keeps start-up fast on closed networks.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
