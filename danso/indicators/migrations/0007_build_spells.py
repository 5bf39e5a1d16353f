"""Build the register's spells (``StaySpell``, ``WomanSpell``) from the register already
stored: from now on they are kept with every write (``indicators.spells``)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def build(apps: Any, schema_editor: Any) -> None:
    if not apps.get_model("register", "Person").objects.exists():
        return  # a new database: nothing to build
    from danso.indicators import spells

    spells.rebuild()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0006_spells"), ("register", "0011_duplicate_candidates")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
