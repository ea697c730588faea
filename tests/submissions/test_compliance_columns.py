"""The compliance matrix names its columns after the campaign's rules before any video is checked."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from guangying.rulesets.describe import CHECK_LABELS, CHECK_LABELS_EN
from guangying.submissions.models import Inspection
from tests.factories import EntrantFactory, WorkFactory

pytestmark = pytest.mark.django_db


def headers(html: str) -> dict[str, str]:
    """The matrix's rule columns: check id → the header's text."""
    return dict(re.findall(r'<th class="small" data-check="([a-z_]+)">([^<]*)</th>', html))


def organiser_client(organiser) -> Client:
    client = Client()
    client.force_login(organiser)
    return client


@pytest.mark.parametrize("campaign_name", ["hubei", "chongqing"])
def test_headers_come_from_the_rule_set_when_nothing_was_checked(request, organiser, campaign_name):
    campaign = request.getfixturevalue(campaign_name)
    WorkFactory(entrant=EntrantFactory(campaign=campaign, name="长川市委统战部"), title="尚未上传视频")
    assert not Inspection.objects.exists()
    client = organiser_client(organiser)
    url = reverse("submissions:compliance", args=[campaign.slug])

    page = client.get(url).content.decode()
    checks = [rule.check for rule in campaign.rules.technical]
    assert checks, "both presets carry technical rules"
    assert headers(page) == {check: CHECK_LABELS[check] for check in checks}
    assert "尚未上传视频" in page and 'data-outcome="pending"' in page
    # The rule filter names the rules the same way.
    for check in checks:
        assert f'<option value="{check}">{CHECK_LABELS[check]}</option>' in page

    rows = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows
    assert headers(rows) == {check: CHECK_LABELS[check] for check in checks}

    one = client.get(url, {"rule": "resolution"}, HTTP_HX_REQUEST="true").content.decode()
    assert headers(one) == {"resolution": CHECK_LABELS["resolution"]}


def test_the_export_of_an_unchecked_campaign_has_the_rules_labels(hubei, organiser, unit):
    from io import BytesIO

    from openpyxl import load_workbook

    WorkFactory(entrant=unit, title="尚未上传视频")
    export = organiser_client(organiser).get(reverse("submissions:compliance_export", args=[hubei.slug]))
    header = [c.value for c in next(load_workbook(BytesIO(export.content)).active.iter_rows())]
    for rule in hubei.rules.technical:
        assert CHECK_LABELS[rule.check] in header
        assert rule.check not in header


def test_headers_follow_the_language_before_any_check(hubei, organiser, unit):
    WorkFactory(entrant=unit, title="尚未上传视频")
    client = organiser_client(organiser)
    client.cookies["django_language"] = "en"
    try:
        page = client.get(reverse("submissions:compliance", args=[hubei.slug]),
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    finally:
        translation.deactivate()  # the request's language must not leak into later tests
    assert headers(page) == {rule.check: CHECK_LABELS_EN[rule.check] for rule in hubei.rules.technical}
