"""NativeAuthenticator whose admin accounts exist before anyone can sign up.

Two fixes over NativeAuthenticator 1.3.0, its latest release:

Admin accounts. Stock NativeAuthenticator pre-approves a sign-up whose name is in admin_users,
so whoever signs up as "admin" first owns the hub. Here every admin account that
does not exist yet is created at startup with a random password, which is shown
once in the hub's log. Nothing is ever overwritten: an existing account keeps
its password.

JupyterHub 6. Its login handler times logins with the `statsd` client that
JupyterHub 6 removed, so every login fails with HTTP 500; and it cannot render
JupyterHub's error page. LoginHandler below is the same handler without either
problem.
"""

import secrets

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator import handlers as native_handlers
from nativeauthenticator.orm import UserInfo
from tornado.escape import url_escape
from tornado.httputil import url_concat

BANNER = """
==============================================================================
 Initial password for admin user {name!r}: {password}
 It is shown only this once. Log in at /hub/login and change it at
 /hub/change-password.
==============================================================================
"""


class LoginHandler(native_handlers.LoginHandler):
    def _render(self, login_error=None, username=None, **kwargs):
        # kwargs: JupyterHub passes sync=True (and the error's details) when
        # it renders an error on this page.
        return self.render_template(
            "native-login.html",
            next=url_escape(self.get_argument("next", default="")),
            username=username,
            login_error=login_error,
            custom_html=self.authenticator.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
            authenticator_login_url=url_concat(
                self.authenticator.login_url(self.hub.base_url), {"next": self.get_argument("next", "")}
            ),
            **{k: v for k, v in kwargs.items() if k == "sync"},
        )

    async def post(self):
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        error = "Invalid username or password."
        username = data.get("username", "")
        info = self.authenticator.get_user(username)
        if info is not None and not info.is_authorized and info.is_valid_password(data.get("password", "")):
            error = f"User {username} has not been authorized by an administrator yet."
        self.finish(await self._render(login_error=error, username=username))


class StackNativeAuthenticator(NativeAuthenticator):
    def get_handlers(self, app):
        return [(path, LoginHandler if path == r"/login" else h) for path, h in super().get_handlers(app)]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in sorted(self.admin_users):
            if self.get_user(name) is None:
                self._create_admin(name)

    def _create_admin(self, name: str) -> None:
        password = secrets.token_urlsafe(15)
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
        self.db.add(UserInfo(username=name, password=hashed, is_authorized=True))
        self.db.commit()
        # print, not the logger: the banner must not be reformatted or filtered by level.
        print(BANNER.format(name=name, password=password), flush=True)
