"""The work's form, built from the campaign's rule set.

Hubei's 作品信息表 and Chongqing's 作品登记表 differ in rows, limits and
hints; both come from `rules.form.fields`. A draft may be incomplete, but
it never stores text over a limit: the person keeps what they typed on the
page and sees how many characters to cut.
"""

import re
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guangying.rulesets import RuleSet

from .models import Work
from .text import clean_text, count_chars

MAX_PEOPLE = 30
HARD_TEXT_LIMIT = 50_000  # characters; anything longer is not a form but an attack
PHONE = re.compile(r"^[0-9０-９+＋\-－()（） 转#]{5,40}$")
DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+)\s*(?:小时|时|:|：))?\s*(?:(?P<m>\d+)\s*(?:分钟|分|:|：|'|′))?\s*"
    r"(?:(?P<s>\d+)\s*(?:秒钟|秒|\"|″)?)?\s*$"
)


def parse_duration(text: str) -> int | None:
    """Seconds from what people write: 4分30秒, 4:30, 04:30, 270秒, 1:02:03."""
    text = clean_text(text, multiline=False).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not text:
        return None
    parts = re.split(r"[:：]", text)
    if len(parts) in (2, 3) and all(p.strip().isdigit() for p in parts):
        numbers = [int(p) for p in parts]
        while len(numbers) < 3:
            numbers.insert(0, 0)
        h, m, s = numbers
        if m >= 60 or s >= 60:
            return None
        return h * 3600 + m * 60 + s
    match = DURATION.match(text)
    if not match or not any(match.group(g) for g in ("h", "m", "s")):
        return None
    h, m, s = (int(match.group(g) or 0) for g in ("h", "m", "s"))
    if s >= 60 and (h or m):
        return None
    return h * 3600 + m * 60 + s


def format_duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours}小时{minutes}分{secs}秒"
    return f"{minutes}分{secs}秒" if minutes else f"{secs}秒"


def limit_message(label: str, limit: int, used: int) -> str:
    return _("「%(label)s」限 %(limit)s 字，现为 %(used)s 字，请删减 %(over)s 字。") % {
        "label": label, "limit": limit, "used": used, "over": used - limit,
    }


class LimitedTextField(forms.CharField):
    """Text counted as Word's 字数 counts it."""

    def __init__(self, *, max_chars: int | None, multiline: bool, **kwargs: Any) -> None:
        self.max_chars = max_chars
        self.multiline = multiline
        kwargs.setdefault("max_length", HARD_TEXT_LIMIT)
        super().__init__(strip=False, **kwargs)
        if max_chars:
            self.widget.attrs["data-max-chars"] = str(max_chars)

    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value), multiline=self.multiline)

    def validate(self, value: str) -> None:
        super().validate(value)
        if self.max_chars and value:
            used = count_chars(value)
            if used > self.max_chars:
                raise forms.ValidationError(limit_message(str(self.label), self.max_chars, used))


