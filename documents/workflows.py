"""The end of an approved workflow (WAGTAIL_FINISH_WORKFLOW_ACTION)."""

from __future__ import annotations

from wagtail.workflows import publish_workflow_state


def finish_workflow(workflow_state, user=None):
    """A controlled document is published through its approval rule (`documents.services.revision_approve`),
    which receives the approved workflow state as its authority; anything else as Wagtail does."""
    from documents.models import Document

    obj = workflow_state.content_object
    if isinstance(obj, Document):
        obj.publish(obj.get_latest_revision(), user=user, approved_workflow_state=workflow_state)
        return
    publish_workflow_state(workflow_state, user=user)
