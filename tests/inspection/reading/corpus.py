"""The labelled corpus of the picture readers: short works with the verdicts a careful person would give.

Each case is a scene recipe (scenes.Scene), the rule set it is checked
against (a shipped preset, or a preset with some rule parameters changed),
the entrant, title and AI declaration of the entry form, and the expected
outcome of the report lines it is meant to test. Lines a case does not label
carry no expectation: a Chongqing case says nothing about watermarks, since
the Chongqing notice has no watermark rule.

The expectations follow the notices as the presets encode them:
- Hubei (hubei-2026-weiguang): Simplified Chinese subtitles required (an
  absent band, or one that covers little of the speech, fails); the unit
  named in the end credits (the last 20 s); no watermark or logo.
- Chongqing (chongqing-2026-hongse): subtitles not required, but when there
  are some they must be Simplified; a work that declares AI use needs both
  the explicit label (text with 「人工智能」/「AI」 and 「生成」/「合成」 in the
  opening 10 s, ≥ 2 s on screen, ≥ 5 % of the shorter side high) and exactly
  one well-formed implicit AIGC label in the metadata. The engine gives one
  "ai_label" line for both labels; a form that says no AI over metadata that
  says AI is for the organiser to check (review).

"fail" in an expectation means the work breaks the rule. The engine reports a
fault by the rule's severity (checks.ON_PROBLEM: fail for hard rules, review
for the review-severity picture rules of both presets), so either is right
there; only a pass is a false pass.

`suite` marks the few cases the test suite runs (tests/inspection/reading/
test_corpus.py); bench/reading.py runs them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from guangying.rulesets import RuleSet, dump_ruleset, load_preset, parse_ruleset

from .scenes import Logo, Scene, Text, make, subtitle_track

HUBEI = "hubei-2026-weiguang"
CHONGQING = "chongqing-2026-hongse"

PASS, FAIL, WARN, REVIEW = "pass", "fail", "warn", "review"
# What a detected fault becomes by the rule's severity (inspection.checks.ON_PROBLEM).
ON_PROBLEM = {"hard": FAIL, "warn": WARN, "review": REVIEW}

# ---- wording -------------------------------------------------------------------------------

UNIT = "中共长川市委统战部"
COLLEGE = "两江示范学院"
ARCHIVE = "长川市档案馆"
MEDIA_CENTRE = "长川市融媒体中心"

LINES = [
    "一九二一年七月，中国共产党第一次全国代表大会召开",
    "从此，中国革命的面貌焕然一新",
    "在那个风雨如晦的年代，无数先辈前赴后继",
    "他们用青春和热血，书写了对理想信念的忠诚",
    "长征途中，红军战士爬雪山、过草地",
    "这封家书，至今仍保存在纪念馆里",
    "统一战线是党克敌制胜的重要法宝",
    "民主党派与中国共产党风雨同舟、同心同行",
    "老人翻开泛黄的相册，讲起当年的故事",
    "这座旧址见证了那段峥嵘岁月",
    "今天，我们沿着先辈的足迹重走同心路",
    "新时代的青年，接过了前辈手中的接力棒",
]

# The same lines in Traditional characters (OpenCC s2t, checked by hand).
TRADITIONAL = [
    "一九二一年七月，中國共產黨第一次全國代表大會召開",
    "從此，中國革命的面貌煥然一新",
    "在那個風雨如晦的年代，無數先輩前赴後繼",
    "他們用青春和熱血，書寫了對理想信念的忠誠",
    "長征途中，紅軍戰士爬雪山、過草地",
    "這封家書，至今仍保存在紀念館裡",
    "統一戰線是黨克敵制勝的重要法寶",
    "民主黨派與中國共產黨風雨同舟、同心同行",
    "老人翻開泛黃的相冊，講起當年的故事",
    "這座舊址見證了那段崢嶸歲月",
    "今天，我們沿著先輩的足跡重走同心路",
    "新時代的青年，接過了前輩手中的接力棒",
]

# Simplified lines that quote a name written in Traditional characters (a newspaper's masthead):
# a few Traditional-only characters in otherwise Simplified text are not Traditional subtitles.
WITH_NAMES = [
    "一九四八年，他在香港《華商報》担任编辑",
    "他撰写的评论，鼓舞了许多进步青年",
    "解放后，他回到家乡，投身教育事业",
    "他常说，统一战线要讲团结、讲大局",
]


def credits_text(unit: str, *, producer: str = "出品") -> str:
    return f"{producer}：{unit}\n摄制：{MEDIA_CENTRE}\n监制：张明远\n编导：李书瑶\n摄像：王海川"


def aigc(label: str = "1", *, producer: str = "001191500000MA60XXXXX00000000000",
         produce_id: str = "cq-hs-2026-0417", **overrides: str) -> str:
    """An implicit label as GB 45438-2025 spells it: JSON with the seven fields."""
    data = {"Label": label, "ContentProducer": producer, "ProduceID": produce_id, "ReservedCode1": "",
            "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ---- cases -------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    scene: Scene
    preset: str
    expect: dict[str, str | tuple[str, ...]]  # line id -> the outcome (or outcomes) that are right
    entrant: str = UNIT
    title: str = "同心路上"
    declares_ai: bool | None = False
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # check -> {parameter: value}
    about: str = ""
    suite: bool = False

    @cached_property
    def rules(self) -> RuleSet:
        return rules_for(self.preset, self.changes)

    def path(self) -> Path:
        return make(self.scene, f"corpus-{self.name}")

    def required(self, line: str) -> bool:
        """Whether the rule behind this line must be met by this work (a pass on it lets a fault through)."""
        check = line.split(".")[0]
        rule = next((r for r in self.rules.technical if r.check == check), None)
        if rule is None:
            return False
        if check == "subtitles":
            return bool(rule.required) or line == "subtitles.script"
        if check == "end_credits":
            return bool(rule.must_name_entrant)
        if check == "watermark":
            return not rule.allowed
        if check == "ai_label":
            return bool(rule.label_required_when_ai and self.declares_ai) or not rule.ai_allowed
        return False

    def accepts(self, line: str, outcome: str) -> bool:
        return outcome in self.accepted(line)

    def accepted(self, line: str) -> tuple[str, ...]:
        """FAIL means the work breaks the rule: the engine says so by the rule's severity, as
        checks.ON_PROBLEM does (fail for hard rules, review for review ones, warn for warn); a plain
        fail is taken too. Other outcomes are taken as written."""
        wanted = self.expect[line]
        if wanted == FAIL:
            rule = next(r for r in self.rules.technical if r.check == line.split(".")[0])
            return tuple(dict.fromkeys((FAIL, ON_PROBLEM[rule.severity])))
        return (wanted,) if isinstance(wanted, str) else wanted


def ink_share(text: Text, width: int, height: int) -> float:
    """The drawn glyphs' height (outline left out) as a share of the shorter side: the label rule's measure.

    `Text.size` is the line's nominal height; the ink of CJK glyphs is 80–90 % of it, depending
    on the font, so the labels' truth is taken from the pixels.
    """
    import numpy as np

    from .scenes import _text_layer

    plain = Text(text.text, where=text.where, size=text.size, font=text.font, outline=None)
    _rgb, alpha = _text_layer(plain, width, height)
    rows = np.nonzero(alpha[:, :, 0].max(axis=1) > 0.5)[0]
    return float(rows.max() - rows.min() + 1) / min(width, height) if rows.size else 0.0


def rules_for(preset: str, changes: dict[str, dict[str, Any]] | None = None) -> RuleSet:
    """A preset, or a variant of it with some parameters of its technical rules changed."""
    rules = load_preset(preset)
    if not changes:
        return rules
    data = dump_ruleset(rules)
    for check, params in changes.items():
        rule = next(r for r in data["technical"] if r["check"] == check)
        rule.update(params)
    return parse_ruleset(data)


def _subtitled(lines: list[str], *, seconds: float = 12.0, credits: str | None = None,
               credits_at: float | None = None, scroll: float | None = None, **style: Any) -> Scene:
    """A documentary-like work: one subtitle every 3 s over speech, then credits at the end."""
    texts, speech = subtitle_track(lines, **style) if lines else ([], [])
    if credits is not None:
        start = credits_at if credits_at is not None else seconds - (6.0 if scroll else 3.5)
        texts.append(Text(credits, start=start, end=seconds, where="center", size=0.045, font="sans",
                          scroll=scroll, outline=None if scroll else (0, 0, 0)))
    return Scene(seconds=seconds, texts=texts, speech=speech)


def _with(scene: Scene, **changes: Any) -> Scene:
    data = {name: getattr(scene, name) for name in scene.__dataclass_fields__}
    data.update(changes)
    return Scene(**data)


def _hubei_ok(line_ok: dict[str, str] | None = None) -> dict[str, str | tuple[str, ...]]:
    """What a Hubei work that meets every picture rule gets; `line_ok` overrides some lines."""
    expect: dict[str, str | tuple[str, ...]] = {"subtitles": PASS, "subtitles.script": PASS,
                                                "end_credits": PASS, "watermark": PASS}
    expect.update(line_ok or {})
    return expect


def _cases() -> list[Case]:
    cases: list[Case] = []
    add = cases.append
    four = LINES[:3]
    credits = credits_text(UNIT)

    # -- subtitles: fonts, sizes, colours, outlines, positions (Hubei, everything else right) ----
    add(Case("sub-wqy-bottom", _subtitled(four, credits=credits), HUBEI, _hubei_ok(),
             about="white WenQuanYi subtitles with a black outline at the bottom; static credits",
             suite=True))
    add(Case("sub-sans-bold-yellow", _subtitled(LINES[3:6], credits=credits, font="sans-bold",
                                                colour=(255, 222, 40), outline_px=3),
             HUBEI, _hubei_ok(), about="yellow bold subtitles"))
    add(Case("sub-serif-strip", _subtitled(LINES[6:9], credits=credits, font="serif", outline=None,
                                           strip=True),
             HUBEI, _hubei_ok(), about="serif subtitles without outline on a dark strip"))
    add(Case("sub-small", _subtitled(LINES[9:12], credits=credits, size=0.035),
             HUBEI, _hubei_ok(), about="small subtitles (3.5 % of the height)"))
    add(Case("sub-large-top", _subtitled(LINES[:3], credits=credits, size=0.07, where="top",
                                         font="sans"),
             HUBEI, _hubei_ok(), about="large subtitles at the top"))
    add(Case("sub-no-outline-pan", _with(_subtitled(LINES[4:7], credits=credits, outline=None,
                                                    colour=(250, 250, 250)), background="pan"),
             HUBEI, _hubei_ok(), about="white subtitles without outline over a camera pan"))
    add(Case("sub-dark-scene", _with(_subtitled(LINES[7:10], credits=credits, colour=(235, 235, 235),
                                                outline_px=1), background="dark"),
             HUBEI, _hubei_ok(), about="thin-outlined subtitles over a dark scene"))
    add(Case("sub-1080p", _with(_subtitled(LINES[1:4], credits=credits, font="sans"),
                                width=1920, height=1080),
             HUBEI, _hubei_ok(), about="1920×1080"))
    add(Case("sub-portrait", _with(_subtitled(LINES[2:5], credits=credits, size=0.045,
                                              where=[0.5, 0.78]), width=720, height=1280),
             HUBEI, _hubei_ok(), about="portrait 720×1280, subtitles in the lower third"))
    add(Case("sub-cyan-opacity", _subtitled(LINES[5:8], credits=credits, colour=(120, 230, 255),
                                            opacity=0.85, font="sans"),
             HUBEI, _hubei_ok(), about="light-blue, slightly transparent subtitles"))
    add(Case("sub-four-lines-14s", _subtitled(LINES[8:12], seconds=14.0, credits=credits, font="wqy"),
             HUBEI, _hubei_ok(), about="four lines in 14 s"))
    add(Case("sub-names", _subtitled(WITH_NAMES[:3], credits=credits), HUBEI, _hubei_ok(),
             about="Simplified lines quoting a name in Traditional characters"))

    # -- subtitles: Traditional, mixed, absent, partial ----------------------------------------
    add(Case("sub-traditional", _subtitled(TRADITIONAL[:3], credits=credits), HUBEI,
             _hubei_ok({"subtitles.script": FAIL}), about="Traditional subtitles", suite=True))
    add(Case("sub-traditional-serif", _subtitled(TRADITIONAL[6:9], credits=credits, font="serif",
                                                 colour=(255, 230, 120)),
             HUBEI, _hubei_ok({"subtitles.script": FAIL}), about="Traditional, serif, yellow"))
    add(Case("sub-mixed", _subtitled([LINES[0], TRADITIONAL[1], TRADITIONAL[2], LINES[3]],
                                     seconds=14.0, credits=credits),
             HUBEI, _hubei_ok({"subtitles.script": FAIL}),
             about="half the lines Traditional"))
    add(Case("sub-absent", _with(_subtitled([], credits=credits), speech=[(0.5, 8.0)]), HUBEI,
             {"subtitles": FAIL, "end_credits": PASS, "watermark": PASS},
             about="speech throughout, no subtitles", suite=True))
    add(Case("sub-absent-portrait", _with(_subtitled([], credits=credits), speech=[(0.5, 8.0)],
                                          width=720, height=1280),
             HUBEI, {"subtitles": FAIL, "end_credits": PASS, "watermark": PASS},
             about="portrait, speech, no subtitles"))
    partial = _subtitled(LINES[:1], seconds=13.0, credits=credits)
    add(Case("sub-partial", _with(partial, speech=[(0.6, 3.1), (3.6, 6.1), (6.6, 9.1)]), HUBEI,
             {"subtitles": FAIL, "end_credits": PASS, "watermark": PASS},
             about="one subtitle over three stretches of speech: a third covered"))
    _texts, talk = subtitle_track(LINES[:3])
    soft = [(t.start, t.end, t.text) for t in _texts]
    card = Text(credits, start=8.5, where="center", size=0.045, font="sans")
    add(Case("sub-soft-track", Scene(seconds=12.0, speech=talk, soft_subtitles=soft, texts=[card]),
             HUBEI, _hubei_ok(), about="no burned-in text: a soft Simplified track (mov_text) over speech"))
    soft_traditional = [(s, e, TRADITIONAL[i]) for i, (s, e, _t) in enumerate(soft)]
    add(Case("sub-soft-traditional", Scene(seconds=12.0, speech=talk, soft_subtitles=soft_traditional),
             HUBEI, {"subtitles.script": FAIL}, about="a soft subtitle track in Traditional characters"))
    add(Case("sub-portrait-top", _with(_subtitled(LINES[9:12], credits=credits, where=[0.5, 0.16],
                                                  size=0.045), width=720, height=1280),
             HUBEI, _hubei_ok(), about="portrait, subtitles near the top"))
    two_lines = ["一九二一年七月\n中国共产党第一次全国代表大会召开", "从此\n中国革命的面貌焕然一新",
                 "在那个风雨如晦的年代\n无数先辈前赴后继"]
    add(Case("sub-two-lines", _subtitled(two_lines, credits=credits, size=0.045),
             HUBEI, _hubei_ok(), about="each subtitle on two lines"))
    three = _subtitled(LINES[:3], seconds=14.0, credits=credits)
    add(Case("sub-three-quarters", _with(three, speech=[*three.speech, (9.6, 12.1)]), HUBEI,
             {"subtitles": PASS, "subtitles.script": PASS},
             about="three of four stretches of speech subtitled (75 %)"))
    add(Case("cq-sub-simplified", _subtitled(LINES[:3]), CHONGQING,
             {"subtitles": PASS, "subtitles.script": PASS}, entrant=COLLEGE,
             about="Chongqing: Simplified subtitles"))
    add(Case("cq-sub-traditional", _subtitled(TRADITIONAL[3:6], font="sans"), CHONGQING,
             {"subtitles.script": FAIL}, entrant=COLLEGE, about="Chongqing: Traditional subtitles"))
    add(Case("cq-sub-absent", _with(_subtitled([]), speech=[(0.5, 9.0)]), CHONGQING,
             {"subtitles": PASS}, entrant=COLLEGE,
             about="Chongqing does not require subtitles: none, and speech"))

    # -- end credits (Hubei: the unit must be named) ---------------------------------------------
    add(Case("credits-scroll", _subtitled(LINES[:2], seconds=14.0, credits=credits, scroll=0.22),
             HUBEI, {"end_credits": PASS, "watermark": PASS}, about="scrolling credits"))
    add(Case("credits-other-unit", _subtitled(LINES[:3], credits=credits_text(MEDIA_CENTRE)), HUBEI,
             {"end_credits": FAIL}, about="the credits name another unit", suite=True))
    add(Case("credits-none", _subtitled(LINES[:3]), HUBEI, {"end_credits": FAIL, "watermark": PASS},
             about="no credits at all"))
    add(Case("credits-long-form", _subtitled(LINES[:3], credits=credits_text("中共长川市委员会统战部")),
             HUBEI, {"end_credits": PASS}, about="「委员会」 written out where the unit's name says 「委」"))
    add(Case("credits-no-prefix", _subtitled(LINES[:3], credits=credits_text("长川市委统战部")),
             HUBEI, {"end_credits": PASS}, about="the unit without 「中共」"))
    broken = "出品单位：中共长川市委\n统战部\n摄制：长川市融媒体中心"
    add(Case("credits-broken-line", _subtitled(LINES[:3], credits=broken),
             HUBEI, {"end_credits": PASS}, about="the unit's name broken over two lines"))
    spaced = "出 品 ： 中共 长川市委 统战部\n联合摄制：长川市档案馆"
    add(Case("credits-spaced", _subtitled(LINES[:3], credits=spaced),
             HUBEI, {"end_credits": PASS}, about="spaces and full-width colon inside the name"))
    add(Case("credits-college-scroll", _with(_subtitled(LINES[3:5], seconds=14.0,
                                                        credits=credits_text(COLLEGE, producer="出品单位"),
                                                        scroll=0.25), background="dark"),
             HUBEI, {"end_credits": PASS}, entrant=COLLEGE, about="scrolling credits over a dark scene"))
    opening, opening_speech = subtitle_track(LINES[:3], start=2.8)
    add(Case("credits-title-card-only",
             Scene(seconds=12.0, texts=[Text(f"{UNIT}\n出品", start=0.0, end=2.5, where="center",
                                             size=0.06, font="sans-bold"), *opening],
                   speech=opening_speech),
             HUBEI, {"end_credits": FAIL}, changes={"end_credits": {"window_s": 5.0}},
             about="the unit on the opening card only; the rule reads the last 5 s"))
    add(Case("credits-portrait", _with(_subtitled(LINES[:3], credits=credits, where=[0.5, 0.8]),
                                       width=720, height=1280),
             HUBEI, {"end_credits": PASS}, about="portrait credits"))
    add(Case("credits-other-county", _subtitled(LINES[:3], credits=credits_text("中共长川县委统战部")), HUBEI,
             {"end_credits": FAIL}, about="a county's unit of the same name (县 for 市): not the entrant"))
    add(Case("credits-other-department", _subtitled(LINES[3:6], credits=credits_text("中共长川市委宣传部")),
             HUBEI, {"end_credits": FAIL}, about="the city's propaganda department, not its united front"))
    many = credits_text(UNIT) + "\n剪辑：赵一鸣\n录音：孙晓雨\n特别鸣谢：长川市档案馆\n长川市图书馆"
    add(Case("credits-fast-scroll", _subtitled(LINES[6:8], seconds=14.0, credits=many, scroll=0.4), HUBEI,
             {"end_credits": PASS}, about="ten lines of credits scrolling fast"))

    # -- watermarks and logos (Hubei: none allowed) ---------------------------------------------
    ok = _subtitled(LINES[:3], credits=credits)
    add(Case("wm-corner-logo", _with(ok, logos=[Logo("top-right", size=0.12)]), HUBEI,
             {"watermark": FAIL, "end_credits": PASS}, about="opaque station logo top right", suite=True))
    add(Case("wm-logo-with-name", _with(ok, logos=[Logo("top-left", size=0.09, text="长川卫视")]), HUBEI,
             {"watermark": FAIL}, about="a station's logo with its name"))
    add(Case("wm-semi-transparent", _with(ok, logos=[Logo("bottom-right", size=0.1, opacity=0.4)]), HUBEI,
             {"watermark": FAIL}, about="a logo at 40 % opacity"))
    add(Case("wm-faint-portrait", _with(_subtitled(LINES[:3], credits=credits, where=[0.5, 0.78]),
                                        width=720, height=1280,
                                        logos=[Logo("top-right", size=0.1, opacity=0.55,
                                                    colour=(240, 240, 240))]),
             HUBEI, {"watermark": FAIL}, about="portrait, a pale half-transparent logo"))
    add(Case("wm-douyin-id", _with(ok, texts=[*ok.texts, Text("抖音号：hongyan1921", where="top-right",
                                                               size=0.035, opacity=0.7, outline=None)]),
             HUBEI, {"watermark": FAIL, "subtitles": PASS}, about="a platform id in the corner"))
    add(Case("wm-at-handle", _with(ok, texts=[*ok.texts, Text("@红岩故事会", where=[0.18, 0.2], size=0.04,
                                                               opacity=0.6, font="sans")]),
             HUBEI, {"watermark": FAIL}, about="a text watermark off the corner"))
    add(Case("wm-logo-1080p", _with(_subtitled(LINES[:3], credits=credits, font="sans"), width=1920,
                                    height=1080, logos=[Logo("top-left", size=0.08)]),
             HUBEI, {"watermark": FAIL}, about="1080p, small logo"))
    add(Case("wm-faint-text", _with(ok, texts=[*ok.texts, Text("西瓜视频 @长川故事", where="bottom-right",
                                                                size=0.04, opacity=0.35, outline=None)]),
             HUBEI, {"watermark": FAIL}, about="a faint (35 %) platform watermark bottom right"))
    add(Case("wm-logo-first-seconds", _with(ok, logos=[Logo("top-right", size=0.12, end=2.0)]), HUBEI,
             {"watermark": PASS}, about="a logo on the opening seconds only is not a watermark"))
    add(Case("wm-own-logo-allowed", _with(ok, logos=[Logo("top-right", size=0.09, text=COLLEGE)]), HUBEI,
             {"watermark": PASS}, entrant=COLLEGE,
             changes={"watermark": {"allow_entrant_logo": True}},
             about="the unit's own logo where the rule allows it"))
    add(Case("wm-other-logo-not-allowed", _with(ok, logos=[Logo("top-right", size=0.09, text="长川卫视")]),
             HUBEI, {"watermark": FAIL}, entrant=COLLEGE,
             changes={"watermark": {"allow_entrant_logo": True}},
             about="the unit's own logo would be allowed; another station's is not"))

    # -- AI labels (Chongqing: both required when AI use is declared) --------------------------
    def ai_scene(label: str | None = "本视频含人工智能生成内容", *, start: float = 0.0, end: float = 4.0,
                 size: float = 0.075, where: str | list[float] = "top-left", metadata: str | None = aigc(),
                 extra: list[tuple[str, str]] | None = None, width: int = 1280, height: int = 720,
                 opacity: float = 1.0, font: str = "sans") -> Scene:
        texts, speech = subtitle_track(LINES[6:9], start=1.0)
        if label is not None:
            texts.append(Text(label, start=start, end=end, where=where, size=size, font=font,
                              opacity=opacity))
        return Scene(seconds=11.0, width=width, height=height, texts=texts, speech=speech,
                     metadata={"AIGC": metadata} if metadata is not None else {},
                     extra_tags=list(extra or []))

    both_ok = {"ai_label": PASS}
    add(Case("ai-both", ai_scene(), CHONGQING, both_ok, entrant=COLLEGE, declares_ai=True,
             about="both labels, declared", suite=True))
    add(Case("ai-both-short-wording", ai_scene("AI生成", size=0.085, where="top-right"), CHONGQING,
             both_ok, entrant=COLLEGE, declares_ai=True, about="「AI生成」 top right"))
    add(Case("ai-both-synth", ai_scene("部分画面由人工智能合成", where="bottom-left", end=3.0, font="wqy"),
             CHONGQING, both_ok, entrant=COLLEGE, declares_ai=True, about="「合成」 bottom left, 3 s"))
    add(Case("ai-both-portrait", ai_scene("内容由AI合成", width=720, height=1280, where="top"),
             CHONGQING, both_ok, entrant=ARCHIVE, declares_ai=True, about="portrait, label at the top"))
    add(Case("ai-both-1080p", ai_scene("本片使用AI生成画面", width=1920, height=1080, size=0.07),
             CHONGQING, both_ok, entrant=ARCHIVE, declares_ai=True, about="1080p, label 5.8 % high"))
    add(Case("ai-both-label-2", ai_scene(metadata=aigc("2")), CHONGQING, both_ok, entrant=COLLEGE,
             declares_ai=True, about="implicit Label 2 (possibly generated)"))
    add(Case("ai-explicit-missing", ai_scene(None), CHONGQING,
             {"ai_label": FAIL}, entrant=COLLEGE, declares_ai=True,
             about="declared; implicit label only", suite=True))
    add(Case("ai-explicit-small", ai_scene(size=0.03), CHONGQING,
             {"ai_label": FAIL}, entrant=COLLEGE, declares_ai=True,
             about="explicit label 2.6 % high"))
    add(Case("ai-explicit-brief", ai_scene(end=1.0), CHONGQING,
             {"ai_label": FAIL}, entrant=COLLEGE, declares_ai=True,
             about="explicit label on screen for 1 s"))
    late = ai_scene(None)
    add(Case("ai-explicit-late",
             _with(late, seconds=14.0, texts=[*late.texts, Text("本视频含人工智能生成内容", start=10.5,
                                                                 end=13.5, where="top-left", size=0.075)]),
             CHONGQING, {"ai_label": FAIL}, entrant=COLLEGE,
             declares_ai=True, about="the label appears only after the opening 10 s"))
    add(Case("ai-explicit-wrong-words", ai_scene("AI助力 党史新说"), CHONGQING,
             {"ai_label": FAIL}, entrant=COLLEGE, declares_ai=True,
             about="「AI」 without 「生成」/「合成」 is not a label"))
    add(Case("ai-implicit-missing", ai_scene(metadata=None), CHONGQING,
             {"ai_label": FAIL}, entrant=COLLEGE, declares_ai=True,
             about="declared; explicit label only"))
    add(Case("ai-implicit-not-json", ai_scene(metadata="Label=1;ContentProducer=cq"), CHONGQING,
             {"ai_label": FAIL}, entrant=COLLEGE, declares_ai=True,
             about="implicit label that is not JSON"))
    add(Case("ai-implicit-missing-fields",
             ai_scene(metadata=json.dumps({"Label": "1", "ContentProducer": "cq"}, separators=(",", ":"))),
             CHONGQING, {"ai_label": FAIL}, entrant=COLLEGE,
             declares_ai=True, about="implicit label with two of the seven fields"))
    add(Case("ai-implicit-bad-label", ai_scene(metadata=aigc("7")), CHONGQING,
             {"ai_label": FAIL}, entrant=COLLEGE, declares_ai=True,
             about="implicit Label 7 (only 1, 2, 3 exist)"))
    add(Case("ai-implicit-duplicated", ai_scene(extra=[("AIGC", aigc(produce_id="cq-hs-2026-0418"))]),
             CHONGQING, {"ai_label": FAIL}, entrant=COLLEGE,
             declares_ai=True, about="two AIGC labels in one file", suite=True))
    add(Case("ai-none-declared-none", ai_scene(None, metadata=None), CHONGQING, {"ai_label": PASS},
             entrant=COLLEGE, declares_ai=False, about="no AI declared, no label: nothing required"))
    add(Case("ai-metadata-but-not-declared", ai_scene(None), CHONGQING, {"ai_label": REVIEW},
             entrant=COLLEGE, declares_ai=False,
             about="the metadata says AI-generated, the form says no AI: flagged for the organiser"))
    return cases


CASES: list[Case] = _cases()
SUITE: list[Case] = [c for c in CASES if c.suite]


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def outcomes(report: Any) -> dict[str, str]:
    """Line id -> outcome of a report; a rule whose only line is a sub-line also answers for the rule."""
    found = {line.check: line.outcome.value for line in report.lines}
    return found


def score(case: Case, report: Any) -> list[tuple[str, str, str | None, bool]]:
    """(line id, expected, actual or None, right) for each labelled line of the case."""
    found = outcomes(report)
    rows = []
    for line in case.expect:
        actual = found.get(line)
        right = actual is not None and case.accepts(line, actual)
        rows.append((line, "/".join(case.accepted(line)), actual, right))
    return rows
