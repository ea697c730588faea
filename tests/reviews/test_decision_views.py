"""The decisions and the outbox through their pages: levels, staging, release, the list, sending."""

import io

import docx
import docx.table
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from guangying.campaigns.models import CampaignRole
from guangying.reviews import decisions, outbox
from guangying.reviews.models import AwardLevel, Decision, OutgoingMail, ReviewLog
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of
from tests.reviews.helpers import client_for

from .test_decisions import AWARDS, closed_round

pytestmark = pytest.mark.django_db



def url(name, campaign, *args):
    return reverse(f"reviews:{name}", args=[campaign.slug, *args])


def page(response) -> str:
    return response.content.decode()


@pytest.fixture
def desk(organiser):
    return client_for(organiser)


@pytest.fixture
def ranked(hubei, organiser, unit, other_unit):
    """Six works (甲–己, marks 9 down to 6.5), the top five advanced, 初审 closed; two unit addresses."""
    unit.contact_email = "office@changchuan.example"
    unit.save()
    member_of(other_unit, UserFactory(email="member@mingde.example", name="成员乙"))
    works = [(unit if n % 2 == 0 else other_unit, title, 9 - n * 0.5)
             for n, title in enumerate("甲乙丙丁戊己")]
    return closed_round(hubei, organiser, works, top=5)


def set_levels(desk, hubei, levels):
    data = {}
    for n, (label, count) in enumerate(levels):
        data[f"label_{n}"] = label
        data[f"count_{n}"] = "" if count is None else str(count)
    return desk.post(url("decision_levels", hubei), data, follow=True)


def docx_text(content: bytes) -> str:
    """The document's text in reading order: headings and tables as they follow each other."""
    parts = []
    for block in docx.Document(io.BytesIO(content)).iter_inner_content():
        if isinstance(block, docx.table.Table):
            parts.extend(cell.text for row in block.rows for cell in row.cells)
        else:
            parts.append(block.text)
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Who


def test_nobody_but_the_organiser_reaches_the_pages(hubei, unit, member, organiser, ranked):
    reviewer = CampaignRole.objects.filter(campaign=hubei, role=CampaignRole.Role.REVIEWER).first().user
    other_organiser = UserFactory()
    for user in (member, reviewer, other_organiser):
        client = client_for(user)
        for name in ("decisions", "outbox"):
            assert client.get(url(name, hubei)).status_code == 404
        for name in ("decision_levels", "decision_propose", "decision_stage", "decision_clear",
                     "decision_release", "decision_withdraw", "outbox_send", "outbox_delete"):
            assert client.post(url(name, hubei), {"confirm": "1", "round": "first", "mail": "all",
                                                   "label_0": "一等奖"}).status_code == 404
    anonymous = Client().get(url("decisions", hubei))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert not Decision.objects.exists() and not AwardLevel.objects.exists()
    # Changes are POST only.
    desk = client_for(organiser)
    assert desk.get(url("decision_release", hubei)).status_code == 405


def test_the_desk_links_to_the_decisions_and_the_outbox(desk, hubei):
    rounds = page(desk.get(url("rounds", hubei)))
    assert url("decisions", hubei) in rounds and url("outbox", hubei) in rounds


# --------------------------------------------------------------------------
# Levels


def test_levels_through_the_form(desk, hubei):
    first = page(desk.get(url("decisions", hubei)))
    assert 'value="优秀作品"' in first and "按排名生成" in first and "还没有已结束的评审轮次" in first
    response = set_levels(desk, hubei, AWARDS)
    assert "奖项已保存" in page(response)
    assert [(a.label, a.count) for a in decisions.award_levels(hubei)] == AWARDS
    more = page(desk.get(url("decisions", hubei) + "?rows=10"))
    assert more.count('name="label_') == 4 + 10
    assert page(desk.get(url("decisions", hubei) + "?rows=abc")).count('name="label_') == 4 + 3


