"""Files a job reads or leaves (an uploaded workbook, an error workbook), under ``MEDIA_ROOT/jobfiles``: the
web process writes an upload, the worker reads it and writes its results, the web process serves them back
through an access-checked job URL. In production both processes mount the same volume."""

from pathlib import Path

from django.conf import settings


def jobfiles_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "jobfiles"


def job_file_url(job_id: int, name: str) -> str:
    return f"/api/v1/jobs/{job_id}/files/{name}"


def job_file_write(job_id: int, name: str, write) -> str:
    """A job's file ``name`` written by ``write(file)``; its download URL."""
    folder = jobfiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{job_id}-{name}", "wb") as fh:
        write(fh)
    return job_file_url(job_id, name)


def job_file_path(job_id: int, name: str) -> Path | None:
    """The stored file ``name`` of a job (``errors.xlsx``), or None. Only plain names: never a path."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = jobfiles_dir() / f"{job_id}-{name}"
    return path if path.is_file() else None
