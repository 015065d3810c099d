from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from choujian.accounts.models import User


@admin.register(User)
class ChoujianUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "is_active", "is_staff"]
    search_fields = ["username", "display_name"]
    fieldsets = UserAdmin.fieldsets + (("抽检", {"fields": ("display_name", "phone", "two_factor_exempt")}),)
