"""The two shipped notices, rule by rule, as the notices and the product brief state them."""

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml

from guangying.rulesets import (
    AiLabelRule,
    AspectRatioRule,
    AudioCodecRule,
    ContainerRule,
    DurationRule,
    EndCreditsRule,
    FrameRateRule,
    LoudnessRule,
    PictureQualityRule,
    ResolutionRule,
    RuleSet,
    RuleSetError,
    SubtitlesRule,
    UnknownPresetError,
    VideoCodecRule,
    WatermarkRule,
    dump_ruleset,
    list_presets,
    load_preset,
    parse_ruleset,
    parse_ruleset_text,
    preset_text,
)

HUBEI = "hubei-2026-weiguang"
CHONGQING = "chongqing-2026-hongse"
KEYS = [CHONGQING, HUBEI]
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def hubei() -> RuleSet:
    return load_preset(HUBEI)


@pytest.fixture(scope="module")
def chongqing() -> RuleSet:
    return load_preset(CHONGQING)


def rule(rs: RuleSet, check: str, kind: type) -> Any:
    found = rs.technical_rule(check)
    assert isinstance(found, kind), f"{check} should be a {kind.__name__}"
    return found


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


# --------------------------------------------------------------------------
# The catalogue


def test_list_presets() -> None:
    infos = list_presets()
    assert [info.key for info in infos] == KEYS
    by_key = {info.key: info for info in infos}
    assert by_key[HUBEI].title == "“微光映同心”微视频专题宣传活动"
    assert by_key[HUBEI].organiser == "中共湖北省委统战部"
    assert by_key[CHONGQING].title == "“红色光影 英雄重庆”党史短视频征集展播活动"
    assert by_key[CHONGQING].short_title == "红色光影 英雄重庆"
    assert all(info.summary for info in infos)


@pytest.mark.parametrize("key", ["shanghai-2026", "../schema", "hubei-2026-weiguang.yaml", "", "HUBEI"])
def test_unknown_preset(key: str) -> None:
    with pytest.raises(UnknownPresetError) as caught:
        load_preset(key)
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, RuleSetError)
    assert caught.value.messages == [
        f"没有名为「{key}」的预置规则集；可用：chongqing-2026-hongse、hubei-2026-weiguang"
    ]
    with pytest.raises(KeyError):
        preset_text(key)


@pytest.mark.parametrize("key", KEYS)
def test_preset_text_is_the_shipped_file_with_comments(key: str) -> None:
    text = preset_text(key)
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 20
    assert "#" in text.split("\n")[0]
    assert parse_ruleset_text(text) == load_preset(key)


@pytest.mark.parametrize("key", KEYS)
def test_round_trip(key: str) -> None:
    rs = load_preset(key)
    assert parse_ruleset(dump_ruleset(rs)) == rs
    assert parse_ruleset_text(yaml.safe_dump(dump_ruleset(rs), allow_unicode=True)) == rs


@pytest.mark.parametrize("key", KEYS)
def test_no_real_contacts_in_presets(key: str) -> None:
    text = preset_text(key)
    for secret in ("彭亚宁", "李昊阳", "左老师", "66996934", "66996930", "13896068058", "@163.com"):
        assert secret not in text
    assert not re.search(r"\b1[3-9]\d{9}\b", text), "no mobile numbers"
    assert not re.search(r"\b0\d{2,3}-\d{7,8}\b", text), "no landline numbers"
    assert "见通知原文" in load_preset(key).notice.contact_note


@pytest.mark.parametrize("key", KEYS)
def test_no_spaces_left_by_folded_lines(key: str) -> None:
    # A YAML line break inside folded text becomes a space, which
    # Chinese text never has after its punctuation.
    for text in strings(dump_ruleset(load_preset(key))):
        assert not re.search(r"[，。、；：！？）」”] ", text), text


@pytest.mark.parametrize("key", KEYS)
def test_every_rule_cites_the_notice(key: str) -> None:
    rs = load_preset(key)
    assert all(r.source for r in rs.technical)
    assert all(r.source and r.text for r in rs.content_rules)


@pytest.mark.parametrize("key", KEYS)
def test_loudness_only_warns(key: str) -> None:
    loudness = rule(load_preset(key), "loudness", LoudnessRule)
    assert loudness.severity == "warn"
    assert (loudness.target_lkfs, loudness.tolerance_lu, loudness.max_true_peak_dbtp) == (-24, 2, -2)


