from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("review", "0003_lr6_objection_collective")]

    operations = [
        ProtectTable("review_objection"),
        ProtectTable("review_rereview"),
        ProtectTable("review_deliberationroom"),
        ProtectTable("review_collectivedecision"),
    ]
