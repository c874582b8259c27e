"""Request-wide duties that no single app owns."""

from django.conf import settings

from invoices.services.iff_closing import close_due_iffs


class IffClosingMiddleware:
    """R-2.1: from 00:00 IST on the 14th every reader sees a closed IFF's documents in the quarterly GSTR-1
    (pages and both APIs), whether or not the scheduled task has run and whatever the sandbox clock did.
    Costs one indexed query per request when nothing is due."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        if not request.path.startswith(self.skip):
            close_due_iffs()
        return self.get_response(request)
