"""Forms an organiser fills to set up a campaign, its units and its people."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guangying.accounts.forms import SignUpForm
from guangying.accounts.models import normalise_email
from guangying.rulesets import RuleSetError, list_presets, parse_ruleset_text
from guangying.submissions.forms import PhoneField
from guangying.submissions.text import clean_text

from .models import Campaign, CampaignRole, Entrant

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
MAX_RULESET_CHARS = 256 * 1024


def preset_choices() -> list[tuple[str, str]]:
    return [(p.key, f"{p.title}（{p.organiser}）") for p in list_presets()] + [
        ("", _("空白规则集（从头设置）"))
    ]


class CreateCampaignForm(forms.Form):
    preset = forms.ChoiceField(label=_("从哪里开始"), required=False, widget=forms.RadioSelect)
    slug = forms.CharField(
        label=_("网址标识"), max_length=60,
        help_text=_("用于网址，只能包含小写字母、数字和连字符，例如 hubei-2026"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = preset_choices()

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if not SLUG.match(slug):
            raise forms.ValidationError(_("网址标识只能包含小写字母、数字和连字符，3—60 个字符。"))
        if Campaign.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("这个网址标识已被其他活动使用。"))
        return slug


class RuleSetForm(forms.Form):
    """The rule set as YAML text: what the notice says, as data the checks read."""

    ruleset_text = forms.CharField(
        label=_("规则集"), strip=False,
        widget=forms.Textarea(attrs={"class": "code", "spellcheck": "false", "rows": 30}),
    )

    def clean_ruleset_text(self) -> str:
        text = self.cleaned_data["ruleset_text"].replace("\r\n", "\n")
        if len(text) > MAX_RULESET_CHARS:
            raise forms.ValidationError(_("规则集过长（超过 256 KB）。"))
        try:
            self.rules = parse_ruleset_text(text)
        except RuleSetError as error:
            raise forms.ValidationError(list(error.messages)) from None
        return text


class UnitImportForm(forms.Form):
    pasted = forms.CharField(
        label=_("粘贴单位名单"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "单位名称\t联系人\t联系电话\t邮箱\t报送上限"}),
        help_text=_(
            "每行一个单位，可直接从 Excel 复制；列依次为：单位名称、联系人、联系电话、邮箱、"
            "报送上限（除单位名称外均可留空）。"
        ),
        max_length=500_000,
    )
    spreadsheet = forms.FileField(
        label=_("或上传 Excel（.xlsx）"), required=False,
        help_text=_("第一行为表头（单位名称、联系人、联系电话、邮箱、报送上限），每行一个单位。"),
    )
    send_emails = forms.BooleanField(
        label=_("向填写了邮箱的单位发送邀请邮件"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("pasted") or "").strip() and not data.get("spreadsheet"):
            raise forms.ValidationError(_("请粘贴单位名单或选择一个 Excel 文件。"))
        return data


class EntrantForm(forms.ModelForm):
    contact_phone = PhoneField(label=_("联系电话"), max_length=30, required=False)

    class Meta:
        model = Entrant
        fields = ["name", "affiliation", "contact_name", "contact_phone", "contact_email",
                  "quota_min", "quota_max"]

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"], multiline=False)
        if not name:
            raise forms.ValidationError(_("请填写名称。"))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("quota_min"), data.get("quota_max")
        if low is not None and high is not None and low > high:
            self.add_error("quota_min", _("下限不能大于上限。"))
        return data


class StaffInviteForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=CampaignRole.Role.choices)
    email = forms.EmailField(label=_("电子邮箱"))
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    unit_name = forms.CharField(
        label=_("所在单位"), max_length=200, required=False,
        help_text=_("评审专家所在单位，分配评审时回避该单位的作品"),
    )

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class AffiliationForm(forms.Form):
    affiliation = forms.CharField(
        label=_("所在单位"), max_length=200,
        help_text=_("个人报送也须填写所在单位（学校、工作单位或社区）"),
    )

    def __init__(self, *args: Any, require_unit: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["affiliation"].required = require_unit

    def clean_affiliation(self) -> str:
        return clean_text(self.cleaned_data.get("affiliation", ""), multiline=False)


class IndividualSignUpForm(SignUpForm, AffiliationForm):
    """An individual entrant's account and the unit they name, in one step."""
