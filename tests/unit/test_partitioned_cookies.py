"""Unit tests of common/partitioned_cookies.py with a real Tornado handler."""

import http.cookies
import sys
from pathlib import Path
from unittest import mock

import pytest
import tornado.httputil
import tornado.web

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))

import partitioned_cookies  # noqa: E402


def handler() -> tornado.web.RequestHandler:
    app = tornado.web.Application(cookie_secret="x" * 32)
    start = tornado.httputil.RequestStartLine("GET", "/", "HTTP/1.1")
    headers = tornado.httputil.HTTPHeaders({"Host": "hub.example.org"})
    request = tornado.httputil.HTTPServerRequest(start_line=start, headers=headers, connection=mock.Mock())
    return tornado.web.RequestHandler(app, request)


def cookies_of(h) -> list[str]:
    return [m.OutputString() for m in h._new_cookie.values()]


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(tornado.web.RequestHandler, "set_cookie", tornado.web.RequestHandler.set_cookie)
    partitioned_cookies.partition_all_cookies()


def test_morsel_knows_partitioned():
    partitioned_cookies.enable()
    morsel = http.cookies.SimpleCookie()
    morsel["a"] = "1"
    morsel["a"]["partitioned"] = True
    assert morsel["a"].OutputString() == "a=1; Partitioned"


def test_every_cookie_and_its_deletion_is_partitioned(patched):
    h = handler()
    h.set_cookie("_xsrf", "token", path="/hub/")
    h.set_signed_cookie("jupyterhub-session-id", "abc")  # signed cookies go through set_cookie too
    xsrf, session = cookies_of(h)
    assert "Partitioned" in session
    assert "Partitioned" in xsrf and "SameSite=None" in xsrf and "Secure" in xsrf and "Path=/hub/" in xsrf
    h = handler()
    h.clear_cookie("jupyterhub-hub-login", path="/hub/")
    (deletion,) = cookies_of(h)
    assert "expires=" in deletion.lower() and "Partitioned" in deletion and "SameSite=None" in deletion


def test_patch_is_idempotent(patched):
    once = tornado.web.RequestHandler.set_cookie
    partitioned_cookies.partition_all_cookies()
    assert tornado.web.RequestHandler.set_cookie is once
