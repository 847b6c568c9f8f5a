"""NativeAuthenticator whose admin accounts exist before anyone can sign up.

Stock NativeAuthenticator pre-approves a sign-up whose name is in admin_users,
so whoever signs up as "admin" first owns the hub. Here every admin account that
does not exist yet is created at startup with a random password, which is shown
once in the hub's log. Nothing is ever overwritten: an existing account keeps
its password.
"""

import secrets

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo

BANNER = """
==============================================================================
 Initial password for admin user {name!r}: {password}
 It is shown only this once. Log in at /hub/login and change it at
 /hub/change-password.
==============================================================================
"""


class StackNativeAuthenticator(NativeAuthenticator):
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
