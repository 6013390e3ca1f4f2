"""Create the role groups of call QA (issue 8): the QA lead and the team lead. Permissions follow from
the role table (qms.roles.sync_roles) after every migrate; the names are repeated here so this
migration never changes."""

from django.db import migrations

ROLE_GROUPS = [
    "Çağrı Kalite Sorumlusu",
    "Takım Lideri",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0004_clause_catalogue"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
