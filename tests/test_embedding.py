"""Embedding: the allowed origin frames a working JupyterLab, every other origin gets nothing.

The main test stack sets EMBED_ALLOWED_ORIGINS to http://127.0.0.1:<allowed port>,
a different site from the hub at https://localhost:<https port>; the native
stack keeps the default. The browser tests run Debian's Chromium as a user's
browser is: third-party cookies blocked, storage partitioning on.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browserctl import chromium
from hubclient import new_session, wait_for
from stackctl import admin_password

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": "print(6*7)"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def set_cookies(response) -> dict[str, str]:
    """Every Set-Cookie of a response and the redirects before it, by cookie name."""
    found = {}
    for r in [*response.history, response]:
        for header in r.raw.headers.getlist("Set-Cookie"):
            found.setdefault(header.split("=", 1)[0], header)
    return found


def assert_partitioned(header: str) -> None:
    attrs = {a.strip().split("=")[0].lower(): a.strip() for a in header.split(";")[1:]}
    assert "partitioned" in attrs and "secure" in attrs, header
    assert attrs.get("samesite", "").lower() == "samesite=none", header


# --- headers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def allowed(stack):
    return stack.env["EMBED_ALLOWED_ORIGINS"]


def test_hub_pages_allow_only_configured_origin(stack, allowed):
    for path in ("/hub/login", "/hub/api/", "/hub/home"):
        r = new_session().get(f"{stack.hub.url}{path}", allow_redirects=False)
        csp = r.headers["Content-Security-Policy"]
        assert f"frame-ancestors {allowed};" in csp, (path, csp)
        assert "report-uri /hub/security/csp-report" in csp
        assert "X-Frame-Options" not in r.headers


def test_user_server_routes_allow_only_configured_origin(stack, running_user, allowed):
    name, token = running_user
    r = stack.hub.server(
        token, name, "PUT", "api/contents/page.txt", json={"type": "file", "format": "text", "content": "x"}
    )
    assert r.ok
    for path in ("lab", "tree", "api/status", "api/contents", "files/page.txt", "static/lab/style/index.css"):
        r = stack.hub.server(token, name, "GET", path, allow_redirects=False)
        csp = r.headers.get("Content-Security-Policy", "")
        assert f"frame-ancestors {allowed}" in csp, (path, r.status_code, csp)
        assert "X-Frame-Options" not in r.headers


def test_all_six_cookies_are_partitioned_and_so_are_deletions(stack, running_user):
    name, _ = running_user
    session = new_session()
    login_page = session.get(f"{stack.hub.url}/hub/login")
    cookies = set_cookies(login_page)
    xsrf = session.cookies["_xsrf"]
    r = session.post(
        f"{stack.hub.url}/hub/login",
        data={"_xsrf": xsrf, "username": name, "password": stack.env["DUMMY_PASSWORD"]},
        allow_redirects=False,
    )
    cookies |= set_cookies(r)
    # The user server's OAuth dance and its own _xsrf, as a browser opening Lab.
    lab = session.get(f"{stack.hub.url}/user/{name}/lab")
    assert lab.ok
    cookies |= set_cookies(lab)
    expected = {"_xsrf", "jupyterhub-session-id", "jupyterhub-hub-login", f"jupyterhub-user-{name}"}
    assert expected <= cookies.keys(), cookies.keys()
    assert any(k.startswith(f"jupyterhub-user-{name}-oauth-state") for k in cookies), cookies.keys()
    user_xsrf = [h for r2 in [*lab.history, lab] for h in r2.raw.headers.getlist("Set-Cookie") if "Path=/user/" in h]
    assert any(h.startswith("_xsrf=") for h in user_xsrf), "the user server set no _xsrf cookie"
    for header in [*cookies.values(), *user_xsrf]:
        assert_partitioned(header)

    logout = session.get(f"{stack.hub.url}/hub/logout", allow_redirects=False)
    deletions = logout.raw.headers.getlist("Set-Cookie")
    assert deletions, "logout cleared no cookie"
    for header in deletions:
        assert_partitioned(header)


def csp_reports_metric(stack, admin_token) -> float:
    metrics = new_session().get(f"{stack.hub.url}/hub/metrics", headers={"Authorization": f"token {admin_token}"})
    line = next(x for x in metrics.text.splitlines() if x.startswith("jupyterhub_csp_reports_total "))
    return float(line.split()[1])


def test_csp_report_endpoint_accepts_browser_reports(stack, admin_token):
    before = csp_reports_metric(stack, admin_token)
    report = {"csp-report": {"document-uri": "https://x/hub/login", "violated-directive": "frame-ancestors"}}
    r = new_session().post(
        f"{stack.hub.url}/hub/security/csp-report",
        data=json.dumps(report),
        headers={"Content-Type": "application/csp-report"},
    )
    assert r.status_code == 204
    assert "Content security violation" in stack.compose("logs", "hub").stdout
    assert csp_reports_metric(stack, admin_token) == before + 1


def test_default_allows_no_framing_and_plain_cookies(native):
    token = native.hub.new_token(native.hub.login("admin", admin_password(native)), "admin")
    r = new_session().get(f"{native.hub.url}/hub/login")
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert all("Partitioned" not in h for h in r.raw.headers.getlist("Set-Cookie"))
    native.hub.start(token, "admin")
    try:
        for path in ("lab", "api/status"):
            r = native.hub.server(token, "admin", "GET", path)
            assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], path
    finally:
        native.hub.stop(token, "admin")


# --- a real browser --------------------------------------------------------------


class Portal:
    """A portal page on its own origin that frames the hub."""

    def __init__(self, port: int, iframe_src: str):
        page = (
            "<!doctype html><title>Portal</title><h1>Portal</h1>"
            f'<iframe id="hub" src="{iframe_src}" width="1280" height="800"></iframe>'
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def hub_url_for_browser(stack) -> str:
    # localhost, not 127.0.0.1: the hub must be another site than the portal.
    return f"https://localhost:{stack.env['HTTPS_PORT']}"


def test_lab_works_inside_allowed_portal(stack, user_token, portal_ports, browser):
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    name = "frank"
    token = user_token(name)
    # The notebook is on frank's volume; his server is stopped, so it spawns inside the frame.
    stack.hub.start(token, name)
    r = stack.hub.server(token, name, "PUT", "api/contents/embed.ipynb", json={"type": "notebook", "content": NOTEBOOK})
    assert r.ok, r.text
    stack.hub.stop(token, name)

    src = f"{hub_url_for_browser(stack)}/hub/login?next=/hub/user-redirect/lab/tree/embed.ipynb"
    portal = Portal(portal_ports["allowed"], src)
    try:
        browser.get(portal.url)
        WebDriverWait(browser, 30).until(ec.frame_to_be_available_and_switch_to_it((By.ID, "hub")))
        WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "username_input")))
        browser.find_element(By.ID, "username_input").send_keys(name)
        browser.find_element(By.ID, "password_input").send_keys(stack.env["DUMMY_PASSWORD"])
        browser.find_element(By.ID, "login_submit").click()

        # Spawn, then JupyterLab with the notebook, all inside the frame. Lab redraws
        # the notebook while it loads: an element found a moment ago can be gone.
        wait = WebDriverWait(browser, 120, ignored_exceptions=(StaleElementReferenceException,))
        editor = (By.CSS_SELECTOR, ".jp-Notebook .jp-Cell .cm-content")
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#jp-main-dock-panel")))
        wait.until(ec.element_to_be_clickable(editor))
        wait.until(
            ec.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']"))
        )
        # Run the cell. A key press can land before the editor has focus on a busy
        # machine, so press again if no output came; a real failure stays one.
        for _ in range(3):
            cell = wait.until(ec.element_to_be_clickable(editor))
            cell.click()
            cell.send_keys(Keys.SHIFT, Keys.ENTER)
            try:
                WebDriverWait(browser, 40, ignored_exceptions=(StaleElementReferenceException,)).until(
                    lambda d: (
                        [e.text.strip() for e in d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")] == ["42"]
                    )
                )
                break
            except TimeoutException:
                ARTIFACTS.mkdir(exist_ok=True)
                browser.save_screenshot(str(ARTIFACTS / "embedded-lab-no-output.png"))
        else:
            pytest.fail("the cell never printed 42 (see tests/artifacts/embedded-lab-no-output.png)")
        assert browser.execute_script("return window.top !== window.self"), "Lab is not inside the frame"
        browser.switch_to.default_content()
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "embedded-lab.png"))
    finally:
        # Leave Lab first: a Lab page left open would start the server again.
        browser.get("about:blank")
        portal.close()
        stack.hub.stop(token, name)


def test_other_origin_gets_nothing(stack, portal_ports, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    reports_before = stack.compose("logs", "hub").stdout.count("Content security violation")
    portal = Portal(portal_ports["other"], f"{hub_url_for_browser(stack)}/hub/login")
    try:
        browser.get(portal.url)
        WebDriverWait(browser, 30).until(ec.frame_to_be_available_and_switch_to_it((By.ID, "hub")))
        WebDriverWait(browser, 30).until(
            lambda d: (
                d.execute_script("return document.URL") != "about:blank"
                and d.execute_script("return document.readyState") == "complete"
            )
        )
        # The frame's document is Chromium's error page, with none of the hub's content.
        assert browser.find_elements(By.ID, "username_input") == []
        assert "JupyterHub" not in browser.page_source
        browser.switch_to.default_content()
        # The browser's violation report reaches the hub (and is not refused for want of a token).
        wait_for(
            lambda: stack.compose("logs", "hub").stdout.count("Content security violation") > reports_before,
            30,
            "the browser's CSP report in the hub's log",
        )
    finally:
        browser.switch_to.default_content()
        portal.close()
