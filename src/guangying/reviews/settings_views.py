"""The organiser's pages for a round's settings and criteria, and for adding and removing rounds.

Thin: the forms read the input, configuring.py decides what may change and saves it. To anyone
who does not organise the campaign these pages do not exist (404).
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guangying.campaigns.views import campaign_for

from . import configuring
from .forms import AddRoundForm, RoundSettingsForm, criteria_formset
from .models import ReviewRound
from .rounds import RoundError, blindness_warning, rounds_for

MANAGE = "reviews.manage_reviews"


def _round(campaign: Any, key: str) -> ReviewRound:
    rounds_for(campaign)
    return get_object_or_404(ReviewRound.objects.select_related("campaign"), campaign=campaign, key=key)


def _blind_warning(round_: ReviewRound) -> tuple[str | None, bool]:
    """The blindness warning of the round, or the one it would have if it were made blind."""
    if round_.blind:
        return blindness_warning(round_), False
    would_be = copy.copy(round_)
    would_be.blind = True
    return blindness_warning(would_be), True


@login_required
@require_http_methods(["GET", "POST"])
def round_settings(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    locks = configuring.locks(round_)
    posted = request.method == "POST"
    form = RoundSettingsForm(request.POST if posted else None, round_=round_, locks=locks)
    criteria_posted = posted and "criteria-TOTAL_FORMS" in request.POST
    formset = criteria_formset(request.POST if criteria_posted else None, round_)
    problems: list[str] = []
    if posted:
        form_ok = form.is_valid()
        criteria_ok = formset.is_valid() if criteria_posted else True
        if form_ok and criteria_ok:
            try:
                change = configuring.update_round(
                    round_, form.changes(), by=request.user,
                    criteria=formset.specs() if criteria_posted else None,
                    seen_status=form.cleaned_data.get("seen_status") or None)
            except RoundError as error:
                problems.append(str(error))
            else:
                if change.changed:
                    messages.success(request, _("已保存：%(fields)s。") % {
                        "fields": "、".join(configuring.field_label(name) for name in change.changed)})
                else:
                    messages.info(request, _("没有改动。"))
                for note in change.notes:
                    messages.warning(request, note)
                return redirect("reviews:settings", slug=campaign.slug, key=round_.key)
        else:
            for name, errors in form.errors.items():
                what = form.fields[name].label if name in form.fields else ""
                problems.extend(f"「{what}」：{e}" if what else str(e) for e in errors)
            if criteria_posted:
                problems.extend(formset.problems())
    warning, hypothetical = _blind_warning(round_)
    return render(request, "reviews/round_settings.html", {
        "campaign": campaign, "round": round_, "form": form, "formset": formset, "problems": problems,
        "criteria_lock": locks.get(configuring.CRITERIA), "criteria": list(round_.criteria.all()),
        "shared_lock": form.shared_lock(), "editable": form.editable(),
        "blind_warning": warning, "blind_warning_if_on": hypothetical,
        "removal_refusal": configuring.removal_refusal(round_),
    }, status=400 if problems else 200)


@login_required
@require_POST
def add_round(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    form = AddRoundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("未增加：%(error)s") % {"error": error})
        return redirect("reviews:rounds", slug=campaign.slug)
    try:
        made = configuring.add_round(campaign, form.cleaned_data["label"], by=request.user)
    except RoundError as error:
        messages.error(request, str(error))
        return redirect("reviews:rounds", slug=campaign.slug)
    messages.success(request, _("已增加「%(label)s」：取上一轮晋级的作品，评分项与上一轮相同，可在这里修改。")
                     % {"label": made.label})
    return redirect("reviews:settings", slug=campaign.slug, key=made.key)


@login_required
@require_POST
def remove_round(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    campaign = campaign_for(request, slug, MANAGE)
    round_ = _round(campaign, key)
    label = round_.label
    try:
        configuring.remove_round(round_, by=request.user)
    except RoundError as error:
        messages.error(request, str(error))
        return redirect("reviews:settings", slug=campaign.slug, key=round_.key)
    messages.success(request, _("已删除「%(label)s」。") % {"label": label})
    return redirect("reviews:rounds", slug=campaign.slug)
