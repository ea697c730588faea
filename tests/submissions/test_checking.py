"""The automatic check inside the portal: real files, the real engine, real task execution.

Tests settings run django-tasks' immediate backend, so a queued full check
runs when the transaction that stored the video commits.
"""

import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guangying.campaigns.models import CampaignRole
from guangying.demo.media import pdf_bytes
from guangying.submissions import checking, workflow
from guangying.submissions.models import Attachment, Inspection, Waiver, WorkHistory, WorkState
from tests.factories import UserFactory, WorkFactory
from tests.inspection.samples import make_video

from .helpers import complete_form, complete_work, upload


@pytest.fixture
def clip(tmp_path) -> bytes:
    """A real one-second 320×180 H.264/AAC MP4: it fails Hubei's size and duration."""
    return make_video(tmp_path / "clip.mp4", frames=25).read_bytes()


def store_video(work, user, content: bytes, capture, name: str = "作品.mp4") -> Attachment:
    with capture(execute=True):
        return upload(work, "video", name, content, user, episode=work.episodes.get(number=1))


def test_a_stored_video_gets_both_checks_and_a_report(unit, member, clip,
                                                      django_capture_on_commit_callbacks):
    work = WorkFactory(entrant=unit, title="光谷里的微光")
    video = store_video(work, member, clip, django_capture_on_commit_callbacks)
    metadata = Inspection.objects.get(attachment=video, mode="metadata")
    full = Inspection.objects.get(attachment=video, mode="full")
    assert metadata.status == full.status == "done"
    assert full.progress == 1.0 and full.attempts == 1
    assert full.started_at and full.finished_at and full.heartbeat_at
    assert full.ruleset_fingerprint == checking.campaign_fingerprint(work)
    assert full.outcome == "fail"
    checks = {line["check"]: line["outcome"] for line in full.report["lines"]}
    assert checks["resolution"] == "fail"
    assert checks["duration"] == "fail"
    # The headers-only report leaves the decode rules to the full pass.
    assert metadata.report["facts"]["mode"] == "metadata"


@pytest.mark.parametrize("good", [True, False])
def test_the_naming_rule_judges_the_name_the_unit_gave_not_the_stored_one(
        unit, member, clip, good, django_capture_on_commit_callbacks):
    work = WorkFactory(entrant=unit, title="光谷里的微光")
    name = f"{unit.name}-光谷里的微光.mp4" if good else "video500.mp4"
    video = store_video(work, member, clip, django_capture_on_commit_callbacks, name=name)
    assert video.original_name == name and not video.file.name.endswith(name)
    for inspection in Inspection.objects.filter(attachment=video):
        line = next(line for line in inspection.report["lines"] if line["check"] == "file_name")
        assert line["actual"] == name
        assert line["outcome"] == ("pass" if good else "fail")


def test_a_failing_hard_rule_blocks_until_the_organiser_waives_it(
        unit, member, organiser, clip, django_capture_on_commit_callbacks):
    work = WorkFactory(entrant=unit, title="光谷里的微光")
    complete_form(work)
    store_video(work, member, clip, django_capture_on_commit_callbacks)
    upload(work, "copyright_pledge", "承诺书.pdf", pdf_bytes(), member)
    problems = checking.inspection_problems(work)
    assert any("分辨率" in p and "不符合要求" in p for p in problems)
    with pytest.raises(workflow.WorkflowError):
        workflow.submit(work, member)
    full = Inspection.objects.get(attachment__work=work, mode="full")
    for line in full.report["lines"]:
        if line["severity"] == "hard" and line["outcome"] in ("fail", "error"):
            checking.waive(work, line["check"], "经主办方核实，可以接受。", organiser)
    assert checking.inspection_problems(work) == []
    assert workflow.submit(work, member).state == WorkState.SUBMITTED
    waive_rows = WorkHistory.objects.filter(work=work, action="waive")
    assert waive_rows.count() == Waiver.objects.filter(work=work).count() >= 2
    assert all(row.actor == organiser and "经主办方核实" in row.reason for row in waive_rows)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_waiver_needs_a_reason(unit, organiser, reason):
    work = WorkFactory(entrant=unit)
    with pytest.raises(checking.WaiverRefused):
        checking.waive(work, "resolution", reason, organiser)
    assert not Waiver.objects.exists()
    assert not WorkHistory.objects.filter(action="waive").exists()


