"""Every setting of the stack: read from the environment and validated, in one place.

jupyterhub_config.py only maps a `Settings` onto traitlets. A bad value stops the
hub at startup with one line per problem that names the variable and the fix,
before anything is written, so a typo in .env can never cost data.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

OAUTH_PROVIDERS = ("github", "gitlab", "google", "generic")
AUTHENTICATORS = ("native", "dummy", *OAUTH_PROVIDERS)
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


@dataclass(frozen=True)
class OAuth:
    """Login through an OAuth 2 / OpenID Connect provider, with OAuthenticator."""

    provider: str  # an OAUTH_PROVIDERS entry, also JupyterHub's authenticator_class name
    client_id: str
    client_secret: str = field(repr=False)
    callback_url: str
    scopes: tuple[str, ...]
    allow_all: bool
    allowed_groups: frozenset[str]
    admin_groups: frozenset[str]
    pass_tokens: bool
    # generic (OpenID Connect) only
    authorize_url: str = ""
    token_url: str = ""
    userdata_url: str = ""
    username_claim: str = "preferred_username"
    groups_claim: str = "groups"
    login_service: str = ""
    # provider-specific restrictions
    github_orgs: frozenset[str] = frozenset()
    gitlab_groups: frozenset[str] = frozenset()
    gitlab_url: str = ""
    google_domains: tuple[str, ...] = ()

    @property
    def manage_groups(self) -> bool:
        return bool(self.allowed_groups or self.admin_groups)


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
    allowed_images: dict[str, str]  # display name -> image; empty: only singleuser_image
    user_mem_limit: int | None
    user_mem_guarantee: int | None
    user_cpu_limit: float | None
    user_cpu_guarantee: float | None
    user_pids_limit: int
    idle_timeout: int
    idle_cull_every: int
    allow_named_servers: bool
    named_server_limit: int
    spawn_timeout: int
    concurrent_spawn_limit: int
    active_server_limit: int
    metrics_require_auth: bool
    log_level: str
    embed_allowed_origins: tuple[str, ...]
    hsts_max_age: int  # 0: no Strict-Transport-Security header
    oauth: OAuth | None
    proxy_token: str = field(repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def public_url(self) -> str:
        return _public_url(self.public_hostname, self.https_port, self.base_url)

    @property
    def csp_report_uri(self) -> str:
        return f"{self.base_url}hub/security/csp-report"

    @property
    def embed_csp(self) -> str:
        """The Content-Security-Policy of every hub and user-server response when embedding."""
        return f"frame-ancestors {' '.join(self.embed_allowed_origins)}; report-uri {self.csp_report_uri}"

    @property
    def response_headers(self) -> dict[str, str]:
        """Headers for every hub and user-server response (beyond JupyterHub's own)."""
        headers = {}
        if self.embed_allowed_origins:
            headers["Content-Security-Policy"] = self.embed_csp
        if self.hsts_max_age:
            headers["Strict-Transport-Security"] = f"max-age={self.hsts_max_age}"
        return headers

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
    def user_host_config(self) -> dict:
        """Docker host config of user containers: least privilege, and the guarantees.

        Users' code needs no capability and no way to gain privileges (setuid
        binaries stay inert); the pids limit stops a fork bomb at the container.
        DockerSpawner ignores guarantees: a memory guarantee becomes a soft limit
        (reservation) that Docker enforces under memory pressure; a CPU guarantee
        becomes a relative weight, 1024 shares being one CPU's worth when the
        CPUs are contended.
        """
        config = {
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges:true"],
            "pids_limit": self.user_pids_limit,
        }
        if self.user_mem_guarantee:
            config["mem_reservation"] = self.user_mem_guarantee
        if self.user_cpu_guarantee:
            config["cpu_shares"] = max(2, round(1024 * self.user_cpu_guarantee))
        return config


def _public_url(hostname: str, https_port: int, base_url: str) -> str:
    return f"https://{hostname}{'' if https_port == 443 else f':{https_port}'}{base_url}"


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


def _images(r: _Reader) -> dict[str, str]:
    """ALLOWED_IMAGES="Display name=image,image2" -> {"Display name": "image", "image2": "image2"}."""
    value = r.raw("ALLOWED_IMAGES")
    images: dict[str, str] = {}
    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        name, _, image = entry.rpartition("=")
        name, image = (name.strip() or image.strip()), image.strip()
        if not _IMAGE_RE.match(image):
            r.fail(
                "ALLOWED_IMAGES",
                value,
                f"{image!r} is not an image; use 'Display name=image:tag' pairs, e.g. "
                "Python and R=jupyterhub-stack/singleuser:latest,Course 101=course101:latest",
            )
        elif name in images:
            r.fail("ALLOWED_IMAGES", value, f"the display name {name!r} is listed twice; give each image its own name")
        else:
            images[name] = image
    return images


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


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the admin's own issuer URL
        return json.load(response)


def _discover(r: _Reader, issuer: str, fetch: Callable[[str], dict]) -> dict:
    """The issuer's OpenID Connect discovery document, or {} after recording why not."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    fix = (
        "check OIDC_ISSUER (your provider's issuer URL), "
        "or give OAUTH2_AUTHORIZE_URL, OAUTH2_TOKEN_URL and OAUTH2_USERDATA_URL"
    )
    try:
        document = fetch(url)
    except urllib.error.HTTPError as e:
        r.fail("OIDC_ISSUER", issuer, f"no discovery document at {url} (HTTP {e.code}); {fix}")
        return {}
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        r.fail("OIDC_ISSUER", issuer, f"cannot reach {url} ({reason}); make sure the hub can reach it, or {fix}")
        return {}
    except ValueError:
        r.fail("OIDC_ISSUER", issuer, f"{url} is not JSON; {fix}")
        return {}
    needed = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint")
    if not isinstance(document, dict) or not all(document.get(k) for k in needed):
        r.fail("OIDC_ISSUER", issuer, f"{url} lacks {', '.join(needed)}; {fix}")
        return {}
    return document


def _words(r: _Reader, name: str, default: str = "") -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in r.raw(name, default).replace(",", " ").split()))


def _oauth(
    r: _Reader, provider: str, public_url: str, allowed_users: frozenset[str], fetch: Callable[[str], dict]
) -> OAuth:
    client_id, client_secret = r.raw("OAUTH_CLIENT_ID"), r.raw("OAUTH_CLIENT_SECRET")
    for name, value in (("OAUTH_CLIENT_ID", client_id), ("OAUTH_CLIENT_SECRET", client_secret)):
        if not value:
            r.problems.append(
                f"{name} is required with AUTHENTICATOR={provider}: register this hub as an OAuth application "
                f"with the provider (callback URL {public_url}hub/oauth_callback) and set {name} from it"
            )
    callback_url = r.raw("OAUTH_CALLBACK_URL", f"{public_url}hub/oauth_callback")
    if not re.match(r"^https?://[^/\s]+/\S*oauth_callback$", callback_url):
        r.fail("OAUTH_CALLBACK_URL", callback_url, f"use the hub's callback URL, e.g. {public_url}hub/oauth_callback")

    allowed_groups = frozenset(_words(r, "ALLOWED_GROUPS"))
    admin_groups = frozenset(_words(r, "ADMIN_GROUPS"))
    if provider != "generic":
        for name, value in (("ALLOWED_GROUPS", allowed_groups), ("ADMIN_GROUPS", admin_groups)):
            if value:
                r.fail(
                    name,
                    ",".join(sorted(value)),
                    "groups from a claim work with AUTHENTICATOR=generic; use GITHUB_ALLOWED_ORGS, "
                    "GITLAB_ALLOWED_GROUPS or GOOGLE_HOSTED_DOMAINS for the other providers",
                )
    oauth = dict(
        provider=provider,
        client_id=client_id,
        client_secret=client_secret,
        callback_url=callback_url,
        allow_all=r.boolean("OAUTH_ALLOW_ALL", False),
        allowed_groups=allowed_groups,
        admin_groups=admin_groups,
        pass_tokens=r.boolean("OAUTH_PASS_TOKENS", False),
    )
    crypt_key = r.raw("JUPYTERHUB_CRYPT_KEY")
    if crypt_key and not re.fullmatch(r"[0-9a-fA-F]{64}", crypt_key):
        r.fail(
            "JUPYTERHUB_CRYPT_KEY",
            "…",
            "use 64 hex characters (openssl rand -hex 32), or leave it empty to generate one",
        )
    default_scopes = {"generic": "openid profile email", "google": "openid email", "gitlab": "read_user"}
    scopes = list(_words(r, "OAUTH_SCOPES", default_scopes.get(provider, "")))

    if provider == "generic":
        explicit = {k: r.raw(k) for k in ("OAUTH2_AUTHORIZE_URL", "OAUTH2_TOKEN_URL", "OAUTH2_USERDATA_URL")}
        issuer = r.raw("OIDC_ISSUER")
        found = {}
        if issuer and not all(explicit.values()):
            found = _discover(r, issuer, fetch)
        elif not issuer and not all(explicit.values()):
            r.problems.append(
                "OIDC_ISSUER is required with AUTHENTICATOR=generic (e.g. https://idp.example.org/realms/x), "
                "unless OAUTH2_AUTHORIZE_URL, OAUTH2_TOKEN_URL and OAUTH2_USERDATA_URL are all set"
            )
        oauth.update(
            authorize_url=explicit["OAUTH2_AUTHORIZE_URL"] or found.get("authorization_endpoint", ""),
            token_url=explicit["OAUTH2_TOKEN_URL"] or found.get("token_endpoint", ""),
            userdata_url=explicit["OAUTH2_USERDATA_URL"] or found.get("userinfo_endpoint", ""),
            username_claim=r.raw("OAUTH2_USERNAME_KEY", "preferred_username"),
            groups_claim=r.raw("OAUTH2_GROUPS_KEY", "groups"),
            login_service=r.raw("LOGIN_SERVICE", "OpenID Connect"),
        )
    elif provider == "github":
        oauth["github_orgs"] = frozenset(_words(r, "GITHUB_ALLOWED_ORGS"))
        if oauth["github_orgs"] and "read:org" not in scopes:
            scopes.append("read:org")  # to see private memberships, not just public ones
    elif provider == "gitlab":
        oauth["gitlab_groups"] = frozenset(_words(r, "GITLAB_ALLOWED_GROUPS"))
        oauth["gitlab_url"] = r.raw("GITLAB_URL", "https://gitlab.com")
        if oauth["gitlab_groups"] and "read_api" not in scopes:
            scopes.append("read_api")  # group membership is read through the API
    elif provider == "google":
        oauth["google_domains"] = _words(r, "GOOGLE_HOSTED_DOMAINS")
    oauth["scopes"] = tuple(scopes)

    if not any(
        (allowed_users, allowed_groups, admin_groups, oauth["allow_all"])
        + tuple(oauth.get(k) for k in ("github_orgs", "gitlab_groups", "google_domains"))
    ):
        hints = {
            "generic": "ALLOWED_GROUPS",
            "github": "GITHUB_ALLOWED_ORGS",
            "gitlab": "GITLAB_ALLOWED_GROUPS",
            "google": "GOOGLE_HOSTED_DOMAINS",
        }
        r.problems.append(
            f"AUTHENTICATOR={provider} would let nobody in: say who may log in with ALLOWED_USERS, "
            f"{hints[provider]}, or OAUTH_ALLOW_ALL=true (everyone with an account at the provider)"
        )
    return OAuth(**oauth)


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


def load(
    env: dict[str, str] | None = None, *, read_secrets: bool = True, fetch: Callable[[str], dict] = fetch_json
) -> Settings:
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

    allowed_users = r.usernames("ALLOWED_USERS")
    allowed_images = _images(r)
    https_port = r.integer("HTTPS_PORT", 443, 1, 65535)
    base_url = _base_url(r)
    public_url = _public_url(hostname, https_port, base_url)
    oauth = _oauth(r, authenticator, public_url, allowed_users, fetch) if authenticator in OAUTH_PROVIDERS else None

    settings = Settings(
        project=project,
        network=f"{project}_jupyterhub",
        authenticator=authenticator,
        dummy_password=dummy_password,
        dummy_admin_password=dummy_admin_password,
        # A default admin name is only safe where the hub owns the accounts: at
        # GitHub, say, someone else is called "admin".
        admin_users=r.usernames("ADMIN_USERS", "" if authenticator in OAUTH_PROVIDERS else "admin"),
        allowed_users=allowed_users,
        public_hostname=hostname,
        https_port=https_port,
        http_port=r.integer("HTTP_PORT", 80, 1, 65535),
        base_url=base_url,
        # The first listed image is the default.
        singleuser_image=next(iter(allowed_images.values())) if allowed_images else image,
        allowed_images=allowed_images,
        user_mem_limit=mem_limit,
        user_mem_guarantee=mem_guarantee,
        user_cpu_limit=cpu_limit,
        user_cpu_guarantee=cpu_guarantee,
        user_pids_limit=r.integer("USER_PIDS_LIMIT", 1024, 64, 1_000_000, " processes"),
        idle_timeout=r.integer("IDLE_TIMEOUT", 3600, 0, 365 * 86400, " seconds (0 turns culling off)"),
        idle_cull_every=r.integer("IDLE_CULL_EVERY", 300, 10, 86400, " seconds"),
        allow_named_servers=r.boolean("ALLOW_NAMED_SERVERS", False),
        named_server_limit=r.integer("NAMED_SERVER_LIMIT", 3, 0, 1000, " (0 means no limit)"),
        spawn_timeout=r.integer("SPAWN_TIMEOUT", 120, 10, 3600, " seconds"),
        concurrent_spawn_limit=r.integer("CONCURRENT_SPAWN_LIMIT", 20, 0, 10000, " (0 means no limit)"),
        active_server_limit=r.integer("ACTIVE_SERVER_LIMIT", 0, 0, 100000, " (0 means no limit)"),
        metrics_require_auth=r.boolean("METRICS_REQUIRE_AUTH", True),
        log_level=r.choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper(),
        embed_allowed_origins=_origins(r, warnings),
        # HSTS only with the admin's own certificate: pinning browsers to HTTPS
        # with a self-signed one would lock users out once it changes.
        hsts_max_age=r.integer("HSTS_MAX_AGE", 31536000, 0, 10**9, " seconds (0 turns HSTS off)")
        if r.raw("TLS_CERT_FILE")
        else 0,
        oauth=oauth,
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
