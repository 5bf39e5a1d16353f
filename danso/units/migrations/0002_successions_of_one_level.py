"""A successor is of its predecessor's level: drop the links from abolished districts to
the communes formed on 1/7/2025 that earlier reference loads derived (a ward would
otherwise stand for its whole former district)."""

from django.db import migrations
from django.db.models import F


def drop_cross_level(apps, schema_editor):  # type: ignore[no-untyped-def]
    UnitSuccession = apps.get_model("units", "UnitSuccession")
    UnitSuccession.objects.exclude(predecessor__level=F("successor__level")).delete()


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [
        # Not reversible by data: the links were wrong; reversing keeps the rows as they are.
        migrations.RunPython(drop_cross_level, migrations.RunPython.noop),
    ]
