from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "choujian.registry"
    label = "registry"
    verbose_name = "登记信息"
