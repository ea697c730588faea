"""Setting a campaign up: from a preset or from scratch, its rule set, publishing it."""

import html
import re
from datetime import date, timedelta

import pytest
from django.urls import resolve, reverse

from guangying.campaigns.models import Campaign, CampaignRole
from guangying.rulesets import list_presets, parse_ruleset_text, preset_text
from tests.factories import UserFactory

PRESETS = [p.key for p in list_presets()]


@pytest.fixture
def admin(db):
    return UserFactory(name="平台管理员", email="platform@example.org", is_staff=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def create(client, preset: str, slug: str):
    return client.post(reverse("campaigns:create"), {"preset": preset, "slug": slug})


def test_both_notices_ship_as_presets() -> None:
    assert PRESETS == ["chongqing-2026-hongse", "hubei-2026-weiguang"]


def test_the_new_campaign_page_offers_every_preset_and_a_blank_start(admin_client) -> None:
    page = admin_client.get(reverse("campaigns:create")).content.decode()
    assert "微光映同心" in page
    assert "红色光影" in page
    assert "空白规则集（从头设置）" in page


@pytest.mark.parametrize("preset", PRESETS)
def test_creating_a_campaign_from_a_preset(admin_client, admin, preset: str) -> None:
    response = create(admin_client, preset, "from-preset")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:settings", args=["from-preset"])
    campaign = Campaign.objects.get(slug="from-preset")
    assert campaign.preset_key == preset
    assert campaign.ruleset_text == preset_text(preset)  # the notice's comments come along
    assert campaign.rules == parse_ruleset_text(preset_text(preset))
    assert campaign.title == campaign.rules.title
    assert not campaign.is_published
    assert campaign.created_by == admin
    assert list(campaign.roles.values_list("user", "role")) == [
        (admin.pk, CampaignRole.Role.ORGANISER)]
    # The creator lands on the rule set, and the campaign is not public yet.
    assert admin_client.get(response["Location"]).status_code == 200
    admin_client.logout()
    assert admin_client.get(campaign.get_absolute_url()).status_code == 404


def test_creating_a_campaign_from_a_blank_rule_set(admin_client) -> None:
    assert create(admin_client, "", "from-scratch").status_code == 302
    campaign = Campaign.objects.get(slug="from-scratch")
    assert campaign.preset_key == ""
    rules = campaign.rules
    assert rules.title == "请填写活动全称"
    assert rules.entrants.kinds == ["unit"]
    assert rules.submission.closes == date.today() + timedelta(days=60)
    assert "# 新建征集活动的规则集" in campaign.ruleset_text


@pytest.mark.parametrize(("slug", "message"), [
    ("Hubei 2026!", "网址标识只能包含小写字母、数字和连字符，3—60 个字符。"),
    ("ab", "网址标识只能包含小写字母、数字和连字符，3—60 个字符。"),
    ("-hubei", "网址标识只能包含小写字母、数字和连字符，3—60 个字符。"),
    ("湖北", "网址标识只能包含小写字母、数字和连字符，3—60 个字符。"),
    ("taken", "这个网址标识已被其他活动使用。"),
    ("TAKEN", "这个网址标识已被其他活动使用。"),
])
def test_a_bad_or_taken_slug_is_refused_in_chinese(admin_client, slug: str, message: str) -> None:
    create(admin_client, "hubei-2026-weiguang", "taken")
    response = create(admin_client, "hubei-2026-weiguang", slug)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("slug", ["new", "join", "invitation"])
def test_slugs_that_are_the_platforms_own_addresses_are_reserved(admin_client, slug: str) -> None:
    """/c/new/ is the new-campaign page, and /c/join/manage/ would open a unit link 「manage」:
    a campaign with such a slug could never show its page or its management desk."""
    pages = {resolve(f"/c/{slug}/").url_name, resolve(f"/c/{slug}/manage/").url_name}
    assert pages != {"detail", "dashboard"}
    response = create(admin_client, "hubei-2026-weiguang", slug)
    assert response.status_code == 200
    assert "这个网址标识是平台保留的，请换一个。" in response.content.decode()
    assert not Campaign.objects.exists()


def test_an_unknown_preset_is_refused(admin_client) -> None:
    response = create(admin_client, "../../etc/passwd", "sneaky")
    assert response.status_code == 200
    assert not Campaign.objects.exists()
    assert "选择一个有效的选项" in response.content.decode()


# --------------------------------------------------------------------------
# The full rule-set editor


@pytest.fixture
def hubei_from_preset(admin_client) -> Campaign:
    create(admin_client, "hubei-2026-weiguang", "hubei-edit")
    return Campaign.objects.get(slug="hubei-edit")


def settings_url(campaign: Campaign) -> str:
    return reverse("campaigns:settings", args=[campaign.slug])


def textarea(page: str) -> str:
    match = re.search(r'<textarea[^>]*name="ruleset_text"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert match, "the rule-set editor is on the page"
    return html.unescape(match.group(1))


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_editor_shows_the_saved_text(admin_client, hubei_from_preset: Campaign) -> None:
    page = admin_client.get(settings_url(hubei_from_preset)).content.decode()
    assert textarea(page) == hubei_from_preset.ruleset_text


def test_a_valid_edit_is_saved_and_changes_the_rules(admin_client, hubei_from_preset) -> None:
    text = hubei_from_preset.ruleset_text.replace("  max: 8", "  max: 6", 1)
    assert text != hubei_from_preset.ruleset_text
    response = admin_client.post(settings_url(hubei_from_preset), {"ruleset_text": text})
    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=hubei_from_preset.pk)
    assert campaign.rules.quota.max == 6
    assert campaign.ruleset_data["quota"]["max"] == 6
    assert campaign.ruleset_text == text
    assert "规则集已保存。" in admin_client.get(response["Location"]).content.decode()


def test_windows_line_ends_are_saved_as_plain_line_ends(admin_client, hubei_from_preset) -> None:
    text = hubei_from_preset.ruleset_text.replace("  max: 8", "  max: 7", 1)
    admin_client.post(settings_url(hubei_from_preset), {"ruleset_text": text.replace("\n", "\r\n")})
    campaign = Campaign.objects.get(pk=hubei_from_preset.pk)
    assert campaign.rules.quota.max == 7
    assert campaign.ruleset_text == text


BAD_EDITS = {
    # name: (replace this, with this, the line to name, words the message must hold)
    "tab indentation": ("quota:\n  min: 5", "quota:\n\tmin: 5", "\tmin: 5",
                        ["YAML 格式错误", "不能用 Tab 缩进"]),
    "unknown key": ("  max: 8", "  maximum: 6", "  maximum: 6",
                    ["quota.maximum", "不认识的键", "是否应为「max」"]),
    "min above max": ("  min: 5", "  min: 9", "  min: 9",
                      ["quota.min", "不能大于", "quota.max"]),
    "wrong type": ("  max: 8", "  max: 八件", "  max: 八件", ["quota.max", "应为整数"]),
}


@pytest.mark.parametrize("case", BAD_EDITS, ids=list(BAD_EDITS))
def test_an_invalid_rule_set_is_refused_with_the_place_and_kept_in_the_editor(
    admin_client, hubei_from_preset: Campaign, case: str
) -> None:
    old, new, line_text, words = BAD_EDITS[case]
    saved_text, saved_data = hubei_from_preset.ruleset_text, hubei_from_preset.ruleset_data
    posted = saved_text.replace(old, new, 1)
    assert posted != saved_text
    response = admin_client.post(settings_url(hubei_from_preset), {"ruleset_text": posted})
    assert response.status_code == 200
    page = response.content.decode()
    errors = response.context["form"].errors["ruleset_text"]
    assert len(errors) == 1
    message = errors[0]
    assert message.startswith(f"第 {line_of(posted, line_text)} 行：")
    for word in words:
        assert word in message
    assert message in html.unescape(page)
    assert "规则集有误，未保存" in page
    assert textarea(page) == posted  # nothing the organiser typed is lost
    campaign = Campaign.objects.get(pk=hubei_from_preset.pk)
    assert campaign.ruleset_text == saved_text
    assert campaign.ruleset_data == saved_data


def test_an_empty_rule_set_is_refused(admin_client, hubei_from_preset) -> None:
    response = admin_client.post(settings_url(hubei_from_preset), {"ruleset_text": "# 只有注释\n"})
    assert response.context["form"].errors["ruleset_text"] == ["规则集为空（只有注释）"]
    assert Campaign.objects.get(pk=hubei_from_preset.pk).ruleset_text == \
        hubei_from_preset.ruleset_text


# --------------------------------------------------------------------------
# The common settings form (writes into the same YAML, keeping its comments)


def basic_data(response, **changes) -> dict[str, str]:
    form = response.context["basic"]
    data: dict[str, str] = {"action": "basic"}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is True:
            data[name] = "on"
        elif value in (False, None):
            continue
        else:
            data[name] = str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = str(value)
    return data


def test_the_common_settings_change_one_value_and_keep_the_comments(
    admin_client, hubei_from_preset
) -> None:
    url = settings_url(hubei_from_preset)
    response = admin_client.post(url, basic_data(admin_client.get(url), quota_max=6))
    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=hubei_from_preset.pk)
    assert campaign.rules.quota.max == 6
    assert campaign.rules.quota.min == 5
    assert "# 四、（一）3.「每个单位报送5—8件」" in campaign.ruleset_text
    assert campaign.ruleset_text.replace("max: 6", "max: 8", 1) == hubei_from_preset.ruleset_text


