from django.contrib import admin

from choujian.core.admin import LedgeredAdmin
from choujian.planning.models import ConflictDeclaration, InspectorQualification


@admin.register(InspectorQualification)
class InspectorQualificationAdmin(LedgeredAdmin):
    list_display = ["inspector", "category", "valid_until"]
    list_filter = ["category"]
    search_fields = ["inspector__username", "inspector__display_name"]
    autocomplete_fields = ["inspector"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(LedgeredAdmin):
    list_display = ["inspector", "enterprise", "reason"]
    search_fields = ["inspector__username", "enterprise__name", "enterprise__uscc"]
    autocomplete_fields = ["inspector", "enterprise"]
