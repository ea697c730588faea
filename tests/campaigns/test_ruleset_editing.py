"""Common settings change the rule set's YAML in place, comments and all."""

import datetime

from guangying.campaigns.models import Campaign
from guangying.campaigns.ruleset_editing import edit_ruleset_text
from guangying.rulesets import load_preset, parse_ruleset_text, preset_text


def test_editing_keeps_the_notices_comments_and_changes_only_the_lines_edited():
    text = preset_text("hubei-2026-weiguang")
    edited = edit_ruleset_text(
        text, {("submission", "closes"): datetime.date(2026, 8, 15), ("quota", "max"): 6}
    )
    rules = parse_ruleset_text(edited)
    assert rules.submission.closes == datetime.date(2026, 8, 15)
    assert rules.quota.max == 6
    changed = [
        (old, new) for old, new in zip(text.splitlines(), edited.splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == 2
    assert "「每个单位报送5—8件」" in edited  # the citation comment survives


def test_null_stays_null_for_the_next_reader():
    edited = edit_ruleset_text(preset_text("chongqing-2026-hongse"), {("quota", "max"): 10})
    assert "min: null" in edited
    assert parse_ruleset_text(edited).quota.min is None


def basic_post(campaign: Campaign, **changes: str) -> dict[str, str]:
    rules = campaign.rules
    data = {
        "action": "basic", "title": rules.title, "short_title": rules.short_title,
        "opens": rules.submission.opens.isoformat() if rules.submission.opens else "",
        "closes": rules.submission.closes.isoformat(),
        "quota_min": "" if rules.quota.min is None else str(rules.quota.min),
        "quota_max": "" if rules.quota.max is None else str(rules.quota.max),
        "max_episodes": "" if rules.series.max_episodes is None else str(rules.series.max_episodes),
    }
    for kind, name in (("unit", "admits_units"), ("individual", "admits_individuals")):
        if rules.admits(kind):
            data[name] = "on"
    if rules.entrants.individual_requires_unit:
        data["individual_requires_unit"] = "on"
    if rules.series.allowed:
        data["series_allowed"] = "on"
    for field in rules.form.fields:
        if field.max_chars:
            data[f"limit_{field.key}"] = str(field.max_chars)
    data.update(changes)
    return data


def test_organiser_changes_the_synopsis_limit_through_the_form(client, chongqing, organiser):
    client.force_login(organiser)
    url = f"/c/{chongqing.slug}/manage/rules/"
    response = client.post(url, basic_post(chongqing, limit_synopsis="120", quota_max="3"))
    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=chongqing.pk)
    assert campaign.rules.form_field("synopsis").max_chars == 120
    assert campaign.rules.quota.max == 3


def test_a_change_that_contradicts_the_rest_is_refused_and_nothing_is_saved(
    client, hubei, organiser
):
    client.force_login(organiser)
    before = Campaign.objects.get(pk=hubei.pk).ruleset_text
    response = client.post(
        f"/c/{hubei.slug}/manage/rules/", basic_post(hubei, quota_min="9", quota_max="8")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "quota" in page and "未保存" in page
    assert Campaign.objects.get(pk=hubei.pk).ruleset_text == before


def test_a_campaign_must_admit_someone(client, hubei, organiser):
    client.force_login(organiser)
    data = basic_post(hubei)
    data.pop("admits_units")
    response = client.post(f"/c/{hubei.slug}/manage/rules/", data)
    assert "至少接受单位或个人中的一种报送主体" in response.content.decode()


def test_presets_are_untouched_by_editing_a_campaign():
    assert load_preset("hubei-2026-weiguang").quota.max == 8
