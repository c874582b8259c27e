"""Services write: saving and filing supplier documents, and the recipient's IMS actions."""

from .actions import MAX_ACTIONS, ims_actions_apply
from .documents import MAX_SYNC_DOCUMENTS, document_delete, documents_save, records_for_new_recipient
from .filing import gstr1_summary, return_file

__all__ = [
    "MAX_ACTIONS",
    "MAX_SYNC_DOCUMENTS",
    "document_delete",
    "documents_save",
    "gstr1_summary",
    "ims_actions_apply",
    "records_for_new_recipient",
    "return_file",
]
