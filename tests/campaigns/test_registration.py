"""Individuals entering themselves, where a campaign admits them."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import Entrant, EntrantMember
from tests.factories import CampaignFactory, UserFactory, WorkFactory

GOOD_PASSWORD = "Hongse-Guangying-2026"
CJK = re.compile(r"[\u4e00-\u9fff]")


def individual(name: str = "赵书航", email: str = "zhao@example.org",
               affiliation: str = "山城示范中学", **changes: str) -> dict[str, str]:
    data = {"name": name, "email": email, "phone": "13800002001", "affiliation": affiliation,
            "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    data.update(changes)
    return data


def register_url(campaign) -> str:
    return reverse("campaigns:register", args=[campaign.slug])


def individuals(campaign) -> list[Entrant]:
    return list(campaign.entrants.filter(kind=Entrant.Kind.INDIVIDUAL))


def test_an_individual_registers_in_chongqing_naming_their_unit(client, chongqing) -> None:
    page = client.get(register_url(chongqing))
    assert page.status_code == 200
    assert 'name="affiliation"' in page.content.decode()

    response = client.post(register_url(chongqing), individual())
    assert response.status_code == 302
    [entrant] = individuals(chongqing)
    assert response["Location"] == reverse("campaigns:entrant", args=[chongqing.slug, entrant.pk])
    assert (entrant.name, entrant.affiliation, entrant.contact_email, entrant.contact_phone) == (
        "赵书航", "山城示范中学", "zhao@example.org", "13800002001")
    assert str(entrant) == "赵书航（山城示范中学）"
    assert not entrant.invitation_active  # an individual's entry is not a unit to join
    person = User.objects.get(email="zhao@example.org")
    assert person.password.startswith("argon2")
    assert list(entrant.memberships.values_list("user", flat=True)) == [person.pk]
    desk = client.get(response["Location"])
    assert desk.status_code == 200  # signed in by the registration itself
    assert "报名成功，现在可以创建作品了。" in desk.content.decode()
    assert "新建作品" in desk.content.decode()


def test_chongqing_requires_the_affiliation(client, chongqing) -> None:
    response = client.post(register_url(chongqing), individual(affiliation="  "))
    assert response.status_code == 200
    assert response.context["form"].errors["affiliation"] == ["这个字段是必填项。"]
    assert not User.objects.filter(email="zhao@example.org").exists()
    assert individuals(chongqing) == []


def test_a_signed_in_person_registers_with_only_the_affiliation(client, chongqing) -> None:
    person = UserFactory(name="孙若溪")
    client.force_login(person)
    page = client.get(register_url(chongqing)).content.decode()
    assert 'name="affiliation"' in page and 'name="password1"' not in page
    assert client.post(register_url(chongqing), {"affiliation": "渝水示范图书馆"}).status_code == 302
    [entrant] = individuals(chongqing)
    assert (entrant.name, entrant.affiliation) == ("孙若溪", "渝水示范图书馆")
    assert entrant.memberships.get().user == person


def test_hubei_admits_units_only(client, hubei) -> None:
    response = client.get(register_url(hubei))
    assert response.status_code == 302
    assert response["Location"] == hubei.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "本活动只接受单位报送，个人请通过所在单位报送。" in page
    assert "个人报名" not in page

    assert client.post(register_url(hubei), individual()).status_code == 302
    assert not User.objects.filter(email="zhao@example.org").exists()
    assert not hubei.entrants.exists()


@pytest.fixture
def closed_chongqing(db, organiser):
    yesterday = timezone.localdate() - timedelta(days=1)
    return CampaignFactory(preset="chongqing-2026-hongse", slug="cq-closed", closes=yesterday,
                           organiser=organiser)


def test_registration_after_the_deadline_is_refused(client, closed_chongqing) -> None:
    response = client.post(register_url(closed_chongqing), individual())
    assert response.status_code == 302
    assert "本活动当前不在报送期内。" in client.get(response["Location"]).content.decode()
    assert not User.objects.filter(email="zhao@example.org").exists()
    assert individuals(closed_chongqing) == []
    client.force_login(UserFactory())
    client.post(register_url(closed_chongqing), {"affiliation": "山城示范中学"})
    assert individuals(closed_chongqing) == []


def test_registering_twice_leads_back_to_the_same_entry(client, chongqing) -> None:
    client.post(register_url(chongqing), individual())
    [entrant] = individuals(chongqing)
    for affiliation in ("山城示范中学", "另一个单位"):
        response = client.post(register_url(chongqing), {"affiliation": affiliation})
        assert response.status_code == 302
        assert response["Location"] == reverse("campaigns:entrant", args=[chongqing.slug, entrant.pk])
    assert individuals(chongqing) == [entrant]
    assert EntrantMember.objects.filter(entrant=entrant).count() == 1
    # The page itself sends a registered person to their entry.
    response = client.get(register_url(chongqing))
    assert response.status_code == 302
    assert "您已报名本活动" in client.get(response["Location"]).content.decode()


def test_a_namesake_in_the_same_unit_never_joins_someone_elses_entry(client, chongqing) -> None:
    """Two people called 张伟 at one school are two entrants; neither sees the other's works."""
    client.post(register_url(chongqing), individual(name="张伟", email="zhang1@example.org",
                                                    affiliation="重庆示范大学"))
    [first] = individuals(chongqing)
    WorkFactory(entrant=first, title="第一个张伟的作品")

    namesake = Client()
    response = namesake.post(register_url(chongqing), individual(
        name="张伟", email="zhang2@example.org", affiliation="重庆示范大学"))
    assert response.status_code == 200
    error = response.context["form"].errors["affiliation"][0]
    assert "重庆示范大学" in error and "张伟" in error
    assert list(first.memberships.values_list("user__email", flat=True)) == ["zhang1@example.org"]
    assert not User.objects.filter(email="zhang2@example.org").exists()  # nothing half-made
    assert namesake.get(reverse("campaigns:entrant", args=[chongqing.slug, first.pk])).status_code \
        in (302, 404)

    # Naming the unit more precisely tells them apart.
    response = namesake.post(register_url(chongqing), individual(
        name="张伟", email="zhang2@example.org", affiliation="重庆示范大学机电学院"))
    assert response.status_code == 302
    second = Entrant.objects.get(affiliation="重庆示范大学机电学院")
    assert second != first
    page = namesake.get(response["Location"]).content.decode()
    assert "第一个张伟的作品" not in page
    assert namesake.get(reverse("campaigns:entrant", args=[chongqing.slug, first.pk])).status_code == 404


