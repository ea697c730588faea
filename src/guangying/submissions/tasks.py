"""Background work for works: the full check of a video runs in the worker.

A full check decodes the whole file (a minute or more for a long 1080p
video); the request that stored it must not wait for that.
"""

from django_tasks import task

from . import checking


@task()
def inspect_video(inspection_id: int) -> str:
    return checking.run_full(inspection_id)
