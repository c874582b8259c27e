"""Routes of the GSTN-compatible API, at the site root under /taxpayerapi/ as GSPs call GSTN, and the 2B
download page."""

from django.urls import path

from gstn import api, views

taxpayerapi = [
    path("taxpayerapi/<str:version>/returns/ims", api.ImsApi.as_view(), name="gstn_ims"),
    path("taxpayerapi/<str:version>/returns/gstr2b", api.Gstr2bApi.as_view(), name="gstn_gstr2b"),
    path("taxpayerapi/<str:version>/returns/gstr1", api.Gstr1Api.as_view(), name="gstn_gstr1"),
    path("taxpayerapi/<str:version>/returns", api.ReturnsApi.as_view(), name="gstn_returns"),
]

pages = [
    path("g/<str:gstin>/gstr2b/<str:period>/gstn.json", views.gstr2b_gstn_json, name="gstr2b_gstn_json"),
]
