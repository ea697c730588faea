"""The English catalogue: complete, compiled, faithful to its placeholders, and what the pages show."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation

import guangying
from tests.factories import WorkFactory

LC_MESSAGES = Path(guangying.__file__).parent / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# %(name)s, %(n)d, %s, %d … but not the literal percent sign %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|\{\{\s*\w+\s*\}\}")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# English text that quotes Chinese on purpose (the duration format the form accepts).
HAN_ALLOWED = {"时长请写成「4分30秒」或「4:30」。"}


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def catalogue(entries) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """msgctxt, msgid and msgid_plural → the translations, for .po and .mo alike."""
    table = {}
    for entry in entries:
        if not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural, key=int))
        else:
            forms = (entry.msgstr,)
        table[(entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")] = forms
    return table


@pytest.fixture(autouse=True)
def back_to_default_language():
    """Requests in English leave the thread's language behind; later tests expect Chinese."""
    yield
    translation.deactivate()


# --- the files ---------------------------------------------------------------------------


def test_header_names_the_project_and_the_language(po):
    assert po.metadata["Project-Id-Version"] == "guangying"
    assert po.metadata["Language"] == "en"
    assert not po.metadata_is_fuzzy
    assert po.metadata["Plural-Forms"].startswith("nplurals=2;")


def test_committed_mo_matches_the_po(po):
    assert MO_PATH.exists(), "run compilemessages and commit django.mo"
    expected = catalogue(po.translated_entries())
    compiled_in_memory = catalogue(polib.mofile(po.to_binary()))
    assert compiled_in_memory == expected
    committed = catalogue(polib.mofile(str(MO_PATH)))
    stale = sorted(key[1] for key in expected.keys() | committed.keys()
                   if expected.get(key) != committed.get(key))
    assert not stale, f"django.mo is out of date for {len(stale)} message(s), e.g. {stale[:5]}"


def test_every_entry_is_translated_and_not_fuzzy(po):
    entries = live_entries(po)
    assert len(entries) > 300
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    for entry in entries:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid
            assert all(s.strip() for s in entry.msgstr_plural.values()), entry.msgid


def test_no_obsolete_entries_are_left_behind(po):
    assert [e.msgid for e in po.obsolete_entries()] == []


def translations_of(entry: polib.POEntry) -> list[tuple[str, str]]:
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
    return [(entry.msgid, entry.msgstr)]


def test_placeholders_survive_translation(po):
    wrong = []
    for entry in live_entries(po):
        for source, target in translations_of(entry):
            if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(target)):
                wrong.append((source, target))
    assert wrong == []


def test_line_breaks_survive_translation(po):
    wrong = [
        (source, target)
        for entry in live_entries(po)
        for source, target in translations_of(entry)
        if source.count("\n") != target.count("\n")
        or source.startswith("\n") != target.startswith("\n")
        or source.endswith("\n") != target.endswith("\n")
    ]
    assert wrong == []


def test_translations_are_english(po):
    leftovers = [
        (source, target)
        for entry in live_entries(po)
        if entry.msgid not in HAN_ALLOWED
        for source, target in translations_of(entry)
        if HAN.search(target)
    ]
    assert leftovers == []


@pytest.mark.parametrize(("chinese", "english"), [
    ("报送单位", "Submitting units"),
    ("形式审查", "Formal check"),
    ("退回修改", "Returned for correction"),
    ("不予受理", "Rejected"),
    ("报送截止", "Submission deadline"),
    ("北京时间", "Beijing time"),
    ("主办方", "Organiser"),
    ("评审专家", "Reviewer"),
    ("登录", "Log in"),
])
def test_agreed_terms(chinese, english):
    with translation.override("en"):
        assert translation.gettext(chinese) == english


def test_plural_forms_follow_the_number():
    with translation.override("en"):
        assert translation.ngettext("还差 %(n)s 项", "还差 %(n)s 项", 1) % {"n": 1} == "1 item outstanding"
        assert translation.ngettext("还差 %(n)s 项", "还差 %(n)s 项", 3) % {"n": 3} == "3 items outstanding"


# --- the pages ---------------------------------------------------------------------------


def set_language(client, code: str) -> None:
    response = client.post("/i18n/setlang/", {"language": code, "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == code


def test_switching_language_changes_home_and_campaign_pages(client, hubei, chongqing):
    page = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in page
    assert "登录" in page

    set_language(client, "en")
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert ">Log in</a>" in page
    assert "Open campaigns" in page
    assert "All times are Beijing time" in page
    assert "登录" not in page
    assert "正在征集的活动" not in page
    assert "微光映同心" in page  # campaign data stays as the organiser wrote it

    page = client.get(hubei.get_absolute_url()).content.decode()
    assert '<html lang="en">' in page
    assert "<dt>Submission deadline</dt>" in page
    assert "<h2>Technical requirements</h2>" in page
    assert "<h2>Schedule</h2>" in page
    for chinese in ("<dt>报送截止</dt>", "技术要求", "活动安排", "报送材料", "时间均为北京时间"):
        assert chinese not in page

    set_language(client, "zh-hans")
    page = client.get(hubei.get_absolute_url()).content.decode()
    assert '<html lang="zh-CN">' in page
    assert "<dt>报送截止</dt>" in page
    assert "<h2>技术要求</h2>" in page
    assert "Technical requirements" not in page
    assert "Log in" not in page


def test_work_page_for_a_unit_member_is_in_english(client, unit, member):
    work = WorkFactory(entrant=unit)
    client.force_login(member)
    set_language(client, "en")
    page = client.get(work.get_absolute_url()).content.decode()
    assert '<html lang="en">' in page

    english = [
        ">Draft</span>",  # state badge
        "<strong>Still needed before submission:</strong>",
        "<li>Please upload the video file.</li>",
        ">Fill in work information</a>",
        ">Submit work</button>",
        ">Discard draft</button>",
        "<h2>Video</h2>",
        "<h2>Documents</h2>",
        "<h2>Work information</h2>",
        "<h2>History</h2>",
        "Not uploaded yet",
        ">Upload video</button>",
        ">Log out</button>",
        "All times are Beijing time",
    ]
    missing = [snippet for snippet in english if snippet not in page]
    assert missing == []

    chinese = ["草稿", "提交前还需要", "填写作品信息", "提交作品", "撤销草稿", "<h2>视频</h2>",
               "<h2>报送材料</h2>", "<h2>作品信息</h2>", "<h2>记录</h2>", "尚未上传", "上传视频",
               "截止时间", "请上传视频文件", "退出", "首页", "时间均为北京时间"]
    leftovers = [snippet for snippet in chinese if snippet in page]
    assert leftovers == []

    # The rule set's own words (form labels, document names) stay as the notice wrote them.
    assert "版权承诺书" in page
    assert "作品简介" in page
