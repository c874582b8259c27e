"""The id of the request being served, for log lines (a logging filter) and error bodies. No Django
imports: logging is configured before the apps load."""

import contextvars
import logging

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request), for the log format."""

    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True
