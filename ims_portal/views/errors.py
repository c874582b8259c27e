"""The pages a browser gets when something is missing or broken: the same words as the API's error body,
and for a 500 the request id to quote (the log line carries it too)."""

from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "404.html", {"request_id": getattr(request, "id", "")}, status=404)


def server_error(request):
    return render(request, "500.html", {"request_id": getattr(request, "id", "")}, status=500)
