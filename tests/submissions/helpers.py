"""Real files and complete works, shared by the submissions tests."""

import io
import zipfile
from pathlib import Path

import docx
from django.core.files.uploadedfile import SimpleUploadedFile

from guangying.demo.media import pdf_bytes
from guangying.submissions.readiness import document_rule, video_rule
from guangying.submissions.uploads import store_attachment


def docx_bytes(text: str = "最终视频文稿：微光映同心") -> bytes:
    """A Word document written by python-docx, as Word writes one."""
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


HUBEI_FORM = {
    "creators": [{"name": "张小明", "post": "导演", "contact": "13800000001"}],
    "synopsis": "讲述一位党外专家扎根光谷、攻关光电子技术的故事。",
    "script": "第一场：清晨的实验室。",
    "contact_name": "李联络",
    "contact_phone": "027-12345678",
}

CHONGQING_FORM = {
    "duration": 270,
    "broadcast": {"status": "not_aired", "platform": "", "link": ""},
    "contact_name": "王联络",
    "contact_phone": "13900000002",
    "team": "导演：赵一（示例文化中心）；摄像：钱二。",
    "synopsis": "以一封家书串起重庆地方党组织成立百年的故事。",
}


def complete_form(work) -> None:
    """Every row of the campaign's form, filled within its limits."""
    hubei = work.campaign.preset_key.startswith("hubei")
    work.form_data = dict(HUBEI_FORM if hubei else CHONGQING_FORM)
    work.save()


def upload(work, kind: str, name: str, content: bytes, user, episode=None):
    rules = work.campaign.rules
    rule = video_rule(rules) if kind == "video" else document_rule(rules, kind)
    return store_attachment(
        work=work, kind=kind, uploaded=SimpleUploadedFile(name, content), rule=rule, user=user,
        episode=episode,
    )


def complete_work(work, user, video: bytes) -> None:
    """Form, a video for every episode and every required document: ready to submit."""
    complete_form(work)
    for episode in work.episodes.all():
        upload(work, "video", f"{work.entrant.name}-{work.title}.mp4", video, user, episode=episode)
    for document in work.campaign.rules.required_documents:
        if document.key == "final_script":
            upload(work, document.key, "文稿.docx", docx_bytes(), user)
        else:
            upload(work, document.key, f"{document.label}.pdf", pdf_bytes(), user)
    record_passing_checks(work)


def record_passing_checks(work) -> None:
    """A finished full check with every rule met, for tests about other parts of handing in.

    The small test clips cannot meet Hubei's 1920×1080, 2–5 minutes; tests of the check
    itself run the real engine on real files instead (tests/submissions/test_checking.py).
    """
    from guangying.inspection.report import Line, Outcome, Report
    from guangying.submissions.checking import campaign_fingerprint, newest_videos
    from guangying.submissions.models import Inspection

    rules = work.campaign.rules
    lines = [Line(check=rule.check, label=rule.check, label_en=rule.check, outcome=Outcome.PASS,
                  requested="", actual="") for rule in rules.technical]
    report = Report(file="clip.mp4", ruleset=rules.title, lines=lines)
    for attachment in newest_videos(work):
        Inspection.objects.update_or_create(
            attachment=attachment, mode=Inspection.Mode.FULL,
            ruleset_fingerprint=campaign_fingerprint(work),
            defaults={"status": Inspection.Status.DONE, "report": report.to_dict(),
                      "outcome": "pass", "progress": 1.0},
        )



def stored_files(root: Path) -> list[Path]:
    """Every file under the media folder."""
    return sorted(p for p in root.rglob("*") if p.is_file())
