"""Downloads of the forms and lists, for each role: who gets them, under which name and type."""

import io
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from openpyxl import load_workbook

from guangying.campaigns.models import Entrant
from guangying.documents import pdf, word
from guangying.documents.views import download_name
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, WorkFactory, member_of
from tests.submissions.helpers import HUBEI_FORM

from .helpers import open_docx, table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(work):
    work.form_data = dict(HUBEI_FORM)
    work.state = WorkState.PASSED
    work.save()
    return work


def work_url(work, key="info_sheet", fmt="docx"):
    return reverse("documents:work_document", args=[work.pk, key, fmt])


def entrant_urls(entrant):
    return [reverse("documents:entrant", args=[entrant.pk]),
            reverse("documents:entrant_summary", args=[entrant.pk, "docx"]),
            reverse("documents:entrant_summary", args=[entrant.pk, "xlsx"])]


def campaign_urls(campaign):
    return [reverse("documents:campaign", args=[campaign.slug]),
            reverse("documents:campaign_summary", args=[campaign.slug, "docx"]),
            reverse("documents:campaign_summary", args=[campaign.slug, "xlsx"]),
            reverse("documents:published", args=[campaign.slug, "docx"])]


def status(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def test_each_role_reaches_what_it_may(client, hubei, filled, unit, member, other_member, organiser):
    work_level = [work_url(filled), work_url(filled, "copyright_pledge")]
    entrant_level = entrant_urls(unit)
    campaign_level = campaign_urls(hubei)
    for url in work_level + entrant_level + campaign_level:
        assert status(client, organiser, url) == 200, url
        assert status(client, other_member, url) == 404, url
    for url in work_level + entrant_level:
        assert status(client, member, url) == 200, url
    for url in campaign_level:
        assert status(client, member, url) == 404, url  # the other units' works are in them


def test_anonymous_people_are_sent_to_log_in(client, hubei, filled, unit):
    for url in [work_url(filled), *entrant_urls(unit), *campaign_urls(hubei)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login")) and "next=" in response["Location"]


def test_named_rules_for_every_role(hubei, filled, unit, member, other_member, organiser):
    for user, work_ok, campaign_ok in ((organiser, True, True), (member, True, False),
                                       (other_member, False, False), (AnonymousUser(), False, False)):
        assert user.has_perm("documents.download_work_documents", filled) is work_ok
        assert user.has_perm("documents.download_entrant_documents", unit) is work_ok
        assert user.has_perm("documents.manage_campaign_documents", hubei) is campaign_ok


def test_the_word_file_comes_with_its_chinese_name_and_type(client, filled, member):
    client.force_login(member)
    response = client.get(work_url(filled))
    assert response["Content-Type"] == word.DOCX_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("作品信息表-一封家书.docx"))
    assert response["Cache-Control"] == "private, no-store"
    rows = table_rows(open_docx(response.content).tables[0])
    assert rows[1] == ["作品名称", "一封家书"]


def test_the_summary_workbook(client, unit, filled, member):
    client.force_login(member)
    response = client.get(reverse("documents:entrant_summary", args=[unit.pk, "xlsx"]))
    assert response["Content-Type"] == word.XLSX_TYPE
    assert response["Content-Disposition"].endswith(quote("作品汇总表-长川市委统战部.xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:3] == [1, "一封家书", "长川市委统战部"]


def test_the_organisers_summary_and_published_list(client, hubei, filled, organiser):
    client.force_login(organiser)
    summary = client.get(reverse("documents:campaign_summary", args=[hubei.slug, "docx"]))
    assert summary["Content-Disposition"].endswith(quote("作品汇总表-微光映同心.docx"))
    assert table_rows(open_docx(summary.content).tables[0])[1][1] == "一封家书"
    listed = client.get(reverse("documents:published", args=[hubei.slug, "docx"]))
    assert listed["Content-Disposition"].endswith(quote("“微光映同心”优秀作品名单.docx"))
    assert table_rows(open_docx(listed.content).tables[0]) == [["序号", "作品名称", "报送单位"],
                                                               ["1", "一封家书", "长川市委统战部"]]


def test_the_published_list_as_pdf(client, hubei, filled, organiser):
    client.force_login(organiser)
    response = client.get(reverse("documents:published", args=[hubei.slug, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(quote("“微光映同心”优秀作品名单.pdf"))
    assert response.content.startswith(b"%PDF") and pdf.page_count(response.content) == 1
    assert "一封家书" in pdf.pdf_text(response.content)


def test_without_libreoffice_the_pdf_link_says_why(client, hubei, organiser, monkeypatch):
    monkeypatch.setenv("GUANGYING_SOFFICE", "/nonexistent/soffice")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(pdf, "_CANDIDATES", ())
    client.force_login(organiser)
    response = client.get(reverse("documents:published", args=[hubei.slug, "pdf"]))
    assert response.status_code == 503
    assert "没有安装 LibreOffice" in response.content.decode()


def test_unknown_documents_and_formats_do_not_exist(client, hubei, filled, unit, organiser):
    client.force_login(organiser)
    for url in [work_url(filled, "final_script"), work_url(filled, "nothing"), work_url(filled, fmt="xlsx"),
                work_url(filled, fmt="exe"), reverse("documents:entrant_summary", args=[unit.pk, "zip"]),
                reverse("documents:entrant_document", args=[unit.pk, "summary_sheet", "docx"]),
                reverse("documents:published", args=[hubei.slug, "xlsx"]),
                reverse("documents:campaign_summary", args=[hubei.slug, "txt"]),
                reverse("documents:work_document", args=[999999, "info_sheet", "docx"])]:
        assert client.get(url).status_code == 404, url
    assert client.post(work_url(filled)).status_code == 405


def test_a_hostile_title_makes_a_safe_file_name(client, unit, member):
    work = WorkFactory(entrant=unit, title='../../etc/passwd<"x">|\x07')
    client.force_login(member)
    response = client.get(work_url(work))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("作品信息表-.._.._etc_passwd__x____.docx"))
    assert download_name("a/b\\c.docx") == "a_b_c.docx"
    assert download_name("   .docx") == "document.docx"
    assert download_name("长" * 300 + ".xlsx") == "长" * 100 + ".xlsx"


def test_the_work_page_lists_its_forms(client, filled, member, organiser):
    for user in (member, organiser):
        client.force_login(user)
        page = client.get(filled.get_absolute_url()).content.decode()
        assert "下载表格" in page
        assert work_url(filled) in page and work_url(filled, "copyright_pledge") in page
        assert reverse("documents:entrant_summary", args=[filled.entrant_id, "xlsx"]) in page
        assert reverse("documents:entrant", args=[filled.entrant_id]) in page


def test_the_entrant_page_leaves_out_withdrawn_works(client, unit, filled, member):
    WorkFactory(entrant=unit, title="撤销了的作品", state=WorkState.WITHDRAWN)
    client.force_login(member)
    page = client.get(reverse("documents:entrant", args=[unit.pk])).content.decode()
    assert "一封家书" in page and "撤销了的作品" not in page
    assert work_url(filled, "copyright_pledge") in page


def test_the_organisers_page_is_in_the_campaign_navigation(client, hubei, filled, other_unit, organiser):
    client.force_login(organiser)
    dashboard = client.get(reverse("campaigns:dashboard", args=[hubei.slug])).content.decode()
    assert reverse("documents:campaign", args=[hubei.slug]) in dashboard
    page = client.get(reverse("documents:campaign", args=[hubei.slug])).content.decode()
    assert "表格与名单" in page
    expected = [*campaign_urls(hubei)[1:], reverse("documents:published", args=[hubei.slug, "pdf"]),
                work_url(filled), work_url(filled, "copyright_pledge"),
                reverse("documents:entrant_summary", args=[other_unit.pk, "xlsx"])]
    for url in expected:
        assert url in page, url


def test_a_chongqing_individual_gets_the_notices_summary_sheet(client, chongqing, organiser):
    person = EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="赵小红",
                            affiliation="重庆示例中学")
    user = member_of(person)
    WorkFactory(entrant=person, title="红岩家书", state=WorkState.SUBMITTED)
    client.force_login(user)
    response = client.get(reverse("documents:entrant_summary", args=[person.pk, "docx"]))
    assert response["Content-Disposition"].endswith(quote("作品汇总表-赵小红.docx"))
    document = open_docx(response.content)
    assert document.paragraphs[0].text == "附件3"
    assert table_rows(document.tables[0])[1][:5] == ["1", "红岩家书", "", "赵小红", "重庆示例中学"]
    registration = client.get(work_url(person.works.get(), "registration_form"))
    assert registration.status_code == 200
    assert client.get(reverse("documents:campaign_summary", args=[chongqing.slug, "xlsx"])).status_code == 404
    client.force_login(organiser)
    sheet = load_workbook(io.BytesIO(client.get(
        reverse("documents:campaign_summary", args=[chongqing.slug, "xlsx"])).content)).active
    assert [c.value for c in sheet[1]] == ["序号", "作品名称", "时长", "作者", "单位", "播出情况", "状态"]
    assert [c.value for c in sheet[2]][-1] == "已提交"
