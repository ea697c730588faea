"""The aggregation of a review round: exact totals, four methods, disagreement, ranking, advancing."""

import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from guangying.reviews.aggregation import (
    CELLS,
    COLUMNS,
    MESSAGES,
    METHOD_LABELS,
    METHODS,
    OVERALL,
    AggregationError,
    Criterion,
    Names,
    RoundResult,
    RoundSettings,
    Score,
    advance,
    aggregate_round,
    display,
    mean,
    median,
    population_sd,
    trimmed_mean,
    weighted_total,
    with_marks,
)
from guangying.rulesets import load_preset

FAST = settings(max_examples=60, deadline=None)
ONE = [OVERALL]  # one mark out of 100: the totals are the marks themselves


def overall(*rows: tuple[object, object, object]) -> list[Score]:
    """Scores on the single overall criterion: (work, reviewer, mark)."""
    return [Score(w, r, {"overall": v}) for w, r, v in rows]


def marks(work: object, *values: object) -> list[Score]:
    """One work marked by reviewers r0, r1, … on the overall criterion."""
    return [Score(work, f"r{i}", {"overall": v}) for i, v in enumerate(values)]


def ranks(result: RoundResult) -> dict[object, int | None]:
    return {row.work: row.rank for row in result.rows}


def codes(notes) -> list[str]:
    return [n.code for n in notes]


def texts(result: RoundResult) -> list[str]:
    """Every note renders (no placeholder left unfilled)."""
    out = [n.text for n in result.all_notes]
    for row in result.rows:
        out += [n.text for n in row.all_notes]
    for reviewer in result.reviewers:
        if reviewer.note:
            out.append(reviewer.note.text)
    assert all("{" not in t for t in out)
    return out


# --------------------------------------------------------------------------
# Strategies

one_decimal = st.integers(0, 100).map(lambda i: Decimal(i) / 10)  # 0.0 … 10.0
marks_list = st.lists(one_decimal, max_size=12)