def test_common_settings_that_break_the_rule_set_are_not_saved(admin_client, hubei_from_preset) -> None:
    url = settings_url(hubei_from_preset)
    response = admin_client.post(url, basic_data(admin_client.get(url), quota_min=9, quota_max=6))
    assert response.status_code == 200
    assert "「quota.min」（9）不能大于「quota.max」（6）" in response.content.decode()
    assert Campaign.objects.get(pk=hubei_from_preset.pk).ruleset_text == \
        hubei_from_preset.ruleset_text


# --------------------------------------------------------------------------
# Publishing


def test_publish_and_withdraw(client, admin_client, hubei_from_preset) -> None:
    url = reverse("campaigns:publish", args=[hubei_from_preset.slug])
    response = admin_client.post(url, {"publish": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:dashboard", args=[hubei_from_preset.slug])
    campaign = Campaign.objects.get(pk=hubei_from_preset.pk)
    assert campaign.is_published
    first_published = campaign.published_at
    assert first_published is not None
    assert "活动已发布。" in admin_client.get(response["Location"]).content.decode()

    visitor = client.__class__()
    assert visitor.get(campaign.get_absolute_url()).status_code == 200
    assert campaign.title in visitor.get(reverse("home")).content.decode()

    admin_client.post(url, {"publish": "0"})
    campaign.refresh_from_db()
    assert not campaign.is_published
    assert campaign.published_at == first_published  # when it first went public stays on record
    assert visitor.get(campaign.get_absolute_url()).status_code == 404
    assert campaign.title not in visitor.get(reverse("home")).content.decode()

    admin_client.post(url, {"publish": "1"})
    campaign.refresh_from_db()
    assert campaign.is_published and campaign.published_at == first_published


def test_publish_answers_only_to_post(admin_client, hubei_from_preset) -> None:
    url = reverse("campaigns:publish", args=[hubei_from_preset.slug])
    assert admin_client.get(url + "?publish=1").status_code == 405
    assert not Campaign.objects.get(pk=hubei_from_preset.pk).is_published
