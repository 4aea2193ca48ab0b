"""The "Front desk" and "Manager" groups with exactly the permissions in staff.roles."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from staff.roles import sync_roles

    sync_roles(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("staff", "0001_initial"),
        ("audit", "0001_initial"),
        ("accounts", "0001_initial"),
        ("spaces", "0003_bounded_inputs"),
        ("bookings", "0004_notification_updated"),
        ("visits", "0001_initial"),
        ("donations", "0002_rejected_by"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
