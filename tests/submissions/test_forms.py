"""The work's form as each notice draws it: limits, rows of people, 播出情况, 时长, 电话."""

import html

import pytest

from guangying.rulesets import load_preset
from guangying.submissions.forms import HARD_TEXT_LIMIT, WorkForm, format_duration, parse_duration
from guangying.submissions.models import Work
from tests.factories import EntrantFactory, WorkFactory

HUBEI = load_preset("hubei-2026-weiguang")
CHONGQING = load_preset("chongqing-2026-hongse")


def bound(rules, **data) -> WorkForm:
    data.setdefault("title", "光谷里的微光")
    return WorkForm(data, rules=rules)


def errors(rules, **data) -> dict[str, list[str]]:
    form = bound(rules, **data)
    form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


def people(*rows: tuple[str, str, str], name: str = "creators") -> dict[str, str]:
    data = {}
    for index, (person, post, contact) in enumerate(rows):
        data[f"{name}-{index}-name"] = person
        data[f"{name}-{index}-post"] = post
        data[f"{name}-{index}-contact"] = contact
    return data


# ---- the two notices' rows


def test_hubei_form_has_the_info_sheet_rows():
    labels = [field.label for field in WorkForm(rules=HUBEI).fields.values()]
    for label in ("作品名称", "主创人员信息", "作品简介", "视频脚本内容", "联系人", "联系电话"):
        assert label in labels
    assert "播出情况" not in labels


def test_chongqing_form_has_the_registration_rows():
    labels = [field.label for field in WorkForm(rules=CHONGQING).fields.values()]
    for label in ("作品名称", "作品时长", "播出情况", "联系人", "联系电话", "作品创作团队情况", "作品简介"):
        assert label in labels
    assert "主创人员信息" not in labels


def test_a_draft_saves_with_only_a_title():
    assert bound(HUBEI).is_valid()
    assert bound(CHONGQING).is_valid()


def test_title_is_required_even_for_a_draft():
    assert "title" in errors(HUBEI, title="  \u200b ")


def test_title_over_the_column_length_is_refused():
    found = errors(HUBEI, title="长" * 201)
    assert "200" in found["title"][0]
    assert bound(HUBEI, title="长" * 200).is_valid()


# ---- character limits, counted as Word counts


def test_hubei_synopsis_over_200_is_refused_with_the_count():
    assert bound(HUBEI, synopsis="微" * 200).is_valid()
    found = errors(HUBEI, synopsis="微" * 203)
    assert found["synopsis"] == ["「作品简介」限 200 字，现为 203 字，请删减 3 字。"]


def test_chongqing_synopsis_over_150_is_refused_with_the_count():
    assert bound(CHONGQING, synopsis="红" * 150).is_valid()
    found = errors(CHONGQING, synopsis="红" * 151)
    assert found["synopsis"] == ["「作品简介」限 150 字，现为 151 字，请删减 1 字。"]


def test_the_same_synopsis_passes_in_hubei_and_not_in_chongqing():
    text = "光" * 180
    assert bound(HUBEI, synopsis=text).is_valid()
    assert "synopsis" in errors(CHONGQING, synopsis=text)


def test_chongqing_team_over_100_is_refused():
    assert bound(CHONGQING, team="队" * 100).is_valid()
    found = errors(CHONGQING, team="队" * 101)
    assert found["team"] == ["「作品创作团队情况」限 100 字，现为 101 字，请删减 1 字。"]


def test_latin_words_and_spaces_count_as_word_counts_them():
    # 150 English words with spaces and line breaks are 150 字, not 1,000 characters.
    text = "\n".join(["micro documentary about the red rock spirit"] * 21)[:1000]
    words = len(text.split())
    assert len(text) > 150 >= words
    assert bound(CHONGQING, synopsis=text).is_valid()


def test_pasted_invisible_characters_do_not_count_against_the_limit():
    text = "\u200b".join("简" * 150) + "\u202e\ufeff"
    form = bound(CHONGQING, synopsis=text)
    assert form.is_valid()
    assert form.cleaned_data["synopsis"] == "简" * 150


def test_zero_width_joiners_cannot_hide_characters_from_the_limit():
    found = errors(CHONGQING, synopsis="\u200d".join("简" * 151))
    assert "现为 151 字" in found["synopsis"][0]


