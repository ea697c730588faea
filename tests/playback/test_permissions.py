"""Who reaches a video, its poster and its contact sheet: every role, every state that matters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from guangying.submissions.models import Attachment, WorkState
from tests.factories import WorkFactory
from tests.playback.conftest import ROLES, upload

ALLOWED = {"member", "organiser", "reviewer"}
FILES = ("video", "poster", "sheet")


def _status(as_, user, url, method="get"):
    return getattr(as_(user), method)(url).status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", FILES)
def test_every_role_on_a_handed_in_work(scene, as_, role, name):
    url = reverse(f"playback:{name}", args=[scene.video.pk])
    expected = 200 if role in ALLOWED else 404
    assert _status(as_, scene.people[role], url) == expected
    assert _status(as_, scene.people[role], url, "head") == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_watch_page_follows_the_same_rules(scene, as_, role):
    url = reverse("playback:work", args=[scene.work.pk])
    assert _status(as_, scene.people[role], url) == (200 if role in ALLOWED else 404)


@pytest.mark.parametrize("state", [WorkState.DRAFT, WorkState.WITHDRAWN, WorkState.REJECTED])
def test_reviewers_do_not_reach_works_that_are_not_handed_in(scene, as_, state):
    scene.work.state = state
    scene.work.save(update_fields=["state"])
    for name in FILES:
        url = reverse(f"playback:{name}", args=[scene.video.pk])
        assert _status(as_, scene.people["reviewer"], url) == 404
        assert _status(as_, scene.people["member"], url) == 200
        assert _status(as_, scene.people["organiser"], url) == 200
    assert _status(as_, scene.people["reviewer"], reverse("playback:work", args=[scene.work.pk])) == 404


def test_a_replaced_video_stays_with_the_entrant_and_the_organiser_only(scene, as_, clip):
    upload(scene.work, clip, scene.people["member"], name="第二版.mp4")
    Attachment.objects.filter(pk=scene.video.pk).update(superseded_at=timezone.now())
    old = Attachment.objects.get(pk=scene.video.pk)
    url = reverse("playback:video", args=[old.pk])
    assert _status(as_, scene.people["member"], url) == 200
    assert _status(as_, scene.people["organiser"], url) == 200
    assert _status(as_, scene.people["reviewer"], url) == 404


def test_a_deleted_video_is_gone_for_everyone(scene, as_):
    urls = [reverse(f"playback:{name}", args=[scene.video.pk]) for name in FILES]
    Attachment.objects.filter(pk=scene.video.pk).delete()
    for role in ROLES:
        for url in urls:
            assert _status(as_, scene.people[role], url) == 404


def test_an_unknown_number_is_404_like_a_forbidden_one(scene, as_):
    url = reverse("playback:video", args=[scene.video.pk + 1000])
    assert _status(as_, scene.people["organiser"], url) == 404


def test_documents_have_no_player(scene, as_):
    scene.video.kind = "copyright_pledge"
    scene.video.save(update_fields=["kind"])
    url = reverse("playback:video", args=[scene.video.pk])
    assert _status(as_, scene.people["organiser"], url) == 404


def test_the_player_is_on_the_work_page_for_the_entrant_and_the_organiser(scene, as_):
    for role in ("member", "organiser"):
        page = as_(scene.people[role]).get(scene.work.get_absolute_url()).content.decode()
        assert 'preload="metadata"' in page
        assert reverse("playback:video", args=[scene.video.pk]) in page
        assert reverse("playback:poster", args=[scene.video.pk]) in page
        assert reverse("playback:sheet", args=[scene.video.pk]) in page


@pytest.mark.parametrize("role", ROLES)
def test_the_campaign_list_shows_handed_in_works_to_its_organisers_and_a_reviewer_their_own(scene, as_,
                                                                                           role, clip):
    draft = WorkFactory(entrant=scene.work.entrant, title="未报送的草稿")
    upload(draft, clip, scene.people["member"])
    other = WorkFactory(entrant=scene.work.entrant, title="别人评的作品", state=WorkState.SUBMITTED)
    upload(other, clip, scene.people["member"])
    response = as_(scene.people[role]).get(reverse("playback:campaign", args=[scene.work.campaign.slug]))
    if role in ("organiser", "reviewer", "unassigned_reviewer"):
        assert response.status_code == 200
        page = response.content.decode()
        assert "未报送的草稿" not in page
        assert (scene.work.title in page) == (role != "unassigned_reviewer")
        assert ("别人评的作品" in page) == (role == "organiser")
    else:
        assert response.status_code == 404


def test_a_reviewer_reaches_no_unassigned_work_by_its_number(scene, as_, clip):
    other = WorkFactory(entrant=scene.work.entrant, title="别人评的作品", state=WorkState.SUBMITTED)
    video = upload(other, clip, scene.people["member"])
    reviewer = scene.people["reviewer"]
    assert _status(as_, reviewer, reverse("playback:work", args=[other.pk])) == 404
    for name in FILES:
        assert _status(as_, reviewer, reverse(f"playback:{name}", args=[video.pk])) == 404


def test_a_round_not_yet_begun_gives_no_access(scene, as_):
    from guangying.reviews.models import ReviewRound

    ReviewRound.objects.filter(campaign=scene.work.campaign).update(status=ReviewRound.Status.DRAFT)
    url = reverse("playback:video", args=[scene.video.pk])
    assert _status(as_, scene.people["reviewer"], url) == 404


def test_the_rendition_is_queued_when_the_upload_commits(db, hubei, unit, member, clip,
                                                        django_capture_on_commit_callbacks):
    from guangying.playback.models import Rendition

    work = WorkFactory(entrant=unit, created_by=member)
    work.submitted_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        attachment = upload(work, clip, member)
    assert callbacks, "the rendition waits for the commit"
    rendition = Rendition.objects.get(attachment=attachment)
    assert rendition.status == Rendition.Status.READY and rendition.playable_original


def test_a_deleted_video_takes_its_rendition_files_along(scene, django_capture_on_commit_callbacks):
    storage = scene.rendition.poster.storage
    names = [scene.rendition.poster.name, scene.rendition.contact_sheet.name]
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        Attachment.objects.filter(pk=scene.video.pk).delete()
    assert not any(storage.exists(name) for name in names)

