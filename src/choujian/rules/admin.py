"""The admin writes rule sets through the services too: checked by `schema`, version-checked and ledgered."""

import yaml
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from choujian.core.errors import ServiceError
from choujian.registry.models import ProductCategory
from choujian.rules import policy, schema, services
from choujian.rules.choices import RuleSetStatus
from choujian.rules.models import RuleSet


class RuleSetForm(forms.ModelForm):
    document = forms.CharField(
        label="细则内容（YAML）",
        widget=forms.Textarea(attrs={"rows": 40, "cols": 120, "spellcheck": "false"}),
        help_text="格式见 choujian-rules/1；类别和版本号创建后不能修改，修正已发布的细则请新建版本。",
    )

    class Meta:
        model = RuleSet
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["document"].initial = yaml.safe_dump(self.instance.content, allow_unicode=True, sort_keys=False)

    def _post_clean(self) -> None:
        # The form only carries the document; the services build, check (full_clean) and save the row.
        pass

    def clean_document(self) -> dict:
        try:
            content = schema.validate(schema.parse_text(self.cleaned_data["document"]))
        except schema.SchemaError as exc:
            raise ValidationError([str(p) for p in exc.problems]) from None
        code, version = content["category"]["code"], content["version"]
        if self.instance.pk:
            if (code, version) != (self.instance.category.code, self.instance.rule_version):
                raise ValidationError("不能修改细则的产品类别或版本号，请另建新版本")
        else:
            if not ProductCategory.objects.filter(code=code).exists():
                raise ValidationError(f"产品类别“{code}”不存在")
            if RuleSet.objects.filter(category__code=code, rule_version=version).exists():
                raise ValidationError(f"{code} 已有版本 {version}")
        return content


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    list_display = ["category", "rule_version", "title", "effective_date", "status", "source_file"]
    list_filter = ["status", "category"]
    search_fields = ["title", "rule_version", "category__code", "category__name"]
    readonly_fields = ["category", "rule_version", "title", "effective_date", "status", "content_sha256", "source_file"]
    actions = ["activate", "retire"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and policy.can_edit_rules(request.user)

    def has_change_permission(self, request, obj=None):
        if not (super().has_change_permission(request, obj) and policy.can_edit_rules(request.user)):
            return False
        return obj is None or obj.status in RuleSetStatus.EDITABLE

    def has_delete_permission(self, request, obj=None):
        return False  # reports cite rule versions: retire a version instead

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        content = form.cleaned_data["document"]
        try:
            if change:
                saved = services.ruleset_update(
                    actor=request.user, ruleset=RuleSet.objects.get(pk=obj.pk), content=content, version=obj.version
                )
            else:
                saved = services.ruleset_create(actor=request.user, content=content)
        except ServiceError as exc:
            raise PermissionDenied(str(exc)) from None
        for f in RuleSet._meta.concrete_fields:  # the admin goes on with `obj` (messages, redirect)
            setattr(obj, f.attname, getattr(saved, f.attname))
        obj._state.adding = False

    def _transition(self, request, queryset, service, done: str) -> None:
        for ruleset in queryset:
            try:
                service(actor=request.user, ruleset=ruleset, version=ruleset.version)
            except (ServiceError, PermissionDenied) as exc:
                self.message_user(request, f"{ruleset}：{exc}", messages.ERROR)
            else:
                self.message_user(request, f"{ruleset}：{done}", messages.SUCCESS)

    @admin.action(description="启用所选草拟细则")
    def activate(self, request, queryset):
        self._transition(request, queryset, services.ruleset_activate, "已启用")

    @admin.action(description="废止所选现行细则")
    def retire(self, request, queryset):
        self._transition(request, queryset, services.ruleset_retire, "已废止")
