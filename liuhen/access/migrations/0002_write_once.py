from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [
        ProtectTable("access_accessrequest"),
        ProtectTable("access_decision"),
        ProtectTable("access_grantend"),
    ]
