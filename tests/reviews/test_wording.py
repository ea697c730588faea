"""The organiser's words of the pure review modules, translated in one place (reviews/wording.py).

The wording keeps a gettext copy of every Chinese string of aggregation.py and assignment.py; these
tests hold the copies to the originals, render real notes and problems (from small rounds that hit
every message code) in Chinese exactly as the pure modules do, and in English without an error or an
unfilled placeholder.
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path

import pytest
from django.utils import translation

from guangying.reviews import aggregation as ag
from guangying.reviews import assignment as asg
from guangying.reviews import wording
from guangying.reviews.aggregation import (
    OVERALL,
    AggregationError,
    Criterion,
    Note,
    RoundSettings,
    Score,
    aggregate_round,
)
from guangying.reviews.assignment import (
    Add,
    Conflict,
    Pool,
    Problem,
    Remove,
    Reviewer,
    Shortfall,
    Work,
    assign,
    check_changes,
    rebalance,
)

WORDING = Path(wording.__file__)


# --------------------------------------------------------------------------
# Real notes, problems and shortfalls, hitting every code


def overall(*rows: tuple[object, object, object]) -> list[Score]:
    return [Score(w, r, {"overall": v}) for w, r, v in rows]


def round_results() -> list[ag.RoundResult]:
    """Small rounds between them giving every note of aggregation.MESSAGES but the errors."""
    results = [
        # Ties, a tie broken by the number of reviews, marks equal only once rounded, disagreement, the
        # top 4 with a tie at the cut-off, a work nobody scored, a reviewer who has not scored.
        aggregate_round(
            overall(
                (1, "甲", 80), (1, "乙", 80),
                (2, "甲", 70), (2, "乙", 90),
                (4, "甲", 80), (4, "乙", 80), (4, "丙", 80),
                (5, "甲", "80.0"), (5, "乙", "80.01"),
                (6, "甲", "80.01"), (6, "乙", "80.01"),
                (8, "甲", 40), (8, "乙", 90),
                (9, "甲", 50), (9, "乙", 50), (9, "丙", 90),
            ),
            [OVERALL], RoundSettings(top=4), works=[7], expected={1: ["甲", "乙", "丁"]},
        ),
        # Trimmed mean on two criteria: extremes dropped, too few to drop, a criterion missing.
        aggregate_round(
            [
                Score(1, "r1", {"a": 8, "b": 7}), Score(1, "r2", {"a": 6, "b": 9}),
                Score(1, "r3", {"a": 9, "b": 9}),
                Score(2, "r1", {"a": 5, "b": 5}), Score(2, "r2", {"a": 7, "b": 6}),
                Score(3, "r1", {"a": 5, "b": None}),
            ],
            [Criterion("a", 2, 10), Criterion("b", 1, 10)],
            RoundSettings(method="trimmed", at_least=50),
            expected={3: ["r1", "r4"]},
        ),
        # z-scores: a reviewer of one work, a reviewer who gave every work the same total.
        aggregate_round(
            overall((1, "r1", 60), (1, "r2", 70), (2, "r2", 70), (1, "r3", 50), (2, "r3", 80), (3, "r3", 65)),
            [OVERALL], RoundSettings(method="zscore", top=5),
        ),
        # z-scores: reviewers far apart in the marks they gave, and one far from the others.
        aggregate_round(
            overall((1, "甲", 40), (1, "乙", 90), (1, "丙", 88), (2, "甲", 50), (2, "乙", 60), (2, "丙", 70)),
            [OVERALL], RoundSettings(method="zscore"),
        ),
        # No tie rules at all ("无"); a line that a rounded mark meets and its exact value does not.
        aggregate_round(
            overall((1, "甲", 80), (2, "甲", 80), (5, "甲", "80.0"), (5, "乙", "80.01")),
            [OVERALL], RoundSettings(method="median", tie_rules=(), at_least="80.01"),
        ),
        aggregate_round(overall((1, "甲", 80), (2, "甲", 70)), [OVERALL], RoundSettings(top=1, at_least=75)),
    ]
    return results


def error_notes() -> list[Note]:
    notes = []
    bad_data = [
        ([Score(1, "甲", {"overall": 101})], [OVERALL]),
        ([Score(1, "甲", {"overall": "八"})], [OVERALL]),
        ([Score(1, "甲", {"overal": 80})], [OVERALL]),
        ([Score(1, "甲", {"overall": 80}), Score(1, "甲", {"overall": 70})], [OVERALL]),
        ([], [Criterion("a"), Criterion("a")]),
        ([], [Criterion("a", 0)]),
        ([], [Criterion("a", 1, 0)]),
        ([], []),
    ]
    for scores, criteria in bad_data:
        with pytest.raises(AggregationError) as err:
            aggregate_round(scores, criteria)
        notes.append(err.value.note)
    for options in [{"method": "average"}, {"tie_rules": ("reviews", "title")}, {"disagreement": -1},
                    {"outlier": "很多"}, {"at_least": float("inf")}, {"top": 0}]:
        with pytest.raises(AggregationError) as err:
            RoundSettings(**options)
        notes.append(err.value.note)
    with pytest.raises(AggregationError) as err:
        ag.mean([])
    notes.append(err.value.note)
    return notes


def all_notes() -> list[Note]:
    notes: list[Note] = []
    for result in round_results():
        notes += result.all_notes
        for row in result.rows:
            notes += row.all_notes
        notes += [reviewer.note for reviewer in result.reviewers if reviewer.note]
    return notes + error_notes()


SMALL_WORKS = [Work(1, entrant="长川", title="一封家书"), Work(2, entrant="明德", title="灯火"),
               Work(3, entrant="明德", title="江城", units={"青山"})]
SMALL = Pool(
    SMALL_WORKS,
    [Reviewer("a", units={"长川"}, name="甲"), Reviewer("b", name="乙", capacity=2),
     Reviewer("c", name="丙"), Reviewer("d", name="丁")],
    k=2,
    conflicts=[Conflict("c", work=2), Conflict("d", unit="青山")],
)
CURRENT = [(1, "b"), (1, "c"), (2, "a"), (2, "d"), (3, "a"), (3, "b")]


def assignments() -> list[asg.Assignment]:
    """Assignments between them giving every problem and shortfall of assignment.MESSAGES but change.*."""
    def one(reviewers, conflicts=(), k=3):
        return assign(Pool([Work(1, entrant="长川市委统战部", title="一封家书")], reviewers, k, conflicts))

    own = [Reviewer(f"u{i}", units={"长川市委统战部"}, name=f"本单位{i}") for i in range(2)]
    out = [Reviewer("x1", name="外一"), Reviewer("x2", name="外二")]
    x3, x4 = Reviewer("x3", name="外三"), Reviewer("x4", name="外四")
    d3, d4 = Conflict("x3", work=1), Conflict("x4", work=1)
    results = [
        one(rs, cs)
        for rs, cs in [
            (own + out, ()), ([*out, x3, x4], [d3, d4]), (own[:1] + out + [x3], [d3]), (out, ()),
            (own, ()), ([], ()), ([x3, x4], [d3, d4]), ([*own[:1], x3], [d3]),
            ([Reviewer("x1", capacity=0), Reviewer("x2"), Reviewer("x3", capacity=0)], ()),
        ]
    ]
    ten = [Work(i, entrant=f"U{i}", title=f"作品{i}") for i in range(10)]
    capped = [Reviewer(j, capacity=4, name=f"专家{j}") for j in range(5)]
    results.append(assign(Pool(ten, capped, k=3), seed=1))
    # Imbalance: reviewers who can review one work only.
    nine = [Work(i, entrant="A", title=f"甲{i}") for i in range(9)] + [Work(9, entrant="B", title="乙")]
    results.append(assign(Pool(nine, [Reviewer("a1", units={"A"}, name="张一"),
                                      Reviewer("a2", units={"A"}, name="张二"),
                                      Reviewer("b", units={"B"}, name="李三")], k=2)))
    # Imbalance: seven reviewers at a capacity of one (a list of names cut short).
    twenty = [Work(i, entrant=f"U{i}", title=f"作品{i}") for i in range(20)]
    results.append(assign(Pool(twenty, [Reviewer("big", name="大")]
                               + [Reviewer(f"c{j}", capacity=1, name=f"小{j}") for j in range(7)], k=1)))
    # Imbalance: locked pairs.
    twelve = [Work(i, entrant=f"U{i}", title=f"作品{i}") for i in range(12)]
    results.append(assign(Pool(twelve, [Reviewer("a", name="甲"), Reviewer("b", name="乙")], k=1),
                          keep=[(i, "a") for i in range(9)]))
    # Imbalance that only the structure of the conflicts explains.
    qx = [Work(f"q{i}", entrant="B", title=f"青{i}") for i in range(4)] + [
        Work(f"x{i}", entrant="C", title=f"溪{i}") for i in range(2)]
    results.append(assign(Pool(qx, [Reviewer("h", units={"A", "C"}, name="何"),
                                    Reviewer("l", units={"B"}, name="林"),
                                    Reviewer("m", units={"B"}, name="孟")], k=1)))
    # Two groups, one of six reviewers (names cut short); one reviewer per work.
    twelve_ab = [Work(i, entrant="A" if i < 6 else "B", title=f"作品{i}") for i in range(12)]
    results.append(assign(Pool(twelve_ab, [Reviewer(f"a{j}", {"A"}, name=f"甲{j}") for j in range(6)]
                               + [Reviewer(f"b{j}", {"B"}, name=f"乙{j}") for j in range(2)], k=2)))
    singles = Pool([Work(i, entrant="U") for i in range(4)], [Reviewer("a"), Reviewer("b")], k=1)
    results.append(assign(singles))
    # Kept pairs that are conflicts or over a capacity; current pairs that are conflicts.
    results.append(assign(SMALL, keep=[(1, "a"), (1, "b"), (2, "b"), (3, "b")]))
    results.append(rebalance(SMALL, [(1, "a"), (2, "c"), (3, "d")]))
    return results


def change_problems() -> list[Problem]:
    problems: list[Problem] = []
    for changes in [[Add(1, "a")], [Add(2, "c")], [Add(3, "d")], [Add(1, "c")], [Add(2, "b")],
                    [Remove(1, "d")], [Add(9, "a")], [Add(1, "z")], [Remove(1, "c")], [Add(1, "d")],
                    [Remove(1, "c"), Add(1, "d")]]:
        problems += check_changes(SMALL, CURRENT, changes)
    return problems


def all_problems() -> tuple[list[Problem], list[Shortfall]]:
    results = assignments()
    problems = [p for r in results for p in r.problems] + change_problems()
    return problems, [s for r in results for s in r.shortfalls]


def _codes(code: str, params: dict) -> set[str]:
    """The codes of MESSAGES a message was made of, its pre-rendered fragments included."""
    found = {code}
    if "why_code" in params:
        found.add(params["why_code"])
    if params.get("names_total", 0) > len(params.get("names_items", ())):
        found.add("names.more")
    for key in ("reasons_parts", "groups_parts"):
        for part_code, part in params.get(key, ()):
            found |= _codes(part_code, part)
    return found


@pytest.fixture(scope="module")
def notes() -> list[Note]:
    return all_notes()


@pytest.fixture(scope="module")
def problems() -> tuple[list[Problem], list[Shortfall]]:
    return all_problems()


def test_the_inputs_hit_every_code(notes, problems) -> None:
    assert {n.code for n in notes} == set(ag.MESSAGES)
    found: set[str] = set()
    for p in problems[0]:
        found |= _codes(p.code, p.params)
    for s in problems[1]:
        assert s.code and s.message == asg.MESSAGES[s.code].format(**s.params)
        found |= _codes(s.code, s.params)
    assert found == set(asg.MESSAGES)


# --------------------------------------------------------------------------
# (1) The copies say what the originals say


def test_every_pure_string_has_its_copy_with_the_same_chinese() -> None:
    assert len(wording.SOURCES) == 8
    with translation.override(None):  # no catalogue: gettext gives the msgid itself
        for pure, copy in wording.SOURCES:
            assert list(copy) == list(pure)
            for key, text in pure.items():
                assert str(copy[key]) == text, key
    assert wording.SOURCES[5][0] is ag.VOCABULARIES["what"]
    assert set(ag.VOCABULARIES) == {"method", "tie_rule", "what", "word"}


def test_the_copies_are_literals_that_makemessages_collects() -> None:
    """Every value of the dicts is _("…") or pgettext_lazy("context", "…") with string literals."""
    tree = ast.parse(WORDING.read_text(encoding="utf-8"))
    names = {"AGGREGATION_MESSAGES", "METHOD_LABELS", "TIE_RULE_LABELS", "COLUMNS", "CELLS", "WHAT",
             "WORDS", "ASSIGNMENT_MESSAGES"}
    seen = set()
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id in names:
            seen.add(node.target.id)
            assert isinstance(node.value, ast.Dict)
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                assert isinstance(key, ast.Constant) and isinstance(key.value, str)
                assert isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                assert value.func.id in ("_", "pgettext_lazy"), key.value
                assert len(value.args) == (1 if value.func.id == "_" else 2), key.value
                assert all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in value.args)
    assert seen == names


def test_short_words_that_could_mean_two_things_have_a_context() -> None:
    # 并列 and 晋级 are a heading and a cell word; 中位数 is a column and a method.
    with translation.override(None):
        assert str(wording.COLUMNS["tied"]) == str(wording.CELLS["tied"]) == "并列"
    assert wording.COLUMNS["tied"]._args[0] == "results column"  # type: ignore[attr-defined]
    assert wording.CELLS["tied"]._args[0] == "results cell"  # type: ignore[attr-defined]
    assert wording.METHOD_LABELS["median"]._args[0] == "scoring method"  # type: ignore[attr-defined]


# --------------------------------------------------------------------------
# (2) In Chinese, exactly the pure modules' text


def test_notes_in_chinese_are_the_modules_own(notes) -> None:
    with translation.override("zh-hans"):
        for note in notes:
            assert wording.note_text(note) == note.text, note.code


def test_errors_in_chinese_are_the_modules_own() -> None:
    with translation.override("zh-hans"), pytest.raises(AggregationError) as err:
        RoundSettings(outlier="<script>")
    with translation.override("zh-hans"):
        expected = "单个评委偏离阈值应为不小于 0 的数字，而不是「<script>」。"
        assert wording.error_text(err.value) == str(err.value) == expected


def test_problems_and_shortfalls_in_chinese_are_the_modules_own(problems) -> None:
    found, shortfalls = problems
    with translation.override("zh-hans"):
        for problem in found:
            assert wording.problem_text(problem) == problem.message, problem.code
        for shortfall in shortfalls:
            assert wording.shortfall_text(shortfall) == shortfall.message, shortfall.code


def test_the_table_in_chinese_is_the_modules_own() -> None:
    works = {1: "一封家书", 2: "灯火", 7: "{title}<b>"}
    with translation.override("zh-hans"):
        for result in round_results():
            assert wording.table(result, works=works, criteria={"a": "思想性"}) == result.table(
                works=works, criteria={"a": "思想性"}
            )
            assert wording.table(result) == result.table()


def test_labels_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert [wording.method_label(m) for m in ag.METHODS] == [ag.METHOD_LABELS[m] for m in ag.METHODS]
        rules = ag.TIE_RULES
        assert [wording.tie_rule_label(r) for r in rules] == [ag.TIE_RULE_LABELS[r] for r in rules]
        assert {k: wording.column_label(k) for k in ag.COLUMNS} == ag.COLUMNS
        assert {k: wording.cell_text(k) for k in ag.CELLS} == ag.CELLS


def test_the_pure_tables_hooks_keep_its_default() -> None:
    result = round_results()[0]
    header, rows = result.table(columns={"rank": "Rank"}, cells={"tied": "="},
                                notes=lambda notes: str(len(notes)))
    plain_header, plain_rows = result.table()
    assert header[0] == "Rank" and header[1:] == plain_header[1:]
    tied = [i for i, row in enumerate(plain_rows) if row[1]]
    assert tied and all(rows[i][1] == "=" for i in tied)
    assert [row[-1] for row in rows] == [str(len(r.all_notes)) for r in result.rows]
    assert [row[:-1] for row in rows] == [
        tuple("=" if i in tied and j == 1 else cell for j, cell in enumerate(row[:-1]))
        for i, row in enumerate(plain_rows)
    ]


# --------------------------------------------------------------------------
# (3) In English: no error, no placeholder left, lists joined the English way


def test_notes_in_english_fill_every_placeholder(notes) -> None:
    with translation.override("en"):
        for note in notes:
            text = wording.note_text(note)
            assert text and "{" not in text, note.code


def test_problems_and_shortfalls_in_english_fill_every_placeholder(problems) -> None:
    found, shortfalls = problems
    with translation.override("en"):
        for problem in found:
            text = wording.problem_text(problem)
            assert text and "{" not in text, problem.code
        for shortfall in shortfalls:
            text = wording.shortfall_text(shortfall)
            assert text and "{" not in text, shortfall.code


def test_the_table_in_english_has_every_cell() -> None:
    with translation.override("en"):
        for result in round_results():
            header, rows = wording.table(result, works={1: "一封家书"})
            plain_header, plain_rows = result.table(works={1: "一封家书"})
            assert len(header) == len(plain_header) and all(isinstance(h, str) for h in header)
            assert [len(r) for r in rows] == [len(r) for r in plain_rows]
            assert all("{" not in row[-1] for row in rows)


def test_lists_are_joined_with_the_languages_separator(notes, problems) -> None:
    """The English catalogue has the list separator: lists made by the pure modules follow it."""
    tied = next(n for n in notes if n.code == "tie_broken_after" and "、" in dict(n.params)["works"])
    groups = next(p for p in problems[0] if p.code == "disconnected" and "等" in p.message)
    with translation.override("en"):
        assert "、" not in wording.note_text(tied) and ", " in wording.note_text(tied)
        text = wording.problem_text(groups)
        assert "甲0, 甲1, 甲2, 甲3, 甲4" in text and "、" not in text
    with translation.override("zh-hans"):
        assert "甲0、甲1、甲2、甲3、甲4等 6 位评审专家" in wording.problem_text(groups)


def test_the_words_inside_notes_come_from_their_codes(notes) -> None:
    """A tie rule, a method, a threshold's name and "无" are kept as codes beside the Chinese."""
    kinds = {(name, vocabulary) for n in notes for name, vocabulary, _codes in n.words}
    assert kinds == {("rules", "tie_rule"), ("rules", "word"), ("rule", "tie_rule"), ("method", "method"),
                     ("what", "what")}
    method = next(n for n in notes if n.code == "method" and dict(n.params)["method"] == "中位数")
    assert method.words == (("method", "method", ("median",)),)
    assert method == Note("method", (("method", "中位数"),))  # the codes do not take part in equality
    conflict = next(p for p in change_problems() if p.code == "change.conflict")
    assert conflict.params["why_code"] == "why.own_unit"
    assert conflict.params["why"] == asg.MESSAGES["why.own_unit"]


