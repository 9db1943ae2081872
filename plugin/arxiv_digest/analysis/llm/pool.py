"""Requests in flight at once (``llm.concurrency``), for every task that sends many: analyses, briefs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from .client import Stop

T = TypeVar("T")


def run_all(workers: int, name: str, jobs: Iterable[tuple[Callable[..., T], tuple[Any, ...]]],
            on_done: Callable[[int, T], None]) -> None:
    """Run ``fn(*args)`` of each job, ``workers`` at once; ``on_done(index, result)`` sees each as it finishes,
    in this thread.

    Raises :class:`Stop` when the endpoint refuses the key or the quota is exhausted: the jobs not yet
    started are cancelled, those running stop at their next request."""
    stop: Stop | None = None
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        futures = {pool.submit(fn, *args): i for i, (fn, args) in enumerate(jobs)}
        pending: set[Future[T]] = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    if future.cancelled():
                        continue
                    try:
                        result = future.result()
                    except Stop as error:
                        stop = stop or error
                        for other in pending:
                            other.cancel()
                        continue
                    on_done(futures[future], result)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    if stop is not None:
        raise stop