# --------------------------------------------------------------------------
# Hubei 「微光映同心」


def test_hubei_notice_and_calendar(hubei: RuleSet) -> None:
    assert hubei.notice.issued == date(2026, 4, 22)
    assert hubei.notice.issuer == "中共湖北省委统战部"
    assert hubei.notice.theme == "微光映同心"
    assert hubei.notice.showcase_platforms[:3] == [
        "“鄂统云”数智统战平台",
        "“荆楚同心”微信公众号",
        "“荆楚同心”视频号",
    ]
    assert hubei.notice.showcase_events == ["“知音叙同心”故事汇", "“东湖论同心”思想荟", "“荆楚颂同心”迎新会"]
    assert [(p.label, p.kind, p.starts, p.ends) for p in hubei.phases] == [
        ("创作报送阶段", "submission", date(2026, 4, 1), date(2026, 7, 31)),
        ("遴选评审阶段", "review", date(2026, 8, 1), date(2026, 8, 31)),
        ("作品展播阶段", "showcase", date(2026, 9, 1), date(2027, 1, 31)),
    ]


def test_hubei_deadline_is_the_end_of_31_july(hubei: RuleSet) -> None:
    assert hubei.submission_closes_at == datetime(2026, 7, 31, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert hubei.submission_closes_at.isoformat() == "2026-07-31T23:59:59.999999+08:00"
    assert hubei.submission_opens_at == datetime(2026, 4, 1, tzinfo=SHANGHAI)
    assert hubei.submission.methods == ["upload"]
    assert hubei.submission.cloud_link is None


def test_hubei_entrants_quota_series(hubei: RuleSet) -> None:
    assert hubei.entrants.kinds == ["unit"]
    assert hubei.admits("unit") and not hubei.admits("individual")
    assert (hubei.quota.min, hubei.quota.max) == (5, 8)
    assert hubei.series.allowed is False


def test_hubei_topic_directions(hubei: RuleSet) -> None:
    (direction,) = hubei.categories
    assert direction.label == "选题方向"
    assert direction.reference_only and not direction.required and not direction.multiple
    assert [o.label for o in direction.options] == ["微光·照见初心", "微光·闪耀荆楚"]
    assert [len(o.children) for o in direction.options] == [3, 4]
    assert direction.options[1].children[3].startswith("4. 聚焦“同心服务团”“万企兴万村”“寻美湖北”")


def test_hubei_technical_rules(hubei: RuleSet) -> None:
    duration = rule(hubei, "duration", DurationRule)
    assert (duration.min_s, duration.max_s, duration.per, duration.severity) == (120, 300, "work", "hard")
    container = rule(hubei, "container", ContainerRule)
    assert container.allowed == ["mp4"] and hubei.video_extensions == ["mp4"]
    assert rule(hubei, "video_codec", VideoCodecRule).allowed == ["h264"]
    assert rule(hubei, "audio_codec", AudioCodecRule).allowed == ["aac"]
    resolution = rule(hubei, "resolution", ResolutionRule)
    assert resolution.exact == (1920, 1080) and resolution.min_short_side is None
    aspect = rule(hubei, "aspect_ratio", AspectRatioRule)
    assert aspect.allowed == ["16:9"] and aspect.orientation == "landscape"
    assert hubei.technical_rule("frame_rate") is None
    subtitles = rule(hubei, "subtitles", SubtitlesRule)
    assert subtitles.required and subtitles.script == "simplified"
    credits = rule(hubei, "end_credits", EndCreditsRule)
    assert credits.must_name_entrant and credits.window_s == 20
    assert rule(hubei, "picture_quality", PictureQualityRule).clear
    assert rule(hubei, "watermark", WatermarkRule).allowed is False
    assert hubei.technical_rule("advertising").allowed is False
    ai = rule(hubei, "ai_label", AiLabelRule)
    assert ai.ai_allowed and not ai.label_required_when_ai and ai.severity in ("warn", "review")
    assert "GB 45438-2025" in ai.standard


def test_hubei_form_is_the_info_sheet(hubei: RuleSet) -> None:
    assert [(f.key, f.label, f.type, f.max_chars) for f in hubei.form.fields] == [
        ("title", "作品名称", "text", None),
        ("creators", "主创人员信息", "people", None),
        ("synopsis", "作品简介", "textarea", 200),
        ("script", "视频脚本内容", "textarea", 20000),
        ("contact_name", "联系人", "text", None),
        ("contact_phone", "联系电话", "phone", None),
    ]
    assert hubei.form_field("title").help == "请填写完整作品名称，与视频文件命名一致"
    assert [c.label for c in hubei.form_field("creators").columns] == ["姓名", "职务", "联系方式"]
    assert all(f.required for f in hubei.form.fields)


def test_hubei_documents(hubei: RuleSet) -> None:
    sheet = hubei.document("info_sheet")
    assert (sheet.attachment, sheet.source, sheet.per) == ("附件1", "generated", "work")
    assert [item.label for item in sheet.layout] == [
        "作品名称",
        "报送单位",
        "主创人员信息",
        "作品简介（200字以内）",
        "视频脚本内容",
        "报送单位联系人及电话",
        "报送日期",
    ]
    pledge = hubei.document("copyright_pledge")
    assert (pledge.attachment, pledge.source, pledge.required, pledge.signature) == (
        "附件2",
        "upload",
        True,
        "stamp",
    )
    assert pledge.formats == ["pdf", "jpg", "png"]
    assert "无水印、无商业广告植入" in pledge.body and "《{title}》" in pledge.body
    assert [d.key for d in hubei.required_documents] == ["copyright_pledge"]


def test_hubei_file_naming(hubei: RuleSet) -> None:
    assert hubei.file_naming.must_match == ["entrant", "title"]
    assert hubei.file_naming.render(entrant="长川市委统战部", title="同心路") == "长川市委统战部-同心路"


def test_hubei_review(hubei: RuleSet) -> None:
    assert [(r.key, r.label) for r in hubei.review.rounds] == [("first", "初审"), ("second", "复审")]
    assert [c.label for c in hubei.review.criteria] == [
        "情感温度",
        "内容深度",
        "感染力",
        "传播力",
        "制作水平",
    ]
    assert hubei.review.outcomes == ["优秀作品"]


def test_hubei_content_rules(hubei: RuleSet) -> None:
    labels = [r.label for r in hubei.content_rules]
    for label in ("真实性", "艺术性", "导向性", "无涉密敏感信息", "原创、杜绝虚构"):
        assert label in labels
    assert "不得侵犯他人肖像权、名誉权、著作权" in hubei.rights


# --------------------------------------------------------------------------
# Chongqing 「红色光影 英雄重庆」


def test_chongqing_organisers_all_kept(chongqing: RuleSet) -> None:
    for name in (
        "中共重庆市委直属机关工委",
        "中共重庆市委党史研究室",
        "重庆红岩革命历史文化中心",
        "重庆市档案馆",
        "重庆华龙网集团股份有限公司",
    ):
        assert name in chongqing.organiser
    assert chongqing.notice.issued == date(2026, 6, 17)
    assert chongqing.notice.final_interpretation == "以上内容最终解释权归活动主办方所有。"
    assert chongqing.notice.showcase_platforms[0] == "华龙网全平台"
    assert len(chongqing.notice.showcase_platforms) == 4


def test_chongqing_calendar(chongqing: RuleSet) -> None:
    assert [(p.label, p.starts, p.ends) for p in chongqing.phases] == [
        ("作品征集报送", date(2026, 6, 17), date(2026, 11, 30)),
        ("专家评选", None, None),
        ("优秀作品展播", None, None),
    ]
    assert all(p.note for p in chongqing.phases[1:])
    assert chongqing.submission_closes_at == datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def test_chongqing_cloud_link(chongqing: RuleSet) -> None:
    assert chongqing.submission.methods == ["upload", "cloud_link"]
    link = chongqing.submission.cloud_link
    assert link is not None
    assert (link.min_validity_days, link.providers, link.requires_code) == (30, ["百度网盘"], True)


def test_chongqing_entrants_quota_series(chongqing: RuleSet) -> None:
    assert chongqing.entrants.kinds == ["unit", "individual"]
    assert chongqing.entrants.individual_requires_unit is True
    assert (chongqing.quota.min, chongqing.quota.max) == (None, None)
    assert chongqing.series.allowed is True and chongqing.series.max_episodes is None


def test_chongqing_categories(chongqing: RuleSet) -> None:
    theme = chongqing.category("theme")
    assert theme.label == "征集主题" and len(theme.options) == 3 and theme.multiple
    genre = chongqing.category("genre")
    assert [o.label for o in genre.options] == ["微专题", "微纪录片", "微动漫", "Vlog", "情景再现"]
    assert genre.reference_only and not genre.required


def test_chongqing_technical_rules(chongqing: RuleSet) -> None:
    duration = rule(chongqing, "duration", DurationRule)
    assert (duration.min_s, duration.max_s, duration.per) == (None, 300, "episode")
    container = rule(chongqing, "container", ContainerRule)
    assert sorted(container.allowed) == ["mov", "mp4", "mpeg"]
    assert len(container.extensions) == 4
    assert sorted(chongqing.video_extensions) == ["mov", "mp4", "mpeg", "mpg"]
    assert chongqing.technical_rule("video_codec") is None
    assert chongqing.technical_rule("audio_codec") is None
    resolution = rule(chongqing, "resolution", ResolutionRule)
    assert resolution.min_short_side == 1080 and resolution.exact is None
    aspect = rule(chongqing, "aspect_ratio", AspectRatioRule)
    assert aspect.allowed == ["16:9", "4:3", "3:2", "9:16", "3:4", "2:3"]
    assert len(aspect.allowed) == 6 and aspect.orientation == "any"
    assert rule(chongqing, "frame_rate", FrameRateRule).min_fps == 25
    assert rule(chongqing, "subtitles", SubtitlesRule).script == "simplified"
    quality = rule(chongqing, "picture_quality", PictureQualityRule)
    assert quality.clear and quality.stable
    ai = rule(chongqing, "ai_label", AiLabelRule)
    assert ai.ai_allowed and ai.label_required_when_ai and ai.explicit and ai.implicit and ai.declare
    assert "《人工智能生成合成内容标识办法》" in ai.standard
    assert chongqing.technical_rule("end_credits") is None


def test_chongqing_form_is_the_registration_sheet(chongqing: RuleSet) -> None:
    assert [(f.key, f.label, f.type, f.max_chars) for f in chongqing.form.fields] == [
        ("title", "作品名称", "text", None),
        ("duration", "作品时长", "duration", None),
        ("broadcast", "播出情况", "broadcast", None),
        ("contact_name", "联系人", "text", None),
        ("contact_phone", "联系电话", "phone", None),
        ("team", "作品创作团队情况", "textarea", 100),
        ("synopsis", "作品简介", "textarea", 150),
    ]
    assert chongqing.form_field("team").help == "含作品导演、编剧、摄像、后期人员姓名、单位等简要介绍"
    assert (
        chongqing.form_field("synopsis").help
        == "含作品基本信息、核心内容、创作背景、艺术特色、社会影响等简要介绍"
    )


def test_chongqing_documents(chongqing: RuleSet) -> None:
    assert [(d.key, d.attachment, d.source, d.per) for d in chongqing.documents] == [
        ("registration_form", "附件1", "generated", "work"),
        ("copyright_pledge", "附件2", "upload", "work"),
        ("summary_sheet", "附件3", "generated", "entrant"),
        ("final_script", "", "upload", "work"),
    ]
    registration = chongqing.document("registration_form")
    assert registration.single_page and registration.note == "本表格单页打印，不加页。"
    assert registration.formats == ["docx"]
    summary = chongqing.document("summary_sheet")
    assert [item.label for item in summary.layout] == ["序号", "作品名称", "时长", "作者", "单位", "播出情况"]
    assert chongqing.document("copyright_pledge").signature == "stamp_or_signature"
    assert chongqing.document("final_script").formats == ["docx", "doc", "pdf", "txt"]
    assert [d.key for d in chongqing.required_documents] == ["copyright_pledge", "final_script"]


def test_chongqing_file_naming(chongqing: RuleSet) -> None:
    naming = chongqing.file_naming
    assert naming.must_match == ["entrant", "title"]
    assert naming.render(entrant="渝州中学", title="红岩魂") == "渝州中学+红岩魂"
    assert naming.render(entrant="渝州中学", title="红岩魂", episode=3) == "渝州中学+红岩魂（第3集）"


def test_chongqing_review_and_rights(chongqing: RuleSet) -> None:
    assert [r.label for r in chongqing.review.rounds] == ["专家评选"]
    assert chongqing.review.criteria == []
    assert chongqing.review.outcomes == ["优秀作品", "特别优秀作品奖励"]
    assert chongqing.rights.startswith("主办方对征集作品拥有出版权和使用权，作者对作品和出版物拥有署名权。")
    labels = [r.label for r in chongqing.content_rules]
    assert labels == ["导向正确", "史实准确", "形式创新", "权属清晰"]
