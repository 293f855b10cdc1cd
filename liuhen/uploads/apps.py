from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "liuhen.uploads"
    label = "uploads"
    verbose_name = "断点续传上传"
