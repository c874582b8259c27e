"""Routes of the jobs app: ``api`` under /api/v1/, ``pages`` at the site root (ims_portal/urls.py)."""

from django.urls import path

import core.converters  # noqa: F401 (the "id" path converter)
from jobs import api as job_api
from jobs import views

api = [
    path("jobs/<id:job_id>", job_api.JobApi.as_view(), name="api_job"),
    path("jobs/<id:job_id>/files/<str:name>", job_api.JobFileApi.as_view(), name="api_job_file"),
]

pages = [
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<id:job_id>", views.job_detail, name="job_detail"),
    path("jobs/<id:job_id>/progress", views.job_progress, name="job_progress"),
]
