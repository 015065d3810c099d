from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "choujian.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from choujian.core import checks  # noqa: F401  (registers the route check)

        # Each context declares its access rules in its own `policy` module; all of them must be known before the
        # first request asks.
        autodiscover_modules("policy")
        autodiscover_modules("chain")  # each context's steps of a spot check's chain (see core.chain)
        autodiscover_modules("flags")  # warnings about enterprises shown by the registry (see core.flags)
