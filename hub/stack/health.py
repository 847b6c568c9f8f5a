"""Container healthcheck: exit 0 when the hub answers /hub/health."""

import sys
import urllib.request

from stack.settings import load

try:
    base_url = load(read_secrets=False).base_url
    urllib.request.urlopen(f"http://127.0.0.1:8081{base_url}hub/health", timeout=4)
except Exception as e:  # any failure means unhealthy; say why in `docker inspect`
    print(f"unhealthy: {e}")
    sys.exit(1)
