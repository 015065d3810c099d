"""Forms for the registry pages; each one only shapes input, services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from choujian.accounts.choices import OrganisationKind
from choujian.accounts.selectors import active_organisations
from choujian.core.dates import DateFormField
from choujian.registry.choices import DocumentKind
from choujian.registry.choices_search import SearchableSelect, product_choice_label
from choujian.registry.models import Delivery, Enterprise, Product, Project, Section


class VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EnterpriseForm(VersionedForm):
    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "region", "address", "licence_no", "status"]


class ProductForm(VersionedForm):
    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprises is not None:
            self.fields["enterprise"].queryset = enterprises

    class Meta:
        model = Product
        fields = ["enterprise", "category", "name", "brand", "model_spec", "standard", "status"]
        widgets = {"enterprise": SearchableSelect("enterprise")}


class ProjectForm(VersionedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_organisations(OrganisationKind.KIND_OWNER)

    class Meta:
        model = Project
        fields = ["name", "owner", "region", "latitude", "longitude"]


class SectionForm(VersionedForm):
    class Meta:
        model = Section
        fields = ["project", "name", "contractor", "supervisor", "contract_price"]


class DeliveryForm(VersionedForm):
    def __init__(self, *args, sections=None, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sections is not None:
            self.fields["section"].queryset = sections
        if products is not None:
            self.fields["product"].queryset = products
        self.fields["product"].label_from_instance = product_choice_label

    class Meta:
        model = Delivery
        fields = ["section", "product", "batch_no", "quantity", "unit", "delivered_on"]
        field_classes = {"delivered_on": DateFormField}
        widgets = {"product": SearchableSelect("product")}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv，UTF-8/GBK）"))
    update = forms.BooleanField(
        label=_("更新已登记的记录"),
        required=False,
        help_text=_(
            "文件中已登记的记录（企业按统一社会信用代码，产品和项目按导出文件中的平台编号）按文件内容修改，其余行新登记；先预览，确认后才写入"
        ),
    )

    def __init__(self, *args, updatable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not updatable:
            del self.fields["update"]


class ImportConfirmForm(forms.Form):
    token = forms.CharField(max_length=64)
    digest = forms.CharField(max_length=64)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("文件类型"), choices=DocumentKind.CHOICES)
    file = forms.FileField(
        label=_("文件（PDF 或图片，≤ 20 MB）"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*"})
    )