@st.composite
def rounds(draw, *, missing: bool = True, max_works: int = 6, max_reviewers: int = 4):
    """A random round: criteria, and each reviewer's marks on some works (some criteria missing)."""
    n_criteria = draw(st.integers(1, 3))
    criteria = [
        Criterion(
            key=f"c{i}",
            weight=draw(st.sampled_from([1, 1, 2, 0.5, 3, 1.5])),
            scale_max=draw(st.sampled_from([5, 10, 10, 100])),
        )
        for i in range(n_criteria)
    ]
    works = list(range(1, draw(st.integers(1, max_works)) + 1))
    reviewers = [f"r{i}" for i in range(draw(st.integers(1, max_reviewers)))]
    scores = []
    for w in works:
        for r in reviewers:
            if not draw(st.booleans()):
                continue
            values = {}
            for c in criteria:
                if missing and draw(st.integers(0, 9)) == 0:
                    continue
                # few distinct marks, so that ties and equal totals happen
                values[c.key] = draw(
                    st.sampled_from([0, c.scale_max // 2, c.scale_max, c.scale_max * 7 // 10])
                )
            scores.append(Score(w, r, values))
    return criteria, works, scores


methods = st.sampled_from(METHODS)


# --------------------------------------------------------------------------
# Mean, median, trimmed mean


def test_trimmed_mean_of_nothing_is_refused() -> None:
    with pytest.raises(AggregationError) as err:
        trimmed_mean([])
    assert err.value.note.code == "error_empty"


def test_trimmed_mean_with_one_two_three_and_many_scores() -> None:
    assert trimmed_mean([7]) == 7
    assert trimmed_mean([7, 8]) == Fraction(15, 2)  # nothing to drop: the plain mean
    assert trimmed_mean([9, 2, 7]) == 7  # the middle one
    assert trimmed_mean([10, 1, 6, 8, 5]) == Fraction(19, 3)
    # exactly one highest and one lowest, even when several share the mark
    assert trimmed_mean([9, 9, 9, 5]) == 9
    assert trimmed_mean([1, 1, 1, 5]) == 1
    assert trimmed_mean([4, 4, 4]) == 4


@FAST
@given(marks_list)
def test_trimmed_mean_is_the_mean_of_the_middle(values: list[Decimal]) -> None:
    assume(values)
    ordered = sorted(values)
    expected = mean(ordered[1:-1]) if len(values) >= 3 else mean(values)
    assert trimmed_mean(values) == expected
    assert min(values) <= trimmed_mean(values) <= max(values)


def test_median_of_even_and_odd_counts() -> None:
    assert median([4, 1, 3, 2]) == Fraction(5, 2)
    assert median([1, 9]) == 5
    assert median([3, 1, 2]) == 2
    assert median([Decimal("8.5")]) == Fraction(17, 2)


@FAST
@given(marks_list.filter(lambda v: len(v) % 2 == 0 and v))
def test_median_of_an_even_count_is_the_mean_of_the_two_middle(values: list[Decimal]) -> None:
    ordered = sorted(values)
    mid = len(values) // 2
    assert median(values) == (Fraction(ordered[mid - 1]) + Fraction(ordered[mid])) / 2
    assert median(list(reversed(values))) == median(values)


def test_population_sd() -> None:
    assert population_sd([5]) == 0
    assert population_sd([2, 4, 4, 4, 5, 5, 7, 9]) == 2
    assert display(population_sd([1, 2])) == Decimal("0.50")


# --------------------------------------------------------------------------
# Totals and weights


def test_a_total_is_the_weighted_sum_normalised_to_100() -> None:
    criteria = [Criterion("a", 1, 10), Criterion("b", 3, 100)]
    # (1·5/10 + 3·80/100) / 4 × 100
    assert weighted_total({"a": 5, "b": 80}, criteria) == Fraction(145, 2)
    assert weighted_total({"a": 10, "b": 100}, criteria) == 100
    assert weighted_total({"a": 0, "b": 0}, criteria) == 0
    assert weighted_total({"a": 5}, criteria) is None
    assert weighted_total({"a": 5, "b": None}, criteria) is None


def test_marks_are_read_through_their_decimal_text() -> None:
    criteria = [Criterion("a", 1, 10)]
    assert weighted_total({"a": 8.1}, criteria) == 81
    assert weighted_total({"a": "8.1"}, criteria) == weighted_total({"a": Decimal("8.1")}, criteria) == 81
    assert weighted_total({"a": 0.1}, [Criterion("a", 0.1, 1)]) == 10


def test_the_hubei_preset_criteria_are_accepted_as_they_are() -> None:
    criteria = load_preset("hubei-2026-weiguang").review.criteria
    keys = [c.key for c in criteria]
    assert len(keys) == 5
    scores = [Score(1, "甲", dict.fromkeys(keys, 8)), Score(1, "乙", dict.fromkeys(keys, 9))]
    result = aggregate_round(scores, criteria)
    assert result.row(1).aggregate == Decimal("85.00")
    assert result.criteria == tuple(keys)


def test_a_round_without_criteria_is_scored_overall() -> None:
    assert load_preset("chongqing-2026-hongse").review.criteria == []
    with pytest.raises(AggregationError) as err:
        aggregate_round([], [])
    assert err.value.note.code == "error_no_criteria"
    result = aggregate_round(overall((1, "甲", 92), (1, "乙", 88)), ONE)
    assert result.row(1).aggregate == 90


@FAST
@given(rounds(), methods, st.sampled_from([2, 3, Fraction(1, 2), 10]))
def test_scaling_every_weight_changes_nothing(round_, method, factor) -> None:
    criteria, works, scores = round_
    scaled = [Criterion(c.key, Fraction(str(c.weight)) * factor, c.scale_max) for c in criteria]
    a = aggregate_round(scores, criteria, RoundSettings(method=method), works=works)
    b = aggregate_round(scores, scaled, RoundSettings(method=method), works=works)
    assert a == b


def test_weights_decide_which_criterion_counts() -> None:
    scores = [Score(1, "甲", {"story": 10, "craft": 4}), Score(2, "甲", {"story": 6, "craft": 10})]
    equal = aggregate_round(scores, [Criterion("story", 1), Criterion("craft", 1)])
    assert ranks(equal) == {2: 1, 1: 2}  # 80 against 70
    story_first = aggregate_round(scores, [Criterion("story", 3), Criterion("craft", 1)])
    assert ranks(story_first) == {1: 1, 2: 2}  # 85 against 70
    assert story_first.row(1).aggregate == Decimal("85.00")


# --------------------------------------------------------------------------
# Missing scores


def test_an_incomplete_review_does_not_count_and_is_named() -> None:
    criteria = [Criterion("a"), Criterion("b"), Criterion("c")]
    scores = [
        Score(1, "甲", {"a": 8, "b": 8, "c": 8}),
        Score(1, "乙", {"a": 2, "c": None}),  # b absent, c None: both missing
        Score(1, "丙", {"a": 6, "b": 6, "c": 6}),
    ]
    result = aggregate_round(scores, criteria, expected={1: ["甲", "乙", "丙", "丁"], 2: ["甲"]}, works=[3])
    row = result.row(1)
    assert row.complete == 2
    assert row.aggregate == 70
    assert [(i.reviewer, i.missing, i.submitted) for i in row.incomplete] == [
        ("丁", ("a", "b", "c"), False),
        ("乙", ("b", "c"), True),
    ]
    assert "评委乙的评分不完整（缺：b、c），不计入。" in [n.text for n in row.notes]
    assert "评委丁尚未评分，不计入。" in [n.text for n in row.notes]
    assert [r.reviewer for r in row.reviews] == ["丙", "甲"]
    # works nobody completed are listed after the ranking, and never ranked
    assert [r.work for r in result.rows] == [1, 2, 3]
    assert [r.rank for r in result.rows] == [1, None, None]
    assert result.row(3).complete == 0 and result.row(3).aggregate is None
    assert codes(result.row(3).notes) == ["no_complete_review"]
    assert codes(result.row(2).notes) == ["no_complete_review", "not_submitted"]
    by_reviewer = {r.reviewer: r for r in result.reviewers}
    assert (by_reviewer["乙"].complete, by_reviewer["乙"].incomplete) == (0, 1)
    assert by_reviewer["丁"].complete == 0 and by_reviewer["丁"].mean is None


@FAST
@given(rounds(), methods)
def test_only_complete_reviews_count(round_, method) -> None:
    criteria, works, scores = round_
    result = aggregate_round(scores, criteria, RoundSettings(method=method), works=works)
    keys = {c.key for c in criteria}
    for row in result.rows:
        mine = [s for s in scores if s.work == row.work]
        complete = [s for s in mine if set(s.values) == keys]
        assert row.complete == len(complete)
        assert len(row.incomplete) == len(mine) - len(complete)
        assert {r.reviewer for r in row.reviews} == {s.reviewer for s in complete}
        assert (row.rank is None) == (not complete)
        if method == "mean" and complete:
            assert row.aggregate_exact == mean(weighted_total(s.values, criteria) for s in complete)
    texts(result)


# --------------------------------------------------------------------------
# The trimmed mean in a round


def test_the_trimmed_round_with_zero_to_many_reviews() -> None:
    scores = [
        *marks(1, 80),
        *marks(2, 80, 90),
        *marks(3, 60, 90, 75),
        *marks(4, 95, 70, 82, 70, 95),
    ]
    result = aggregate_round(scores, ONE, RoundSettings(method="trimmed"), works=[0])
    assert codes(result.row(0).notes) == ["no_complete_review"]
    for work, count in ((1, 1), (2, 2)):
        row = result.row(work)
        assert row.used == row.complete == count
        assert f"有效评审只有 {count} 份，不足 3 份，无法去掉一个最高分和一个最低分，按算术平均计。" in texts(
            result
        )
        assert all(r.dropped is None for r in row.reviews)
    assert result.row(1).aggregate == 80 and result.row(2).aggregate == 85
    three = result.row(3)
    assert (three.aggregate, three.used, three.complete) == (75, 1, 3)
    assert {r.reviewer: r.dropped for r in three.reviews} == {"r0": "low", "r1": "high", "r2": None}
    many = result.row(4)
    assert many.aggregate_exact == mean([70, 82, 95])  # one 95 and one 70 dropped, not both of each
    assert many.used == 3
    assert sorted(str(r.dropped) for r in many.reviews) == ["None", "None", "None", "high", "low"]
    # the statistics still show the marks that were dropped
    assert (many.minimum, many.maximum, many.spread) == (70, 95, 25)


# --------------------------------------------------------------------------
# Ranking and ties


def test_competition_ranking_and_the_tied_flag() -> None:
    scores = [*marks(1, 90, 90), *marks(2, 80, 80), *marks(3, 70, 90), *marks(4, 70, 70)]
    result = aggregate_round(scores, ONE)
    assert [(r.work, r.rank, r.tied) for r in result.rows] == [
        (1, 1, False),
        (2, 2, True),
        (3, 2, True),
        (4, 4, False),
    ]
    assert "与作品3并列第 2 名" in result.row(2).notes[-1].text


def test_the_tie_rules_in_order() -> None:
    # rule 2: more complete reviews first
    result = aggregate_round([*marks(1, 80), *marks(2, 80, 80)], ONE)
    assert ranks(result) == {2: 1, 1: 2}
    assert result.row(1).decided_by == "reviews" and not result.row(1).tied
    assert "依「有效评审份数多者在前」排在作品2之后" in result.row(1).notes[-1].text
    # rule 3: the higher median, among the same number of reviews
    result = aggregate_round([*marks(1, 60, 90, 90), *marks(2, 80, 80, 80)], ONE)
    assert ranks(result) == {1: 1, 2: 2} and result.row(2).decided_by == "median"
    # rule 4: the heavier criterion first, though listed second
    criteria = [Criterion("craft", 1), Criterion("story", 2)]
    scores = [Score(1, "甲", {"craft": 10, "story": 7}), Score(2, "甲", {"craft": 6, "story": 9})]
    result = aggregate_round(scores, criteria)
    assert result.row(1).aggregate_exact == result.row(2).aggregate_exact == 80
    assert ranks(result) == {2: 1, 1: 2} and result.row(1).decided_by == "criteria"
    assert result.row(1).criteria == (("craft", 100), ("story", 70))  # in the round's order
    # the rules are configurable: without them the same works tie
    result = aggregate_round(scores, criteria, RoundSettings(tie_rules=()))
    assert ranks(result) == {1: 1, 2: 1} and result.row(1).tied
    result = aggregate_round(
        [*marks(1, 60, 90, 90), *marks(2, 80, 80, 80)], ONE, RoundSettings(tie_rules=["spread"])
    )
    assert ranks(result) == {2: 1, 1: 2} and result.row(1).decided_by == "spread"
    result = aggregate_round(
        [*marks(1, 60, 90, 90), *marks(2, 70, 70, 100)], ONE, RoundSettings(tie_rules=["min"])
    )
    assert ranks(result) == {2: 1, 1: 2}


def test_a_tie_is_never_broken_by_id() -> None:
    for a, b in ((1, 2), (2, 1), ("乙", "甲")):
        result = aggregate_round([*marks(a, 80, 70), *marks(b, 70, 80)], ONE)
        assert ranks(result) == {a: 1, b: 1}
        assert all(r.tied for r in result.rows)


def test_float_noise_never_splits_a_tie() -> None:
    # 0.1 + 0.2 is not 0.3 in binary floating point; here the two means are equal
    result = aggregate_round(
        [
            Score(1, "甲", {"a": 0.1}),
            Score(1, "乙", {"a": 0.2}),
            Score(2, "甲", {"a": 0.3}),
            Score(2, "乙", {"a": 0}),
        ],
        [Criterion("a", 1, 1)],
    )
    assert ranks(result) == {1: 1, 2: 1}
    # thirds: 100·(1/3) on one side, the mean of 0 and 200/3 on the other
    criteria = [Criterion("a", 1, 3)]
    result = aggregate_round(
        [Score(1, "甲", {"a": 1}), Score(2, "甲", {"a": 0}), Score(2, "乙", {"a": 2})],
        criteria,
        RoundSettings(tie_rules=()),
    )
    assert ranks(result) == {1: 1, 2: 1}


def test_values_that_display_the_same_are_ranked_unrounded_and_say_so() -> None:
    # 255.1 / 3 = 85.0333… against 850.3 / 10 = 85.03
    scores = [*marks(1, 85, 85, "85.1"), *marks(2, *([85] * 9 + ["85.3"]))]
    result = aggregate_round(scores, ONE)
    assert result.row(1).aggregate == result.row(2).aggregate == Decimal("85.03")
    assert ranks(result) == {1: 1, 2: 2}
    assert "名次按未四舍五入的分数排定" in result.row(2).notes[-1].text


def test_display_rounds_half_up() -> None:
    assert display(Fraction("12.345")) == Decimal("12.35")
    assert display(Fraction("12.344999")) == Decimal("12.34")
    assert display(Fraction("-0.125")) == Decimal("-0.13")
    assert display(Fraction(200, 3)) == Decimal("66.67")
    assert str(display(80)) == "80.00"


@FAST
@given(rounds(), methods)
def test_the_rank_sequence(round_, method) -> None:
    criteria, works, scores = round_
    result = aggregate_round(scores, criteria, RoundSettings(method=method), works=works)
    ranked = result.ranked
    assert list(result.rows[: len(ranked)]) == list(ranked)
    for i, row in enumerate(ranked):
        assert row.rank == i + 1 or (i and row.rank == ranked[i - 1].rank)
        same = [r for r in ranked if r.rank == row.rank]
        assert row.tied == (len(same) > 1)
        # competition ranking: one plus the number of works placed strictly above
        assert row.rank == 1 + sum(1 for r in ranked if r.rank < row.rank)
        if i:
            assert ranked[i - 1].aggregate_exact >= row.aggregate_exact or abs(
                ranked[i - 1].aggregate_exact - row.aggregate_exact
            ) < Fraction(1, 10**9)
    for row in result.unranked:
        assert row.aggregate is None and not row.tied


@FAST
@given(rounds(missing=False), methods, st.randoms(use_true_random=False))
def test_renaming_the_works_never_changes_a_rank(round_, method, rnd) -> None:
    criteria, works, scores = round_
    names = works[:]
    rnd.shuffle(names)
    rename = dict(zip(works, (f"作品{n}" for n in names), strict=True))
    a = aggregate_round(scores, criteria, RoundSettings(method=method), works=works)
    renamed = [Score(rename[s.work], s.reviewer, s.values) for s in scores]
    b = aggregate_round(renamed, criteria, RoundSettings(method=method), works=list(rename.values()))
    assert {rename[w]: rank for w, rank in ranks(a).items()} == ranks(b)


# --------------------------------------------------------------------------
# Z-scores


def test_z_scores_with_one_reviewer_are_the_raw_totals() -> None:
    scores = overall((1, "甲", 60), (2, "甲", 75), (3, "甲", 90), (4, "甲", "82.5"))
    z = aggregate_round(scores, ONE, RoundSettings(method="zscore"))
    plain = aggregate_round(scores, ONE)
    # standardised against themselves, then mapped back with the same mean and deviation
    assert [(r.work, r.aggregate_exact) for r in z.rows] == [(r.work, r.aggregate_exact) for r in plain.rows]
    assert all(line.normalised for row in z.rows for line in row.reviews)
    assert z.reviewers[0].normalised is True
    assert (z.pooled_mean, z.pooled_sd) == (Decimal("76.88"), display(population_sd([60, 75, 90, "82.5"])))


def test_a_reviewer_with_one_score_is_left_raw_and_named() -> None:
    scores = overall((1, "甲", 60), (2, "甲", 90), (1, "乙", 95))
    result = aggregate_round(scores, ONE, RoundSettings(method="zscore"))
    line = next(r for r in result.row(1).reviews if r.reviewer == "乙")
    assert (line.total, line.value, line.normalised) == (95, 95, False)
    assert "评委乙只完整评审了 1 件作品，无法按其打分习惯标准化，按原始分计。" in texts(result)
    assert codes(result.notes)[-1] == "zscore_reviewers_raw"
    assert {r.reviewer: r.normalised for r in result.reviewers} == {"甲": True, "乙": False}


def test_a_reviewer_of_zero_variance_is_left_raw_and_named() -> None:
    scores = overall((1, "甲", 60), (2, "甲", 90), (1, "乙", 80), (2, "乙", 80))
    result = aggregate_round(scores, ONE, RoundSettings(method="zscore"))
    for work in (1, 2):
        line = next(r for r in result.row(work).reviews if r.reviewer == "乙")
        assert (line.value, line.normalised) == (80, False)
    assert "评委乙给所评 2 件作品的总分完全相同，无法标准化，按原始分计。" in texts(result)
    # nobody can be standardised: every value stays raw
    flat = aggregate_round(overall((1, "甲", 70), (2, "甲", 70)), ONE, RoundSettings(method="zscore"))
    assert [r.aggregate for r in flat.rows] == [70, 70] and flat.pooled_sd == 0


def test_z_scores_undo_a_lenient_reviewer_where_the_mean_does_not() -> None:
    base = [
        (1, "甲", 90),
        (2, "甲", 70),
        (3, "甲", 80),
        (1, "乙", 60),
        (3, "乙", 80),
        (2, "丙", 80),
        (3, "丙", 70),
    ]
    lenient = [(w, r, v + 15 if r == "乙" else v) for w, r, v in base]
    for method, same in (("mean", False), ("zscore", True)):
        a = aggregate_round(overall(*base), ONE, RoundSettings(method=method))
        b = aggregate_round(overall(*lenient), ONE, RoundSettings(method=method))
        assert (ranks(a) == ranks(b)) is same, method


@st.composite
def normalisable_rounds(draw):
    """Every reviewer marks at least two works, never the same on any criterion; room for a shift."""
    criteria = [Criterion("a", draw(st.sampled_from([1, 2])), 10), Criterion("b", 1, 10)]
    works = list(range(1, draw(st.integers(2, 6)) + 1))
    reviewers = [f"r{i}" for i in range(draw(st.integers(1, 4)))]
    scores = []
    for r in reviewers:
        mine = draw(st.lists(st.sampled_from(works), min_size=2, unique=True))
        columns = {}
        for c in criteria:
            column = draw(st.lists(st.integers(0, 7), min_size=len(mine), max_size=len(mine)))
            if len(set(column)) == 1:
                column[0] = (column[0] + 1) % 8
            columns[c.key] = column
        for i, w in enumerate(mine):
            scores.append(Score(w, r, {c.key: columns[c.key][i] for c in criteria}))
    totals: dict[str, set] = {}
    for s in scores:
        totals.setdefault(s.reviewer, set()).add(weighted_total(s.values, criteria))
    assume(all(len(t) > 1 for t in totals.values()))
    return criteria, works, scores, reviewers


@FAST
@given(normalisable_rounds(), st.data())
def test_z_score_ranking_ignores_a_constant_shift_of_one_reviewer(round_, data) -> None:
    criteria, works, scores, reviewers = round_
    lenient = data.draw(st.sampled_from(reviewers))
    shift = data.draw(st.sampled_from([1, 2, 3, Decimal("0.5"), Decimal("2.5")]))
    shifted = [
        Score(s.work, s.reviewer, {k: v + shift for k, v in s.values.items()}) if s.reviewer == lenient else s
        for s in scores
    ]
    a = aggregate_round(scores, criteria, RoundSettings(method="zscore"), works=works)
    b = aggregate_round(shifted, criteria, RoundSettings(method="zscore"), works=works)
    assert ranks(a) == ranks(b)
    assert [r.tied for r in a.rows] == [r.tied for r in b.rows]
    assert all(r.normalised for r in a.reviewers)


# --------------------------------------------------------------------------
# Disagreement


def test_the_disagreement_flag() -> None:
    scores = [*marks(1, 70, 90), *marks(2, 70, 91), *marks(3, 60, 70, 70), *marks(4, 95)]
    result = aggregate_round(scores, ONE)
    assert not result.row(1).disagreement  # a spread of 20 does not exceed 20
    assert result.row(2).disagreement and result.row(2).spread == 21
    assert result.row(2).outliers == ()  # with two reviews, the spread says it all
    assert "最高分与最低分相差 21.00 分，超过 20.00 分" in result.row(2).notes[-1].text
    assert not result.row(3).disagreement and not result.row(4).disagreement
    # configurable
    strict = aggregate_round(scores, ONE, RoundSettings(disagreement=5))
    assert {r.work: r.disagreement for r in strict.rows} == {1: True, 2: True, 3: True, 4: False}
    assert strict.row(3).outliers == ("r0",)  # 60 against the others' 70


def test_one_reviewer_far_from_the_others_is_flagged_by_name() -> None:
    scores = marks(1, 70, 70, 70, 88)
    result = aggregate_round(scores, ONE, RoundSettings(disagreement=30, outlier=15))
    row = result.row(1)
    assert row.disagreement and row.outliers == ("r3",)
    assert codes(row.notes) == ["disagreement_outlier"]
    assert "评委r3的 88.00 分与其他评委的平均分 70.00 相差 18.00 分，超过 15.00 分。" in row.notes[0].text
    assert row.sd == display(population_sd([70, 70, 70, 88]))


@FAST
@given(rounds(), st.sampled_from(["mean", "median", "trimmed"]), st.sampled_from([0, 10, 20, 35]))
def test_with_one_threshold_the_flag_follows_the_spread(round_, method, threshold) -> None:
    # a reviewer's distance from the others' mean never exceeds the spread, so the spread decides
    criteria, _, scores = round_
    result = aggregate_round(scores, criteria, RoundSettings(method=method, disagreement=threshold))
    for row in result.rows:
        totals = [weighted_total(s.values, criteria) for s in scores if s.work == row.work]
        totals = [t for t in totals if t is not None]
        spread = max(totals) - min(totals) if totals else 0
        assert row.disagreement == (spread > threshold)
        if totals:
            assert (row.minimum, row.maximum) == (display(min(totals)), display(max(totals)))
            assert row.spread == display(spread) and row.sd == display(population_sd(totals))
            assert row.median == display(median(totals))


# --------------------------------------------------------------------------
# Advancing


def four_works() -> RoundResult:
    # ranks 1, 2, 2, 4
    return aggregate_round([*marks(1, 90, 90), *marks(2, 80, 80), *marks(3, 70, 90), *marks(4, 70, 70)], ONE)


def test_advancing_the_top_n_without_a_tie_at_the_cut_off() -> None:
    for top, expected in ((1, (1,)), (3, (1, 2, 3)), (4, (1, 2, 3, 4))):
        result = advance(four_works(), top=top)
        assert result.advancing == expected and result.exceeded_by == 0
        assert codes(result.advance_notes) == ["advance_top"]
        assert [r.advances for r in result.rows] == [r.work in expected for r in result.rows]


def test_a_tie_at_the_cut_off_advances_every_tied_work_and_says_n_was_exceeded() -> None:
    result = advance(four_works(), top=2)
    assert result.advancing == (1, 2, 3) and result.exceeded_by == 1
    assert codes(result.advance_notes) == ["advance_top", "advance_exceeded"]
    assert (
        "第 2 名有 2 件作品并列，跨过前 2 名的名额线，一并晋级：共 3 件，超出名额 1 件"
        in result.advance_notes[1].text
    )
    assert codes(result.row(2).advance_notes) == codes(result.row(3).advance_notes) == ["row_advance_tie"]
    assert result.row(1).advance_notes == () and result.row(4).advances is False


def test_advancing_those_at_or_above_a_threshold() -> None:
    result = advance(four_works(), at_least=80)
    assert result.advancing == (1, 2, 3)  # 80 is enough
    assert codes(result.advance_notes) == ["advance_at_least"]
    # compared unrounded: 79.996… shows as 80.00 and stays below the line
    close = aggregate_round(
        [*marks(1, 80, 80, 80), *marks(2, 80, 80, "79.9"), *marks(3, *[80] * 99, "79.6")], ONE
    )
    assert close.row(3).aggregate == Decimal("80.00") and close.row(3).aggregate_exact < 80
    result = advance(close, at_least="80")
    assert result.advancing == (1,)
    assert codes(result.row(3).advance_notes) == ["row_advance_below_display"]
    assert result.row(2).advance_notes == ()  # 79.97 shows as below the line
    # both at once: within the top 3 and at least 85
    both = advance(four_works(), top=3, at_least=85)
    assert both.advancing == (1,) and codes(both.advance_notes) == ["advance_both"]


def test_works_without_a_complete_review_never_advance() -> None:
    scores = [*marks(1, 80), Score(2, "r0", {})]
    result = aggregate_round(scores, ONE, RoundSettings(top=5, at_least=0), works=[3])
    assert result.advancing == (1,)
    assert [(r.work, r.advances) for r in result.rows] == [(1, True), (2, False), (3, False)]
    assert codes(result.row(2).advance_notes) == ["row_advance_no_review"]
    assert codes(result.advance_notes) == ["advance_both", "advance_short", "advance_unranked"]
    assert "2 件作品没有完整的评审，不晋级：2、3。" in texts(result)


def test_advancing_again_replaces_the_marks() -> None:
    first = advance(four_works(), top=2)
    assert advance(first, top=1) == advance(four_works(), top=1)
    cleared = advance(first)
    assert cleared == four_works()
    assert aggregate_round(
        [*marks(1, 90, 90), *marks(2, 80, 80), *marks(3, 70, 90), *marks(4, 70, 70)],
        ONE,
        RoundSettings(top=2),
    ) == advance(four_works(), top=2)


@FAST
@given(rounds(), methods, st.integers(1, 7))
def test_the_top_n_with_ties(round_, method, top) -> None:
    criteria, works, scores = round_
    result = aggregate_round(scores, criteria, RoundSettings(method=method, top=top), works=works)
    ranked = result.ranked
    chosen = [r for r in ranked if r.advances]
    assert chosen == [r for r in ranked if r.rank <= top]
    assert len(chosen) >= min(top, len(ranked))
    assert result.exceeded_by == max(0, len(chosen) - top)
    if result.exceeded_by:
        last = [r for r in ranked if r.rank == chosen[-1].rank]
        assert all(r.tied and r.advances for r in last) and last[0].rank + len(last) - 1 > top
    assert not any(r.advances for r in result.unranked)
    texts(result)


# --------------------------------------------------------------------------
# The table the pages and the export show


def test_the_result_as_a_table_of_plain_cells() -> None:
    criteria = [Criterion("emotion", 2), Criterion("craft", 1)]
    scores = [
        Score(1, "甲", {"emotion": 8, "craft": 9}),
        Score(1, "乙", {"emotion": 9, "craft": 6}),
        Score(2, "甲", {"emotion": 5, "craft": None}),
    ]
    result = aggregate_round(scores, criteria, RoundSettings(top=1), works=[2, 3])
    header, rows = result.table(works={1: "一封家书"}, criteria={"emotion": "情感温度"})
    assert header == (
        "名次", "并列", "作品", "得分", "有效评审", "计入平均", "中位数", "最低分", "最高分",
        "分差", "标准差", "情感温度", "craft", "分歧", "晋级", "说明",
    )  # fmt: skip
    assert rows[0][:6] == (1, "", "一封家书", Decimal("81.67"), 2, 2)  # (83.33 + 80) / 2
    assert rows[0][11:15] == (Decimal("85.00"), Decimal("75.00"), "", "晋级")
    assert rows[1][:6] == ("", "", "2", "", 0, 0)
    assert rows[1][-2:] == (
        "未晋级",
        "没有完整的评审，不参与排名；评委甲的评分不完整（缺：craft），不计入；无排名，不晋级",
    )
    assert [row[2] for row in rows] == ["一封家书", "2", "3"]
    assert all(len(row) == len(header) for row in rows)
    assert all(isinstance(cell, str | int | Decimal) for row in rows for cell in row)


# --------------------------------------------------------------------------
# Determinism


@settings(max_examples=40, deadline=None)
@given(rounds(), methods, st.randoms(use_true_random=False))
def test_shuffling_the_input_never_changes_the_result(round_, method, rnd) -> None:
    criteria, works, scores = round_
    options = RoundSettings(method=method, top=2)
    a = aggregate_round(scores, criteria, options, works=works)
    shuffled = scores[:]
    rnd.shuffle(shuffled)
    reordered = []
    for s in shuffled:
        items = list(s.values.items())
        rnd.shuffle(items)
        reordered.append(Score(s.work, s.reviewer, dict(items)))
    shuffled_works = works[:]
    rnd.shuffle(shuffled_works)
    b = aggregate_round(reordered, criteria, options, works=shuffled_works)
    assert a == b
    assert [r.work for r in a.rows] == [r.work for r in b.rows]


def test_marks_as_floats_strings_or_decimals_give_the_same_result() -> None:
    raw = [(1, "甲", "8.1"), (1, "乙", "9.3"), (2, "甲", "7.7"), (2, "乙", "9.9"), (3, "甲", "10")]
    criteria = [Criterion("overall", 1, 10)]
    results = [
        aggregate_round(
            overall(*((w, r, kind(v)) for w, r, v in raw)), criteria, RoundSettings(method="zscore")
        )
        for kind in (str, float, Decimal)
    ]
    assert results[0] == results[1] == results[2]


def test_the_result_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from guangying.reviews.aggregation import *\n"
        "s=[Score(w, r, {'a': (ord(w) * 7 + len(r) * 3) % 11, 'b': (ord(w) + len(r)) % 6}) "
        "for w in ('甲','乙','丙','丁','戊') for r in ('张','李某','王某某','赵')]\n"
        "for m in METHODS: print(repr(aggregate_round(s, [Criterion('a', 2, 10), Criterion('b', 1, 5)], "
        "RoundSettings(method=m, top=2))))\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_ids_may_mix_ints_and_strings() -> None:
    result = aggregate_round(
        [*marks(2, 80), *marks("b", 80), *marks(1, 80)], ONE, RoundSettings(tie_rules=())
    )
    assert [r.work for r in result.rows] == [1, 2, "b"]
    assert {r.rank for r in result.rows} == {1}


# --------------------------------------------------------------------------
# Refusals


@pytest.mark.parametrize(
    ("scores", "criteria", "code"),
    [
        ([Score(1, "甲", {"overall": 101})], ONE, "error_out_of_range"),
        ([Score(1, "甲", {"overall": -1})], ONE, "error_out_of_range"),
        ([Score(1, "甲", {"overall": "八"})], ONE, "error_not_a_number"),
        ([Score(1, "甲", {"overall": float("nan")})], ONE, "error_not_a_number"),
        ([Score(1, "甲", {"overall": True})], ONE, "error_not_a_number"),
        ([Score(1, "甲", {"overal": 80})], ONE, "error_unknown_criterion"),
        ([Score(1, "甲", {"overall": 80}), Score(1, "甲", {"overall": 70})], ONE, "error_duplicate_score"),
        ([], [Criterion("a"), Criterion("a")], "error_duplicate_criterion"),
        ([], [Criterion("a", 0)], "error_criterion_weight"),
        ([], [Criterion("a", 1, 0)], "error_criterion_scale"),
    ],
)
def test_bad_data_is_refused_in_chinese(scores, criteria, code) -> None:
    with pytest.raises(AggregationError) as err:
        aggregate_round(scores, criteria)
    assert err.value.note.code == code
    assert str(err.value) == err.value.note.text and "{" not in str(err.value)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"method": "average"}, "error_method"),
        ({"tie_rules": ("reviews", "title")}, "error_tie_rule"),
        ({"tie_rules": ("median", "median")}, "error_tie_rule"),
        ({"disagreement": -1}, "error_threshold"),
        ({"outlier": "很多"}, "error_threshold"),
        ({"at_least": float("inf")}, "error_threshold"),
        ({"top": 0}, "error_top"),
        ({"top": 2.5}, "error_top"),
    ],
)
def test_bad_settings_are_refused_in_chinese(options, code) -> None:
    with pytest.raises(AggregationError) as err:
        RoundSettings(**options)
    assert err.value.note.code == code
    assert "{" not in str(err.value)


