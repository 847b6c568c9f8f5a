"""Every setting of the stack: read from the environment and validated, in one place.

jupyterhub_config.py only maps a `Settings` onto traitlets. A bad value stops the
hub at startup with one line per problem that names the variable and the fix,
before anything is written, so a typo in .env can never cost data.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

AUTHENTICATORS = ("native", "dummy")
DEFAULT_IMAGE = "jupyterhub-stack/singleuser:latest"
DATA_DIR = Path("/srv/jupyterhub/data")
PROXY_TOKEN_FILE = Path("/srv/secrets/proxy-token")
MIN_DUMMY_PASSWORD = 8
MIN_DUMMY_ADMIN_PASSWORD = 32  # JupyterHub's SharedPasswordAuthenticator rule

_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)
# JupyterHub usernames are free-form; these are names an admin types in .env.
_USERNAME_RE = re.compile(r"^[^\s,/\\<>\"'&]{1,255}$")
_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_PROJECT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_IMAGE_RE = re.compile(r"^[a-z0-9][a-z0-9._/:@-]*$", re.IGNORECASE)
_ORIGIN_RE = re.compile(r"^https?://(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\*\.[a-z0-9.-]+)(:\d{1,5})?$", re.I)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """One or more settings are invalid; str() is one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Settings:
    project: str
    network: str
    authenticator: str
    dummy_password: str = field(repr=False)
    dummy_admin_password: str = field(repr=False)
    admin_users: frozenset[str]
    allowed_users: frozenset[str]
    public_hostname: str
    https_port: int
    http_port: int
    base_url: str
    singleuser_image: str
    user_mem_limit: int | None
    user_mem_guarantee: int | None
    user_cpu_limit: float | None
    user_cpu_guarantee: float | None
    idle_timeout: int
    idle_cull_every: int
    allow_named_servers: bool
    named_server_limit: int
    spawn_timeout: int
    metrics_require_auth: bool
    log_level: str
    embed_allowed_origins: tuple[str, ...]
    proxy_token: str = field(repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def public_url(self) -> str:
        port = "" if self.https_port == 443 else f":{self.https_port}"
        return f"https://{self.public_hostname}{port}{self.base_url}"

    @property
    def csp_report_uri(self) -> str:
        return f"{self.base_url}hub/security/csp-report"

    @property
    def embed_csp(self) -> str:
        """The Content-Security-Policy of every hub and user-server response when embedding."""
        return f"frame-ancestors {' '.join(self.embed_allowed_origins)}; report-uri {self.csp_report_uri}"

    @property
    def labels(self) -> dict[str, str]:
        """Labels on the containers and volumes the hub creates: a stack finds its own by them."""
        return {"io.jupyterhub-stack.project": self.project}

    @property
    def container_labels(self) -> dict[str, str]:
        """Labels for user containers.

        Compose labels the images it builds with its project and service; a
        container would inherit them and look like part of whichever project
        built the image. Blank them: user containers belong to the hub.
        """
        blank = ("project", "service", "version", "oneoff", "config-hash")
        return {**{f"com.docker.compose.{k}": "" for k in blank}, **self.labels}

    @property
    def user_host_config(self) -> dict[str, int]:
        """Guarantees as Docker understands them: DockerSpawner itself ignores them.

        A memory guarantee becomes a soft limit (reservation) that Docker enforces
        under memory pressure; a CPU guarantee becomes a relative weight, where
        1024 shares is one CPU's worth when the CPUs are contended.
        """
        config = {}
        if self.user_mem_guarantee:
            config["mem_reservation"] = self.user_mem_guarantee
        if self.user_cpu_guarantee:
            config["cpu_shares"] = max(2, round(1024 * self.user_cpu_guarantee))
        return config


def parse_size(text: str) -> int:
    """'512M', '2G', '1.5g', '1073741824' -> bytes (binary units, as Docker uses)."""
    m = _SIZE_RE.match(text)
    if not m:
        raise ValueError(text)
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).upper()])


