"""The stack's benchmark; run it with bench/run (README "Performance").

Builds the images, starts the stack under its own Compose project name with the
default settings, measures, removes everything it created (containers, networks,
volumes) and prints the targets' table. Results, with the machine they ran on,
go to a JSON file. Every wait is an event or a readiness check polled every
20 ms, never a sleep, so the numbers are what a user would wait.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import ssl
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from dockerctl import docker  # noqa: E402
from hubclient import new_session, wait_for  # noqa: E402
from report import details_table, evaluate, machine, summary, targets_table  # noqa: E402
from stackctl import Stack, hub_for, login_env, remove_everything, write_env  # noqa: E402

POLL = 0.02
READY_TIMEOUT = 180


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


# --- the stack ----------------------------------------------------------------


def build_and_size(stack: Stack, cold: bool) -> dict:
    out: dict = {}
    if cold:
        log("cold build of all images (no cache)...")
        out["cold_build_s"], _ = timed(lambda: stack.compose("build", "--no-cache", timeout=3600))
    else:
        stack.compose("build", timeout=3600)  # make sure they exist and are current
    log("no-change rebuild...")
    out["rebuild_s"], _ = timed(lambda: stack.compose("build"))
    sizes = {}
    for image in stack.compose("config", "--images").stdout.split():
        name = image.split("/")[-1].split(":")[0]
        sizes[name] = int(docker("image", "inspect", "-f", "{{.Size}}", image)) / 1e6
    out["image_mb"] = sizes
    return out


def up_to_login(stack: Stack) -> float:
    log("compose up -> login page (fresh volumes)...")
    t0 = time.perf_counter()
    stack.compose("up", "--detach")
    wait_for(
        lambda: new_session().get(f"{stack.hub.url}/hub/login").status_code == 200,
        READY_TIMEOUT,
        "the login page",
        POLL,
    )
    elapsed = time.perf_counter() - t0
    stack.compose("up", "--detach", "--wait", "--wait-timeout", "120")  # all healthy before measuring more
    return elapsed


# --- users --------------------------------------------------------------------


class User:
    def __init__(self, stack: Stack, name: str):
        self.stack, self.name = stack, name
        self.token = stack.hub.new_token(stack.hub.login(name, stack.env["DUMMY_PASSWORD"]), name)

    def answers(self) -> bool:
        # No redirects: before the route exists, the hub answers and redirects.
        return self.stack.hub.server(self.token, self.name, "GET", "api/status", allow_redirects=False).ok

    def spawn(self) -> float:
        """Seconds from the API start request until the server answers through the proxy.

        As the spawn page of a browser does, it waits on the hub's progress events
        rather than polling: 20 clients polling would load the hub they measure.
        """
        t0 = time.perf_counter()
        r = self.stack.hub.api(self.token, "POST", f"/users/{self.name}/server")
        if r.status_code == 202:  # still starting after the hub's 10 s: follow its progress
            outcome = self.stack.hub.spawn_outcome(self.token, self.name, READY_TIMEOUT)
            if not outcome.get("ready"):
                raise RuntimeError(f"start of {self.name} failed: {outcome.get('message')}")
        elif r.status_code != 201:
            raise RuntimeError(f"start of {self.name}: HTTP {r.status_code} {r.text[:200]}")
        wait_for(self.answers, READY_TIMEOUT, f"{self.name}'s server", POLL)
        return time.perf_counter() - t0

    def stop(self) -> None:
        self.stack.hub.stop(self.token, self.name, timeout=120)


def in_parallel(fn, items) -> list:
    results: list = [None] * len(items)

    def run(i, item):
        try:
            results[i] = fn(item)
        except Exception as e:  # recorded as a failure
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def sequential_spawns(stack: Stack, n: int) -> tuple[dict, list[User]]:
    log(f"spawn latency, {n} users one after another...")
    users = [User(stack, f"seq{i:02d}") for i in range(1, n + 1)]
    times = []
    for u in users:
        times.append(u.spawn())
        log(f"  {u.name}: {times[-1]:.2f} s")
    return summary(times), users


def burst(stack: Stack, n: int) -> dict:
    log(f"{n} users start at once...")
    users = [User(stack, f"burst{i:02d}") for i in range(1, n + 1)]
    start = threading.Barrier(n)

    def go(u: User) -> float:
        start.wait()
        return u.spawn()

    results = in_parallel(go, users)
    ok = [r for r in results if isinstance(r, float)]
    failures = [f"{u.name}: {r}" for u, r in zip(users, results, strict=True) if not isinstance(r, float)]
    for f in failures:
        log(f"  failed: {f}")
    return {
        "users": n,
        "failures": len(failures),
        "failure_messages": failures,
        "all_ready_s": max(ok) if ok else None,
        "p50_s": statistics.median(ok) if ok else None,
        "samples": ok,
    }


def browser_login_to_lab(stack: Stack) -> float:
    """A person's view: submit the login form, then JupyterLab drawn (spawn included)."""
    from browserctl import chromium
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    log("login -> JupyterLab in Chromium...")
    with tempfile.TemporaryDirectory() as profile:
        browser = chromium(Path(profile))
        try:
            browser.get(f"{stack.hub.url}/hub/login")
            WebDriverWait(browser, 60).until(ec.presence_of_element_located((By.ID, "username_input")))
            browser.find_element(By.ID, "username_input").send_keys("browser")
            browser.find_element(By.ID, "password_input").send_keys(stack.env["DUMMY_PASSWORD"])
            t0 = time.perf_counter()
            browser.find_element(By.ID, "login_submit").click()
            # Lab's shell with its launcher: the page a user can work in.
            # Lab redraws while it loads: an element found a moment ago can be gone.
            stale = (StaleElementReferenceException,)
            WebDriverWait(browser, READY_TIMEOUT, poll_frequency=POLL, ignored_exceptions=stale).until(
                ec.visibility_of_element_located((By.CSS_SELECTOR, "#jp-main-dock-panel .jp-Launcher"))
            )
            elapsed = time.perf_counter() - t0
            browser.get("about:blank")  # an open Lab page would keep the server busy
        finally:
            browser.quit()
    return elapsed