def write_catalogue(folder: Path, language: str, messages: dict[str, str]) -> None:
    """A real compiled gettext catalogue (GNU .mo, as msgfmt writes it); a context is "context\x04msgid"."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n",
                **messages}
    keys = sorted(messages, key=lambda k: k.encode())
    ids = strs = b""
    spans = []
    for key in keys:
        k, v = key.encode(), messages[key].encode()
        spans.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    n = len(keys)
    key_start = 7 * 4 + 16 * n
    value_start = key_start + len(ids)
    table = [x for o, length, _, _ in spans for x in (length, key_start + o)]
    table += [x for _, _, o, length in spans for x in (length, value_start + o)]
    out = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    out += struct.pack(f"<{len(table)}I", *table) + ids + strs
    target = folder / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.mo").write_bytes(out)


ENGLISH = {
    "list separator\x04、": ", ",
    "clause separator\x04；": "; ",
    "full stop\x04。": ".",
    "results column\x04名次": "Rank",
    "results column\x04并列": "Tied",
    "results cell\x04并列": "tied",
    "results cell\x04晋级": "advances",
    "scoring method\x04中位数": "median",
    "no tie rules\x04无": "none",
    "有效评审份数多者在前": "more complete reviews first",
    "单个评委偏离阈值": "The outlier threshold",
    "所在单位报送或参与了该作品": "belongs to a unit that sent or took part in the work",
    ag.MESSAGES["method"]: "Scoring: {method}.",
    ag.MESSAGES["tied"]: "Tied at rank {rank} with work {works} after comparing ({rules}).",
    ag.MESSAGES["tie_broken_after"]: "Same total as work {works}; placed after work {other} by “{rule}”.",
    ag.MESSAGES["error_threshold"]: "{what} must be a number of at least 0, not “{value}”.",
    asg.MESSAGES["change.conflict"]: "{name} {why}, and may not review “{title}”",
    asg.MESSAGES["imbalance"]: "Loads between {low} and {high}. Why: {reasons}.",
    asg.MESSAGES["imbalance.capacity"]: "{names} may review {capacity}",
    asg.MESSAGES["names.more"]: "{names} and others, {n} reviewers",
    asg.MESSAGES["short.reviewers"]: "“{title}”: {n} of {k} reviewers",
}


@pytest.fixture
def english(settings, tmp_path):
    """The English interface with a few of the wording's strings translated, as the catalogue will."""
    write_catalogue(tmp_path, "en", ENGLISH)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]  # the first listed wins
    with translation.override("en"):
        yield


