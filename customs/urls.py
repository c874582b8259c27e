"""Routes of the customs feed: ``api`` under /api/v1/ (ims_portal/urls.py)."""

from django.urls import path

from customs import api as feed

api = [
    path("customs/boe", feed.BoeFeedApi.as_view(), name="api_customs_boe"),
    path("customs/boe/uploads", feed.BoeUploadApi.as_view(), name="api_customs_boe_upload"),
]

pages: list = []