# --- memory -------------------------------------------------------------------

UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "kB": 1e3, "MB": 1e6, "GB": 1e9}


def memory_mb(containers: list[str]) -> dict[str, float]:
    """Memory as `docker stats` shows it (the cgroup's usage less its page cache), in MB."""
    out = docker("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", *containers)
    result = {}
    for line in out.splitlines():
        name, usage = line.split(" ", 1)
        amount = usage.split("/")[0].strip()
        number = amount.rstrip("KMGiBk")
        result[name] = float(number) * UNITS[amount[len(number) :]] / 1e6
    return result


# --- proxy overhead -----------------------------------------------------------


def connection(target: tuple[str, int, bool]) -> http.client.HTTPConnection:
    host, port, tls = target
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the stack's self-signed certificate
        return http.client.HTTPSConnection(host, port, context=context, timeout=30)
    return http.client.HTTPConnection(host, port, timeout=30)


def request_ms(conn: http.client.HTTPConnection, path: str, token: str) -> float:
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"token {token}"})
    r = conn.getresponse()
    r.read()
    elapsed = (time.perf_counter() - t0) * 1000
    if r.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {r.status}")
    return elapsed


def requests_per_second(target, path: str, token: str, concurrency: int = 10, seconds: float = 5) -> float:
    counts = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def worker(i: int) -> None:
        conn = connection(target)
        while time.perf_counter() < deadline:
            request_ms(conn, path, token)
            counts[i] += 1
        conn.close()

    t0 = time.perf_counter()
    errors = [e for e in in_parallel(worker, list(range(concurrency))) if e is not None]
    if errors:
        raise RuntimeError(f"requests failed: {errors[0]}")
    return sum(counts) / (time.perf_counter() - t0)


def ip_on(stack: Stack, container: str) -> str:
    network = f"{stack.project}_jupyterhub"
    template = f'{{{{(index .NetworkSettings.Networks "{network}").IPAddress}}}}'
    return docker("inspect", "-f", template, container).strip()


HAPROXY_CFG = """global
  maxconn 1000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend tls
  bind :8443 ssl crt /ref/combined.pem
  default_backend user
backend user
  server user {target}
"""


def reference_haproxy(stack: Stack, target: str) -> str:
    """HAProxy (the socket proxy's image has it) terminating TLS in front of the same
    server: what a proxy written in C costs here, to put CHP's number in context.
    Labelled with the project, so the teardown removes it with the rest."""
    name = f"{stack.project}-reference-haproxy"
    label = f"io.jupyterhub-stack.project={stack.project}"
    docker("volume", "create", "--label", label, name)
    script = (
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=bench"
        " -keyout /ref/key.pem -out /ref/cert.pem 2>/dev/null"
        " && cat /ref/cert.pem /ref/key.pem > /ref/combined.pem && chmod 644 /ref/combined.pem"
        f" && printf '%s' '{HAPROXY_CFG.format(target=target)}' > /ref/haproxy.cfg"
    )
    image = {i.split("/")[-1].split(":")[0]: i for i in stack.compose("config", "--images").stdout.split()}
    docker("run", "--rm", "--user", "0", "-v", f"{name}:/ref", "--entrypoint", "sh", image["proxy"], "-c", script)
    docker(
        "run", "--detach", "--name", name, "--label", label, "--network", f"{stack.project}_jupyterhub",
        "-v", f"{name}:/ref:ro", image["socket-proxy"], "haproxy", "-db", "-f", "/ref/haproxy.cfg",
    )  # fmt: skip
    ip = ip_on(stack, name)
    wait_for(lambda: accepts((ip, 8443, True)), READY_TIMEOUT, "the reference HAProxy", POLL)
    return ip


def accepts(target) -> bool:
    conn = connection(target)
    try:
        conn.connect()  # raises until the TLS handshake succeeds
        return True
    finally:
        conn.close()