def test_text_over_the_hard_limit_is_refused():
    found = errors(CHONGQING, contact_name="a" * (HARD_TEXT_LIMIT + 1))
    assert str(HARD_TEXT_LIMIT) in found["contact_name"][0]


def test_huge_script_is_refused_by_its_own_limit():
    used = HARD_TEXT_LIMIT + 1
    found = errors(HUBEI, script="稿" * used)
    assert found["script"] == [f"「视频脚本内容」限 20000 字，现为 {used} 字，请删减 {used - 20000} 字。"]


# ---- rows of people (主创人员信息)


def test_people_rows_keep_filled_rows_and_drop_empty_ones():
    data = people(("张小明", "导演", "13800000001"), ("", "", ""), ("李小红", "剪辑", "li@example.org"))
    form = bound(HUBEI, **data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["creators"] == [
        {"name": "张小明", "post": "导演", "contact": "13800000001"},
        {"name": "李小红", "post": "剪辑", "contact": "li@example.org"},
    ]


def test_people_row_without_a_name_is_reported():
    found = errors(HUBEI, **people(("张小明", "导演", "13800000001"), ("", "摄像", "13800000002")))
    assert found["creators"] == ["第 2 行缺少「姓名」。"]


def test_people_row_with_a_bad_contact_is_reported():
    found = errors(HUBEI, **people(("张小明", "导演", "找我")))
    assert found["creators"] == ["第 1 行「联系方式」应为电话号码或邮箱。"]


def test_people_rows_report_every_problem_at_once():
    found = errors(HUBEI, **people(("", "导演", "abc"), ("王五", "", "xyz")))
    assert found["creators"] == [
        "第 1 行缺少「姓名」。",
        "第 1 行「联系方式」应为电话号码或邮箱。",
        "第 2 行「联系方式」应为电话号码或邮箱。",
    ]


def test_more_than_thirty_people_is_refused():
    rows = [(f"成员{i}", "摄像", "13800000000") for i in range(31)]
    found = errors(HUBEI, **people(*rows))
    assert found["creators"] == ["最多填写 30 人。"]


def test_people_cells_are_cleaned():
    form = bound(HUBEI, **people((" 张\u200b小明 ", "导\n演", "138 0000 0001")))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["creators"] == [{"name": "张小明", "post": "导 演", "contact": "138 0000 0001"}]


# ---- 播出情况


def test_aired_without_link_is_refused():
    found = errors(CHONGQING, **{"broadcast-status": "aired", "broadcast-platform": "华龙网"})
    assert found["broadcast"] == ["已播出的作品请填写播出平台及链接（播放量最大的一个）。"]


def test_aired_with_platform_and_https_link_is_kept():
    form = bound(CHONGQING, **{"broadcast-status": "aired", "broadcast-platform": "华龙网",
                               "broadcast-link": "https://example.org/v/123"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["broadcast"] == {
        "status": "aired", "platform": "华龙网", "link": "https://example.org/v/123"
    }


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.org/a.mp4", "data:text/html,<b>x</b>", "www.例子"]
)
def test_link_must_be_http_or_https(link):
    found = errors(CHONGQING, **{"broadcast-status": "aired", "broadcast-platform": "某平台",
                                 "broadcast-link": link})
    assert found["broadcast"] == ["播出链接应以 http:// 或 https:// 开头。"]


def test_overlong_link_is_refused():
    link = "https://example.org/" + "a" * 500
    found = errors(CHONGQING, **{"broadcast-status": "aired", "broadcast-platform": "某平台",
                                 "broadcast-link": link})
    assert found["broadcast"] == ["链接太长（最多 500 个字符）。"]


def test_not_aired_needs_nothing_more():
    form = bound(CHONGQING, **{"broadcast-status": "not_aired"})
    assert form.is_valid()
    assert form.cleaned_data["broadcast"]["status"] == "not_aired"


def test_unknown_broadcast_status_is_dropped():
    form = bound(CHONGQING, **{"broadcast-status": "<script>"})
    assert form.is_valid()
    assert form.cleaned_data["broadcast"] == {}


# ---- 作品时长


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4分30秒", 270),
        ("4分钟30秒", 270),
        ("4分30", 270),
        ("4:30", 270),
        ("04:30", 270),
        ("4：30", 270),
        ("270秒", 270),
        ("270", 270),
        ("5分钟", 300),
        ("1:02:03", 3723),
        ("1小时2分3秒", 3723),
        ("４分３０秒", 270),
        ("０４：３０", 270),
        ("4′30″", 270),
    ],
)
def test_duration_as_people_write_it(text, seconds):
    assert parse_duration(text) == seconds
    form = bound(CHONGQING, duration=text)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["duration"] == seconds