class PeopleWidget(forms.Widget):
    template_name = "submissions/widgets/people.html"

    def __init__(self, columns: list[Any], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.columns = columns

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        rows = []
        for index in range(MAX_PEOPLE + 1):
            row = {c.key: data.get(f"{name}-{index}-{c.key}", "") for c in self.columns}
            present = any(f"{name}-{index}-{c.key}" in data for c in self.columns)
            if not present:
                continue
            rows.append(row)
        return rows

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        rows = [r for r in (value or []) if isinstance(r, dict)]
        rows.append({})  # one empty row to type into
        context["widget"]["columns"] = self.columns
        context["widget"]["rows"] = [
            [(c, f"{name}-{i}-{c.key}", row.get(c.key, "")) for c in self.columns]
            for i, row in enumerate(rows)
        ]
        context["widget"]["max_rows"] = MAX_PEOPLE
        return context


class PeopleField(forms.Field):
    """Several people, each a row of the notice's columns (姓名、职务、联系方式)."""

    def __init__(self, *, columns: list[Any], min_items: int = 0, max_items: int | None = None,
                 **kwargs: Any) -> None:
        self.columns = columns
        self.min_items = min_items
        self.max_items = min(max_items or MAX_PEOPLE, MAX_PEOPLE)
        super().__init__(widget=PeopleWidget(columns), **kwargs)

    def to_python(self, value: Any) -> list[dict[str, str]]:
        rows = []
        for row in value or []:
            cleaned = {c.key: clean_text(row.get(c.key, ""), multiline=False) for c in self.columns}
            if any(cleaned.values()):
                rows.append(cleaned)
        return rows

    def validate(self, value: list[dict[str, str]]) -> None:
        if self.required and not value:
            raise forms.ValidationError(_("请至少填写一人。"))
        errors = []
        if len(value) > self.max_items:
            errors.append(_("最多填写 %(n)s 人。") % {"n": self.max_items})
        for index, row in enumerate(value, start=1):
            first = self.columns[0]
            if not row.get(first.key):
                errors.append(_("第 %(i)s 行缺少「%(c)s」。") % {"i": index, "c": first.label})
            for column in self.columns:
                limit = getattr(column, "max_chars", None)
                text = row.get(column.key, "")
                if limit and count_chars(text) > limit:
                    errors.append(
                        _("第 %(i)s 行「%(c)s」超过 %(n)s 字。")
                        % {"i": index, "c": column.label, "n": limit}
                    )
                if ("phone" in column.key or "contact" in column.key) and text and not PHONE.match(
                    text
                ) and "@" not in text:
                    errors.append(
                        _("第 %(i)s 行「%(c)s」应为电话号码或邮箱。")
                        % {"i": index, "c": column.label}
                    )
        if errors:
            raise forms.ValidationError(errors)


class BroadcastWidget(forms.Widget):
    template_name = "submissions/widgets/broadcast.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {
            "status": data.get(f"{name}-status", ""),
            "platform": data.get(f"{name}-platform", ""),
            "link": data.get(f"{name}-link", ""),
        }

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"]["data"] = value if isinstance(value, dict) else {}
        return context


class BroadcastField(forms.Field):
    """播出情况: 已播出 with the most-viewed platform and its link, or 未播出."""

    widget = BroadcastWidget

    def to_python(self, value: Any) -> dict[str, str]:
        value = value if isinstance(value, dict) else {}
        status = value.get("status", "")
        if status not in ("aired", "not_aired"):
            status = ""
        cleaned = {
            "status": status,
            "platform": clean_text(value.get("platform", ""), multiline=False)[:100],
            "link": clean_text(value.get("link", ""), multiline=False),
        }
        return cleaned if any(cleaned.values()) else {}

    def validate(self, value: dict[str, str]) -> None:
        value = value or {"status": "", "platform": "", "link": ""}
        if self.required and not value["status"]:
            raise forms.ValidationError(_("请选择已播出或未播出。"))
        if value["link"]:
            if len(value["link"]) > 500:
                raise forms.ValidationError(_("链接太长（最多 500 个字符）。"))
            try:
                URLValidator(schemes=["http", "https"])(value["link"])
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("播出链接应以 http:// 或 https:// 开头。")
                ) from None
        if value["status"] == "aired" and not (value["platform"] and value["link"]):
            raise forms.ValidationError(_("已播出的作品请填写播出平台及链接（播放量最大的一个）。"))


class DurationField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # max_length limits the text typed; the cleaned value is a number of
        # seconds, which a length validator cannot measure.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = clean_text(super().to_python(value), multiline=False)
        if not text:
            return None
        seconds = parse_duration(text) if len(text) <= (self.max_length or 40) else None
        if seconds is None:
            raise forms.ValidationError(_("时长请写成「4分30秒」或「4:30」。"))
        if seconds == 0 or seconds > 24 * 3600:
            raise forms.ValidationError(_("时长不合理。"))
        return seconds

    def prepare_value(self, value: Any) -> str:
        return format_duration(value) if isinstance(value, int) else (value or "")