def proxy_overhead(stack: Stack, user: User, rounds: int = 500) -> dict:
    """The same small request, in turn straight to the user's container, through the
    TLS proxy, and through the port the stack publishes, over kept-alive connections.

    The ratio is taken at the proxy's own address: on 127.0.0.1 the published port
    also goes through Docker's userland proxy (docker-proxy), which connections
    from other machines do not (the kernel forwards those); it is reported apart,
    and so is a reference HAProxy in the proxy's place.
    """
    log("proxy overhead...")
    path = f"/user/{user.name}/api/status"
    proxy = stack.compose("ps", "-q", "proxy").stdout.strip()
    server_ip = ip_on(stack, stack.container_of(user.name)["id"])
    targets = {
        "direct": (server_ip, 8888, False),
        "via_proxy": (ip_on(stack, proxy), 8443, True),
        "via_published_port": ("127.0.0.1", int(stack.env["HTTPS_PORT"]), True),
        "via_reference_haproxy": (reference_haproxy(stack, f"{server_ip}:8888"), 8443, True),
    }
    conns = {key: connection(target) for key, target in targets.items()}
    samples: dict[str, list[float]] = {key: [] for key in targets}
    for i in range(rounds + 50):  # the first 50: warm-up (connections, token cache)
        for key, conn in conns.items():
            ms = request_ms(conn, path, user.token)
            if i >= 50:
                samples[key].append(ms)
    for conn in conns.values():
        conn.close()
    s = {key: summary(values) for key, values in samples.items()}
    return {
        "direct_ms": s["direct"],
        "via_proxy_ms": s["via_proxy"],
        "via_published_port_ms": s["via_published_port"],
        "ratio_p50": s["via_proxy"]["p50"] / s["direct"]["p50"],
        "ratio_p95": s["via_proxy"]["p95"] / s["direct"]["p95"],
        "published_port_ratio_p50": s["via_published_port"]["p50"] / s["direct"]["p50"],
        "via_reference_haproxy_ms": s["via_reference_haproxy"],
        "reference_haproxy_ratio_p50": s["via_reference_haproxy"]["p50"] / s["direct"]["p50"],
        "rps_via_proxy": requests_per_second(targets["via_proxy"], path, user.token),
        "rps_direct": requests_per_second(targets["direct"], path, user.token),
        "client": "Python http.client on the same machine, keep-alive, one request at a time (rps: 10 threads)",
    }


# --- main ---------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-cold-build", action="store_true", help="build only what is missing or changed")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results.json"), help="where to write the results")
    parser.add_argument("--users", type=int, default=10, help="users spawned one after another")
    parser.add_argument("--burst", type=int, default=20, help="users started at once")
    args = parser.parse_args()

    env = login_env()  # everything else at its default
    workdir = Path(tempfile.mkdtemp(prefix="jhbench"))
    env_file = workdir / "bench.env"
    write_env(env_file, env)
    stack = Stack(f"jhbench{os.getpid()}", env_file, env, hub_for(env))
    results: dict = {
        "machine": machine(ROOT),
        "settings": {"project": stack.project, "users": args.users, "burst": args.burst, "env": "defaults"},
        "metrics": {},
    }
    m = results["metrics"]
    log(f"project {stack.project}; results to {args.json}")
    try:
        m["stack"] = build_and_size(stack, cold=not args.skip_cold_build)
        m["stack"]["up_to_login_s"] = up_to_login(stack)
        m["spawn"], users = sequential_spawns(stack, args.users)
        idle = memory_mb([f"{stack.project}-{u.name}" for u in users])
        m["memory"] = {"idle_container_mb": summary(list(idle.values()))}
        m["proxy"] = proxy_overhead(stack, users[0])
        m["browser"] = {"login_to_lab_s": browser_login_to_lab(stack)}
        log("stopping those servers...")
        in_parallel(User.stop, users)
        m["burst"] = burst(stack, args.burst)
        hub = stack.compose("ps", "-q", "hub").stdout.strip()
        proxy = stack.compose("ps", "-q", "proxy").stdout.strip()
        mem = memory_mb([hub, proxy])
        m["memory"]["hub_mb_20_users"] = mem[docker("inspect", "-f", "{{.Name}}", hub).strip().lstrip("/")]
        m["memory"]["proxy_mb_20_users"] = mem[docker("inspect", "-f", "{{.Name}}", proxy).strip().lstrip("/")]
    finally:
        log("removing the benchmark's stack...")
        remove_everything(stack.project, env_file)
        shutil.rmtree(workdir, ignore_errors=True)  # the env file holds the passwords
        rows = evaluate(m)
        results["targets"] = rows
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
        mach = results["machine"]
        print(
            f"\nMachine: {mach['cores']} cores ({mach['cpu']}), {mach['memory_gib']} GiB, "
            f"Docker {mach['docker']}, Compose {mach['compose']}, commit {mach['commit']}\n"
        )
        print(targets_table(rows))
        print()
        print(details_table(m))
        print(f"\nJSON: {args.json}")
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
