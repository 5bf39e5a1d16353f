"""Carry the reads (PersonAccess) and exports (PersonalDataExport) logged so far into the
access log, with the Vietnamese names of their screens."""

from django.db import migrations

WHERE = {"person page": "person", "household sheet": "household", "API": "api_person"}


def carry(apps, schema_editor):  # type: ignore[no-untyped-def]
    PersonAccess = apps.get_model("register", "PersonAccess")
    PersonalDataExport = apps.get_model("register", "PersonalDataExport")
    Membership = apps.get_model("register", "Membership")
    AccessLog = apps.get_model("register", "AccessLog")
    AccessLogPerson = apps.get_model("register", "AccessLogPerson")
    AccessLogUnit = apps.get_model("register", "AccessLogUnit")
    for read in PersonAccess.objects.order_by("pk").iterator():
        entry = AccessLog.objects.create(
            kind="read",
            user_id=read.user_id,
            at=read.at,
            where=WHERE.get(read.what, "person"),
            description=read.what,
            count=1,
        )
        AccessLogPerson.objects.create(log=entry, person_id=read.person_id)
        stay = (
            Membership.objects.filter(person_id=read.person_id)
            .order_by("-valid_from", "-pk")
            .select_related("household")
            .first()
        )
        if stay is not None:
            AccessLogUnit.objects.create(log=entry, unit_id=stay.household.unit_id)
    for export in PersonalDataExport.objects.order_by("pk").iterator():
        entry = AccessLog.objects.create(
            kind="export",
            user_id=export.user_id,
            at=export.at,
            where="export_screen" if export.user_id else "export_command",
            description=export.description,
            count=export.rows,
        )
        AccessLogUnit.objects.create(log=entry, unit_id=export.unit_id)


class Migration(migrations.Migration):
    dependencies = [("register", "0002_access_log")]

    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
