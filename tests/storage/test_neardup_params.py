"""The LSH banding the store uses is the error-minimising one for its threshold."""

from storage.neardup import KNOWN_BANDING, optimal_banding, params


def test_known_banding_is_the_optimal_one() -> None:
    for (num_perm, threshold), banding in KNOWN_BANDING.items():
        assert optimal_banding(num_perm, threshold) == banding
    assert (params().bands, params().rows) == KNOWN_BANDING[(128, 0.6)]


def test_banding_moves_with_the_threshold() -> None:
    assert optimal_banding(128, 0.5) == (25, 5)
    assert optimal_banding(128, 0.8) == (9, 13)
