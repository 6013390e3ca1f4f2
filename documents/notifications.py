"""Wagtail's "submitted for review" e-mail, limited to the people who may act on the document.

Wagtail mails every member of a step's groups; for a document that would tell every unit manager
of the municipality about another unit's (perhaps restricted) draft. This notifier takes Wagtail's
place (same signal, same dispatch_uid, connected first by `DocumentsConfig.ready`) and, for a
controlled document, keeps only the recipients `DocumentApprovalTask` lets act on it.
"""

from __future__ import annotations

from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier


class ScopedTaskSubmissionNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    def get_recipient_users(self, task_state, **kwargs):
        from documents.models import Document, DocumentApprovalTask

        recipients = super().get_recipient_users(task_state, **kwargs)
        task = task_state.task.specific
        document = task_state.workflow_state.content_object
        if not (isinstance(task, DocumentApprovalTask) and isinstance(document, Document)):
            return recipients
        return {user for user in recipients if task.refusal(document, user) is None}


def connect() -> None:
    from wagtail.models import TaskState
    from wagtail.signals import task_submitted

    task_submitted.connect(
        ScopedTaskSubmissionNotifier(),
        sender=TaskState,
        # Wagtail's own dispatch_uid: connected first, Wagtail's later connect is a no-op.
        dispatch_uid="group_approval_task_submitted_email_notification",
    )
