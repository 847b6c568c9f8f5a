# JupyterHub configuration of the stack. Declarative on purpose: every value
# comes from stack.settings, which reads and validates the environment (.env).
import json
import os
import sys

from stack import crypt, csp, images, oauth
from stack.settings import DATA_DIR, load_or_exit

s = load_or_exit()
c = get_config()  # noqa: F821

# --- Hub and proxy -----------------------------------------------------------
c.JupyterHub.base_url = s.base_url
# The proxy is its own container and outlives hub restarts, which is what keeps
# users connected while the hub restarts or is upgraded.
c.JupyterHub.proxy_class = "configurable-http-proxy"
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = "http://proxy-api:8001"
c.ConfigurableHTTPProxy.auth_token = s.proxy_token
c.JupyterHub.hub_bind_url = "http://0.0.0.0:8081"
c.JupyterHub.hub_connect_url = "http://hub:8081"
# Servers keep running when the hub stops; the hub takes them back on start.
c.JupyterHub.cleanup_servers = False
c.JupyterHub.cleanup_proxy = False
# This periodic task also re-adds routes a restarted proxy lost: keep it short.
c.JupyterHub.last_activity_interval = 10

# State on the hub's volume: database, cookie secret (made on first start, 0600).
c.JupyterHub.db_url = f"sqlite:///{DATA_DIR}/jupyterhub.sqlite"
# A newer hub migrates an older database at start, after JupyterHub copies the
# sqlite file to jupyterhub.sqlite.<timestamp> beside it.
c.JupyterHub.upgrade_db = True
c.JupyterHub.cookie_secret_file = str(DATA_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.log_level = s.log_level
c.JupyterHub.authenticate_prometheus = s.metrics_require_auth
csp.install()

# --- Response headers: embedding (README "Embedding") and HSTS -----------------
# Unset, JupyterHub's default CSP stands everywhere: frame-ancestors 'none'.
c.JupyterHub.tornado_settings = {"headers": s.response_headers}
# User servers: the image's /etc/jupyter/jupyter_server_config.py sends the same
# headers on every route, and so does any image built on ours.
c.Spawner.environment = {"JUPYTERHUB_STACK_HEADERS": json.dumps(s.response_headers)}
if s.embed_allowed_origins:
    import partitioned_cookies

    # Cookies that survive third-party cookie blocking, on the hub and (through
    # JUPYTERHUB_STACK_PARTITIONED_COOKIES) on user servers; cookie_options also
    # reach user servers as JUPYTERHUB_COOKIE_OPTIONS.
    partitioned_cookies.partition_all_cookies()
    c.JupyterHub.tornado_settings["cookie_options"] = {"samesite": "None", "secure": True}
    c.Spawner.environment["JUPYTERHUB_STACK_PARTITIONED_COOKIES"] = "1"

# --- Who may log in ----------------------------------------------------------
c.Authenticator.admin_users = set(s.admin_users)
c.Authenticator.allowed_users = set(s.allowed_users)
# Logging in is already gated (approved sign-ups / shared password); an
# ALLOWED_USERS list narrows it further.
c.Authenticator.allow_all = not s.allowed_users
if s.authenticator == "native":
    import nativeauthenticator

    c.JupyterHub.authenticator_class = "stack.native.StackNativeAuthenticator"
    c.JupyterHub.template_paths = [f"{nativeauthenticator.__path__[0]}/templates/"]
    c.NativeAuthenticator.open_signup = False
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.check_common_password = True
elif s.authenticator == "dummy":
    # JupyterHub's successor of DummyAuthenticator: one password for every user,
    # and a separate, longer one for the admin users.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = s.dummy_password
    c.SharedPasswordAuthenticator.admin_password = s.dummy_admin_password or None

if s.oauth:
    o = s.oauth
    c.JupyterHub.authenticator_class = "generic-oauth" if o.provider == "generic" else o.provider
    c.OAuthenticator.client_id = o.client_id
    c.OAuthenticator.client_secret = o.client_secret
    c.OAuthenticator.oauth_callback_url = o.callback_url
    c.OAuthenticator.scope = list(o.scopes)
    c.OAuthenticator.allow_all = o.allow_all
    c.OAuthenticator.custom_403_message = (
        "Your account is not allowed to use this hub. Ask its administrator to add you "
        "(to ALLOWED_USERS, or to an allowed group or organisation)."
    )
    # Keep the provider's tokens (encrypted) so they can be refreshed and,
    # when OAUTH_PASS_TOKENS=true, handed to the user's server.
    c.Authenticator.enable_auth_state = True
    c.CryptKeeper.keys = [crypt.crypt_key(os.environ, DATA_DIR)]
    if o.pass_tokens:
        c.Spawner.auth_state_hook = oauth.pass_tokens
    if o.provider == "generic":
        c.GenericOAuthenticator.authorize_url = o.authorize_url
        c.GenericOAuthenticator.token_url = o.token_url
        c.GenericOAuthenticator.userdata_url = o.userdata_url
        c.GenericOAuthenticator.username_claim = oauth.username_from(o.username_claim)
        c.GenericOAuthenticator.login_service = o.login_service
    if o.manage_groups:
        c.OAuthenticator.manage_groups = True
        c.OAuthenticator.auth_state_groups_key = f"oauth_user.{o.groups_claim}"
        c.OAuthenticator.allowed_groups = set(o.allowed_groups)
        c.OAuthenticator.admin_groups = set(o.admin_groups)
    if o.github_orgs:
        c.GitHubOAuthenticator.allowed_organizations = set(o.github_orgs)
    if o.provider == "gitlab":
        c.GitLabOAuthenticator.gitlab_url = o.gitlab_url
        c.GitLabOAuthenticator.allowed_gitlab_groups = set(o.gitlab_groups)
    if o.google_domains:
        c.GoogleOAuthenticator.hosted_domain = list(o.google_domains)

# --- User servers: one container each, home on a named volume ------------------
# DockerSpawner, plus a fast readiness check (stack/spawner.py: the hub's own
# backoff added up to 1.6 s to every spawn).
c.JupyterHub.spawner_class = "stack.spawner.StackDockerSpawner"
c.DockerSpawner.image = s.singleuser_image
if s.allowed_images:
    # Only these can ever start; a user picks one by display name (form or API).
    c.DockerSpawner.allowed_images = s.allowed_images
    if len(s.allowed_images) > 1:
        c.DockerSpawner.options_form = images.options_form(s.allowed_images)
images.warn(images.check_versions(s.allowed_images or {s.singleuser_image: s.singleuser_image}))
c.DockerSpawner.network_name = s.network
c.DockerSpawner.use_internal_ip = True
# The Compose project name keeps two stacks on one host apart.
c.DockerSpawner.prefix = s.project
# A fresh container on every start, so a rebuilt image is picked up; the home
# volume is what persists.
c.DockerSpawner.remove = True
c.DockerSpawner.mounts = [
    {
        "type": "volume",
        "source": "{prefix}-home-{username}",
        "target": "/home/jovyan",
        "labels": s.labels,
    }
]
c.DockerSpawner.notebook_dir = "/home/jovyan"
c.DockerSpawner.extra_create_kwargs = {"labels": s.container_labels}
c.DockerSpawner.extra_host_config = s.user_host_config
c.DockerSpawner.mem_limit = s.user_mem_limit
c.DockerSpawner.cpu_limit = s.user_cpu_limit
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = s.spawn_timeout
c.Spawner.http_timeout = s.spawn_timeout
# Notice servers that died (killed, out of memory) within seconds, not minutes.
c.Spawner.poll_interval = 10
# Over these limits users get HTTP 429 "try again later", not errors.
c.JupyterHub.concurrent_spawn_limit = s.concurrent_spawn_limit
c.JupyterHub.active_server_limit = s.active_server_limit
c.JupyterHub.allow_named_servers = s.allow_named_servers
c.JupyterHub.named_server_limit_per_user = s.named_server_limit

# --- Services ----------------------------------------------------------------
if s.idle_timeout:
    c.JupyterHub.services = [
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={s.idle_timeout}",
                f"--cull-every={s.idle_cull_every}",
            ],
        }
    ]
    c.JupyterHub.load_roles = [
        {
            "name": "idle-culler",
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
            "services": ["idle-culler"],
        }
    ]
