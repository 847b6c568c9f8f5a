"""Glue between the stack's settings and JupyterHub: settings, authenticators, spawner hooks."""