@pytest.mark.parametrize("data, message", [
    ({"label_0": "一等奖", "count_0": "abc"}, "名额须为 0 到 1000 的整数"),
    ({"label_0": "一等奖", "count_0": "-3"}, "名额须为 0 到 1000 的整数"),
    ({"label_0": "奖" * 61, "count_0": ""}, "最多 60 字"),
    ({"label_0": "一等奖", "label_1": "一等奖"}, "重复"),
    ({"label_0": "", "count_0": "2"}, "没有填写奖项名称"),
    ({}, "至少设置一个奖项"),
])
def test_bad_levels_are_refused_with_the_typed_rows_kept(desk, hubei, data, message):
    set_levels(desk, hubei, AWARDS)
    response = desk.post(url("decision_levels", hubei), data)
    assert response.status_code == 400
    text = page(response)
    assert message in text
    if data.get("count_0") == "abc":
        assert 'value="abc"' in text  # what was typed is shown again to correct
    assert [(a.label, a.count) for a in decisions.award_levels(hubei)] == AWARDS


def test_a_hostile_label_is_shown_as_text(desk, hubei, ranked):
    hostile = '<script>alert("x")</script>'
    set_levels(desk, hubei, [(hostile, 1), ("优秀作品", None)])
    text = page(desk.get(url("decisions", hubei)))
    assert hostile not in text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    first, works = ranked
    desk.post(url("decision_propose", hubei), {"round": first.key})
    assert Decision.objects.get(work=works["甲"]).award == hostile
    assert hostile not in page(desk.get(url("decisions", hubei)))


# --------------------------------------------------------------------------
# Staging


def test_propose_and_adjust_by_hand(desk, hubei, ranked):
    first, works = ranked
    set_levels(desk, hubei, AWARDS)
    text = page(desk.get(url("decisions", hubei)))
    assert f'<option value="{first.key}" selected>' in text  # the last closed round
    response = desk.post(url("decision_propose", hubei), {"round": first.key}, follow=True)
    text = page(response)
    assert "已按「初审」排名生成暂定结果：6 件作品" in text
    assert {d.work.title: d.award for d in Decision.objects.select_related("work")} == {
        "甲": "一等奖", "乙": "二等奖", "丙": "二等奖", "丁": "三等奖", "戊": "三等奖", "己": "三等奖"}
    assert "90.00" in text and "长川市委统战部" in text  # aggregate and entrant shown
    response = desk.post(url("decision_stage", hubei), {f"award_{works['己'].pk}": "",
                                                         f"award_{works['甲'].pk}": "一等奖"}, follow=True)
    assert "已修改 1 件作品的奖项" in page(response)
    assert not Decision.objects.filter(work=works["己"]).exists()
    assert ReviewLog.objects.filter(campaign=hubei, action="decision_staged").count() == 1


def test_propose_from_a_round_not_closed_is_refused(desk, hubei, ranked):
    second = hubei.review_rounds.get(key="second")
    for key in (second.key, "nonsense", ""):
        response = desk.post(url("decision_propose", hubei), {"round": key}, follow=True)
        assert "请选择一个已结束的评审轮次" in page(response)
    assert not Decision.objects.exists()


def test_malformed_and_foreign_work_ids_change_nothing(desk, hubei, chongqing, ranked):
    first, works = ranked
    set_levels(desk, hubei, AWARDS)
    desk.post(url("decision_propose", hubei), {"round": first.key})
    before = sorted(Decision.objects.values_list("work_id", "award"))
    foreign = WorkFactory(entrant=EntrantFactory(campaign=chongqing), title="他处作品")
    for data, message in [
        ({"award_999999": "一等奖"}, "没有这些作品"),
        ({f"award_{foreign.pk}": "优秀作品", f"award_{works['己'].pk}": ""}, "没有这些作品"),
        ({"award_abc": "一等奖"}, "无效"),
        ({f"award_{works['己'].pk}": "特等奖"}, "没有「特等奖」这个奖项"),
        ({}, "没有收到要修改的作品"),
    ]:
        response = desk.post(url("decision_stage", hubei), data, follow=True)
        assert message in page(response)
    assert sorted(Decision.objects.values_list("work_id", "award")) == before


# --------------------------------------------------------------------------
# Release, the list, the public page


