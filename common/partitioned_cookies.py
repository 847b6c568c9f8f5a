"""Partitioned (CHIPS) cookies for the Tornado servers of the stack: the hub and user servers.

Browsers block third-party cookies, so a hub embedded in another site's iframe
only keeps its cookies if they are `SameSite=None; Secure; Partitioned`. Python
only learned the `Partitioned` cookie attribute in 3.14; `enable()` teaches it to
older versions the same way 3.14 does, and `partition_all_cookies()` makes every
cookie that any Tornado handler of this process sets, or clears, carry those
attributes: the hub's `_xsrf`, `jupyterhub-session-id` and `jupyterhub-hub-login`,
and a user server's `_xsrf` and OAuth cookies. Clearing matters too: a browser
ignores a deletion that lacks the attributes of the cookie it should delete.
"""

import http.cookies

from tornado.web import RequestHandler

ATTRIBUTES = {"samesite": "None", "secure": True}


def enable() -> None:
    """Backport of Python 3.14's support for `Morsel["partitioned"]`."""
    reserved = http.cookies.Morsel._reserved  # noqa: SLF001 - the only way to extend it
    if "partitioned" not in reserved:
        reserved["partitioned"] = "Partitioned"
        http.cookies.Morsel._flags.add("partitioned")  # noqa: SLF001


def partition_all_cookies() -> None:
    enable()
    original = RequestHandler.set_cookie
    if getattr(original, "partitioned", False):
        return

    def set_cookie(self, name, value, *args, **kwargs):
        original(self, name, value, *args, **{**kwargs, **ATTRIBUTES})
        # Tornado has no parameter for it (and deprecates unknown ones): flag the
        # cookie it has just built.
        self._new_cookie[name]["partitioned"] = True  # noqa: SLF001

    set_cookie.partitioned = True
    set_cookie.__doc__ = original.__doc__
    RequestHandler.set_cookie = set_cookie