def test_a_translation_reaches_the_words_the_pure_modules_made(english, notes, problems) -> None:
    def texts(code: str) -> list[str]:
        return [wording.note_text(n) for n in notes if n.code == code]

    assert "Scoring: median." in texts("method")
    # a label this catalogue lacks is the project's own catalogue's word, or the Chinese
    assert f"Scoring: {wording.method_label('mean')}." in texts("method")
    assert "Tied at rank 2 with work 2 after comparing (none)." in texts("tied")
    median_first = wording.tie_rule_label("median")  # the project's catalogue's words, or the Chinese
    assert any(t.startswith(f"Tied at rank 4 with work 2 after comparing (more complete reviews first, "
                            f"{median_first}") for t in texts("tied"))
    assert "Same total as work 4, 2; placed after work 4 by “more complete reviews first”." in texts(
        "tie_broken_after")
    assert "The outlier threshold must be a number of at least 0, not “很多”." in texts("error_threshold")

    found, shortfalls = problems
    conflict = next(p for p in found if p.code == "change.conflict" and p.params["name"] == "甲")
    assert wording.problem_text(conflict) == (
        "甲 belongs to a unit that sent or took part in the work, and may not review “一封家书”")
    capped = next(p for p in found if p.code == "imbalance" and "小0" in p.message)
    assert wording.problem_text(capped) == (
        "Loads between 1 and 13. Why: 小0, 小1, 小2, 小3, 小4 and others, 7 reviewers may review 1.")
    short = next(s for s in shortfalls if s.code == "short.reviewers")
    assert wording.shortfall_text(short) == "“一封家书”: 2 of 3 reviewers"

    result = round_results()[0]
    header, rows = wording.table(result)
    assert header[:2] == ("Rank", "Tied")
    assert [row[1] for row in rows if row[1]] == ["tied", "tied"]
    assert "advances" in [row[-2] for row in rows]
    assert wording.method_label("median") == "median" and wording.column_label("rank") == "Rank"
    assert wording.cell_text("tied") == "tied"
    assert wording.tie_rule_label("reviews") == "more complete reviews first"


