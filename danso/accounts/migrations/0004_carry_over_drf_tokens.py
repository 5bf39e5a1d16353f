"""Carry Django REST framework's tokens over into danso's ``ApiToken`` (data only).

Those tokens were stored as they are and never expired.  Each becomes an ``ApiToken``
holding only the SHA-256 of its key, so that the clients using it keep working for
``CARRIED_OVER_DAYS`` after the upgrade, time to be given a new token, and the key
itself leaves the database: the old row is deleted.  (Invalidating them outright would
have stopped every API client on the day of the upgrade, for no gain over a short
expiry: a key that had leaked was usable for ever before, and is now for 30 days at
most, or until an administrator revokes it on the user's page.)

Going back leaves the carried-over tokens where they are: their keys are not kept, so
the old rows cannot be made again; their clients need new tokens then.
"""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

#: danso.accounts.tokens.CARRIED_OVER_DAYS when this migration was written.
CARRIED_OVER_DAYS = 30


def carry_over(apps, schema_editor):  # type: ignore[no-untyped-def]
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires = timezone.now() + timedelta(days=CARRIED_OVER_DAYS)
    for old in Token.objects.all().iterator():
        ApiToken.objects.create(
            user_id=old.user_id,
            name=f"Token cũ, tạo ngày {timezone.localtime(old.created):%d/%m/%Y}",
            prefix=old.key[:8],
            key_hash=hashlib.sha256(old.key.encode()).hexdigest(),
            created_at=old.created,
            expires_at=expires,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_apitoken"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
