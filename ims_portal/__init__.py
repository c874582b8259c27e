# Load the Celery app with Django so @shared_task binds to it (worker, beat and web alike).
from ims_portal.celery import app as celery_app

__all__ = ("celery_app",)
