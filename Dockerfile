FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first so code edits do not reinstall them. Same lists as `make install`:
# [project] dependencies straight from pyproject.toml (the dev extra stays out of the image).
COPY pyproject.toml ./
RUN python -c 'import subprocess, sys, tomllib; \
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]; \
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *deps]))'

COPY . .

# The key only satisfies settings during the build; the running containers get SECRET_KEY from .env.
RUN mkdir -p static \
    && SECRET_KEY=collectstatic-only-build-key-0123456789 python manage.py collectstatic --noinput

# Unprivileged runtime user; it owns /app itself (not the code) so beat can write its schedule file.
# /app/media holds job files (a volume shared with the worker); a new volume copies this ownership.
RUN useradd --system --uid 1000 --home-dir /app ims && mkdir -p /app/media && chown ims:ims /app /app/media
USER ims

EXPOSE 8000
CMD ["gunicorn", "ims_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
