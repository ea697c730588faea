"""Invitation links: a unit's link anyone in the unit may use, and single-use staff links."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from guangying.accounts.models import User
from guangying.campaigns.models import CampaignRole, Entrant, EntrantMember, StaffInvitation
from tests.factories import CampaignFactory, EntrantFactory, UserFactory

NEW_PASSWORD = "Guangying-2026-join"
INVALID = "链接无效或已停用"


def sign_up(name: str, email: str) -> dict[str, str]:
    return {"name": name, "email": email, "phone": "13800001111",
            "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


def join_url(entrant: Entrant) -> str:
    return reverse("campaigns:join", args=[entrant.invitation_token])


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --------------------------------------------------------------------------
# A unit's link


def test_a_newcomer_registers_through_the_unit_link_and_lands_on_the_units_desk(client, unit) -> None:
    page = client.get(join_url(unit))
    assert page.status_code == 200
    assert "加入「长川市委统战部」" in page.content.decode()
    assert "注册并加入" in page.content.decode()

    response = client.post(join_url(unit), sign_up("新成员甲", "New.Member@Example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:entrant", args=[unit.campaign.slug, unit.pk])
    person = User.objects.get(email="new.member@example.org")
    assert person.name == "新成员甲"
    assert person.password.startswith("argon2")
    assert person.check_password(NEW_PASSWORD)
    assert list(unit.memberships.values_list("user", flat=True)) == [person.pk]
    assert signed_in_as(client) == person
    desk = client.get(response["Location"])
    assert desk.status_code == 200
    assert "已加入「长川市委统战部」。" in desk.content.decode()


def test_a_signed_in_person_joins_with_one_click_and_only_once(client, unit) -> None:
    person = UserFactory(name="已有账户的人")
    client.force_login(person)
    page = client.get(join_url(unit)).content.decode()
    assert "当前登录：已有账户的人" in page
    assert 'name="password1"' not in page  # no sign-up form for someone signed in

    for _ in range(2):
        response = client.post(join_url(unit))
        assert response.status_code == 302
    assert EntrantMember.objects.filter(entrant=unit, user=person).count() == 1
    assert User.objects.filter(name="已有账户的人").count() == 1
    assert "您已是本单位的成员。" in client.get(join_url(unit)).content.decode()


def test_a_sign_up_with_bad_input_joins_nobody_and_keeps_what_was_typed(client, unit) -> None:
    data = sign_up("新成员乙", "member-b@example.org") | {"password2": "something-else-2026"}
    response = client.post(join_url(unit), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "两次输入的密码不一致。" in page
    assert 'value="member-b@example.org"' in page
    assert not User.objects.filter(email="member-b@example.org").exists()
    assert not unit.memberships.exists()
    assert signed_in_as(client) is None


def test_an_existing_address_must_sign_in_first(client, unit, member) -> None:
    response = client.post(join_url(unit), sign_up("冒名者", member.email.upper()))
    assert response.status_code == 200
    assert "该邮箱已注册，请先登录后再打开此链接。" in response.content.decode()
    assert unit.memberships.count() == 1
    assert signed_in_as(client) is None


def regenerate(client: Client, organiser: User, unit: Entrant, action: str) -> None:
    client.force_login(organiser)
    url = reverse("campaigns:entrant_edit", args=[unit.campaign.slug, unit.pk])
    assert client.post(url, {"action": action}).status_code == 302
    client.logout()


def test_a_regenerated_link_replaces_the_old_one(client, organiser, unit) -> None:
    old = join_url(unit)
    regenerate(client, organiser, unit, "regenerate")
    unit.refresh_from_db()
    assert join_url(unit) != old
    assert unit.invitation_active

    response = client.get(old)
    assert response.status_code == 404
    assert INVALID in response.content.decode()
    response = client.post(old, sign_up("拿旧链接的人", "old-link@example.org"))
    assert response.status_code == 404
    assert not User.objects.filter(email="old-link@example.org").exists()

    assert client.get(join_url(unit)).status_code == 200
    assert client.post(join_url(unit), sign_up("拿新链接的人", "new-link@example.org")).status_code == 302
    assert unit.memberships.filter(user__email="new-link@example.org").exists()


def test_a_disabled_link_shows_the_invalid_page(client, organiser, unit, member) -> None:
    regenerate(client, organiser, unit, "disable")
    unit.refresh_from_db()
    assert not unit.invitation_active
    response = client.get(join_url(unit))
    assert response.status_code == 404
    assert INVALID in response.content.decode()
    assert "长川市委统战部" not in response.content.decode()
    client.force_login(UserFactory())
    assert client.post(join_url(unit)).status_code == 404
    assert unit.memberships.count() == 1
    # Members who joined before keep their place.
    client.force_login(member)
    assert client.get(reverse("campaigns:entrant", args=[unit.campaign.slug, unit.pk])).status_code == 200


def test_an_unknown_link_shows_the_invalid_page(client, unit) -> None:
    response = client.get(reverse("campaigns:join", args=["no-such-token"]))
    assert response.status_code == 404
    assert INVALID in response.content.decode()


def test_an_individuals_entry_has_no_usable_link(client, chongqing) -> None:
    person = EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="个人甲",
                            affiliation="某中学", invitation_active=False)
    assert client.get(join_url(person)).status_code == 404


def run_together(*jobs) -> list:
    """Start every job at the same instant, each in its own thread with its own connection."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int, job) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_people_joining_at_the_same_moment_both_become_members() -> None:
    unit = EntrantFactory(campaign=CampaignFactory(), name="同时加入的单位")
    url = join_url(unit)
    first, second = Client(), Client()
    statuses = run_together(
        lambda: first.post(url, sign_up("同时甲", "together-1@example.org")).status_code,
        lambda: second.post(url, sign_up("同时乙", "together-2@example.org")).status_code,
    )
    assert statuses == [302, 302]
    assert sorted(unit.memberships.values_list("user__email", flat=True)) == [
        "together-1@example.org", "together-2@example.org"]
    assert signed_in_as(first).email == "together-1@example.org"
    assert signed_in_as(second).email == "together-2@example.org"