def test_release_publishes_the_list_and_the_public_page(desk, hubei, ranked, organiser):
    first, works = ranked
    set_levels(desk, hubei, [("一等奖", 1), ("二等奖", 2), ("优秀作品", None)])
    public = Client().get(hubei.get_absolute_url())
    assert public.status_code == 200 and "data-results" not in page(public)
    # Before release the published list is the draft of passed works, the preview shows the staged awards.
    desk.post(url("decision_propose", hubei), {"round": first.key})
    draft = docx_text(desk.get(reverse("documents:published", args=[hubei.slug, "docx"])).content)
    assert "一等奖" not in draft and "甲" in draft
    listing = reverse("documents:published", args=[hubei.slug, "docx"])
    preview = docx_text(desk.get(listing + "?staged=1").content)
    assert "预览稿" in preview and "一等奖" in preview and "二等奖" in preview
    assert "data-results" not in page(Client().get(hubei.get_absolute_url()))
    # Without the confirmation nothing happens.
    response = desk.post(url("decision_release", hubei), follow=True)
    assert "请先勾选" in page(response) and not decisions.is_released(hubei)
    response = desk.post(url("decision_release", hubei), {"confirm": "1"}, follow=True)
    text = page(response)
    assert response.redirect_chain[-1][0] == url("outbox", hubei)
    assert "评审结果已公布：5 件作品" in text and "结果通知 2 封" in text
    listed = docx_text(desk.get(reverse("documents:published", args=[hubei.slug, "docx"])).content)
    assert "“微光映同心”优秀作品名单" in listed and "预览稿" not in listed
    for award in ("一等奖", "二等奖", "优秀作品"):
        assert award in listed
    assert listed.index("一等奖") < listed.index("甲") < listed.index("二等奖") < listed.index("乙")
    assert "己" not in listed  # not advanced, not awarded
    public = page(Client().get(hubei.get_absolute_url()))
    assert "data-results" in public and "“微光映同心”优秀作品名单" in public
    section = public.split("data-results")[1].split("</section>")[0]
    headings = [section.index(f"<h3>{award}</h3>") for award in ("一等奖", "二等奖", "优秀作品")]
    assert headings == sorted(headings)
    assert section.index("甲") < section.index("乙") < section.index("丙") < section.index("丁")
    assert "长川市委统战部" in section and "己" not in section
    # The decisions page shows the released state and refuses changes.
    text = page(desk.get(url("decisions", hubei)))
    assert "评审结果已于" in text and "撤回公布" in text and "award_" not in text
    response = desk.post(url("decision_stage", hubei), {f"award_{works['己'].pk}": "优秀作品"}, follow=True)
    assert "已经公布" in page(response)
    response = set_levels(desk, hubei, AWARDS)
    assert "已经公布" in page(response)
    response = desk.post(url("decision_release", hubei), {"confirm": "1"}, follow=True)
    assert "已经公布" in page(response)
    assert OutgoingMail.objects.filter(campaign=hubei).count() == 2


def test_release_over_a_count_is_refused_on_the_page(desk, hubei, ranked):
    first, works = ranked
    set_levels(desk, hubei, AWARDS)
    desk.post(url("decision_propose", hubei), {"round": first.key})
    desk.post(url("decision_stage", hubei), {f"award_{works['乙'].pk}": "一等奖"})
    text = page(desk.get(url("decisions", hubei)))
    assert "超出 1 件" in text
    response = desk.post(url("decision_release", hubei), {"confirm": "1"}, follow=True)
    assert "「一等奖」名额 1 名，暂定 2 件" in page(response)
    assert not decisions.is_released(hubei) and not OutgoingMail.objects.exists()


def test_withdraw_through_the_page(desk, hubei, ranked):
    first, _works = ranked
    desk.post(url("decision_propose", hubei), {"round": first.key})
    desk.post(url("decision_release", hubei), {"confirm": "1"})
    response = desk.post(url("decision_withdraw", hubei), follow=True)
    assert "请先勾选确认" in page(response) and decisions.is_released(hubei)
    response = desk.post(url("decision_withdraw", hubei), {"confirm": "1"}, follow=True)
    assert "已撤回公布" in page(response) and "已发送的通知无法收回" in page(response)
    assert not decisions.is_released(hubei) and not OutgoingMail.objects.exists()
    assert "data-results" not in page(Client().get(hubei.get_absolute_url()))
    response = desk.post(url("decision_withdraw", hubei), {"confirm": "1"}, follow=True)
    assert "尚未公布" in page(response)


# --------------------------------------------------------------------------
# The outbox


