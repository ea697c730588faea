"""Background clean-up of resumable uploads nobody came back to.

A unit that closes the laptop halfway through a 4 GB file leaves 2 GB on
the server's disk; after the expiry time those bytes are of no use to anyone.
"""

from django_tasks import task

from .sessions import sweep_expired


@task()
def remove_expired_uploads() -> int:
    return sweep_expired()