def test_a_missing_full_report_blocks_with_a_clear_message(unit, member, clip):
    work = WorkFactory(entrant=unit)
    upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())  # no commit: never checked
    assert checking.inspection_problems(work) == ["视频的自动检查尚未完成，完成后才能提交。"]
    Inspection.objects.create(attachment=work.attachments.get(), mode="full", status="running",
                              progress=0.42, ruleset_fingerprint=checking.campaign_fingerprint(work))
    assert checking.inspection_problems(work) == ["视频正在自动检查（42%），完成后才能提交。"]


def test_a_file_that_cannot_be_read_gets_a_report_that_says_so_and_blocks(unit, member):
    work = WorkFactory(entrant=unit)
    attachment = Attachment(work=work, episode=work.episodes.get(), kind="video", original_name="坏.mp4",
                            size=4096, sha256="0" * 64, content_type="video/mp4", detected_format="mp4")
    attachment.file.save("bad.mp4", ContentFile(b"\x00\x00\x00\x18ftypisom" + b"\xff" * 4000), save=False)
    attachment.save()
    checking.start_checks(attachment.pk)
    full = Inspection.objects.get(attachment=attachment, mode="full")
    assert full.status == "done" and full.outcome == "error"
    assert full.report["problem"]
    problems = checking.inspection_problems(work)
    assert problems and all("无法检查" in p for p in problems)


def test_an_attachment_deleted_meanwhile_ends_the_task_quietly(unit, member, clip, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    work = WorkFactory(entrant=unit)
    video = upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())
    inspection = checking.queue_full(video)
    assert inspection.status == "queued"
    pk = inspection.pk
    video.delete()
    assert checking.run_full(pk) == "not queued"
    assert not Inspection.objects.filter(pk=pk).exists()


def test_a_stored_file_gone_from_disk_fails_the_check_with_a_reason(unit, member, clip, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    work = WorkFactory(entrant=unit)
    video = upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())
    inspection = checking.queue_full(video)
    video.file.storage.delete(video.file.name)
    assert checking.run_full(inspection.pk) == "file missing"
    inspection.refresh_from_db()
    assert inspection.status == "failed" and "不存在" in inspection.error
    assert "未能完成自动检查" in checking.inspection_problems(work)[0]


