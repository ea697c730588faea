"""Reading the generated documents back as an office would: python-docx, cell by cell."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
import yaml

from guangying.campaigns.models import Campaign, Entrant
from guangying.rulesets import dump_ruleset
from guangying.submissions.models import Work
from tests.factories import preset_rules

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The labels of the notices' attachment tables, in the notices' order (seeds 000 and 001).
HUBEI_INFO_LABELS = ["作品名称", "报送单位", "主创人员信息", "作品简介（200字以内）", "视频脚本内容",
                     "报送单位联系人及电话", "报送日期"]
CHONGQING_REGISTRATION_LABELS = ["作品名称", "作品时长", "参赛主体", "播出情况", "播出平台及链接", "联系人",
                                 "联系电话", "作品创作团队情况（100字以内）", "作品简介（150字以内）"]
CHONGQING_SUMMARY_HEADER = ["序号", "作品名称", "时长", "作者", "单位", "播出情况"]


def open_docx(content: bytes):
    assert content.startswith(b"PK")
    return docx.Document(io.BytesIO(content))


def cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def table_rows(table) -> list[list[str]]:
    """Each row's cells, a merged cell once (python-docx repeats it for every grid column)."""
    rows = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            texts.append(cell_text(cell))
        rows.append(texts)
    return rows


def body_paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def all_text(document) -> str:
    parts = body_paragraphs(document)
    for table in document.tables:
        for row in table_rows(table):
            parts.extend(row)
    return "\n".join(parts)


def unsaved_campaign(preset: str, **changes) -> Campaign:
    """A campaign held in memory only, for documents that need no database."""
    _key, rules = preset_rules(preset, **changes)
    campaign = Campaign(slug=preset, preset_key=preset)
    campaign.set_rules(yaml.safe_dump(dump_ruleset(rules), allow_unicode=True), rules)
    return campaign


def unsaved_work(campaign: Campaign, *, title: str, form: dict, kind: str = "unit", name: str = "示例单位",
                 affiliation: str = "", submitted: datetime | None = None) -> Work:
    entrant = Entrant(campaign=campaign, kind=kind, name=name, affiliation=affiliation)
    return Work(campaign=campaign, entrant=entrant, title=title, form_data=form, submitted_at=submitted)


# Every field at the limit the form allows: titles of 200 characters (Work.title), 150 and 100
# for 作品简介 and 作品创作团队情况, a platform of 100 characters and a link of 500.
def maximal_chongqing_form() -> dict:
    return {
        "duration": 299,
        "broadcast": {"status": "aired", "platform": "华" * 100,
                      "link": "https://example.org/" + "W" * 480},
        "contact_name": "联" * 50,
        "contact_phone": "0" * 20,
        "team": "导演、编剧、摄像、后期：示例文化中心创作组成员。" * 4,
        "synopsis": "以一封家书串起百年故事，" * 12 + "简介到此。",
    }
