"""The organiser's forms for a round's settings and criteria, and for adding a round.

The forms read what was typed (numbers, dates in the campaign's time zone, choices) and say
plainly what is wrong with it; what may change when is decided by configuring.py, which the
views call with what the forms read. A setting the round's status does not allow to change is
not offered as an input; if a value for it is posted anyway it is passed on, so that the
refusal names it instead of the change silently going missing.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import configuring
from .configuring import ConfigError, CriterionSpec
from .models import ReviewRound

DATE_FORMAT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]

OTHERS_SCORES_HELP = gettext_lazy(
    "不显示：每位专家独立打分，看不到别人的评分。提交自己的评分后显示：先独立打分，提交后可以参考其他专家"
    "已提交的评分（自己的评分在本轮结束前仍可修改）。始终显示：打分时就能看到，容易相互影响。")
METHOD_HELP = gettext_lazy(
    "平均分：各位专家总分的平均。中位数：排在中间的总分，不受个别极端评分影响。"
    "去掉一个最高分和一个最低分后的平均分：有三份以上评分时去掉最高和最低各一个再平均，不足三份时取平均分。"
    "z 分数：先按每位专家本人打分的松紧把其评分标准化，再换算回百分制，打分偏严或偏松的专家与其他人分量相同，"
    "适合每位专家评不同作品的情况。")


def zone_name(zone: Any) -> str:
    """The time zone as the labels say it: 北京时间 for China's, else its name."""
    key = getattr(zone, "key", str(zone))
    return _("北京时间") if key in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else key


