"""Several steps at the same moment, as concurrent requests would run them, on SQLite and PostgreSQL.

Each step runs in a thread of its own with its own database connection and transaction; a
barrier releases them together. What each step did comes back as ("won", value),
("refused", why) for the error the caller expects, or ("crashed", repr) for anything else.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(*steps: Callable[[], Any], refused: type[Exception] | tuple[type[Exception], ...],
         why: Callable[[Exception], Any] = str,
         won: Callable[[Any], Any] = lambda value: value) -> list[tuple[str, Any]]:
    """Run every step at once; ``why`` reads a refusal, ``won`` what a winning step returned."""
    barrier = threading.Barrier(len(steps))
    results: list[tuple[str, Any]] = [("not run", None)] * len(steps)

    def run(index: int, step: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("won", won(step()))
        except refused as error:
            results[index] = ("refused", why(error))
        except Exception as error:  # anything else is a failure the test must show
            results[index] = ("crashed", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    return results