@pytest.mark.parametrize("text", ["junk", "四分半", "4.5分钟", "4:75", "1:60", "1:2:3:4", "-5", "1" * 41])
def test_duration_that_cannot_be_read(text):
    found = errors(CHONGQING, duration=text)
    assert found["duration"] == ["时长请写成「4分30秒」或「4:30」。"]


@pytest.mark.parametrize("text", ["0秒", "0:00", "25小时"])
def test_duration_that_is_not_plausible(text):
    assert errors(CHONGQING, duration=text)["duration"] == ["时长不合理。"]


@pytest.mark.parametrize(
    ("seconds", "text"), [(270, "4分30秒"), (45, "45秒"), (3723, "1小时2分3秒"), (None, "")]
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


# ---- 联系电话


@pytest.mark.parametrize(
    "phone",
    ["13800000000", "027-12345678", "+86 138 0000 0000", "027-12345678转123", "１３８００００００００"],
)
def test_valid_phone_numbers(phone):
    form = bound(HUBEI, contact_phone=phone)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("phone", ["12345", "abc", "13800000000; rm -rf", "1" * 25, "电话找李老师"])
def test_invalid_phone_numbers(phone):
    assert errors(HUBEI, contact_phone=phone)["contact_phone"] == [
        "请填写有效的电话号码，例如 13800000000 或 027-12345678。"
    ]


# ---- saving and showing


@pytest.mark.django_db
def test_save_into_keeps_every_row_and_round_trips(chongqing):
    work = WorkFactory(entrant=EntrantFactory(campaign=chongqing))
    form = WorkForm(
        {
            "title": "  红岩家书\u200b ", "duration": "4分30秒", "broadcast-status": "aired",
            "broadcast-platform": "华龙网", "broadcast-link": "https://example.org/v/1",
            "contact_name": "王联络", "contact_phone": "13900000002", "team": "导演：赵一",
            "synopsis": "一封家书。\r\n第二段。", "category__theme": ["achievements", "milestones"],
            "category__genre": "vlog", "uses_ai": "on",
        },
        rules=chongqing.rules, work=work,
    )
    assert form.is_valid(), form.errors
    form.save_into(work)
    work = Work.objects.get(pk=work.pk)
    assert work.title == "红岩家书"
    assert work.form_data["duration"] == 270
    assert work.form_data["synopsis"] == "一封家书。\n第二段。"
    assert work.form_data["broadcast"]["link"] == "https://example.org/v/1"
    assert work.categories == {"theme": ["achievements", "milestones"], "genre": "vlog"}
    assert work.uses_ai is True
    again = WorkForm(rules=chongqing.rules, work=work)
    assert again.initial["duration"] == 270
    assert 'value="4分30秒"' in str(again["duration"])
    assert again["synopsis"].value() == "一封家书。\n第二段。"


@pytest.mark.django_db
def test_an_invalid_form_keeps_what_was_typed_on_the_page(unit):
    work = WorkFactory(entrant=unit, title="原标题")
    work.form_data = {"synopsis": "原简介"}
    work.save()
    form = WorkForm({"title": "新标题", "synopsis": "长" * 250}, rules=unit.campaign.rules, work=work)
    assert not form.is_valid()
    assert "长" * 250 in str(form["synopsis"])
    work.refresh_from_db()
    assert (work.title, work.form_data) == ("原标题", {"synopsis": "原简介"})


@pytest.mark.django_db
def test_hostile_text_is_stored_as_typed_and_escaped_on_the_work_page(client, unit, member):
    work = WorkFactory(entrant=unit)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    form = WorkForm(
        {"title": hostile, "synopsis": hostile, **people((hostile, "导演", "13800000000"))},
        rules=unit.campaign.rules, work=work,
    )
    assert form.is_valid(), form.errors
    form.save_into(work)
    work.refresh_from_db()
    assert work.title == hostile
    assert work.form_data["synopsis"] == hostile
    client.force_login(member)
    page = client.get(work.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert html.escape(hostile) in page