@pytest.fixture
def released(desk, hubei, ranked):
    first, _works = ranked
    set_levels(desk, hubei, AWARDS)
    desk.post(url("decision_propose", hubei), {"round": first.key})
    desk.post(url("decision_release", hubei), {"confirm": "1"})
    return list(OutgoingMail.objects.filter(campaign=hubei).order_by("pk"))


def test_the_outbox_shows_every_message_in_full_before_sending(desk, hubei, released):
    assert len(released) == 2 and mail.outbox == []
    text = page(desk.get(url("outbox", hubei)))
    for held in released:
        assert held.to_email in text and held.subject in text
    assert "您单位报送的作品《甲》《丙》《戊》经专家评审" in text and "《己》：三等奖" in text
    assert "全部发送" in text and "删除" in text and "已发送的邮件无法收回" in text


def test_send_all_sends_each_once(desk, hubei, released, organiser):
    response = desk.post(url("outbox_send", hubei), {"mail": "all"}, follow=True)
    assert "已发送 2 封邮件" in page(response)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.to_email for m in released)
    assert mail.outbox[0].subject == released[0].subject and "经专家评审" in mail.outbox[0].body
    assert all(m.sent_at and m.sent_by == organiser for m in OutgoingMail.objects.all())
    text = page(desk.get(url("outbox", hubei)))
    assert "没有待发送的邮件" in text and "data-sent" in text and organiser.name in text
    # Again, and one by one: nothing goes twice.
    desk.post(url("outbox_send", hubei), {"mail": "all"})
    response = desk.post(url("outbox_send", hubei), {"mail": str(released[0].pk)}, follow=True)
    assert "没有这封待发邮件" in page(response)
    assert len(mail.outbox) == 2
    assert ReviewLog.objects.filter(campaign=hubei, action="mail_sent").count() == 1


def test_one_message_sent_one_deleted(desk, hubei, chongqing, released):
    first, second = released
    desk.post(url("outbox_send", hubei), {"mail": str(first.pk)})
    assert [m.to for m in mail.outbox] == [[first.to_email]]
    for bad in ("abc", "", "999999"):
        response = desk.post(url("outbox_delete", hubei), {"mail": bad}, follow=True)
        assert "没有这封待发邮件" in page(response)
        response = desk.post(url("outbox_send", hubei), {"mail": bad}, follow=True)
        assert "没有这封待发邮件" in page(response)
    # Sent mail cannot be deleted; another campaign's desk does not reach this one's mail.
    response = desk.post(url("outbox_delete", hubei), {"mail": str(first.pk)}, follow=True)
    assert "没有这封待发邮件" in page(response)
    response = desk.post(url("outbox_delete", chongqing), {"mail": str(second.pk)}, follow=True)
    assert "没有这封待发邮件" in page(response)
    response = desk.post(url("outbox_send", chongqing), {"mail": str(second.pk)}, follow=True)
    assert "没有这封待发邮件" in page(response)
    response = desk.post(url("outbox_delete", hubei), {"mail": str(second.pk)}, follow=True)
    assert f"已删除发给 {second.to_email} 的邮件" in page(response)
    assert list(OutgoingMail.objects.values_list("pk", flat=True)) == [first.pk]
    assert len(mail.outbox) == 1


