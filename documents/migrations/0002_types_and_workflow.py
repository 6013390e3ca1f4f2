"""The nine document types with their code prefixes, and the default two-step approval workflow
(unit manager reviews, management representative approves), which an administrator can change
under Ayarlar → İş akışları."""

from django.db import migrations

TYPES = [
    # kind, prefix, review interval (months), retention (years)
    ("quality_manual", "KEK", 12, 10),
    ("procedure", "PR", 12, 10),
    ("work_instruction", "TL", 12, 10),
    ("form", "FR", 12, 10),
    ("plan", "PL", 12, 5),
    ("list", "LS", 12, 5),
    ("service_standard", "HS", 12, 10),
    ("policy", "PO", 12, 10),
    ("external", "DD", 12, 10),
]

REVIEW_GROUP = "Birim Yöneticisi"
APPROVE_GROUP = "Yönetim Temsilcisi"


def forwards(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for order, (kind, prefix, interval, retention) in enumerate(TYPES):
        DocumentType.objects.get_or_create(
            kind=kind,
            defaults={"prefix": prefix, "review_interval_months": interval, "retention_years": retention,
                      "sort_order": order},
        )

    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    Task = apps.get_model("documents", "DocumentApprovalTask")

    document_ct, _ = ContentType.objects.get_or_create(app_label="documents", model="document")
    task_ct, _ = ContentType.objects.get_or_create(app_label="documents", model="documentapprovaltask")
    if WorkflowContentType.objects.filter(content_type=document_ct).exists():
        return
    workflow = Workflow.objects.create(name="Doküman onayı", active=True)
    for order, (name, group_name) in enumerate(
        [("Birim yöneticisi incelemesi", REVIEW_GROUP), ("Yönetim temsilcisi onayı", APPROVE_GROUP)]
    ):
        group, _ = Group.objects.get_or_create(name=group_name)
        task = Task.objects.create(name=name, active=True, content_type=task_ct)
        task.groups.set([group])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    WorkflowContentType.objects.create(workflow=workflow, content_type=document_ct)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
