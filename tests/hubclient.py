"""A small client for the stack's front door, used as a browser and as API users would."""

from __future__ import annotations

import json
import re
import ssl
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlparse

import requests
import urllib3
import websocket

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def new_session() -> requests.Session:
    s = requests.Session()
    # The stack's certificate is self-signed; a CA bundle from the environment
    # (REQUESTS_CA_BUNDLE) would otherwise override verify=False.
    s.trust_env = False
    s.verify = False
    return s


def wait_for(check, timeout: float, what: str, interval: float = 0.25):
    """Poll check() until it returns something truthy: a readiness check, not a sleep."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception as e:  # keep polling; report the last error on timeout
            last, result = e, None
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what} (last error: {last!r})")


@dataclass
class Hub:
    url: str  # https://127.0.0.1:<port>[/<BASE_URL>], no trailing slash

    def login(self, username: str, password: str) -> requests.Session:
        """Log in through the HTML form, as a browser does; returns the cookie session."""
        s = new_session()
        page = s.get(f"{self.url}/hub/login")
        page.raise_for_status()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
        r = s.post(
            f"{self.url}/hub/login",
            data={"_xsrf": xsrf, "username": username, "password": password},
            allow_redirects=False,
        )
        if r.status_code != 302:
            raise PermissionError(f"login of {username!r} failed: HTTP {r.status_code}")
        return s

    def new_token(self, session: requests.Session, username: str) -> str:
        """Create an API token from a logged-in browser session (as the token page does)."""
        r = session.post(
            f"{self.url}/hub/api/users/{username}/tokens",
            json={"note": "tests", "expires_in": 3600},
            headers={"X-XSRFToken": session.cookies["_xsrf"], "Referer": f"{self.url}/hub/token"},
        )
        r.raise_for_status()
        return r.json()["token"]

    def api(self, token: str, method: str, path: str, **kwargs) -> requests.Response:
        return new_session().request(
            method, f"{self.url}/hub/api{path}", headers={"Authorization": f"token {token}"}, **kwargs
        )

    def server_url(self, username: str, servername: str = "") -> str:
        return f"{self.url}/user/{username}/{servername + '/' if servername else ''}"

    def start(self, token: str, username: str, servername: str = "", timeout: float = 120) -> dict:
        path = f"/users/{username}/servers/{servername}" if servername else f"/users/{username}/server"
        r = self.api(token, "POST", path)
        assert r.status_code in (201, 202, 400), r.text  # 400: already running
        return wait_for(lambda: self.ready(token, username, servername), timeout, f"{username}'s server")

    def ready(self, token: str, username: str, servername: str = "") -> dict | None:
        user = self.api(token, "GET", f"/users/{username}").json()
        server = user.get("servers", {}).get(servername)
        return server if server and server.get("ready") else None

    def spawn_outcome(self, token: str, username: str, timeout: float = 120) -> dict:
        """Follow a pending start's progress events, as the spawn page does, to its last
        one: {"ready": true, ...} or {"failed": true, "message": ...}."""
        url = f"{self.url}/hub/api/users/{username}/server/progress"
        headers = {"Authorization": f"token {token}"}
        with new_session().get(url, headers=headers, stream=True, timeout=timeout) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if line.startswith(b"data:"):
                    event = json.loads(line[5:])
                    if event.get("ready") or event.get("failed"):
                        return event
        raise RuntimeError(f"the progress of {username}'s start ended without an outcome")

    def stop(self, token: str, username: str, servername: str = "", timeout: float = 60) -> None:
        path = f"/users/{username}/servers/{servername}" if servername else f"/users/{username}/server"
        r = self.api(token, "DELETE", path)
        assert r.status_code in (202, 204), r.text
        wait_for(
            lambda: servername not in self.api(token, "GET", f"/users/{username}").json().get("servers", {}),
            timeout,
            f"{username}'s server to stop",
        )

    def server(self, token: str, username: str, method: str, path: str, servername: str = "", **kwargs):
        """A request to the user's own Jupyter Server, through the proxy."""
        return new_session().request(
            method,
            self.server_url(username, servername) + path.lstrip("/"),
            headers={"Authorization": f"token {token}"},
            **kwargs,
        )

    def execute(self, token: str, username: str, code: str, kernel: str = "python3", timeout: float = 60) -> dict:
        """Run code in a new kernel over the websocket through the proxy; see Kernel.run."""
        with self.kernel(token, username, kernel) as k:
            return k.run(code, timeout)

    def kernel(self, token: str, username: str, name: str = "python3") -> Kernel:
        r = self.server(token, username, "POST", "api/kernels", json={"name": name})
        r.raise_for_status()
        return Kernel(self, token, username, r.json()["id"])


class KernelDied(RuntimeError):
    pass


class Kernel:
    """A kernel and one websocket to it, held open across calls (and across hub restarts)."""

    def __init__(self, hub: Hub, token: str, username: str, kernel_id: str):
        self.hub, self.token, self.username, self.id = hub, token, username, kernel_id
        url = urlparse(hub.url)
        self.ws = websocket.create_connection(
            f"wss://{url.netloc}{url.path}/user/{quote(username, safe='@~')}/api/kernels/{kernel_id}/channels",
            header=[f"Authorization: token {token}"],
            sslopt={"cert_reqs": ssl.CERT_NONE, "check_hostname": False},
            timeout=60,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.ws.close()
        self.hub.server(self.token, self.username, "DELETE", f"api/kernels/{self.id}")

    def run(self, code: str, timeout: float = 60) -> dict:
        """Returns {"stdout": str, "data": [mime bundles of display outputs], "error": str|None}."""
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": self.username,
                        "session": uuid.uuid4().hex,
                        "msg_type": "execute_request",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {"code": code, "silent": False, "store_history": False, "allow_stdin": False},
                    "channel": "shell",
                }
            )
        )
        result = {"stdout": "", "data": [], "error": None}
        deadline = time.monotonic() + timeout
        self.ws.settimeout(timeout)
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] in ("restarting", "dead"):
                raise KernelDied(f"kernel {self.id} {content['execution_state']}: {result}")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "stream" and content["name"] == "stdout":
                result["stdout"] += content["text"]
            elif kind in ("display_data", "execute_result"):
                result["data"].append(content["data"])
            elif kind == "error":
                result["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                return result
        raise TimeoutError(f"kernel {self.id} did not finish within {timeout}s: {result}")
