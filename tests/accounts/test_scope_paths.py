"""``scope._topmost``: the paths without those under another, in one pass over the sorted
paths (it was quadratic: 246,000 comparisons on one dashboard of Long Biên)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from danso.accounts.scope import _topmost

paths = st.lists(st.integers(1, 12), min_size=1, max_size=4).map(
    lambda parts: "".join(f"{part}." for part in parts)
)


@given(st.lists(paths, max_size=40))
def test_the_topmost_paths_are_those_under_no_other(given_paths: list[str]) -> None:
    expected = sorted(
        {
            path
            for path in given_paths
            if not any(path != other and path.startswith(other) for other in given_paths)
        }
    )
    assert _topmost(given_paths) == expected
