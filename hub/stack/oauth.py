"""Small hooks for OAuthenticator: which claim names the user, and tokens for their server."""

from collections.abc import Callable

# Tried in order after the configured claim: not every provider sends every claim.
FALLBACK_CLAIMS = ("preferred_username", "email", "sub")


def username_from(claim: str) -> Callable[[dict], str | None]:
    def username(userinfo: dict) -> str | None:
        for key in (claim, *FALLBACK_CLAIMS):
            value = userinfo.get(key)
            if value:
                return str(value)
        return None

    return username


def pass_tokens(spawner, auth_state: dict | None) -> None:
    """Give the user's server their provider tokens (OAUTH_PASS_TOKENS=true), refreshed before each spawn."""
    if not auth_state:
        return
    for key, env in (("access_token", "OAUTH_ACCESS_TOKEN"), ("id_token", "OAUTH_ID_TOKEN")):
        if auth_state.get(key):
            spawner.environment[env] = auth_state[key]
