from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [
        ProtectTable("retention_legalhold"),
        ProtectTable("retention_holdrelease"),
        ProtectTable("retention_offlinecopy"),
        ProtectTable("retention_disposalrequest"),
        ProtectTable("retention_disposalitem"),
        ProtectTable("retention_disposalapproval"),
        ProtectTable("retention_tombstone"),
    ]
