"""Test helpers that several apps' tests share."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection


def run_concurrently(fn: Callable[[Any], Any], arguments: Iterable[Any]) -> list[Any]:
    """Call `fn(argument)` once per argument, each in its own thread with its own database
    connection, all released at the same instant to race for the same rows.

    Returns what each call returned, or the exception it raised, in the order of `arguments`;
    the test asserts on those (an exception in a thread would otherwise go unnoticed).
    Needs `django_db(transaction=True)`: the threads do not see a test's open transaction.
    """
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))
    outcomes: list[Any] = [None] * len(arguments)

    def run(index: int, argument: Any) -> None:
        try:
            barrier.wait()
            outcomes[index] = fn(argument)
        except Exception as error:  # handed to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