@pytest.mark.django_db(transaction=True)
def test_one_person_joining_from_two_tabs_at_once_is_one_member() -> None:
    unit = EntrantFactory(campaign=CampaignFactory(), name="两个标签页")
    person = UserFactory()
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(person)
    statuses = run_together(*[lambda tab=tab: tab.post(join_url(unit)).status_code for tab in tabs])
    assert statuses == [302, 302]
    assert unit.memberships.filter(user=person).count() == 1


# --------------------------------------------------------------------------
# Staff invitations: organisers and reviewers


def invite(client: Client, organiser: User, campaign, mailoutbox, capture, **fields) -> str:
    """Invite through the people page; the link is read from the e-mail that went out."""
    client.force_login(organiser)
    with capture(execute=True):
        response = client.post(reverse("campaigns:people", args=[campaign.slug]), fields)
    assert response.status_code == 302
    client.logout()
    message = mailoutbox[-1]
    assert message.to == [fields["email"].lower()]
    assert campaign.title in message.subject
    match = re.search(r"https?://[^/\s]+(/c/invitation/[\w-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_an_organiser_invitation_is_accepted_once(
    client, organiser, hubei, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    link = invite(client, organiser, hubei, mailoutbox, django_capture_on_commit_callbacks,
                  role="organiser", email="Co-Organiser@Example.org", name="协办人")
    invitation = StaffInvitation.objects.get()
    assert invitation.email == "co-organiser@example.org"

    page = client.get(link).content.decode()
    assert 'value="co-organiser@example.org"' in page  # the form starts from the invitation
    assert 'value="协办人"' in page
    response = client.post(link, sign_up("协办人", "co-organiser@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:dashboard", args=[hubei.slug])
    person = User.objects.get(email="co-organiser@example.org")
    assert list(CampaignRole.objects.filter(user=person).values_list("campaign", "role")) == [
        (hubei.pk, CampaignRole.Role.ORGANISER)]
    invitation.refresh_from_db()
    assert invitation.accepted_by == person and invitation.accepted_at is not None
    assert client.get(response["Location"]).status_code == 200

    # Second use: by a newcomer and by someone signed in. Neither gets a role.
    stranger = Client()
    response = stranger.get(link)
    assert response.status_code == 404
    assert INVALID in response.content.decode()
    assert stranger.post(link, sign_up("第二个人", "second@example.org")).status_code == 404
    assert not User.objects.filter(email="second@example.org").exists()
    other = UserFactory()
    stranger.force_login(other)
    assert stranger.post(link).status_code == 404
    assert not CampaignRole.objects.filter(user=other).exists()
    assert CampaignRole.objects.filter(campaign=hubei, role="organiser").count() == 2


def test_a_reviewer_invitation_makes_a_reviewer_not_an_organiser(
    client, organiser, hubei, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    link = invite(client, organiser, hubei, mailoutbox, django_capture_on_commit_callbacks,
                  role="reviewer", email="expert@example.org", unit_name="示例评审中心")
    expert = UserFactory(email="expert@example.org", name="专家甲")
    client.force_login(expert)
    assert "担任评审专家" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    role = CampaignRole.objects.get(user=expert)
    assert (role.campaign, role.role, role.unit_name) == (hubei, "reviewer", "示例评审中心")
    assert client.get(reverse("campaigns:dashboard", args=[hubei.slug])).status_code == 404
    assert "我参与评审的活动" in client.get(reverse("home")).content.decode()
    # The organiser sees the reviewer among the campaign's people, no longer as pending.
    client.force_login(organiser)
    people = client.get(reverse("campaigns:people", args=[hubei.slug])).content.decode()
    assert "评审专家：专家甲" in people
    assert "待接受的邀请" not in people


def test_an_unknown_staff_link_is_invalid(client, hubei) -> None:
    assert client.get(reverse("campaigns:accept_staff", args=["nope"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_one_staff_link_make_one_organiser() -> None:
    campaign = CampaignFactory(slug="race")
    invitation = StaffInvitation.objects.create(campaign=campaign, role="organiser",
                                                email="race@example.org")
    url = invitation.get_absolute_url()
    people = [UserFactory(), UserFactory()]
    clients = [Client(), Client()]
    for tab, person in zip(clients, people, strict=True):
        tab.force_login(person)
    statuses = run_together(*[lambda tab=tab: tab.post(url).status_code for tab in clients])
    assert sorted(statuses) == [302, 404]
    assert CampaignRole.objects.filter(campaign=campaign).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_by in people
    assert CampaignRole.objects.get(campaign=campaign).user == invitation.accepted_by



@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_sign_up_makes_one_account_and_no_server_error() -> None:
    """Hashing the password takes a moment between the address check and the insert."""
    unit = EntrantFactory(campaign=CampaignFactory(), name="双击注册")
    tabs = [Client(raise_request_exception=False), Client(raise_request_exception=False)]
    responses = run_together(*[
        lambda tab=tab: tab.post(join_url(unit), sign_up("双击者", "double@example.org"))
        for tab in tabs])
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert "该邮箱已注册，请先登录后再打开此链接。" in refused.content.decode()
    assert User.objects.filter(email="double@example.org").count() == 1
    assert unit.memberships.count() == 1
