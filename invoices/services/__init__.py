"""Services write: saving, deleting and filing supplier documents, and large uploads."""

from .documents import (
    MAX_SYNC_DOCUMENTS,
    document_delete,
    documents_save,
    documents_target,
    records_for_new_recipient,
)
from .filing import gstr1_summary, return_file

__all__ = [
    "MAX_SYNC_DOCUMENTS",
    "document_delete",
    "documents_save",
    "documents_target",
    "gstr1_summary",
    "records_for_new_recipient",
    "return_file",
]