def test_a_failure_keeps_its_reason_and_may_be_sent_again(desk, hubei, released, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    response = desk.post(url("outbox_send", hubei), {"mail": "all"}, follow=True)
    assert "2 封邮件发送失败" in page(response)
    failed = OutgoingMail.objects.filter(campaign=hubei, sent_at__isnull=True).exclude(failure="")
    assert failed.count() == 2
    text = page(desk.get(url("outbox", hubei)))
    assert "发送失败" in text and "失败原因" in text and "重新发送" in text
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = desk.post(url("outbox_send", hubei), {"mail": str(released[0].pk)}, follow=True)
    assert "已发送 1 封邮件" in page(response)
    sent = OutgoingMail.objects.get(pk=released[0].pk)
    assert sent.sent_at and sent.failure == "" and len(mail.outbox) == 1


# --------------------------------------------------------------------------
# Before proposing: what the chosen round marked


def test_the_page_says_what_each_closed_round_marked_before_generating(desk, hubei, ranked):
    first, _works = ranked
    set_levels(desk, hubei, AWARDS)
    text = page(desk.get(url("decisions", hubei)))
    assert f'<option value="{first.key}" selected>初审（标记晋级 5 件）</option>' in text
    assert "「初审」：本轮标记晋级 5 件。" in text
    assert "不限名额的「优秀作品」取其中未获前面奖项的作品" in text
    assert "data-open-levels-empty" not in text


def test_a_last_round_with_nothing_selected_says_the_open_levels_get_none(desk, chongqing, organiser):
    entrant = EntrantFactory(campaign=chongqing, name="渝州示范中学")
    only, _works = closed_round(chongqing, organiser, [(entrant, "山城", 9), (entrant, "江岸", 8)])
    text = page(desk.get(url("decisions", chongqing)))
    assert f'<option value="{only.key}" selected>专家评选（标记入选 0 件）</option>' in text
    assert "「专家评选」是最后一轮：本轮标记入选 0 件。" in text
    warning = text.split("data-open-levels-empty>")[1].split("</div>")[0]
    assert "按本轮生成时，「优秀作品」「特别优秀作品奖励」将不取任何作品" in warning
    assert "晋级" not in warning and url("results", chongqing, only.key) in warning
    assert "请先到「专家评选」的评审结果页选出入选作品" in warning
    response = desk.post(url("decision_propose", chongqing), {"round": only.key}, follow=True)
    assert "本轮没有标记入选的作品" in page(response)
    # The table names the last round's marks 入选, not 晋级.
    Decision.objects.create(campaign=chongqing, work=_works["山城"], award="优秀作品", round=only, position=1)
    table = page(desk.get(url("decisions", chongqing))).split("<thead>")[2].split("</thead>")[0]
    assert "<th>入选</th>" in table and "晋级" not in table


# --------------------------------------------------------------------------
# 公布结果 only when it can be done


def test_release_is_disabled_with_the_reason_while_a_level_is_over(desk, hubei, ranked):
    first, works = ranked
    set_levels(desk, hubei, AWARDS)
    text = page(desk.get(url("decisions", hubei)))
    assert "还没有暂定的评审结果，暂不能公布" in text and "data-release-blocked" in text
    assert 'disabled aria-disabled="true">公布结果' in text
    desk.post(url("decision_propose", hubei), {"round": first.key})
    text = page(desk.get(url("decisions", hubei)))
    assert "data-release-blocked" not in text and '<button type="submit">公布结果</button>' in text
    desk.post(url("decision_stage", hubei), {f"award_{works['乙'].pk}": "一等奖"})
    text = page(desk.get(url("decisions", hubei)))
    blocked = text.split("data-release-blocked>")[1].split("</div>")[0]
    assert "「一等奖」名额 1 名，暂定 2 件，超出 1 件" in blocked
    assert 'disabled aria-disabled="true">公布结果' in text
    # The server refuses anyway, whatever the page showed.
    response = desk.post(url("decision_release", hubei), {"confirm": "1"}, follow=True)
    assert "名额超出，不能公布" in page(response) and not decisions.is_released(hubei)


# --------------------------------------------------------------------------
# Released again after a withdrawal


def test_released_again_the_page_says_who_was_not_written_to_again(desk, hubei, ranked, organiser, unit,
                                                                    other_unit):
    first, works = ranked
    set_levels(desk, hubei, AWARDS)
    desk.post(url("decision_propose", hubei), {"round": first.key})
    desk.post(url("decision_release", hubei), {"confirm": "1"})
    desk.post(url("outbox_send", hubei), {"mail": "all"})
    text = page(desk.get(url("decisions", hubei)))
    assert "只有结果有变的会收到注明「（更正）」的通知" in text
    desk.post(url("decision_withdraw", hubei), {"confirm": "1"})
    desk.post(url("decision_stage", hubei), {f"award_{works['乙'].pk}": "三等奖",
                                              f"award_{works['丁'].pk}": "二等奖"})  # other_unit's swap
    response = desk.post(url("decision_release", hubei), {"confirm": "1"}, follow=True)
    text = page(response)
    assert "结果通知 1 封" in text and "其中 1 封是更正通知" in text
    assert f"1 个报送主体的结果与已发送的通知相同，不再重复通知：{unit.name}" in text
    correction = OutgoingMail.objects.get(campaign=hubei, sent_at__isnull=True)
    assert correction.entrant == other_unit and correction.subject.startswith("（更正）")
    assert "（更正）“微光映同心”作品评审结果通知" in text  # shown in the outbox
    # Once more, nothing changed: nobody is written to, and the page says so.
    desk.post(url("outbox_send", hubei), {"mail": "all"})
    desk.post(url("decision_withdraw", hubei), {"confirm": "1"})
    text = page(desk.post(url("decision_release", hubei), {"confirm": "1"}, follow=True))
    assert "没有需要写的结果通知" in text and "2 个报送主体的结果与已发送的通知相同" in text
    assert not OutgoingMail.objects.filter(campaign=hubei, sent_at__isnull=True).exists()


# --------------------------------------------------------------------------
# The outbox: the subject once; replies go to the organiser who sends


def test_an_outbox_card_shows_the_subject_once_and_the_kind_only_when_it_adds(desk, hubei, released,
                                                                             organiser):
    reminder = outbox.hold(hubei, OutgoingMail.Kind.REMINDER, to_email="judge@example.org",
                           subject="「微光映同心」初审：您还有 2 件作品待评审", body="请评审。")
    text = page(desk.get(url("outbox", hubei)))
    card = text.split(f'data-mail="{released[0].pk}"')[1].split("</article>")[0]
    assert card.count("评审结果通知") == 1 and "badge" not in card
    card = text.split(f'data-mail="{reminder.pk}"')[1].split("</article>")[0]
    assert '<span class="badge small">评审提醒</span>' in card


def test_mail_from_the_outbox_replies_to_the_organiser_who_sends(desk, hubei, released, organiser,
                                                                settings):
    from email.header import decode_header, make_header
    from email.utils import parseaddr

    text = page(desk.get(url("outbox", hubei)))
    reply = text.split("data-reply-to>")[1].split("</p>")[0]
    assert "noreply@localhost" in reply and f"{organiser.name} &lt;{organiser.email}&gt;" in reply
    desk.post(url("outbox_send", hubei), {"mail": "all"})
    assert len(mail.outbox) == 2
    def reply_to(sent):
        name, address = parseaddr(str(sent.message()["Reply-To"]))
        return str(make_header(decode_header(name))), address

    for sent in mail.outbox:
        assert sent.from_email == settings.DEFAULT_FROM_EMAIL
        assert reply_to(sent) == (organiser.name, organiser.email)
    # Another organiser sends the next ones: their own address is the reply address.
    colleague = UserFactory(name="主办方乙, 办公室", email="colleague@example.org")
    CampaignRole.objects.create(campaign=hubei, user=colleague, role=CampaignRole.Role.ORGANISER)
    outbox.hold(hubei, OutgoingMail.Kind.REMINDER, to_email="judge@example.org", subject="提醒",
                body="请评审。")
    client_for(colleague).post(url("outbox_send", hubei), {"mail": "all"})
    assert reply_to(mail.outbox[-1]) == ("主办方乙, 办公室", "colleague@example.org")


def test_a_sender_without_an_address_sets_no_reply_to():
    from guangying.accounts.models import User

    assert outbox.reply_to(User(email="", name="无邮箱")) == []
    assert outbox.reply_to(None) == []
    assert outbox.reply_to(User(email="a@example.org", name="")) == ["a@example.org"]


# --------------------------------------------------------------------------
# The list's files: the preview says so in its name; the released list says who and when


def test_the_preview_file_is_named_a_preview_and_the_released_list_is_dated(desk, hubei, ranked):
    from urllib.parse import unquote

    first, _works = ranked
    set_levels(desk, hubei, AWARDS)
    desk.post(url("decision_propose", hubei), {"round": first.key})
    listing = reverse("documents:published", args=[hubei.slug, "docx"])
    preview = desk.get(listing + "?staged=1")
    assert unquote(preview["Content-Disposition"]).endswith("“微光映同心”优秀作品名单（预览稿）.docx")
    desk.post(url("decision_release", hubei), {"confirm": "1"})
    final = desk.get(listing)
    assert unquote(final["Content-Disposition"]).endswith("“微光映同心”优秀作品名单.docx")
    lines = [line for line in docx_text(final.content).split("\n") if line]
    day = decisions.local_date(hubei, decisions.released_at(hubei))
    assert lines[:2] == ["“微光映同心”优秀作品名单", f"中共湖北省委统战部　{day}公布"]
