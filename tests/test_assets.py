"""Every asset comes from the platform itself: intranets have no CDN."""

import re

import pytest

EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["'](?:https?:)?//""", re.I)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/c/hubei/", "/c/chongqing/"])
def test_public_pages_load_nothing_from_elsewhere(client, hubei, chongqing, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "/static/vendor/htmx.min.js" in page


def test_manage_pages_load_nothing_from_elsewhere(client, hubei, organiser):
    client.force_login(organiser)
    for path in ("/c/hubei/manage/", "/c/hubei/manage/works/", "/c/hubei/manage/rules/"):
        page = client.get(path).content.decode()
        assert not EXTERNAL.search(page), (path, EXTERNAL.search(page))


def test_the_browser_libraries_are_served_locally(client, db):
    for path in ("/static/vendor/htmx.min.js", "/static/guangying/site.css",
                 "/static/guangying/site.js", "/static/guangying/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, path
