"""Unit tests of hub/stack/settings.py: every setting's parsing and its error message."""

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "hub"))

from stack import settings as st  # noqa: E402

GOOD = {"CONFIGPROXY_AUTH_TOKEN": "t" * 32}


def load(**env):
    return st.load({**GOOD, **env})


def error_of(**env) -> str:
    with pytest.raises(st.SettingsError) as e:
        load(**env)
    return str(e.value)


def test_defaults():
    s = load()
    assert s.authenticator == "native"
    assert s.admin_users == {"admin"}
    assert s.allowed_users == frozenset()
    assert (s.https_port, s.http_port, s.public_hostname, s.base_url) == (443, 80, "localhost", "/")
    assert s.singleuser_image == st.DEFAULT_IMAGE
    assert s.idle_timeout == 3600
    assert s.user_mem_limit is None and s.user_cpu_limit is None
    assert s.user_host_config == {"cap_drop": ["ALL"], "security_opt": ["no-new-privileges:true"], "pids_limit": 1024}
    assert s.public_url == "https://localhost/"
    assert s.project == "jupyterhub" and s.network == "jupyterhub_jupyterhub"


def test_empty_values_mean_default():
    assert load(AUTHENTICATOR="", HTTPS_PORT=" ", IDLE_TIMEOUT="").authenticator == "native"


@pytest.mark.parametrize(
    "text, size",
    [("512M", 512 * 2**20), ("2G", 2 * 2**30), ("1.5g", int(1.5 * 2**30)), ("2GiB", 2 * 2**30), ("1073741824", 2**30)],
)
def test_memory_sizes(text, size):
    assert st.parse_size(text) == size
    assert load(USER_MEM_LIMIT=text).user_mem_limit == size


