"""Create the role groups. Their permissions are set after every migrate by qms.roles.sync_roles,
which reads the role table; the names are repeated here so this migration never changes."""

from django.db import migrations

ROLE_GROUPS = [
    "Yönetim Temsilcisi",
    "Üst Yönetim",
    "İç Tetkikçi",
    "Eğitim Koordinatörü",
    "Kalite Değerlendirici",
    "Çağrı Merkezi Temsilcisi",
    "Birim Yöneticisi",
    "Personel",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
