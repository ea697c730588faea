"""Every kind of generated document goes through LibreOffice: how many pages each prints on.

The forms are in test_pdf.py and the published list in test_published.py; here the pledges
(one page each, as in the notices, with a long title and unit; the longest the platform takes
runs on, whole) and the lists (a page or more, every work on them). One conversion per
document, two at a time.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from guangying.campaigns.models import Entrant
from guangying.documents import pdf, word
from tests.factories import EntrantFactory, WorkFactory
from tests.submissions.helpers import CHONGQING_FORM, HUBEI_FORM

pytestmark = pytest.mark.django_db

LONG_TITLE = "红岩家书：一封跨越八十年的信与两代人的同心路（上篇）·重庆地方党组织成立百年特别节目"  # 44
LONG_UNIT = "中国共产党重庆市示例区委员会统一战线工作部机关党支部宣传委员会"  # 31
LONGEST_TITLE = "红岩" * 100  # the 200 characters Work.title holds


@pytest.fixture
def documents(hubei, chongqing) -> dict[str, bytes]:
    hubei_unit = EntrantFactory(campaign=hubei, name=LONG_UNIT)
    hubei_work = WorkFactory(entrant=hubei_unit, title=LONG_TITLE, form_data=dict(HUBEI_FORM))
    person = EntrantFactory(campaign=chongqing, name="欧阳晓明雪", kind=Entrant.Kind.INDIVIDUAL,
                            affiliation=LONG_UNIT)
    cq_work = WorkFactory(entrant=person, title=LONG_TITLE, form_data=dict(CHONGQING_FORM))
    longest = WorkFactory(entrant=person, title=LONGEST_TITLE, form_data=dict(CHONGQING_FORM))
    unit = EntrantFactory(campaign=chongqing, name="重庆市示例局")
    for n in range(40):  # a long list: it runs over pages, with its header on each
        form = dict(CHONGQING_FORM)
        if n % 2:
            form["broadcast"] = {"status": "aired", "platform": "华龙网", "link": f"https://example.org/v/{n}"}
        WorkFactory(entrant=unit, title=f"红岩故事第{n + 1}篇", form_data=form, state="submitted")
    hubei_pledge = next(d for d in word.work_documents(hubei_work) if d.key == "copyright_pledge")
    cq_pledge = next(d for d in word.work_documents(cq_work) if d.key == "copyright_pledge")
    longest_pledge = next(d for d in word.work_documents(longest) if d.key == "copyright_pledge")
    [summary] = word.entrant_documents(unit)
    sources = {
        "hubei_pledge": hubei_pledge.content,
        "chongqing_pledge": cq_pledge.content,
        "longest_pledge": longest_pledge.content,
        "chongqing_summary": summary.content,
        "campaign_summary": word.campaign_summary(chongqing).content,
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(sources, pool.map(pdf.to_pdf, sources.values()), strict=True))


def plain(content: bytes) -> str:
    """The PDF's text without the line breaks and the spaces the extraction puts between scripts."""
    return "".join(pdf.pdf_text(content).split())


def test_pledges_print_on_one_page_and_keep_the_notice_text(documents):
    for name, words in (("hubei_pledge", ["本单位报送作品《", "特此承诺", "报送单位（盖章）"]),
                        ("chongqing_pledge", ["授权作品", "签署之日起生效", "（盖章/签字）"])):
        assert pdf.page_count(documents[name]) == 1, name
        text = plain(documents[name])
        assert all(word in text for word in words), name
        assert f"《{''.join(LONG_TITLE.split())}》" in text, name


def test_the_longest_title_runs_on_whole(documents):
    assert LONGEST_TITLE in plain(documents["longest_pledge"])


def test_lists_keep_every_work_over_their_pages(documents):
    for name in ("chongqing_summary", "campaign_summary"):
        pages = pdf.page_count(documents[name])
        assert pages >= 2, name
        text = plain(documents[name])
        assert all(f"红岩故事第{n}篇" in text for n in range(1, 41)), name
        assert text.count("序号") >= pages  # the header row repeats on every page
        assert "未播出" in text and "华龙网" in text
