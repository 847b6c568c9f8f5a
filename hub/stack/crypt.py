"""Keys the hub makes on first start and keeps on its volume (never in an image)."""

import os
import secrets
from pathlib import Path


def crypt_key(env: dict[str, str], data_dir: Path) -> bytes:
    """The key that encrypts auth state (users' OAuth tokens) in the database.

    JUPYTERHUB_CRYPT_KEY wins (hex, 64 characters); otherwise a key generated
    on first start into the hub's data volume, readable by the hub only. Losing
    it only means users log in again: their stored tokens become unreadable.
    """
    given = env.get("JUPYTERHUB_CRYPT_KEY", "").strip()
    if given:
        return bytes.fromhex(given)
    path = data_dir / "jupyterhub_crypt_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
