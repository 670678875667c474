"""Campaigns keep requesters from deciding reviews of their own images (on by default, existing
campaigns included)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0007_custom_model_unknown_base"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="requesters_cannot_approve",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Whoever generated an image or asked for its review can't approve, reject or "
                    "ask for changes to it: another approver decides."
                ),
                verbose_name="Requesters cannot approve their own images",
            ),
        ),
    ]