def test_a_replacement_takes_over_only_once_checked(unit, member, clip, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    work = WorkFactory(entrant=unit)
    episode = work.episodes.get()
    first = upload(work, "video", "第一版.mp4", clip, member, episode=episode)
    second = upload(work, "video", "第二版.mp4", clip, member, episode=episode)
    assert episode.current_video() == first
    inspection = checking.queue_full(second)
    checking.run_full(inspection.pk)
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert episode.current_video() == second


def test_a_stale_run_is_queued_again_and_finished(unit, member, clip, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    work = WorkFactory(entrant=unit)
    video = upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())
    inspection = checking.queue_full(video)
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    Inspection.objects.filter(pk=inspection.pk).update(status="running", heartbeat_at=long_ago,
                                                       attempts=1, progress=0.3)
    fresh = checking.queue_full(video)  # asking again does not start a second run
    assert fresh.pk == inspection.pk and fresh.status == "running"
    assert checking.sweep() == 1
    inspection.refresh_from_db()
    assert inspection.status == "queued" and inspection.progress == 0.0
    assert checking.sweep() == 0  # already taken back
    assert checking.run_full(inspection.pk) == "fail"
    inspection.refresh_from_db()
    assert inspection.status == "done" and inspection.attempts == 2


def test_a_run_interrupted_too_often_gives_up_and_says_so(unit, member, clip, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    work = WorkFactory(entrant=unit)
    video = upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())
    inspection = checking.queue_full(video)
    Inspection.objects.filter(pk=inspection.pk).update(attempts=checking.MAX_ATTEMPTS)
    assert checking.run_full(inspection.pk) == "gave up"
    inspection.refresh_from_db()
    assert inspection.status == "failed"


def test_the_sweep_command_queues_videos_never_checked(unit, member, clip, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    work = WorkFactory(entrant=unit)
    video = upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())
    call_command("sweep_inspections")
    assert Inspection.objects.get(attachment=video, mode="full").status == "queued"


def test_recheck_all_is_resumable_per_fingerprint(unit, member, clip, hubei, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    works = [WorkFactory(entrant=unit, title=f"作品{i}") for i in range(3)]
    for work in works:
        upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())
    assert checking.recheck_all(hubei) == 3
    first = Inspection.objects.filter(mode="full").first()
    checking.run_full(first.pk)
    progress = checking.recheck_progress(hubei)
    assert (progress.total, progress.done, progress.queued) == (3, 1, 2)
    assert checking.recheck_all(hubei) == 2  # the done one is not redone; the queued stay queued
    assert Inspection.objects.filter(mode="full").count() == 3
    # The rules change: a new fingerprint, every video again.
    data = dict(hubei.ruleset_data)
    data["technical"] = [r for r in data["technical"] if r["check"] != "loudness"]
    hubei.ruleset_data = data
    hubei.save()
    hubei.__dict__.pop("rules", None)
    assert checking.recheck_all(hubei) == 3
    assert Inspection.objects.filter(mode="full").count() == 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_recheck_requests_queue_each_video_once(hubei, unit, member, clip, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    works = [WorkFactory(entrant=unit, title=f"作品{i}") for i in range(4)]
    for work in works:
        upload(work, "video", "作品.mp4", clip, member, episode=work.episodes.get())
    Inspection.objects.all().delete()  # the commit-time checks ran on the dummy backend: start clean
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def press() -> None:
        try:
            barrier.wait()
            checking.recheck_all(hubei)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Inspection.objects.filter(mode="full").count() == 4
    assert set(Inspection.objects.values_list("attachment__work", flat=True)) == {w.pk for w in works}


# --------------------------------------------------------------------------
# Pages, for every role


@pytest.fixture
def checked(unit, member, clip, django_capture_on_commit_callbacks):
    work = WorkFactory(entrant=unit, title="光谷里的微光")
    video = store_video(work, member, clip, django_capture_on_commit_callbacks)
    return work, video


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(hubei, member, other_member, organiser):
    reviewer = UserFactory()
    CampaignRole.objects.create(campaign=hubei, user=reviewer, role=CampaignRole.Role.REVIEWER)
    return {"organiser": organiser, "member": member, "other_member": other_member,
            "reviewer": reviewer, "anonymous": None}


REPORT_ACCESS = {"organiser": 200, "member": 200, "other_member": 404, "reviewer": 404, "anonymous": 302}
ORGANISER_ONLY = {"organiser": 200, "member": 404, "other_member": 404, "reviewer": 404, "anonymous": 302}


@pytest.mark.parametrize("role", list(REPORT_ACCESS))
def test_the_report_page_and_its_progress_for_every_role(checked, people, role):
    _work, video = checked
    client = client_for(people[role])
    page = client.get(reverse("submissions:report", args=[video.pk]))
    assert page.status_code == REPORT_ACCESS[role]
    fragment = client.get(reverse("submissions:report_progress", args=[video.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == REPORT_ACCESS[role]
    if page.status_code == 200:
        html = page.content.decode()
        assert "技术检查报告" in html and "分辨率" in html and "不符合" in html and "320×180" in html


@pytest.mark.parametrize("role", list(ORGANISER_ONLY))
def test_the_matrix_export_and_recheck_for_every_role(checked, people, hubei, role):
    client = client_for(people[role])
    matrix = client.get(reverse("submissions:compliance", args=[hubei.slug]))
    assert matrix.status_code == ORGANISER_ONLY[role]
    export = client.get(reverse("submissions:compliance_export", args=[hubei.slug]))
    assert export.status_code == ORGANISER_ONLY[role]
    before = Inspection.objects.count()
    recheck = client.post(reverse("submissions:recheck", args=[hubei.slug]))
    assert recheck.status_code == (302 if role in ("organiser", "anonymous") else 404)
    assert Inspection.objects.count() == before


@pytest.mark.parametrize("role", list(ORGANISER_ONLY))
def test_the_waiver_form_for_every_role(checked, people, role):
    work, _video = checked
    client = client_for(people[role])
    response = client.post(reverse("submissions:waive", args=[work.pk]),
                           {"check": "resolution", "reason": "同意。"})
    if role == "organiser":
        assert response.status_code == 302
        assert Waiver.objects.get(work=work).reason == "同意。"
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert not Waiver.objects.exists()


def test_a_waiver_without_reason_over_http_is_refused_with_a_message(checked, organiser):
    work, video = checked
    client = client_for(organiser)
    response = client.post(reverse("submissions:waive", args=[work.pk]),
                           {"check": "resolution", "reason": " ", "next": f"/files/{video.pk}/report/"},
                           follow=True)
    assert "请填写豁免理由" in response.content.decode()
    assert not Waiver.objects.exists()


def test_the_matrix_shows_outcomes_filters_and_exports_safely(checked, organiser, hubei, other_unit, member):
    from io import BytesIO

    from openpyxl import load_workbook

    work, _video = checked
    evil = WorkFactory(entrant=other_unit, title="=HYPERLINK(\"http://x\")")
    client = client_for(organiser)
    html = client.get(reverse("submissions:compliance", args=[hubei.slug])).content.decode()
    assert "光谷里的微光" in html and 'data-outcome="fail"' in html and "320×180" in html
    rows = client.get(reverse("submissions:compliance", args=[hubei.slug]),
                      {"entrant": str(other_unit.pk)}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows and "光谷里的微光" not in rows
    rows = client.get(reverse("submissions:compliance", args=[hubei.slug]),
                      {"outcome": "fail", "rule": "resolution"}, HTTP_HX_REQUEST="true").content.decode()
    assert "光谷里的微光" in rows and "HYPERLINK" not in rows
    checking.waive(work, "resolution", "同意", organiser)
    rows = client.get(reverse("submissions:compliance", args=[hubei.slug]),
                      {"rule": "resolution"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-outcome="waived"' in rows
    export = client.get(reverse("submissions:compliance_export", args=[hubei.slug]))
    sheet = load_workbook(BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    titles = [row[0] for row in values[1:]]
    assert "光谷里的微光" in titles and evil.title in titles
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == evil.title)
    assert cell.data_type == "s"


def test_the_work_page_shows_the_summary_with_a_link(checked, member):
    work, video = checked
    html = client_for(member).get(work.get_absolute_url()).content.decode()
    assert 'id="check-summary"' in html
    assert reverse("submissions:report", args=[video.pk]) in html
    assert "须修改" in html


def test_the_report_follows_the_language(checked, member):
    from django.utils import translation

    _work, video = checked
    client = client_for(member)
    client.cookies["django_language"] = "en"
    try:
        html = client.get(reverse("submissions:report", args=[video.pk]),
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
    finally:
        translation.deactivate()  # the request's language must not leak into later tests
    assert "Resolution" in html or "resolution" in html
    assert "fail" in html


def test_complete_work_helper_still_submits(unit, member, clip):
    work = WorkFactory(entrant=unit, title="光谷里的微光")
    complete_work(work, member, clip)
    assert workflow.submit(work, member).state == WorkState.SUBMITTED