class ZonedDateTimeField(forms.DateTimeField):
    """A date and time typed and shown in the campaign's zone, whatever the server's zone is."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATE_FORMAT)

    def __init__(self, *, zone: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", INPUT_FORMATS)
        super().__init__(**kwargs)
        self.zone = zone
        self.error_messages["invalid"] = _("请按「年-月-日 时:分」填写时间，如 2026-08-01 09:00。")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            text = str(value).strip()
            if len(text) > 40:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            for fmt in self.input_formats:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except (ValueError, TypeError):
                    continue
            else:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not 2000 <= moment.year <= 2100:
            raise ValidationError(_("时间须在 2000 年到 2100 年之间。"), code="invalid")
        if timezone.is_aware(moment):
            return moment
        return self._localise(moment)

    def _localise(self, naive: datetime) -> datetime:
        """The moment a clock in the zone shows; a time skipped or repeated by a clock change is refused."""
        early, late = naive.replace(tzinfo=self.zone, fold=0), naive.replace(tzinfo=self.zone, fold=1)
        back = early.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None)
        if early.utcoffset() != late.utcoffset() or back != naive:
            raise ValidationError(_("%(zone)s 在夏令时切换时没有或重复出现这一时刻，请换一个时间。")
                                  % {"zone": zone_name(self.zone)}, code="ambiguous")
        return early


class RoundSettingsForm(forms.Form):
    """A round's settings; those its status does not allow to change are shown, not offered."""

    seen_status = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10)
    label = forms.CharField(label=gettext_lazy("名称"), max_length=configuring.MAX_LABEL)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=configuring.MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("给评审专家看的本轮说明，可不填。"))
    opens_at = forms.DateTimeField(required=False)  # replaced in __init__ by the zoned field
    closes_at = forms.DateTimeField(required=False)
    entry = forms.ChoiceField(
        label=gettext_lazy("参评作品"), choices=ReviewRound.Entry.choices, widget=forms.RadioSelect,
        help_text=gettext_lazy("第一轮取形式审查通过的作品；以后各轮通常取上一轮晋级的作品，也可以再取形式审查"
                               "通过的全部作品。参评作品在本轮开始时确定。"))
    blind = forms.BooleanField(
        label=gettext_lazy("匿名评审（不显示报送单位）"), required=False,
        help_text=gettext_lazy("开启后，评审页面不显示报送单位、联系人和主创人员。"))
    others_scores = forms.ChoiceField(label=gettext_lazy("其他专家的评分"),
                                      choices=ReviewRound.OthersScores.choices, widget=forms.RadioSelect,
                                      help_text=OTHERS_SCORES_HELP)
    comment_required = forms.BooleanField(label=gettext_lazy("必须填写评语"), required=False,
                                          help_text=gettext_lazy("开启后，评审专家提交评分时必须写评语。"))
    reviewers_change_state = forms.BooleanField(
        label=gettext_lazy("评审专家可以改变作品状态"), required=False,
        help_text=gettext_lazy("开启后，评审专家可以在评分页面把作品标为入选（晋级下一轮）或取消入选；"
                               "关闭时只有主办方可以。"))
    method = forms.ChoiceField(label=gettext_lazy("计分方法"), choices=ReviewRound.Method.choices,
                               widget=forms.RadioSelect, help_text=METHOD_HELP)
    reviewers_per_work = forms.IntegerField(
        label=gettext_lazy("每件作品的评审专家人数"), min_value=configuring.MIN_REVIEWERS,
        max_value=configuring.MAX_REVIEWERS,
        error_messages={key: gettext_lazy("每件作品的评审专家人数须为 1 到 20 的整数。")
                        for key in ("invalid", "min_value", "max_value")},
        help_text=gettext_lazy("自动分配时每件作品分给几位评审专家（1–20）。评审开始后修改，"
                               "在下一次「自动分配作品」时生效，已有的分配不变。"))
    disagreement_threshold = forms.DecimalField(
        label=gettext_lazy("分歧提示阈值（百分制）"), min_value=0, max_value=100, max_digits=4,
        decimal_places=1,
        error_messages={"invalid": gettext_lazy("分歧提示阈值须为 0 到 100 的数字。"),
                        "min_value": gettext_lazy("分歧提示阈值须为 0 到 100 的数字。"),
                        "max_value": gettext_lazy("分歧提示阈值须为 0 到 100 的数字。"),
                        "max_digits": gettext_lazy("分歧提示阈值须为 0 到 100 的数字。"),
                        "max_decimal_places": gettext_lazy("分歧提示阈值最多保留一位小数。")},
        help_text=gettext_lazy("同一作品的最高分与最低分（百分制）相差超过这个数时，结果页标出「分歧」，供复议。"))

    def __init__(self, data: Any = None, *, round_: ReviewRound, locks: dict[str, str]) -> None:
        zone = configuring.zone_of(round_.campaign)
        initial: dict[str, Any] = {name: getattr(round_, name) for name in configuring.FIELDS}
        initial["seen_status"] = round_.status
        super().__init__(data, initial=initial)
        self.round = round_
        self.locks = locks
        self.zone = zone
        where = zone_name(zone)
        self.fields["opens_at"] = ZonedDateTimeField(
            zone=zone, required=False, label=_("开始时间（%(zone)s）") % {"zone": where},
            help_text=_("供评审专家和主办方参考；本轮仍由主办方点「开始本轮评审」「结束本轮评审」。"))
        self.fields["closes_at"] = ZonedDateTimeField(zone=zone, required=False,
                                                      label=_("结束时间（%(zone)s）") % {"zone": where})
        self.fields["label"].error_messages["required"] = _("请填写本轮名称。")
        for name in locks:
            if name in self.fields:
                self.fields[name].required = False
        for name in ("entry", "others_scores", "method"):
            self.fields[name].error_messages["invalid_choice"] = _("「%(field)s」没有这一项。") % {
                "field": self.fields[name].label}

    def _posted(self, name: str) -> bool:
        return name in self.data

    def clean_label(self) -> str:
        value = self.cleaned_data.get("label", "")
        if "label" in self.locks and not self._posted("label"):
            return value
        try:
            return configuring.clean_line(value, _("名称"), limit=configuring.MAX_LABEL)
        except ConfigError as error:
            raise ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and not opens < closes:
            self.add_error("closes_at", _("结束时间须晚于开始时间。"))
        return data

    def changes(self) -> dict[str, Any]:
        """The values to save: every offered setting, and any locked one that was posted all the same."""
        values = {}
        for name in configuring.FIELDS:
            if name in self.locks and not self._posted(name):
                continue
            values[name] = self.cleaned_data.get(name)
        return values

    def shared_lock(self) -> str | None:
        """The reason several settings share for being locked (a closed round's), said once atop the page.

        Said under each of them it would be read a dozen times over; a reason only one setting
        has (the entry of an open round) stays beside it.
        """
        counts = Counter(self.locks.values())
        if not counts:
            return None
        reason, n = counts.most_common(1)[0]
        return reason if n > 1 else None

    def editable(self) -> bool:
        """Whether anything on the page may change now (nothing does once the results are out)."""
        return any(name not in self.locks for name in (*configuring.FIELDS, configuring.CRITERIA))

    def rows(self) -> list[dict[str, Any]]:
        """The settings in page order: each bound field, and for a locked one its value in words and why.

        ``said_above`` marks a reason the page gives once at the top (``shared_lock``).
        """
        shared = self.shared_lock()
        out = []
        for name in configuring.FIELDS:
            reason = self.locks.get(name)
            out.append({"name": name, "field": self[name], "locked": reason,
                        "said_above": reason is not None and reason == shared,
                        "shown": configuring.shown(self.round, name) if reason else ""})
        return out


class CriterionForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    label = forms.CharField(label=gettext_lazy("评分项"), max_length=configuring.MAX_LABEL,
                            error_messages={"required": gettext_lazy("请填写评分项名称，或勾选「删除」。")})
    weight = forms.DecimalField(label=gettext_lazy("权重"), min_value=Decimal("0.01"),
                                max_value=configuring.MAX_WEIGHT, max_digits=5, decimal_places=2, initial=1,
                                error_messages={"invalid": gettext_lazy("权重须为数字，如 1 或 1.5。"),
                                                "min_value": gettext_lazy("权重须大于 0。")})
    scale_max = forms.IntegerField(label=gettext_lazy("满分"), min_value=1, max_value=configuring.MAX_SCALE,
                                   initial=10,
                                   error_messages={"invalid": gettext_lazy("满分须为 1 到 1000 的整数。"),
                                                   "min_value": gettext_lazy("满分须为 1 到 1000 的整数。"),
                                                   "max_value": gettext_lazy("满分须为 1 到 1000 的整数。")})
    description = forms.CharField(label=gettext_lazy("说明"), required=False,
                                  max_length=configuring.MAX_DESCRIPTION,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def clean_label(self) -> str:
        try:
            return configuring.clean_line(self.cleaned_data.get("label", ""), _("评分项"),
                                          limit=configuring.MAX_LABEL)
        except ConfigError as error:
            raise ValidationError(str(error)) from None


class BaseCriteriaFormSet(forms.BaseFormSet):
    """The criteria as rows: order by the 顺序 column, tick 删除 to drop one, blank rows add new ones."""

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = self._kept()
        if len(kept) > configuring.MAX_CRITERIA:
            raise ValidationError(_("评分项最多 %(max)s 项，现有 %(n)s 项。")
                                  % {"max": configuring.MAX_CRITERIA, "n": len(kept)})
        seen: set[str] = set()
        for form in kept:
            label = form.cleaned_data["label"]
            if label.casefold() in seen:
                raise ValidationError(_("评分项「%(label)s」重复。") % {"label": label})
            seen.add(label.casefold())

    def _kept(self) -> list[forms.Form]:
        initial = self.initial_form_count()
        forms_ = [form for i, form in enumerate(self.forms)
                  if (i < initial or form.has_changed()) and not self._should_delete_form(form)]
        order = {id(form): index for index, form in enumerate(self.forms)}

        def position(form: forms.Form) -> tuple[int, int]:
            number = form.cleaned_data.get("ORDER")
            return (number if number is not None else 10_000 + order[id(form)], order[id(form)])
        return sorted(forms_, key=position)

    def specs(self) -> list[CriterionSpec]:
        """The criteria kept, in their order, for configuring.update_round."""
        return [CriterionSpec(label=f.cleaned_data["label"], weight=f.cleaned_data["weight"],
                              scale_max=f.cleaned_data["scale_max"],
                              description=f.cleaned_data.get("description") or "",
                              key=f.cleaned_data.get("key") or "")
                for f in self._kept()]

    def problems(self) -> list[str]:
        """Every problem of the rows in words, row by row, for the message at the top of the page."""
        out = []
        if self.management_form.errors:
            return [_("评分项表格的数据不完整，请刷新页面后重新填写。")]
        for index, form in enumerate(self.forms, start=1):
            if self._should_delete_form(form):
                continue
            for name, messages in form.errors.items():
                what = form.fields[name].label if name in form.fields else ""
                for message in messages:
                    out.append(_("第 %(row)s 行%(what)s：%(message)s")
                               % {"row": index, "what": f"「{what}」" if what else "", "message": message})
        out.extend(str(e) for e in self.non_form_errors())
        return out


CriteriaFormSet = forms.formset_factory(
    CriterionForm, formset=BaseCriteriaFormSet, extra=3, can_order=True, can_delete=True,
    max_num=configuring.MAX_CRITERIA, absolute_max=2 * configuring.MAX_CRITERIA, validate_max=False,
)


def criteria_formset(data: Any, round_: ReviewRound) -> BaseCriteriaFormSet:
    """The round's criteria as rows; a posted table is read on its own, never against the stored rows.

    Were the stored rows its initial data, a row posted as it was shown under a tampered row
    count would look unchanged, be taken for a blank row, and its criterion silently dropped.
    """
    if data is not None:
        return CriteriaFormSet(data, prefix="criteria")
    initial = [{"key": c.key, "label": c.label, "weight": format(c.weight.normalize(), "f"),
                "scale_max": c.scale_max, "description": c.description, "ORDER": i}
               for i, c in enumerate(round_.criteria.order_by("position", "pk"), start=1)]
    return CriteriaFormSet(data, initial=initial, prefix="criteria")


class AddRoundForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("新一轮的名称"), required=False,
                            max_length=configuring.MAX_LABEL)