def test_every_message_is_a_chinese_sentence() -> None:
    for code, text in MESSAGES.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), code


def test_the_module_imports_no_django() -> None:
    code = (
        "import sys\n"
        "assert 'django' not in sys.modules\n"
        "import guangying.reviews.aggregation as a\n"
        "s = [a.Score(1, 'x', {'overall': 80})]\n"
        "a.aggregate_round(s, [a.OVERALL], a.RoundSettings(method='zscore', top=1))\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------
# Names: the notes speak of works, reviewers and criteria by what the organiser calls them


NAMES = Names(
    works={1: "《一封家书》（长川）", 2: "《一封家书》（明德）", 3: "《灯火》"},
    reviewers={"r0": "王立群", "r1": "李明", "r2": "张华"},
    criteria={"a": "情感温度", "b": "制作水平"},
)


def test_the_notes_name_works_reviewers_and_criteria() -> None:
    crits = [Criterion("a", 1, 10), Criterion("b", 1, 10)]
    scores = [
        Score(1, "r0", {"a": 8, "b": 8}), Score(1, "r1", {"a": 8, "b": 8}),
        Score(2, "r0", {"a": 8, "b": 8}), Score(2, "r1", {"a": 8, "b": 8}),
        Score(3, "r0", {"a": 5, "b": None}),
    ]
    result = aggregate_round(scores, crits, RoundSettings(top=1), expected={3: ["r0", "r2"]}, names=NAMES)
    said = texts(result)
    assert "评委王立群的评分不完整（缺：制作水平），不计入。" in said
    assert "评委张华尚未评分，不计入。" in said
    assert any(t.startswith("与作品《一封家书》（明德）并列第 1 名") for t in said)
    assert "1 件作品没有完整的评审，不晋级：《灯火》。" in said
    # the items a translating layer joins again are the names too
    tied = next(n for n in result.row(1).notes if n.code == "tied")
    assert dict(tied.items)["works"] == ("《一封家书》（明德）",)
    # only the words change
    plain = aggregate_round(scores, crits, RoundSettings(top=1), expected={3: ["r0", "r2"]})
    assert [(r.work, r.rank, r.aggregate, r.advances) for r in plain.rows] == [
        (r.work, r.rank, r.aggregate, r.advances) for r in result.rows]
    assert "评委r0的评分不完整（缺：b），不计入。" in texts(plain)  # without names, the ids and keys


def test_names_in_trimmed_zscore_and_error_notes() -> None:
    trimmed = aggregate_round(marks(1, 60, 70, 90), ONE, RoundSettings(method="trimmed"), names=NAMES)
    assert "去掉一个最高分 90.00（评委张华）和一个最低分 60.00（评委王立群）。" in texts(trimmed)
    single = aggregate_round(overall((1, "r0", 60), (2, "r0", 90), (1, "r1", 95)), ONE,
                             RoundSettings(method="zscore"), names=NAMES)
    assert "评委李明只完整评审了 1 件作品，无法按其打分习惯标准化，按原始分计。" in texts(single)
    assert "无法标准化、按原始分计的评委：李明。" in texts(single)
    with pytest.raises(AggregationError) as err:
        aggregate_round([Score(3, "r2", {"a": 11, "b": 5})], [Criterion("a"), Criterion("b")], names=NAMES)
    assert str(err.value) == "评委张华对作品《灯火》的「情感温度」评分 11 超出 0—10 分。"
    with pytest.raises(AggregationError) as err:
        aggregate_round(overall((1, "r0", 80), (1, "r0", 70)), ONE, names=NAMES)
    assert str(err.value) == "评委王立群对作品《一封家书》（长川）有两份评分。"


def test_hostile_names_stay_as_they_are() -> None:
    hostile = Names(works={1: "{works}<script>"}, reviewers={"r0": "{reviewer}"})
    result = aggregate_round(marks(1, 80, 80) + marks(2, 80, 80), ONE, names=hostile)
    said = texts_of(result)
    assert any("与作品{works}<script>并列" in t for t in said)


def texts_of(result: RoundResult) -> list[str]:
    return [n.text for row in result.rows for n in row.all_notes]


# --------------------------------------------------------------------------
# The marks the round recorded, the scale of the criteria, the last round's words


def test_the_recorded_marks_replace_any_rules() -> None:
    ruled = advance(four_works(), top=2)
    marked = with_marks(ruled, [4])
    assert marked.advancing == (4,) and marked.advance_notes == () and marked.exceeded_by == 0
    assert [(r.work, r.advances, r.advance_notes) for r in marked.rows] == [
        (1, False, ()), (2, False, ()), (3, False, ()), (4, True, ())]
    assert with_marks(four_works(), []).advancing == ()
    assert all(r.advances is False for r in with_marks(four_works(), []).rows)
    _header, rows = marked.table()
    assert [row[-2] for row in rows] == ["未晋级", "未晋级", "未晋级", "晋级"]


def test_the_table_shows_criteria_on_their_own_scale_and_the_last_rounds_words() -> None:
    crits = [Criterion("emotion", 2, 10), Criterion("craft", 1, 20)]
    scores = [Score(1, "甲", {"emotion": 8, "craft": 15}), Score(1, "乙", {"emotion": "8.3", "craft": 17})]
    result = aggregate_round(scores, crits, RoundSettings(top=1), works=[2])
    row = result.row(1)
    assert row.criteria == (("emotion", Decimal("81.50")), ("craft", Decimal("80.00")))
    assert row.points == (("emotion", Decimal("8.15")), ("craft", Decimal("16.00")))
    header, rows = result.table(criteria={"emotion": "情感温度（10 分）"}, points=True, final=True)
    at = header.index("情感温度（10 分）")
    assert rows[0][at:at + 2] == (Decimal("8.15"), Decimal("16.00"))
    assert header[-2] == "入选" and [r[-2] for r in rows] == ["入选", "未入选"]
    assert result.table()[0][-2] == "晋级"  # by default as before
    # exactly converted, then rounded: 8.145 (= 81.45 / 10) shows as 8.15, never a rounding of 81.45
    close = aggregate_round([Score(1, "甲", {"emotion": "8.1", "craft": 10}),
                             Score(1, "乙", {"emotion": "8.2", "craft": 10}),
                             Score(1, "丙", {"emotion": "8.13", "craft": 10})], crits, works=[])
    assert dict(close.row(1).points)["emotion"] == display(Fraction(2443, 300))


def test_a_zscore_tables_converted_columns_say_so() -> None:
    scores = overall((1, "甲", 60), (2, "甲", 90), (1, "乙", 80), (2, "乙", 85))
    header, _rows = aggregate_round(scores, ONE, RoundSettings(method="zscore")).table()
    for column in ("得分", "中位数", "最低分", "最高分", "分差", "标准差"):
        assert f"{column}（标准化后）" in header
    assert "有效评审" in header and "分歧" in header
    plain_header, _ = aggregate_round(scores, ONE).table()
    assert "得分" in plain_header and not any("标准化" in h for h in plain_header)


def test_under_zscore_the_disagreement_flag_follows_the_marks_given() -> None:
    # 乙 marks every work 30 lower than 甲: standardised, they agree; the marks given are 30 apart.
    scores = overall((1, "甲", 90), (2, "甲", 70), (3, "甲", 80), (1, "乙", 60), (2, "乙", 40), (3, "乙", 50))
    z = aggregate_round(scores, ONE, RoundSettings(method="zscore"))
    for row in z.rows:
        assert row.spread == 0  # the standardised values agree
        assert row.disagreement and codes(row.notes) == ["disagreement_spread_raw"]
    assert "评委意见分歧：评委给出的总分（标准化前）最高与最低相差 30.00 分，超过 20.00 分。" in texts(z)
    # the other way round: marks given 1 apart, standardised 8.41 apart, no flag
    close = overall((1, "甲", 80), (2, "甲", 79), (1, "乙", 70), (2, "乙", 80))
    z = aggregate_round(close, ONE, RoundSettings(method="zscore", disagreement=5))
    assert z.row(2).spread == Decimal("8.41") and not z.row(2).disagreement
    assert z.row(1).disagreement  # 80 and 70 given
    # one reviewer far from the others, by the marks given
    far = overall((1, "甲", 40), (1, "乙", 90), (1, "丙", 88), (2, "甲", 50), (2, "乙", 60), (2, "丙", 70))
    z = aggregate_round(far, ONE, RoundSettings(method="zscore", disagreement=60, outlier=30), names=NAMES)
    assert codes(z.row(1).notes) == ["disagreement_outlier_raw"] and z.row(1).outliers == ("甲",)
    assert ("评委意见分歧：评委甲给出的总分（标准化前）40.00 分与其他评委的平均分 89.00 相差 49.00 分，"
            "超过 30.00 分。") in texts(z)
    # other methods keep their words
    assert codes(aggregate_round(far, ONE, RoundSettings(disagreement=60, outlier=30)).row(1).notes) == [
        "disagreement_outlier"]


def test_the_method_names_are_the_rounds_own() -> None:
    assert METHOD_LABELS == {"mean": "平均分", "median": "中位数",
                             "trimmed": "去掉一个最高分和一个最低分后的平均分",
                             "zscore": "按评审专家标准化（z 分数）"}
    assert CELLS["disagreement"] == "有分歧" and COLUMNS["disagreement"] == "分歧"