def test_a_signed_in_namesake_is_refused_too(client, chongqing) -> None:
    client.post(register_url(chongqing), individual(name="张伟", email="zhang1@example.org",
                                                    affiliation="重庆示范大学"))
    [first] = individuals(chongqing)
    other = Client()
    other.force_login(UserFactory(name="张伟", email="zhang3@example.org"))
    response = other.post(register_url(chongqing), {"affiliation": "重庆示范大学"})
    assert response.status_code == 200
    assert "重庆示范大学" in response.context["form"].errors["affiliation"][0]
    assert first.memberships.count() == 1
    assert individuals(chongqing) == [first]


# --------------------------------------------------------------------------
# Bad input on the sign-up form


@pytest.mark.parametrize(("changes", "field"), [
    ({"password1": "12345678", "password2": "12345678"}, "password1"),
    ({"password1": "password", "password2": "password"}, "password1"),
    # Django 5.2's own zh_Hans catalogue lacks this wording; ours supplies it.
    pytest.param({"password1": "a1b2", "password2": "a1b2"}, "password1", id="too short"),
    ({"password1": "zhao@example.org", "password2": "zhao@example.org"}, "password1"),
    ({"password2": "Hongse-Guangying-2025"}, "password2"),
    ({"email": "zhao@example"}, "email"),
    ({"email": "zhao@example.org\nBcc: everyone@example.org"}, "email"),
    ({"name": "赵" * 51}, "name"),
    ({"name": "\u200b\u200b\u202e"}, "name"),
    ({"affiliation": "单" * 201}, "affiliation"),
], ids=["all digits", "too common", "too short", "like the e-mail", "passwords differ",
        "bad e-mail", "header injection", "name too long", "invisible name", "unit too long"])
def test_bad_sign_up_input_is_refused_in_chinese_and_nothing_is_created(
    client, chongqing, changes: dict[str, str], field: str
) -> None:
    data = individual(**changes)
    response = client.post(register_url(chongqing), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert all(CJK.search(message) for message in errors[field]), errors[field]
    assert not User.objects.filter(email__startswith="zhao").exists()
    assert individuals(chongqing) == []
    page = response.content.decode()
    if field != "affiliation":
        assert 'value="山城示范中学"' in page  # what was typed is still there
    assert GOOD_PASSWORD not in page  # passwords are never sent back


def test_a_registered_email_in_another_case_is_refused(client, chongqing) -> None:
    UserFactory(email="zhao@example.org")
    response = client.post(register_url(chongqing), individual(email="ZHAO@Example.ORG"))
    assert response.context["form"].errors["email"] == ["该邮箱已注册，请先登录后再打开此链接。"]
    assert User.objects.filter(email__iexact="zhao@example.org").count() == 1
    assert individuals(chongqing) == []


def test_hostile_text_is_stored_as_text_and_shown_escaped(client, chongqing) -> None:
    response = client.post(register_url(chongqing), individual(
        name="<script>alert(1)</script>", affiliation="山城\u202e学中范示\u200b<b>"))
    assert response.status_code == 302
    [entrant] = individuals(chongqing)
    assert entrant.name == "<script>alert(1)</script>"
    assert entrant.affiliation == "山城学中范示<b>"  # direction overrides and zero-width removed
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>" not in page.split("<main>")[1]


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_register_makes_one_account_and_one_entry() -> None:
    from tests.campaigns.test_invitations import run_together

    campaign = CampaignFactory(preset="chongqing-2026-hongse", slug="cq-race")
    tabs = [Client(raise_request_exception=False), Client(raise_request_exception=False)]
    responses = run_together(*[
        lambda tab=tab: tab.post(register_url(campaign), individual()) for tab in tabs])
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert refused.context["form"].errors == {"email": ["该邮箱已注册，请先登录后再打开此链接。"]}
    assert User.objects.filter(email="zhao@example.org").count() == 1
    assert len(individuals(campaign)) == 1