class PhoneField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value), multiline=False)

    def validate(self, value: str) -> None:
        super().validate(value)
        digits = sum(ch.isdigit() for ch in value)
        if value and (not PHONE.match(value) or not 7 <= digits <= 20):
            raise forms.ValidationError(_("请填写有效的电话号码，例如 13800000000 或 027-12345678。"))


def _field_for(spec: Any) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": False, "help_text": spec.help}
    if spec.type == "text":
        return LimitedTextField(max_chars=spec.max_chars, multiline=False, **common)
    if spec.type == "textarea":
        return LimitedTextField(
            max_chars=spec.max_chars, multiline=True, widget=forms.Textarea(attrs={"rows": 5}),
            **common,
        )
    if spec.type == "phone":
        return PhoneField(max_length=40, **common)
    if spec.type == "url":
        return forms.URLField(max_length=500, assume_scheme="https", **common)
    if spec.type == "choice":
        return forms.ChoiceField(
            choices=[("", "—")] + [(o, o) for o in spec.options], widget=forms.RadioSelect,
            **common,
        )
    if spec.type == "people":
        return PeopleField(
            columns=list(spec.columns), min_items=getattr(spec, "min_items", 0) or 0,
            max_items=getattr(spec, "max_items", None), **common,
        )
    if spec.type == "broadcast":
        return BroadcastField(**common)
    if spec.type == "duration":
        return DurationField(max_length=40, **common)
    raise ValueError(f"unknown form field type {spec.type!r}")


class WorkForm(forms.Form):
    """Saving is always allowed within limits; completeness is checked on submit."""

    def __init__(self, *args: Any, rules: RuleSet, work: Work | None = None, **kwargs: Any) -> None:
        if work is not None and "initial" not in kwargs:
            initial = dict(work.form_data or {})
            initial["title"] = work.title
            for key, value in (work.categories or {}).items():
                initial[f"category__{key}"] = value
            initial["uses_ai"] = work.uses_ai
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.rules = rules
        for spec in rules.form.fields:
            field = _field_for(spec)
            field.spec = spec  # type: ignore[attr-defined]
            field.submit_required = spec.required  # type: ignore[attr-defined]
            self.fields[spec.key] = field
        for category in rules.categories:
            choices = [(o.key, o.label) for o in category.options]
            help_text = _("仅供参考，可不选") if category.reference_only else ""
            if category.multiple:
                field = forms.MultipleChoiceField(
                    label=category.label, choices=choices, required=False,
                    widget=forms.CheckboxSelectMultiple, help_text=help_text,
                )
            else:
                field = forms.ChoiceField(
                    label=category.label, choices=[("", "—"), *choices], required=False,
                    help_text=help_text,
                )
            self.fields[f"category__{category.key}"] = field
        ai_rule = rules.technical_rule("ai_label")
        if ai_rule is not None:
            self.fields["uses_ai"] = forms.BooleanField(
                label=gettext_lazy("本作品使用了人工智能生成合成内容"), required=False,
                help_text=(ai_rule.standard if getattr(ai_rule, "label_required_when_ai", False)
                           else ""),
            )
        title = self.fields.get("title")
        if title is not None:
            title.required = True
            # The column holds 200 characters: longer titles are refused here
            # rather than failing on save (PostgreSQL) or being stored whole (SQLite).
            limit = Work._meta.get_field("title").max_length
            title.max_length = limit
            title.validators.append(MaxLengthValidator(limit))
            title.widget.attrs["maxlength"] = str(limit)

    def save_into(self, work: Work) -> Work:
        data = self.cleaned_data
        work.title = data.get("title") or work.title
        work.form_data = {
            spec.key: data.get(spec.key)
            for spec in self.rules.form.fields
            if spec.key != "title" and data.get(spec.key) not in (None, "", [], {})
        }
        work.categories = {
            c.key: data.get(f"category__{c.key}")
            for c in self.rules.categories
            if data.get(f"category__{c.key}")
        }
        if "uses_ai" in self.fields:
            work.uses_ai = bool(data.get("uses_ai"))
        work.save()
        return work

    def text_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("原因"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(
        label=gettext_lazy("延期至（北京时间）"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=2000)
