from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "choujian.draws"
    label = "draws"
    verbose_name = "双随机抽取"