@pytest.mark.parametrize(
    "env, message",
    [
        ({"AUTHENTICATOR": "ldap"}, "AUTHENTICATOR='ldap': unknown value; use one of: native, dummy"),
        ({"AUTHENTICATOR": "dummy"}, "set DUMMY_PASSWORD to at least 8 characters"),
        ({"AUTHENTICATOR": "dummy", "DUMMY_PASSWORD": "1234567"}, "DUMMY_PASSWORD"),
        ({"AUTHENTICATOR": "dummy", "DUMMY_PASSWORD": "p" * 8, "DUMMY_ADMIN_PASSWORD": "short"}, "at least 32"),
        (
            {"AUTHENTICATOR": "dummy", "DUMMY_PASSWORD": "p" * 40, "DUMMY_ADMIN_PASSWORD": "p" * 40},
            "DUMMY_ADMIN_PASSWORD must differ from DUMMY_PASSWORD",
        ),
        ({"HTTPS_PORT": "https"}, "HTTPS_PORT='https': use a whole number from 1 to 65535"),
        ({"HTTPS_PORT": "70000"}, "HTTPS_PORT='70000'"),
        ({"HTTP_PORT": "0"}, "HTTP_PORT='0'"),
        ({"HTTP_PORT": "8443", "HTTPS_PORT": "8443"}, "HTTP_PORT and HTTPS_PORT are both 8443"),
        ({"USER_MEM_LIMIT": "12X"}, "USER_MEM_LIMIT='12X': not a memory size"),
        ({"USER_MEM_LIMIT": "10M"}, "USER_MEM_LIMIT='10M': not a memory size of at least 64M"),
        ({"USER_MEM_GUARANTEE": "lots"}, "USER_MEM_GUARANTEE='lots'"),
        ({"USER_MEM_LIMIT": "1G", "USER_MEM_GUARANTEE": "2G"}, "USER_MEM_GUARANTEE='2G' is larger than"),
        ({"USER_CPU_LIMIT": "two"}, "USER_CPU_LIMIT='two': not a number of CPUs"),
        ({"USER_CPU_LIMIT": "1", "USER_CPU_GUARANTEE": "2"}, "USER_CPU_GUARANTEE='2' is larger than"),
        ({"IDLE_TIMEOUT": "-5"}, "IDLE_TIMEOUT='-5'"),
        ({"IDLE_TIMEOUT": "1h"}, "IDLE_TIMEOUT='1h': use a whole number"),
        ({"ALLOW_NAMED_SERVERS": "maybe"}, "ALLOW_NAMED_SERVERS='maybe': not a boolean"),
        ({"NAMED_SERVER_LIMIT": "x"}, "NAMED_SERVER_LIMIT='x'"),
        ({"USER_PIDS_LIMIT": "10"}, "USER_PIDS_LIMIT='10': use a whole number from 64"),
        ({"PUBLIC_HOSTNAME": "hub example"}, "PUBLIC_HOSTNAME='hub example'"),
        ({"PUBLIC_HOSTNAME": "-bad.example"}, "PUBLIC_HOSTNAME"),
        ({"BASE_URL": "/a b/"}, "BASE_URL='/a b/'"),
        ({"BASE_URL": "https://x/"}, "BASE_URL"),
        ({"ADMIN_USERS": "ok,bad/name"}, "ADMIN_USERS='ok,bad/name': invalid user name(s) bad/name"),
        ({"ALLOWED_USERS": "a b"}, "ALLOWED_USERS"),
        ({"SINGLEUSER_IMAGE": "bad image"}, "SINGLEUSER_IMAGE='bad image'"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL='loud'"),
        ({"COMPOSE_PROJECT_NAME": "Bad Name"}, "COMPOSE_PROJECT_NAME"),
    ],
)
def test_bad_values_name_the_variable_and_fix(env, message):
    assert message in error_of(**env)


def test_all_problems_reported_at_once():
    err = error_of(HTTPS_PORT="x", USER_MEM_LIMIT="y", AUTHENTICATOR="z")
    assert len(err.splitlines()) == 3


def test_missing_proxy_token(tmp_path, monkeypatch):
    monkeypatch.setattr(st, "PROXY_TOKEN_FILE", tmp_path / "absent")
    with pytest.raises(st.SettingsError, match="CONFIGPROXY_AUTH_TOKEN is unset"):
        st.load({})
    (tmp_path / "absent").write_text("abc\n")
    assert st.load({}).proxy_token == "abc"


def test_load_or_exit_prints_one_line_per_problem(capsys):
    with pytest.raises(SystemExit) as e:
        st.load_or_exit({**GOOD, "HTTPS_PORT": "x"})
    assert e.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("CONFIG ERROR: HTTPS_PORT='x'")
    assert "docker compose up -d" in err[-1]


def test_usernames_are_normalised():
    assert load(ADMIN_USERS="Alice, bob ,,").admin_users == {"alice", "bob"}


def test_base_url_normalised():
    assert load(BASE_URL="jupyter").base_url == "/jupyter/"
    assert load(BASE_URL="/a/b").base_url == "/a/b/"
    assert load(BASE_URL="/", HTTPS_PORT="8443", PUBLIC_HOSTNAME="hub.example.org").public_url == (
        "https://hub.example.org:8443/"
    )


def test_guarantees_map_to_docker():
    s = load(USER_MEM_GUARANTEE="512M", USER_CPU_GUARANTEE="0.5", USER_MEM_LIMIT="1G", USER_CPU_LIMIT="2")
    assert s.user_host_config["mem_reservation"] == 512 * 2**20 and s.user_host_config["cpu_shares"] == 512


def test_container_labels_blank_compose_labels_and_mark_project():
    labels = load(COMPOSE_PROJECT_NAME="proj").container_labels
    assert labels["io.jupyterhub-stack.project"] == "proj"
    assert labels["com.docker.compose.project"] == ""


def test_compose_file_agrees_with_settings():
    """Defaults live in settings.py; compose must not contradict them."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["singleuser"]["image"] == st.DEFAULT_IMAGE
    hub_env = compose["services"]["hub"]["environment"]
    assert hub_env["SINGLEUSER_IMAGE"] == "${SINGLEUSER_IMAGE:-}"
    assert compose["networks"]["jupyterhub"]["name"] == "${COMPOSE_PROJECT_NAME}_jupyterhub"


def test_env_example_documents_every_setting():
    compose_text = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    import re

    used = set(re.findall(r"\$\{([A-Z0-9_]+)", compose_text)) - {"COMPOSE_PROJECT_NAME"}
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, re.M))
    assert used <= documented, f"undocumented in .env.example: {sorted(used - documented)}"


def test_embed_origins():
    s = load(EMBED_ALLOWED_ORIGINS="https://portal.example.org  https://LMS.example.edu:8443/,http://127.0.0.1:9000")
    assert s.embed_allowed_origins == (
        "https://portal.example.org",
        "https://lms.example.edu:8443",
        "http://127.0.0.1:9000",
    )
    assert s.embed_csp == (
        "frame-ancestors https://portal.example.org https://lms.example.edu:8443 http://127.0.0.1:9000; "
        "report-uri /hub/security/csp-report"
    )
    assert load(BASE_URL="/j/", EMBED_ALLOWED_ORIGINS="https://a.org").embed_csp.endswith(
        "report-uri /j/hub/security/csp-report"
    )
    assert load().embed_allowed_origins == ()


@pytest.mark.parametrize(
    "origin",
    ["portal.example.org", "https://portal.example.org/lms", "ftp://x.org", "https://", "https://a.org:99999x"],
)
def test_embed_origin_must_be_scheme_host_port(origin):
    assert f"EMBED_ALLOWED_ORIGINS='{origin}': {origin!r} is not an origin" in error_of(EMBED_ALLOWED_ORIGINS=origin)


def test_embed_wildcard_is_accepted_loudly(capsys):
    s = st.load_or_exit({**GOOD, "EMBED_ALLOWED_ORIGINS": "*"})
    assert s.embed_allowed_origins == ("*",)
    err = capsys.readouterr().err
    assert "CONFIG WARNING: EMBED_ALLOWED_ORIGINS='*': ANY web site may frame this hub" in err


def test_allowed_images():
    s = load(ALLOWED_IMAGES="Python and R=jupyterhub-stack/singleuser:latest, Course 101 = course101:1 ,plain:tag")
    assert s.allowed_images == {
        "Python and R": "jupyterhub-stack/singleuser:latest",
        "Course 101": "course101:1",
        "plain:tag": "plain:tag",
    }
    assert s.singleuser_image == "jupyterhub-stack/singleuser:latest"  # the first is the default
    assert load().allowed_images == {}


@pytest.mark.parametrize(
    "value, message",
    [("Nice=bad image", "'bad image' is not an image"), ("A=x:1,A=y:2", "the display name 'A' is listed twice")],
)
def test_bad_allowed_images(value, message):
    assert message in error_of(ALLOWED_IMAGES=value)


def test_image_label_matches_jupyterhub_pins():
    """The version label the hub checks must tell the truth about both images."""
    import re

    label = re.search(r"ARG JUPYTERHUB_VERSION=(\S+)", (ROOT / "singleuser/Dockerfile").read_text()).group(1)
    for image in ("singleuser", "hub"):
        pins = (ROOT / image / "requirements.txt").read_text()
        assert f"\njupyterhub=={label}\n" in pins, image


def test_socket_proxy_policy_agrees_with_settings():
    policy = (ROOT / "socket-proxy/policy.lua").read_text()
    assert f'local DEFAULT_IMAGE = "{st.DEFAULT_IMAGE}"' in policy


def test_hsts_only_with_own_certificate():
    assert load().hsts_max_age == 0
    assert load(HSTS_MAX_AGE="600").response_headers == {}  # self-signed: never
    own = load(TLS_CERT_FILE="fullchain.pem")
    assert own.response_headers == {"Strict-Transport-Security": "max-age=31536000"}
    assert load(TLS_CERT_FILE="c.pem", HSTS_MAX_AGE="0").response_headers == {}
    both = load(TLS_CERT_FILE="c.pem", EMBED_ALLOWED_ORIGINS="https://a.org").response_headers
    assert set(both) == {"Strict-Transport-Security", "Content-Security-Policy"}
