import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("spaces", "0003_bounded_inputs"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="home_building",
            field=models.ForeignKey(
                blank=True,
                help_text="Booking, the day view and check-in start with this building.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="spaces.building",
                verbose_name="home building",
            ),
        ),
    ]
