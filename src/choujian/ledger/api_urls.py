from django.urls import path

from choujian.ledger import api

urlpatterns = [
    path("checkpoint", api.checkpoint, name="ledger-checkpoint"),
    path("key", api.key, name="ledger-key"),
    path("entries", api.entries, name="ledger-entries"),
    path("proof/inclusion", api.inclusion, name="ledger-inclusion"),
    path("proof/consistency", api.consistency, name="ledger-consistency"),
]