def test_a_translation_with_a_placeholder_of_its_own_gives_the_chinese(settings, tmp_path) -> None:
    write_catalogue(tmp_path, "en", {ag.MESSAGES["advance_top"]: "Top {top}: {count} works, {oops}",
                                     asg.MESSAGES["change.duplicate"]: "{name} already reviews {title"})
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    note = Note.of("advance_top", top=3, count=3)
    (problem,) = check_changes(SMALL, CURRENT, [Add(1, "c")])
    with translation.override("en"):
        assert wording.note_text(note) == note.text == "晋级前 3 名：共 3 件。"
        assert wording.problem_text(problem) == problem.message == "丙已在评审《一封家书》"


# --------------------------------------------------------------------------
# Unknown codes and odd data: the module's own text, never an exception


def test_unknown_codes_fall_back_to_the_modules_text() -> None:
    with translation.override("en"):
        assert wording.note_text(Note("no_such_code")) == "no_such_code"
        assert wording.note_text(Note("not_submitted")) == "not_submitted"  # its parameter missing
        braces = Note.of("not_submitted", reviewer="{x}")
        assert braces.text == "评委{x}尚未评分，不计入。" and "{x}" in wording.note_text(braces)
        assert wording.note_text(Note("tied", (("rank", "1"), ("rules", "x"), ("works", "2")),
                                      words=(("rules", "tie_rule", ("bogus",)),))) == Note(
            "tied", (("rank", "1"), ("rules", "x"), ("works", "2"))).text
        assert wording.problem_text(Problem("no.such", "error", "原文")) == "原文"
        unknown_why = {"name": "甲", "title": "乙", "why_code": "why.nope"}
        assert wording.problem_text(Problem("change.conflict", "error", "原文", params=unknown_why)) == "原文"
        unknown_part = {"low": 1, "high": 3, "reasons_parts": (("x", {}),)}
        assert wording.problem_text(Problem("imbalance", "warning", "原文", params=unknown_part)) == "原文"
        assert wording.problem_text(Problem("change.duplicate", "error", "原文", params={})) == "原文"
        assert wording.shortfall_text(Shortfall(1, 3, 1, 1, "capacity", "旧的")) == "旧的"
        assert wording.shortfall_text(Shortfall(1, 3, 1, 1, "capacity", "旧的", "short.nope", {})) == "旧的"
        assert wording.method_label("average") == "average"
        assert wording.tie_rule_label("title") == "title"
        assert wording.column_label("nope") == "nope" and wording.cell_text("nope") == "nope"


