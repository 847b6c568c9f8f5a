"""A CSP report endpoint that accepts what browsers actually send.

JupyterHub's /hub/security/csp-report requires a login and an xsrf token, so
every report a browser posts (anonymously, without a token) gets 403 and is
lost. This handler takes them, logs them (size-capped) and counts them in the
same Prometheus metric; it does nothing else, so accepting anonymous posts is
safe.
"""

from jupyterhub import handlers
from jupyterhub.handlers.base import BaseHandler, CSPReportHandler
from jupyterhub.metrics import CSP_REPORT_COUNT

MAX_REPORT = 8 * 1024


class AnonymousCSPReportHandler(BaseHandler):
    def check_xsrf_cookie(self):
        """Browsers send reports without a token; there is nothing to forge here."""

    def post(self):
        body = self.request.body[:MAX_REPORT].decode("utf8", "replace")
        self.log.warning("Content security violation: %s", body)
        CSP_REPORT_COUNT.inc()
        self.set_status(204)


def install() -> None:
    """Swap the handler into JupyterHub's routes; call from the config file, before routes are built."""
    handlers.default_handlers[:] = [
        (pattern, AnonymousCSPReportHandler if handler is CSPReportHandler else handler, *rest)
        for pattern, handler, *rest in handlers.default_handlers
    ]
