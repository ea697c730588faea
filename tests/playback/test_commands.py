"""The renditions command: backfill for videos uploaded before playback, or failed."""


def test_the_command_queues_videos_without_a_ready_rendition(scene):
    from io import StringIO

    from django.core.management import call_command

    from guangying.playback.models import Rendition

    Rendition.objects.filter(pk=scene.rendition.pk).update(status=Rendition.Status.FAILED)
    out = StringIO()
    call_command("renditions", stdout=out)  # the test backend runs the task at once
    assert "1" in out.getvalue()
    assert Rendition.objects.get(pk=scene.rendition.pk).status == Rendition.Status.READY
    out = StringIO()
    call_command("renditions", stdout=out)
    assert "已排队 0 个" in out.getvalue()
