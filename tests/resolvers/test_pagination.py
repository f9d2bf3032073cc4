from datetime import UTC, datetime

import pytest

from pluginhub.models import Plugin
from pluginhub.resolvers.errors import RequestError
from pluginhub.resolvers.pagination import Ordering, PageArgs

ORDER = Ordering((("created_at", True), ("plugin_id", True)))


def test_a_cursor_decodes_to_the_row_position():
    row = Plugin(plugin_id="1234567890123456", created_at=datetime(2026, 11, 21, 8, 30, tzinfo=UTC))
    assert ORDER.decode(ORDER.cursor(row), Plugin) == [row.created_at, row.plugin_id]


@pytest.mark.parametrize("bad", ["", "!!!", "bm90IGpzb24", "WzFd", "WyJ4IiwgMV0"])
def test_a_malformed_cursor_is_a_validation_error(bad):
    with pytest.raises(RequestError) as refused:
        ORDER.decode(bad, Plugin)
    assert refused.value.code == "VALIDATION"


@pytest.mark.parametrize("first, last", [(101, None), (None, 101), (-1, None), (None, -1), (5, 5)])
def test_page_sizes_out_of_range_are_refused(first, last):
    with pytest.raises(RequestError):
        PageArgs.checked(first, None, last, None, default_size=20, max_size=100)


def test_the_default_page_size_applies_when_none_is_given():
    args = PageArgs.checked(None, None, None, None, default_size=20, max_size=100)
    assert args.size == 20 and not args.backward
