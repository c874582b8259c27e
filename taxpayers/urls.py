"""Routes of the taxpayers app: ``api`` under /api/v1/ (ims_portal/urls.py)."""

from django.urls import path

from taxpayers.api import auth, members, taxpayers, users

api = [
    path("auth/token", auth.TokenApi.as_view(), name="api_token"),
    path("taxpayers", taxpayers.TaxpayerListApi.as_view(), name="api_taxpayers"),
    path("taxpayers/<str:gstin>", taxpayers.TaxpayerDetailApi.as_view(), name="api_taxpayer"),
    path("taxpayers/<str:gstin>/frequency", taxpayers.FrequencyApi.as_view(), name="api_taxpayer_frequency"),
    path("taxpayers/<str:gstin>/members", members.MemberListApi.as_view(), name="api_members"),
    path(
        "taxpayers/<str:gstin>/members/<str:username>", members.MemberDetailApi.as_view(), name="api_member"
    ),
    path("users", users.UserCreateApi.as_view(), name="api_users"),
]
