"""A package for every role: the unit's members and the organiser get it; to anyone else it does not exist."""

import io
import zipfile
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import resolve_url
from django.urls import reverse

from guangying.campaigns.models import Entrant
from guangying.documents.packages import package_file_name
from guangying.submissions.models import Work
from tests.documents.test_packages import (  # noqa: F401  (the packages' fixtures)
    clips_fixture,
    hubei_work_fixture,
    media_root_fixture,
)
from tests.factories import EntrantFactory, UserFactory, member_of, organiser_of


def url(entrant, slug=None) -> str:
    return reverse("documents:entrant_package", args=[slug or entrant.campaign.slug, entrant.pk])


@pytest.fixture
def people(organiser, member, other_member, chongqing):
    return {
        "organiser": organiser,
        "member": member,
        "other_member": other_member,
        "other_organiser": organiser_of(chongqing, UserFactory(name="重庆主办方")),
        "stranger": UserFactory(name="路人"),
        "anonymous": None,
    }


@pytest.mark.parametrize(("role", "allowed"), [
    ("member", True), ("organiser", True), ("other_member", False), ("other_organiser", False),
    ("stranger", False), ("anonymous", False),
])
def test_the_named_rule_lets_in_the_units_members_and_the_organiser_only(people, unit, role, allowed):
    user = people[role] or AnonymousUser()
    assert user.has_perm("documents.download_package", unit) is allowed


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_the_unit_and_the_organiser_download_the_streamed_package(client, people, unit, hubei_work, clips,
                                                                   role):
    client.force_login(people[role])
    response = client.get(url(unit))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    name = package_file_name(unit)
    assert name == "微光映同心-长川市委统战部-材料包.zip"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"package-{unit.pk}.zip\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    assert "private" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.read("长川市委统战部/一封家书/长川市委统战部-一封家书.mp4") == clips["first"]


@pytest.mark.parametrize("role", ["other_member", "other_organiser", "stranger"])
def test_anyone_else_gets_not_found(client, people, unit, hubei_work, role):
    client.force_login(people[role])
    assert client.get(url(unit)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, unit, hubei_work):
    response = client.get(url(unit))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_an_entrant_under_another_campaigns_address_is_not_found(client, people, unit, chongqing):
    client.force_login(people["organiser"])  # organises both campaigns
    assert client.get(url(unit, slug=chongqing.slug)).status_code == 404
    missing = reverse("documents:entrant_package", args=[unit.campaign.slug, 999999])
    assert client.get(missing).status_code == 404


def test_only_get_is_answered(client, people, unit):
    client.force_login(people["member"])
    assert client.post(url(unit)).status_code == 405


def test_the_entrant_page_offers_the_package_to_its_member(client, people, unit, hubei_work):
    client.force_login(people["member"])
    page = client.get(reverse("campaigns:entrant", args=[unit.campaign.slug, unit.pk])).content.decode()
    assert url(unit) in page and "下载本单位材料包（ZIP）" in page


def test_the_units_list_offers_every_entrants_package_to_the_organiser(client, people, unit, other_unit):
    client.force_login(people["organiser"])
    page = client.get(reverse("campaigns:units", args=[unit.campaign.slug])).content.decode()
    assert url(unit) in page and url(other_unit) in page


def test_an_individuals_page_speaks_of_their_own_package(client, chongqing):
    person = EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="李四",
                            affiliation="示例中学")
    user = member_of(person)
    Work.objects.create(campaign=chongqing, entrant=person, title="红岩家书")
    client.force_login(user)
    page = client.get(reverse("campaigns:entrant", args=[chongqing.slug, person.pk])).content.decode()
    assert url(person) in page and "下载本人材料包（ZIP）" in page
