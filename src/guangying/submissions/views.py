"""Pages of a work: its form, its files, handing it in, and the organiser's formal check."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from guangying.campaigns.models import Campaign, Entrant
from guangying.campaigns.views import campaign_for

from . import checking, workflow
from .exports import works_workbook
from .forms import ExtensionForm, ReasonForm, WorkForm, format_duration
from .models import Attachment, Episode, Inspection, Work, WorkState
from .readiness import document_rule, submission_problems, video_rule
from .uploads import SizeLimitedUploadHandler, UploadRefused, human_size, store_attachment
from .workflow import WorkflowError


def work_for(request: HttpRequest, pk: int, perm: str = "submissions.view_work") -> Work:
    """The work if the person may reach it; to anyone else it does not exist."""
    work = get_object_or_404(Work.objects.select_related("campaign", "entrant"), pk=pk)
    if not request.user.has_perm(perm, work):
        raise Http404
    return work


def _show_errors(request: HttpRequest, error: WorkflowError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _display_value(spec: Any, value: Any) -> Any:
    if spec.type == "duration" and isinstance(value, int):
        return format_duration(value)
    if spec.type == "broadcast" and isinstance(value, dict):
        if value.get("status") == "aired":
            return _("已播出：%(p)s %(l)s") % {"p": value.get("platform", ""), "l": value.get("link", "")}
        if value.get("status") == "not_aired":
            return _("未播出")
        return ""
    return value


def replacement(attachment: Attachment) -> dict[str, Any]:
    """A new video waiting to take over its slot, with its check as it stands."""
    check = checking.video_check(attachment)
    failed = check.full is not None and check.full.status == Inspection.Status.FAILED
    return {"attachment": attachment, "check": check, "failed": failed}


def _slots(work: Work) -> dict[str, Any]:
    rules = work.campaign.rules
    current = list(work.current_attachments().select_related("episode"))
    episodes = []
    for episode in work.episodes.all():
        # The oldest video not superseded is the one that counts; newer ones wait for their check.
        videos = sorted((a for a in current if a.kind == Attachment.VIDEO and a.episode_id == episode.pk),
                        key=lambda a: (a.uploaded_at, a.pk))
        episodes.append({
            "episode": episode, "video": videos[0] if videos else None, "key": f"video-{episode.pk}",
            "replacements": [replacement(a) for a in videos[1:]],
        })
    documents = []
    for spec in rules.documents:
        if spec.source != "upload" or spec.per != "work":
            continue
        documents.append({
            "spec": spec,
            "file": next((a for a in current if a.kind == spec.key), None),
            "accept": ",".join(f".{f}" for f in spec.formats),
        })
    video = video_rule(rules)
    return {
        "episodes": episodes, "documents": documents,
        "video_accept": ",".join(f".{e}" for e in rules.video_extensions) or "video/*",
        "video_limit": human_size(video.max_bytes),
        "generated": [d for d in rules.documents if d.source == "generated"],
    }


@login_required
@require_POST
def create_work(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    entrant = get_object_or_404(Entrant.objects.select_related("campaign"), pk=pk,
                                campaign__slug=slug)
    if not request.user.has_perm("campaigns.create_work", entrant):
        raise Http404
    try:
        work = workflow.create_work(entrant, request.user, title=request.POST.get("title", ""))
    except WorkflowError as error:
        _show_errors(request, error)
        return redirect("campaigns:entrant", slug=slug, pk=pk)
    return redirect("submissions:edit", pk=work.pk)


@login_required
def work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_for(request, pk)
    rules = work.campaign.rules
    fields = []
    for spec in rules.form.fields:
        value = work.title if spec.key == "title" else (work.form_data or {}).get(spec.key)
        fields.append({"spec": spec, "value": _display_value(spec, value)})
    categories = []
    for category in rules.categories:
        chosen = (work.categories or {}).get(category.key)
        chosen = chosen if isinstance(chosen, list) else [chosen] if chosen else []
        labels = [o.label for o in category.options if o.key in chosen]
        categories.append({"category": category, "labels": labels})
    is_member = request.user.has_perm("submissions.submit_work", work)
    can_check = request.user.has_perm("submissions.check_work", work)
    problems = submission_problems(work) if work.state in (WorkState.DRAFT,
                                                           WorkState.RETURNED) else []
    last_return = work.history.filter(action="return").order_by("-at").first()
    return render(request, "submissions/work_detail.html", {
        "work": work, "campaign": work.campaign, "rules": rules, "fields": fields,
        "categories": categories, "slots": _slots(work), "problems": problems,
        "is_member": is_member, "can_check": can_check,
        "can_edit": request.user.has_perm("submissions.change_work", work),
        "history": work.history.select_related("actor"),
        "last_return": last_return if work.state == WorkState.RETURNED else None,
        "reason_form": ReasonForm(), "extension_form": ExtensionForm(),
        "old_files": work.attachments.filter(superseded_at__isnull=False) if can_check else [],
    })


@login_required
def work_edit(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_for(request, pk)
    if not request.user.has_perm("submissions.change_work", work):
        messages.error(request, _("作品当前不能修改（已提交、已审查或已过截止时间）。"))
        return redirect(work)
    rules = work.campaign.rules
    form = WorkForm(request.POST or None, rules=rules, work=work)
    if request.method == "POST":
        if form.is_valid():
            form.save_into(work)
            messages.success(request, _("已保存。"))
            if request.POST.get("then") == "detail":
                return redirect(work)
            return redirect("submissions:edit", pk=work.pk)
        messages.error(request, _("未保存：请按提示修改标红的内容，您填写的内容仍保留在页面上。"))
    return render(request, "submissions/work_edit.html", {
        "work": work, "campaign": work.campaign, "form": form, "slots": _slots(work),
    })


@csrf_exempt
@login_required
def upload(request: HttpRequest, pk: int, slot: str) -> HttpResponse:
    """One file into one slot; the size limit is enforced while the bytes arrive."""
    if request.method != "POST":
        raise Http404
    work = work_for(request, pk)
    rules = work.campaign.rules
    episode = None
    if slot.startswith("video-"):
        episode = get_object_or_404(Episode, pk=slot.removeprefix("video-"), work=work)
        rule, kind = video_rule(rules), Attachment.VIDEO
    else:
        rule, kind = document_rule(rules, slot), slot
        if rule is None:
            raise Http404
    handler = SizeLimitedUploadHandler(request, rule.max_bytes)
    request.upload_handlers.insert(0, handler)
    return _receive(request, work=work, rule=rule, kind=kind, episode=episode, handler=handler)


@csrf_protect
def _receive(request: HttpRequest, *, work: Work, rule: Any, kind: str, episode: Episode | None,
             handler: SizeLimitedUploadHandler) -> HttpResponse:
    uploaded = request.FILES.get("file")
    if not request.user.has_perm("submissions.change_work", work):
        messages.error(request, _("作品当前不能修改（已提交、已审查或已过截止时间）。"))
        return redirect(work)
    if handler.refused:
        messages.error(request, _("「%(label)s」文件过大，上限为 %(limit)s，文件未保存。") % {
            "label": rule.label, "limit": human_size(rule.max_bytes)})
        return redirect(work)
    if uploaded is None:
        messages.error(request, _("请选择要上传的文件。"))
        return redirect(work)
    try:
        attachment = store_attachment(work=work, kind=kind, uploaded=uploaded, rule=rule,
                                      user=request.user, episode=episode)
    except UploadRefused as refusal:
        messages.error(request, refusal.message)
        if episode is not None and episode.current_video() is not None:
            messages.info(request, _("当前视频保持不变。"))
    else:
        messages.success(request, _("已上传「%(name)s」（%(size)s）。") % {
            "name": attachment.original_name, "size": human_size(attachment.size)})
    return redirect(work)


def _attempt(request: HttpRequest, step: Any, *args: Any, done: str = "") -> bool:
    """Run one workflow step; its refusals become messages for the person who tried."""
    try:
        step(*args)
    except WorkflowError as error:
        _show_errors(request, error)
        return False
    if done:
        messages.success(request, done)
    return True


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_for(request, pk, "submissions.submit_work")
    _attempt(request, workflow.submit, work, request.user,
             done=_("作品已提交，等待主办方形式审查。"))
    return redirect(work)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_for(request, pk, "submissions.withdraw_work")
    _attempt(request, workflow.withdraw, work, request.user,
             done=_("作品已撤回为草稿，修改后请重新提交。"))
    return redirect(work)


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_for(request, pk, "submissions.submit_work")
    if not _attempt(request, workflow.discard, work, request.user,
                    done=_("草稿已撤销，名额已释放。")):
        return redirect(work)
    return redirect("campaigns:entrant", slug=work.campaign.slug, pk=work.entrant_id)


@login_required
@require_POST
def add_episode(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_for(request, pk, "submissions.change_work")
    _attempt(request, workflow.add_episode, work, request.user)
    return redirect(work)


@login_required
@require_POST
def remove_episode(request: HttpRequest, pk: int, episode: int) -> HttpResponse:
    work = work_for(request, pk, "submissions.change_work")
    target = get_object_or_404(Episode, pk=episode, work=work)
    _attempt(request, workflow.remove_episode, target, request.user)
    return redirect(work)


# Lazy: the message is put into the language of the request, not of the import.
CHECK_ACTIONS = {
    "pass": (workflow.pass_formal_check, gettext_lazy("形式审查通过。")),
    "return": (workflow.return_for_correction, gettext_lazy("已退回修改，报送主体会看到原因。")),
    "reject": (workflow.reject, gettext_lazy("已标记为不予受理。")),
    "reopen": (workflow.reopen, gettext_lazy("已恢复为待审查。")),
}


@login_required
@require_POST
def formal_check(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    work = work_for(request, pk, "submissions.check_work")
    if action not in CHECK_ACTIONS:
        raise Http404
    step, done = CHECK_ACTIONS[action]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _attempt(request, step, work, request.user, reason, done=str(done))
    if request.POST.get("next") == "list":
        return redirect("submissions:manage_list", slug=work.campaign.slug)
    return redirect(work)


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    work = work_for(request, pk, "submissions.check_work")
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(work)
    _attempt(request, workflow.extend_deadline, work, request.user, form.cleaned_data["until"],
             form.cleaned_data["reason"], done=_("已更新该作品的截止时间。"))
    return redirect(work)


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("work__campaign",
                                                                      "work__entrant"), pk=pk)
    if not request.user.has_perm("submissions.view_attachment", attachment):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type.split(";")[0])
    response["Cache-Control"] = "private, no-store"
    return response


def _filtered_works(campaign: Campaign, params: Any) -> tuple[Any, dict[str, str]]:
    works = (
        Work.objects.filter(campaign=campaign)
        .select_related("entrant")
        .annotate(episode_count=Count("episodes", distinct=True))
        .order_by("entrant__name", "created_at")
    )
    chosen = {key: (params.get(key) or "").strip()[:200] for key in ("state", "entrant", "kind", "q")}
    if chosen["state"] in WorkState.values:
        works = works.filter(state=chosen["state"])
    else:
        chosen["state"] = ""
        works = works.exclude(state=WorkState.WITHDRAWN)
    if chosen["entrant"].isdigit():
        works = works.filter(entrant_id=int(chosen["entrant"]))
    if chosen["kind"] in Entrant.Kind.values:
        works = works.filter(entrant__kind=chosen["kind"])
    if chosen["q"]:
        works = works.filter(
            Q(title__icontains=chosen["q"]) | Q(entrant__name__icontains=chosen["q"])
            | Q(entrant__affiliation__icontains=chosen["q"])
        )
    return works, chosen


@login_required
def manage_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    works, chosen = _filtered_works(campaign, request.GET)
    page = Paginator(works, 50).get_page(request.GET.get("page"))
    template = "submissions/manage_list_rows.html" if request.htmx else "submissions/manage_list.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {
        "campaign": campaign, "page": page, "chosen": chosen, "states": WorkState.choices,
        "entrants": campaign.entrants.order_by("name"), "kinds": Entrant.Kind.choices,
        "query": query.urlencode(), "now": timezone.now(),
    })


@login_required
def manage_export(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    works, _chosen = _filtered_works(campaign, request.GET)
    data = works_workbook(campaign, works)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = _("作品列表")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(
        True, f"{campaign.short_title or campaign.slug}-{name}-{stamp}.xlsx"
    )
    return response
