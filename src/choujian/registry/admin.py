from django.contrib import admin

from choujian.registry.models import Enterprise, ProductCategory


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "standard"]
    search_fields = ["code", "name"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Read-only here: enterprises are edited on the registry pages, whose services check region and version."""

    list_display = ["name", "uscc", "region", "status"]
    search_fields = ["name", "uscc"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
