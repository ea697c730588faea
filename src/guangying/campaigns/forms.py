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
# First parts of /c/… addresses that are not campaigns (campaigns/urls.py): a campaign
# with such a slug would have its page or its desk answered by another view.
RESERVED_SLUGS = {"new", "join", "invitation"}


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
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("这个网址标识是平台保留的，请换一个。"))
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
        widget=forms.Textarea(
            # Translations must stay header words that unit_import.HEADER_WORDS recognises.
            attrs={"rows": 8, "placeholder": _("单位名称\t联系人\t联系电话\t邮箱\t报送上限")}
        ),
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
        if "spreadsheet" in self.errors:  # a file was chosen; its own error says what is wrong
            return data
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


class BasicSettingsForm(forms.Form):
    """The values offices change most, without touching the YAML."""

    title = forms.CharField(label=_("活动名称"), max_length=200)
    short_title = forms.CharField(label=_("简称"), max_length=60)
    opens = forms.DateField(label=_("报送开始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    closes = forms.DateField(label=_("报送截止日期（当天 24 时截止，北京时间）"),
                             widget=forms.DateInput(attrs={"type": "date"}))
    admits_units = forms.BooleanField(label=_("接受单位报送"), required=False)
    admits_individuals = forms.BooleanField(label=_("接受个人报送"), required=False)
    individual_requires_unit = forms.BooleanField(label=_("个人须填写所在单位"), required=False)
    quota_min = forms.IntegerField(label=_("每个报送主体至少报送（件）"), required=False, min_value=0,
                                   max_value=1000)
    quota_max = forms.IntegerField(label=_("每个报送主体最多报送（件）"), required=False, min_value=1,
                                   max_value=1000)
    series_allowed = forms.BooleanField(label=_("接受系列作品"), required=False)
    max_episodes = forms.IntegerField(label=_("系列最多集数"), required=False, min_value=1,
                                      max_value=500)

    def __init__(self, *args: Any, rules: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "title": rules.title, "short_title": rules.short_title,
            "opens": rules.submission.opens, "closes": rules.submission.closes,
            "admits_units": rules.admits("unit"), "admits_individuals": rules.admits("individual"),
            "individual_requires_unit": rules.entrants.individual_requires_unit,
            "quota_min": rules.quota.min, "quota_max": rules.quota.max,
            "series_allowed": rules.series.allowed, "max_episodes": rules.series.max_episodes,
        })
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.limit_fields: list[tuple[str, int]] = []
        for index, spec in enumerate(rules.form.fields):
            if spec.max_chars:
                name = f"limit_{spec.key}"
                self.fields[name] = forms.IntegerField(
                    label=_("「%(label)s」字数上限") % {"label": spec.label},
                    min_value=1, max_value=50_000, initial=spec.max_chars,
                )
                self.limit_fields.append((name, index))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("admits_units") and not data.get("admits_individuals"):
            raise forms.ValidationError(_("至少接受单位或个人中的一种报送主体。"))
        return data

    def changes(self) -> dict[tuple[str | int, ...], Any]:
        """Only what differs from the current rule set, so the YAML text moves as little as possible."""
        data, rules = self.cleaned_data, self.rules
        kinds = [k for k, on in (("unit", data["admits_units"]),
                                 ("individual", data["admits_individuals"])) if on]
        wanted: dict[tuple[str | int, ...], tuple[Any, Any]] = {
            ("title",): (data["title"], rules.title),
            ("short_title",): (data["short_title"], rules.short_title),
            ("submission", "opens"): (data["opens"], rules.submission.opens),
            ("submission", "closes"): (data["closes"], rules.submission.closes),
            ("entrants", "kinds"): (kinds, list(rules.entrants.kinds)),
            ("entrants", "individual_requires_unit"): (
                data["individual_requires_unit"], rules.entrants.individual_requires_unit),
            ("quota", "min"): (data["quota_min"], rules.quota.min),
            ("quota", "max"): (data["quota_max"], rules.quota.max),
            ("series", "allowed"): (data["series_allowed"], rules.series.allowed),
            ("series", "max_episodes"): (data["max_episodes"], rules.series.max_episodes),
        }
        for name, index in self.limit_fields:
            wanted[("form", "fields", index, "max_chars")] = (
                data[name], rules.form.fields[index].max_chars)
        return {path: new for path, (new, old) in wanted.items() if new != old}
