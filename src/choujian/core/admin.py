"""Admin pages write through the ledger too: a change made in the admin is no change behind the platform's back."""

from django.contrib import admin
from django.db import transaction

from choujian.ledger.services import ledger_append


class LedgeredAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if change:
                obj.version = (obj.version or 0) + 1
            super().save_model(request, obj, form, change)
            event = "updated" if change else "created"
            ledger_append(
                type=f"{obj.ledger_kind}.admin_{event}",
                actor=request.user,
                object=obj,
                data={"changed": sorted(form.changed_data)},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            ledger_append(type=f"{obj.ledger_kind}.admin_deleted", actor=request.user, object=obj, deleted=True)
            super().delete_model(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Bulk deletes in the admin bypass delete_model, so only single deletes (which are ledgered) are allowed.
        return super().has_delete_permission(request, obj) and obj is not None

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
