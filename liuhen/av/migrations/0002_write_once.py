from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("av", "0001_initial")]

    operations = [
        ProtectTable("av_mediaitem"),
        ProtectTable("av_mediasource"),
        ProtectTable("av_attribution"),
    ]
