"""Invitation e-mails go through the database queue and the real worker command."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from guangying.campaigns.tasks import send_unit_invitation
from tests.factories import EntrantFactory

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_invitation(settings, hubei, mailoutbox):
    settings.TASKS = DATABASE_QUEUE
    unit = EntrantFactory(campaign=hubei, name="长川市委统战部", contact_email="unit@example.org")
    result = send_unit_invitation.enqueue(unit.pk)
    assert DBTaskResult.objects.filter(id=result.id, status="READY").exists()
    assert mailoutbox == []

    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default")

    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["unit@example.org"]
    assert "微光映同心" in message.subject
    assert unit.invitation_url() in message.body
    unit.refresh_from_db()
    assert unit.invited_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_unit_without_an_address_is_skipped_not_failed(settings, hubei, mailoutbox):
    settings.TASKS = DATABASE_QUEUE
    unit = EntrantFactory(campaign=hubei, name="明德大学党委统战部", contact_email="")
    result = send_unit_invitation.enqueue(unit.pk)
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_individuals_and_stopped_links_get_no_unit_invitation(settings, chongqing, mailoutbox):
    settings.TASKS = DATABASE_QUEUE
    person = EntrantFactory(campaign=chongqing, kind="individual", name="赵书航",
                            affiliation="山城示范中学", contact_email="zhao@example.org")
    stopped = EntrantFactory(campaign=chongqing, name="两江示范学院", contact_email="u@example.org",
                             invitation_active=False)
    send_unit_invitation.enqueue(person.pk)
    send_unit_invitation.enqueue(stopped.pk)
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert mailoutbox == []