class _Reader:
    """Reads variables from one mapping and collects every problem before failing."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.problems: list[str] = []

    def raw(self, name: str, default: str = "") -> str:
        value = self.env.get(name)
        return default if value is None or value.strip() == "" else value.strip()

    def fail(self, name: str, value: str, fix: str) -> None:
        self.problems.append(f"{name}={value!r}: {fix}")

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.raw(name, default).lower()
        if value not in choices:
            self.fail(name, value, f"unknown value; use one of: {', '.join(choices)}")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name, "true" if default else "false").lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.fail(name, value, "not a boolean; use true or false")
        return default

    def integer(self, name: str, default: int, lo: int, hi: int, what: str = "") -> int:
        value = self.raw(name, str(default))
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not lo <= number <= hi:
            self.fail(name, value, f"use a whole number from {lo} to {hi}{what}")
            return default
        return number

    def size(self, name: str) -> int | None:
        value = self.raw(name)
        if not value:
            return None
        try:
            size = parse_size(value)
        except ValueError:
            size = 0
        if size < 64 * 1024**2:
            self.fail(name, value, "not a memory size of at least 64M; use a number with K, M, G or T, e.g. 2G")
            return None
        return size

    def cpus(self, name: str) -> float | None:
        value = self.raw(name)
        if not value:
            return None
        try:
            cpus = float(value)
        except ValueError:
            cpus = -1.0
        if not 0.01 <= cpus <= 1024:
            self.fail(name, value, "not a number of CPUs; use e.g. 0.5, 1 or 2")
            return None
        return cpus

    def usernames(self, name: str, default: str = "") -> frozenset[str]:
        value = self.raw(name, default)
        names = [n.strip() for n in value.split(",") if n.strip()]
        bad = [n for n in names if not _USERNAME_RE.match(n)]
        if bad:
            self.fail(
                name, value, f"invalid user name(s) {', '.join(bad)}; give names separated by commas, e.g. alice,bob"
            )
        # JupyterHub normalises usernames to lower case; match what users will be called.
        return frozenset(n.lower() for n in names if n not in bad)


def _base_url(r: _Reader) -> str:
    value = r.raw("BASE_URL", "/")
    if not re.fullmatch(r"/?([A-Za-z0-9._~-]+/?)*", value):
        r.fail("BASE_URL", value, "use a URL path prefix such as /jupyter/ (letters, digits, . _ ~ - and /)")
        return "/"
    return "/" + "/".join(p for p in value.split("/") if p) + ("/" if value.strip("/") else "")


def _origins(r: _Reader, warnings: list[str]) -> tuple[str, ...]:
    value = r.raw("EMBED_ALLOWED_ORIGINS")
    origins = []
    for origin in value.replace(",", " ").split():
        origin = origin.removesuffix("/") if origin.count("/") == 3 else origin
        if origin == "*":
            warnings.append(
                "EMBED_ALLOWED_ORIGINS='*': ANY web site may frame this hub, and users' servers can frame "
                "each other's; list the portal origins instead, e.g. https://portal.example.org"
            )
        elif not _ORIGIN_RE.match(origin):
            r.fail(
                "EMBED_ALLOWED_ORIGINS",
                value,
                f"{origin!r} is not an origin; give scheme://host[:port] with no path, separated by spaces, "
                "e.g. https://portal.example.org https://lms.example.edu:8443",
            )
            continue
        origins.append(origin.lower())
    return tuple(dict.fromkeys(origins))


def _proxy_token(r: _Reader) -> str:
    token = r.raw("CONFIGPROXY_AUTH_TOKEN")
    if token:
        return token
    try:
        token = PROXY_TOKEN_FILE.read_text().strip()
    except OSError:
        token = ""
    if not token:
        r.problems.append(
            f"CONFIGPROXY_AUTH_TOKEN is unset and {PROXY_TOKEN_FILE} is missing: start the proxy first "
            "(it generates the token into the shared secrets volume) or set CONFIGPROXY_AUTH_TOKEN for both"
        )
    return token


def load(env: dict[str, str] | None = None, *, read_secrets: bool = True) -> Settings:
    r = _Reader(dict(os.environ if env is None else env))
    warnings: list[str] = []

    project = r.raw("COMPOSE_PROJECT_NAME", "jupyterhub")
    if not _PROJECT_RE.match(project):
        r.fail("COMPOSE_PROJECT_NAME", project, "use lower-case letters, digits, - and _ (Compose's own rule)")
        project = "jupyterhub"

    authenticator = r.choice("AUTHENTICATOR", AUTHENTICATORS, "native")
    dummy_password = r.raw("DUMMY_PASSWORD")
    if authenticator == "dummy" and len(dummy_password) < MIN_DUMMY_PASSWORD:
        r.problems.append(
            f"DUMMY_PASSWORD: AUTHENTICATOR=dummy lets anyone in who knows this one shared password, "
            f"so set DUMMY_PASSWORD to at least {MIN_DUMMY_PASSWORD} characters"
        )
    dummy_admin_password = r.raw("DUMMY_ADMIN_PASSWORD")
    if authenticator == "dummy" and dummy_admin_password:
        if len(dummy_admin_password) < MIN_DUMMY_ADMIN_PASSWORD:
            r.problems.append(
                f"DUMMY_ADMIN_PASSWORD: admins log in with it, so make it at least {MIN_DUMMY_ADMIN_PASSWORD} "
                "characters (e.g. openssl rand -hex 24), or leave it empty for no admin login"
            )
        elif dummy_admin_password == dummy_password:
            r.problems.append("DUMMY_ADMIN_PASSWORD must differ from DUMMY_PASSWORD, or users could log in as admins")

    hostname = r.raw("PUBLIC_HOSTNAME", "localhost")
    if not _HOSTNAME_RE.match(hostname):
        r.fail("PUBLIC_HOSTNAME", hostname, "use the DNS name users type, e.g. hub.example.org")

    image = r.raw("SINGLEUSER_IMAGE", DEFAULT_IMAGE)
    if not _IMAGE_RE.match(image):
        r.fail("SINGLEUSER_IMAGE", image, "use a Docker image reference such as myorg/notebook:1.0")

    mem_limit, mem_guarantee = r.size("USER_MEM_LIMIT"), r.size("USER_MEM_GUARANTEE")
    if mem_limit and mem_guarantee and mem_guarantee > mem_limit:
        r.problems.append(
            f"USER_MEM_GUARANTEE={r.raw('USER_MEM_GUARANTEE')!r} is larger than "
            f"USER_MEM_LIMIT={r.raw('USER_MEM_LIMIT')!r}; lower the guarantee or raise the limit"
        )
    cpu_limit, cpu_guarantee = r.cpus("USER_CPU_LIMIT"), r.cpus("USER_CPU_GUARANTEE")
    if cpu_limit and cpu_guarantee and cpu_guarantee > cpu_limit:
        r.problems.append(
            f"USER_CPU_GUARANTEE={r.raw('USER_CPU_GUARANTEE')!r} is larger than "
            f"USER_CPU_LIMIT={r.raw('USER_CPU_LIMIT')!r}; lower the guarantee or raise the limit"
        )

    settings = Settings(
        project=project,
        network=f"{project}_jupyterhub",
        authenticator=authenticator,
        dummy_password=dummy_password,
        dummy_admin_password=dummy_admin_password,
        admin_users=r.usernames("ADMIN_USERS", "admin"),
        allowed_users=r.usernames("ALLOWED_USERS"),
        public_hostname=hostname,
        https_port=r.integer("HTTPS_PORT", 443, 1, 65535),
        http_port=r.integer("HTTP_PORT", 80, 1, 65535),
        base_url=_base_url(r),
        singleuser_image=image,
        user_mem_limit=mem_limit,
        user_mem_guarantee=mem_guarantee,
        user_cpu_limit=cpu_limit,
        user_cpu_guarantee=cpu_guarantee,
        idle_timeout=r.integer("IDLE_TIMEOUT", 3600, 0, 365 * 86400, " seconds (0 turns culling off)"),
        idle_cull_every=r.integer("IDLE_CULL_EVERY", 300, 10, 86400, " seconds"),
        allow_named_servers=r.boolean("ALLOW_NAMED_SERVERS", False),
        named_server_limit=r.integer("NAMED_SERVER_LIMIT", 3, 0, 1000, " (0 means no limit)"),
        spawn_timeout=r.integer("SPAWN_TIMEOUT", 120, 10, 3600, " seconds"),
        metrics_require_auth=r.boolean("METRICS_REQUIRE_AUTH", True),
        log_level=r.choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper(),
        embed_allowed_origins=_origins(r, warnings),
        proxy_token=_proxy_token(r) if read_secrets else "",
        warnings=tuple(warnings),
    )
    if settings.https_port == settings.http_port:
        r.problems.append(f"HTTP_PORT and HTTPS_PORT are both {settings.https_port}; give them different ports")
    if r.problems:
        raise SettingsError(r.problems)
    return settings


def load_or_exit(env: dict[str, str] | None = None) -> Settings:
    """For jupyterhub_config.py: print the problems and stop, with no traceback to wade through."""
    try:
        settings = load(env)
    except SettingsError as e:
        for problem in e.problems:
            print(f"CONFIG ERROR: {problem}", file=sys.stderr, flush=True)
        print("CONFIG ERROR: fix the settings above in .env, then run: docker compose up -d", file=sys.stderr)
        raise SystemExit(2) from None
    for warning in settings.warnings:
        # Loud on purpose: these are accepted, but weaken the deployment.
        print("!" * 78, f"CONFIG WARNING: {warning}", "!" * 78, sep="\n", file=sys.stderr, flush=True)
    return settings
