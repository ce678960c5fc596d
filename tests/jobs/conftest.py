"""Job tests: an AppContext on the test database, optionally with an SMTP URL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from crm_desktop.app import AppContext
from crm_desktop.config import Settings


@pytest.fixture
def make_ctx(db) -> Iterator[Callable[..., AppContext]]:
    made: list[AppContext] = []

    def make(smtp_url: str | None = None) -> AppContext:
        ctx = AppContext(Settings(database_url=db.url, platform_database_url=db.url, smtp_url=smtp_url))
        made.append(ctx)
        return ctx
    yield make
    for ctx in made:
        ctx.close()