def test_hostile_text_in_parameters_is_kept_as_it_is() -> None:
    pool = Pool([Work(1, entrant="U", title="{k}<script>alert(1)</script>")],
                [Reviewer("a", units={"U"}, name="{name}")], k=1)
    (problem,) = check_changes(pool, [], [Add(1, "a")])
    (shortfall,) = assign(pool).shortfalls
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert "{k}<script>alert(1)</script>" in wording.problem_text(problem)
            assert wording.problem_text(problem).startswith("{name}")
            assert "{k}<script>" in wording.shortfall_text(shortfall)
    with translation.override("zh-hans"):
        assert wording.problem_text(problem) == problem.message
        assert wording.shortfall_text(shortfall) == shortfall.message


def test_the_pure_modules_still_import_no_django() -> None:
    assert "django" not in ag.__dict__ and "django" not in asg.__dict__
    source = (Path(ag.__file__).read_text(encoding="utf-8") + Path(asg.__file__).read_text(encoding="utf-8"))
    assert "import django" not in source and "from django" not in source


def test_the_table_with_points_and_the_last_rounds_words_is_the_modules_own() -> None:
    with translation.override("zh-hans"):
        for result in round_results():
            for points in (False, True):
                for final in (False, True):
                    assert wording.table(result, points=points, final=final) == result.table(
                        points=points, final=final)


def test_one_name_per_method_the_rounds_own() -> None:
    """The results page, its notes and the settings page call each method the same (ReviewRound.Method)."""
    from guangying.reviews.models import ReviewRound

    with translation.override("zh-hans"):
        assert {m: wording.method_label(m) for m in ag.METHODS} == {
            value: str(label) for value, label in ReviewRound.Method.choices}
    with translation.override(None):
        assert str(wording.CELLS["disagreement"]) == "有分歧"
        assert str(wording.COLUMNS["disagreement"]) == "分歧"
