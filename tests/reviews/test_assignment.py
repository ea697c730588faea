"""Assigning works to reviewers, on random campaigns and on the cases an organiser meets.

The oracles are independent of the module: eligibility is recomputed from the raw data, the best
coverage and the best loads come from an integer programme (scipy's HiGHS), and whether a connected
reviewer graph is possible at all comes from enumerating every assignment of a small campaign.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from guangying.reviews.assignment import (
    MESSAGES,
    Add,
    Conflict,
    Pool,
    Remove,
    Reviewer,
    Work,
    assign,
    check_change,
    check_changes,
    eligible_reviewers,
    ineligibility,
    rebalance,
    reviewer_progress,
    work_progress,
)

SRC = Path(__file__).resolve().parents[2] / "src"
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------
# Random campaigns


@st.composite
def pools(draw, *, capacities=False, max_units=5, max_works_per_unit=4, max_reviewers=8, max_k=4,
          max_conflicts=6):
    units = [f"单位{i}" for i in range(draw(st.integers(1, max_units)))]
    works = []
    for unit in units:
        for _ in range(draw(st.integers(0, max_works_per_unit))):
            involved = draw(st.sets(st.sampled_from(units), max_size=1)) - {unit}
            works.append(Work(len(works) + 1, entrant=unit, title=f"作品{len(works) + 1}", units=involved))
    reviewers = []
    for i in range(draw(st.integers(1, max_reviewers))):
        own = draw(st.sets(st.sampled_from([*units, "外单位"]), max_size=2))
        capacity = draw(st.none() | st.integers(0, 6)) if capacities else None
        reviewers.append(Reviewer(f"r{i}", units=own, capacity=capacity, name=f"专家{i}"))
    conflicts = []
    for _ in range(draw(st.integers(0, max_conflicts))):
        reviewer = draw(st.sampled_from(reviewers)).id
        if works and draw(st.booleans()):
            conflicts.append(Conflict(reviewer, work=draw(st.sampled_from(works)).id))
        else:
            conflicts.append(Conflict(reviewer, unit=draw(st.sampled_from(units))))
    return Pool(works, reviewers, k=draw(st.integers(1, max_k)), conflicts=conflicts)


@st.composite
def pools_with_kept(draw, **kwargs):
    pool = draw(pools(**kwargs))
    every = [(w.id, r.id) for w in pool.works for r in pool.reviewers]
    kept = draw(st.lists(st.sampled_from(every), max_size=6)) if every else []
    return pool, kept


seeds = st.integers(0, 2**32) | st.text(max_size=5)


# --------------------------------------------------------------------------
# Independent oracles


def allowed(pool: Pool, work: Work, reviewer: Reviewer) -> bool:
    units = {work.entrant, *work.units}
    if units & set(reviewer.units):
        return False
    for c in pool.conflicts:
        if c.reviewer == reviewer.id and (c.work == work.id or c.unit in units):
            return False
    return True


def eligible(pool: Pool) -> dict:
    return {w.id: [r.id for r in pool.reviewers if allowed(pool, w, r)] for w in pool.works}


def balance_set(pool: Pool) -> list:
    """The reviewers held to within one: capacity not 0 and allowed at least one work."""
    return [
        r.id for r in pool.reviewers
        if r.capacity != 0 and any(allowed(pool, w, r) for w in pool.works)
    ]


def valid_kept(pool: Pool, kept) -> set:
    works = {w.id: w for w in pool.works}
    reviewers = {r.id: r for r in pool.reviewers}
    return {(w, r) for w, r in kept if allowed(pool, works[w], reviewers[r])}


class Programme:
    """0/1 variables for the free (eligible, not kept) pairs, with the kept pairs as constants."""

    def __init__(self, pool: Pool, kept=()):
        self.pool = pool
        self.kept = valid_kept(pool, kept)
        self.elig = eligible(pool)
        self.free = [(w, r) for w, rs in self.elig.items() for r in rs if (w, r) not in self.kept]
        self.rows, self.lower, self.upper = [], [], []
        self.extra = 0  # variables after the pairs (t for min-max)

    def kept_of_work(self, w):
        return sum(1 for kw, _ in self.kept if kw == w)

    def kept_of_reviewer(self, r):
        return sum(1 for _, kr in self.kept if kr == r)

    def row(self, coefficients: dict, lower, upper, extra=()):
        row = np.zeros(len(self.free) + self.extra)
        for i, (w, r) in enumerate(self.free):
            row[i] = coefficients.get(("w", w), 0) + coefficients.get(("r", r), 0)
        for i, value in extra:
            row[len(self.free) + i] = value
        self.rows.append(row)
        self.lower.append(lower)
        self.upper.append(upper)

    def capacities(self):
        for reviewer in self.pool.reviewers:
            if reviewer.capacity is not None:
                room = max(0, reviewer.capacity - self.kept_of_reviewer(reviewer.id))
                self.row({("r", reviewer.id): 1}, -np.inf, room)

    def solve(self, objective):
        n = len(self.free) + self.extra
        if n == 0:
            feasible = all(lo <= 0 <= up for lo, up in zip(self.lower, self.upper, strict=True))
            return (0.0 if feasible else None), np.zeros(0)
        upper = np.ones(n)
        upper[len(self.free):] = np.inf
        constraints = []
        if self.rows:
            rows = [np.pad(r, (0, n - len(r))) for r in self.rows]
            constraints = [LinearConstraint(np.array(rows), self.lower, self.upper)]
        result = milp(objective, constraints=constraints, integrality=np.ones(n), bounds=Bounds(0, upper))
        if result.status != 0:
            return None, None
        return result.fun, result.x


def best_coverage(pool: Pool, kept=()) -> int:
    """The most (work, reviewer) pairs any assignment can have: works up to max(min(k, eligible), kept)."""
    p = Programme(pool, kept)
    for w, rs in p.elig.items():
        target = max(min(pool.k, len(rs)), p.kept_of_work(w))
        p.row({("w", w): 1}, -np.inf, target - p.kept_of_work(w))
    p.capacities()
    value, _ = p.solve(-np.ones(len(p.free)))
    return len(p.kept) + round(-value)


def least_furthest_short(pool: Pool, kept, total: int) -> int:
    """Among assignments of ``total`` pairs, the least that the work furthest short of its target lacks."""
    p = Programme(pool, kept)
    p.extra = 1
    for w, rs in p.elig.items():
        room = max(min(pool.k, len(rs)), p.kept_of_work(w)) - p.kept_of_work(w)
        p.row({("w", w): 1}, -np.inf, room)
        p.row({("w", w): 1}, room, np.inf, extra=[(0, 1)])  # what w gets + t ≥ what it lacks
    p.capacities()
    p.row({("w", w): 1 for w in p.elig}, total - len(p.kept), total - len(p.kept))
    objective = np.zeros(len(p.free) + 1)
    objective[-1] = 1
    value, _ = p.solve(objective)
    assert value is not None
    return round(value)


def extreme_loads(pool: Pool, kept, counts: dict) -> tuple[int, int]:
    """With every work at its count: the smallest possible largest load and the largest possible smallest."""
    members = balance_set(pool)
    results = []
    for sign in (1, -1):  # minimise max, then maximise min
        p = Programme(pool, kept)
        p.extra = 1
        for w in p.elig:
            p.row({("w", w): 1}, counts[w] - p.kept_of_work(w), counts[w] - p.kept_of_work(w))
        p.capacities()
        for r in members:
            # sign 1: load_r - t <= 0; sign -1: load_r - t >= 0
            bound = -p.kept_of_reviewer(r)
            if sign == 1:
                p.row({("r", r): 1}, -np.inf, bound, extra=[(0, -1)])
            else:
                p.row({("r", r): 1}, bound, np.inf, extra=[(0, -1)])
        objective = np.zeros(len(p.free) + 1)
        objective[-1] = sign
        value, _ = p.solve(objective)
        assert value is not None, "the counts of the result must be feasible"
        results.append(round(sign * value))
    return results[0], results[1]


def groups_of(by_work: dict) -> list[set]:
    active = sorted({r for rs in by_work.values() for r in rs})
    parent = {r: r for r in active}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for rs in by_work.values():
        for a in rs[1:]:
            parent[find(a)] = find(rs[0])
    found = {}
    for r in active:
        found.setdefault(find(r), set()).add(r)
    return list(found.values())


def connected_possible(pool: Pool, counts: dict, loads: list[int], kept=()) -> bool | None:
    """Whether any assignment with these counts and this multiset of loads has a connected graph.

    None when there are too many assignments to enumerate.
    """
    elig = eligible(pool)
    kept = valid_kept(pool, kept)
    works = sorted(elig)
    choices = []
    for w in works:
        fixed = {r for kw, r in kept if kw == w}
        free = [r for r in elig[w] if r not in fixed]
        combos = itertools.combinations(free, counts[w] - len(fixed))
        choices.append([tuple(sorted(fixed | set(c))) for c in combos])
    if np.prod([len(c) for c in choices], dtype=float) > 50_000:
        return None
    most = max(loads, default=0)
    wanted = sorted(loads)
    load = {r.id: 0 for r in pool.reviewers}
    chosen = {}

    def search(i):
        if i == len(works):
            return sorted(load.values()) == wanted and len(groups_of(chosen)) <= 1
        for combo in choices[i]:
            if any(load[r] >= most for r in combo):
                continue
            for r in combo:
                load[r] += 1
            chosen[works[i]] = combo
            if search(i + 1):
                return True
            for r in combo:
                load[r] -= 1
            del chosen[works[i]]
        return False

    return search(0)


def check_invariants(pool: Pool, result, kept=(), given=None):
    """What holds for every result: no conflict, no duplicate, capacities, kept pairs, honest reports.

    ``given`` is what the call started from (the kept pairs for assign, current and locked for rebalance).
    """
    works = {w.id: w for w in pool.works}
    reviewers = {r.id: r for r in pool.reviewers}
    given = set(kept) if given is None else set(given)
    assert list(result.by_work) == sorted(works)
    kept_ok = valid_kept(pool, kept)
    loads = dict.fromkeys(reviewers, 0)
    for w, rs in result.by_work.items():
        assert len(set(rs)) == len(rs), "a reviewer twice on one work"
        for r in rs:
            assert allowed(pool, works[w], reviewers[r]), f"{r} may not review {w}"
            loads[r] += 1
    assert loads == result.loads
    pairs = set(result.pairs)
    assert kept_ok <= pairs, "a kept assignment was dropped"
    for r, reviewer in reviewers.items():
        if reviewer.capacity is not None:
            kept_here = sum(1 for _, kr in kept_ok if kr == r)
            assert loads[r] <= max(reviewer.capacity, kept_here)
    elig = eligible(pool)
    short = {s.work: s for s in result.shortfalls}
    for w, rs in result.by_work.items():
        target = max(min(pool.k, len(elig[w])), sum(1 for kw, _ in kept_ok if kw == w))
        assert len(rs) <= target
        if len(rs) < pool.k:
            s = short.pop(w)
            assert (s.assigned, s.required, s.eligible) == (len(rs), pool.k, len(elig[w]))
            assert s.message.startswith(f"《{works[w].title}》")
            assert s.reason == ("capacity" if len(rs) < len(elig[w]) else
                                "reviewers" if len(elig[w]) == len(pool.reviewers) else "conflicts")
    assert not short, "a shortfall reported for a work that has k reviewers"
    assert set(result.added) == pairs - given
    assert set(result.removed) == given - pairs
    assert {r for g in result.groups for r in g} == {r for r, n in loads.items() if n}
    assert len(result.groups) == len(groups_of(result.by_work))


def spread(pool: Pool, result) -> int:
    members = balance_set(pool)
    if not members:
        return 0
    return max(result.loads[r] for r in members) - min(result.loads[r] for r in members)


# --------------------------------------------------------------------------
# Constraints and coverage


@FAST
@given(pools(), seeds)
def test_no_conflict_no_duplicate_and_every_work_gets_min_k_eligible(pool, seed):
    result = assign(pool, seed=seed)
    check_invariants(pool, result)
    elig = eligible(pool)
    for w, rs in result.by_work.items():
        assert len(rs) == min(pool.k, len(elig[w]))


@FAST
@given(pools_with_kept(capacities=True), seeds)
def test_with_capacities_and_kept_pairs_the_coverage_is_the_best_possible(case, seed):
    pool, kept = case
    result = assign(pool, keep=kept, seed=seed)
    check_invariants(pool, result, kept)
    assert len(result.pairs) == best_coverage(pool, kept)
    # No work is short while an eligible reviewer has room, and the shortfall is spread: the work
    # furthest short is as little short as any assignment of that coverage allows.
    elig = eligible(pool)
    reviewers = {r.id: r for r in pool.reviewers}
    kept_ok = valid_kept(pool, kept)
    furthest = 0
    for w, rs in result.by_work.items():
        target = max(min(pool.k, len(elig[w])), sum(1 for kw, _ in kept_ok if kw == w))
        furthest = max(furthest, target - len(rs))
        if len(rs) < target:
            for r in elig[w]:
                cap = reviewers[r].capacity
                assert r in rs or (cap is not None and result.loads[r] >= cap)
    assert furthest == least_furthest_short(pool, kept, len(result.pairs))


@FAST
@given(pools_with_kept(), seeds)
def test_kept_pairs_stay_and_conflicting_ones_are_dropped_with_a_reason(case, seed):
    pool, kept = case
    result = assign(pool, keep=kept, seed=seed)
    check_invariants(pool, result, kept)
    dropped = set(kept) - valid_kept(pool, kept)
    reported = {(p.work, p.reviewer) for p in result.problems if p.code == "kept.conflict"}
    assert reported == dropped
    assert all(p.severity == "error" for p in result.problems if p.code == "kept.conflict")


# --------------------------------------------------------------------------
# Balance


@FAST
@given(pools_with_kept(capacities=True, max_works_per_unit=3, max_reviewers=6), seeds)
def test_loads_are_the_most_even_possible_and_within_one_whenever_that_is_possible(case, seed):
    """Precondition: every work got its min(k, eligible) (no capacity shortfall), so the counts are fixed.

    Then the largest load is the smallest any assignment allows, the smallest is the largest, and the
    result is within one exactly when an assignment within one exists (decided by the programme).
    """
    pool, kept = case
    result = assign(pool, keep=kept, seed=seed)
    elig = eligible(pool)
    kept_ok = valid_kept(pool, kept)
    counts = {w: len(rs) for w, rs in result.by_work.items()}
    assume(all(
        counts[w] == max(min(pool.k, len(elig[w])), sum(1 for kw, _ in kept_ok if kw == w))
        for w in counts
    ))
    members = balance_set(pool)
    assume(members)
    lowest_max, highest_min = extreme_loads(pool, kept, counts)
    assert max(result.loads[r] for r in members) == lowest_max
    assert min(result.loads[r] for r in members) == highest_min
    within_one_possible = lowest_max - highest_min <= 1  # dec-min: both extremes are met at once
    event("within one possible" if within_one_possible else "within one impossible")
    assert (spread(pool, result) <= 1) == within_one_possible
    assert result.balanced == within_one_possible
    if not result.balanced:
        problem = next(p for p in result.problems if p.code == "imbalance")
        assert problem.message.startswith("评审任务未能均衡到相差不超过 1 件")
        assert "原因：" in problem.message and problem.message.endswith("。")


def precondition_for_balance(pool: Pool) -> bool:
    """The sufficient condition of the module's docstring (no capacities, no kept pairs).

    Every work has all reviewers but at most c, n ≥ k + c, and every reviewer is eligible for at
    least (q + 1)(k + c − 1)/k works, q = ⌊kW/n⌋.
    """
    elig = eligible(pool)
    n, works = len(pool.reviewers), len(pool.works)
    if not works:
        return False
    c = max(n - len(rs) for rs in elig.values())
    if n < pool.k + c:
        return False
    q = pool.k * works // n
    each = {r.id: sum(1 for rs in elig.values() if r.id in rs) for r in pool.reviewers}
    return all(e * pool.k >= (q + 1) * (pool.k + c - 1) for e in each.values())


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(pools(max_units=8, max_works_per_unit=5, max_reviewers=8, max_k=3, max_conflicts=3), seeds)
def test_within_one_under_the_stated_precondition(pool, seed):
    assume(precondition_for_balance(pool))
    result = assign(pool, seed=seed)
    check_invariants(pool, result)
    assert spread(pool, result) <= 1
    assert result.balanced


def test_within_one_on_a_campaign_shaped_like_hubei():
    # 17 units of 5–8 works, 12 reviewers: 7 from units, 5 from outside; each reviewer declares a work.
    rng = random.Random(7)
    units = [f"市州{i}" for i in range(17)]
    entrants = [u for u in units for _ in range(rng.randint(5, 8))]
    works = [Work(i, entrant=u, title=f"作品{i}") for i, u in enumerate(entrants)]
    reviewers = [Reviewer(i, units={units[i]} if i < 7 else set(), name=f"专家{i}") for i in range(12)]
    conflicts = [Conflict(i, work=rng.choice(works).id) for i in range(12)]
    pool = Pool(works, reviewers, k=5, conflicts=conflicts)
    assert precondition_for_balance(pool)
    result = assign(pool, seed=2026)
    check_invariants(pool, result)
    assert spread(pool, result) <= 1 and result.connected and not result.problems and not result.shortfalls


def test_imbalance_that_the_conflicts_force_is_reported_with_its_reasons():
    # Unit A sent 9 works and has 2 of the 3 reviewers: the third reviewer must take all of A's works.
    works = [Work(i, entrant="A", title=f"甲{i}") for i in range(9)] + [Work(9, entrant="B", title="乙")]
    reviewers = [Reviewer("a1", units={"A"}, name="张一"), Reviewer("a2", units={"A"}, name="张二"),
                 Reviewer("b", units={"B"}, name="李三")]
    result = assign(Pool(works, reviewers, k=2))
    assert result.loads == {"a1": 1, "a2": 1, "b": 9}
    (problem,) = [p for p in result.problems if p.code == "imbalance"]
    assert problem.message == (
        "评审任务未能均衡到相差不超过 1 件：评审专家的工作量在 1 至 9 件之间。"
        "原因：张一、张二只能评审 1 件作品（其余有利益冲突）。"
    )
    assert problem.severity == "warning" and not result.balanced
    assert [s.message for s in result.shortfalls][:1] == [
        "《甲0》只有 1 位评审专家可以评审（其余与报送单位有利益冲突），少于要求的 2 位"
    ]


def test_imbalance_from_a_capacity_or_locked_pairs_names_it():
    works = [Work(i, entrant=f"U{i}", title=f"作品{i}") for i in range(12)]
    three = [Reviewer("a", name="甲"), Reviewer("b", name="乙"), Reviewer("c", capacity=1, name="丙")]
    capped = Pool(works, three, k=1)
    result = assign(capped)
    assert result.loads == {"a": 6, "b": 5, "c": 1} or result.loads == {"a": 5, "b": 6, "c": 1}
    assert "丙的评审上限为 1 件" in next(p.message for p in result.problems if p.code == "imbalance")

    free = Pool(works, [Reviewer("a", name="甲"), Reviewer("b", name="乙")], k=1)
    result = assign(free, keep=[(i, "a") for i in range(9)])
    assert result.loads == {"a": 9, "b": 3}
    assert "甲有 9 件手动指定的作品" in next(p.message for p in result.problems if p.code == "imbalance")


# --------------------------------------------------------------------------
# Overlap: the reviewer graph


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools_with_kept(max_units=4, max_works_per_unit=3, max_reviewers=6, max_k=3, max_conflicts=3), seeds)
def test_the_reviewer_graph_is_connected_whenever_an_equally_balanced_assignment_allows_it(case, seed):
    """Small campaigns, where every assignment with the result's counts and loads can be enumerated."""
    pool, kept = case
    result = assign(pool, keep=kept, seed=seed)
    if result.connected:
        event("connected")
        return
    counts = {w: len(rs) for w, rs in result.by_work.items()}
    possible = connected_possible(pool, counts, list(result.loads.values()), kept)
    assume(possible is not None)
    event("disconnected, enumerated")
    assert not possible, "a connected graph with the same loads exists"
    problem = next(p for p in result.problems if p.code.startswith("disconnected"))
    assert problem.severity == "warning"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 5), st.integers(1, 25), st.integers(2, 12), seeds)
def test_connected_without_conflicts_when_works_are_enough_to_link_everyone(k, n_works, n_reviewers, seed):
    """No conflicts, n ≥ k and W·(k − 1) ≥ n − 1: a balanced connected assignment exists.

    (A chain of ⌈(n − 1)/(k − 1)⌉ works, each sharing one reviewer with the next, links everyone with
    loads 1 or 2; giving each further work the k least loaded keeps the loads within one.)
    """
    assume(n_reviewers >= k and n_works * (k - 1) >= n_reviewers - 1)
    works = [Work(i, entrant=f"U{i}") for i in range(n_works)]
    pool = Pool(works, [Reviewer(j) for j in range(n_reviewers)], k)
    result = assign(pool, seed=seed)
    assert result.connected and spread(pool, result) <= 1


def test_groups_forced_by_the_units_are_reported():
    # Reviewers of A can only review B's works and the other way round: two groups, whatever one does.
    works = [Work(i, entrant="A" if i < 3 else "B", title=f"作品{i}") for i in range(6)]
    reviewers = [Reviewer("a1", {"A"}, name="甲一"), Reviewer("a2", {"A"}, name="甲二"),
                 Reviewer("b1", {"B"}, name="乙一"), Reviewer("b2", {"B"}, name="乙二")]
    result = assign(Pool(works, reviewers, k=2))
    assert not result.connected and result.groups == (("a1", "a2"), ("b1", "b2"))
    (problem,) = [p for p in result.problems if p.code == "disconnected"]
    assert problem.message == (
        "评审专家分成了 2 组，组与组之间没有共同评审的作品，按评审专家校正评分（标准分）时各组不能相互比较："
        "第 1 组：甲一、甲二；第 2 组：乙一、乙二"
    )


def test_one_reviewer_per_work_cannot_link_reviewers():
    pool = Pool([Work(i, entrant="U") for i in range(4)], [Reviewer("a"), Reviewer("b")], k=1)
    result = assign(pool)
    assert [p.code for p in result.problems] == ["disconnected.single"]
    assert result.problems[0].message == MESSAGES["disconnected.single"]


# --------------------------------------------------------------------------
# Determinism


@FAST
@given(pools_with_kept(capacities=True), seeds, st.randoms(use_true_random=False))
def test_the_same_input_and_seed_give_the_same_result_whatever_the_input_order(case, seed, rnd):
    pool, kept = case
    first = assign(pool, keep=kept, seed=seed)
    assert assign(pool, keep=kept, seed=seed) == first
    works, reviewers, conflicts = list(pool.works), list(pool.reviewers), list(pool.conflicts)
    for items in (works, reviewers, conflicts, kept):
        rnd.shuffle(items)
    shuffled = Pool(works, reviewers, pool.k, conflicts)
    assert assign(shuffled, keep=kept, seed=seed) == first


def test_the_result_does_not_depend_on_the_hash_seed():
    code = (
        "import json, random\n"
        "from guangying.reviews.assignment import Conflict, Pool, Reviewer, Work, assign\n"
        "rng = random.Random(5)\n"
        "units = ['单位%d' % i for i in range(12)]\n"
        "works = [Work('作品%d' % i, entrant=rng.choice(units), units={rng.choice(units)})\n"
        "         for i in range(80)]\n"
        "reviewers = [Reviewer('专家%d' % j, units={rng.choice(units)}, capacity=rng.choice([None, 30]))\n"
        "             for j in range(14)]\n"
        "conflicts = [Conflict('专家%d' % rng.randrange(14), unit=rng.choice(units)) for _ in range(6)]\n"
        "result = assign(Pool(works, reviewers, 4, conflicts), seed='初审')\n"
        "print(json.dumps([result.pairs, [p.message for p in result.problems]], ensure_ascii=False))\n"
    )
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC), "PYTHONHASHSEED": hash_seed},
        )
        assert run.returncode == 0, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1
    pairs, _ = json.loads(outputs.pop())
    assert len(pairs) == 80 * 4


def test_another_seed_may_give_another_assignment():
    pool = Pool([Work(i, entrant=f"U{i}") for i in range(30)], [Reviewer(j) for j in range(10)], k=3)
    assert len({assign(pool, seed=s).pairs for s in range(5)}) > 1


# --------------------------------------------------------------------------
# Shortfalls and capacities


def _short_pool(reviewers, conflicts=(), k=3):
    return Pool([Work(1, entrant="长川市委统战部", title="一封家书")], reviewers, k, conflicts)


def test_shortfall_messages_say_why():
    own = [Reviewer(f"u{i}", units={"长川市委统战部"}) for i in range(2)]
    outside = [Reviewer("x1"), Reviewer("x2")]
    cases = [
        (own + outside, (),
         "《一封家书》只有 2 位评审专家可以评审（其余与报送单位有利益冲突），少于要求的 3 位"),
        ([*outside, Reviewer("x3"), Reviewer("x4")], [Conflict("x3", work=1), Conflict("x4", work=1)],
         "《一封家书》只有 2 位评审专家可以评审（其余申报了与该作品的利益冲突），少于要求的 3 位"),
        (own[:1] + outside + [Reviewer("x3")], [Conflict("x3", work=1)],
         "《一封家书》只有 2 位评审专家可以评审（其余与报送单位或该作品有利益冲突），少于要求的 3 位"),
        ([*outside, Reviewer("x3")], [Conflict("x3", unit="长川市委统战部")],
         "《一封家书》只有 2 位评审专家可以评审（其余与报送单位有利益冲突），少于要求的 3 位"),
        (outside, (), "《一封家书》只有 2 位评审专家可以评审（本轮评审专家共 2 位），少于要求的 3 位"),
        (own, (), "《一封家书》没有评审专家可以评审（评审专家都与报送单位有利益冲突），要求 3 位"),
        ([], (), "《一封家书》没有评审专家可以评审（本轮还没有评审专家），要求 3 位"),
    ]
    for reviewers, conflicts, expected in cases:
        result = assign(_short_pool(reviewers, conflicts))
        assert [s.message for s in result.shortfalls] == [expected]
    # Four eligible, one of them at capacity 0: still three.
    assert not assign(_short_pool([Reviewer("x0", capacity=0), *outside, Reviewer("x3")])).shortfalls
    result = assign(_short_pool([Reviewer("x1", capacity=0), Reviewer("x2"), Reviewer("x3", capacity=0)]))
    assert [s.message for s in result.shortfalls] == [
        "《一封家书》只分配到 1 位评审专家，少于要求的 3 位"
        "（可以评审该作品的 3 位评审专家中，其余已达评审上限）"
    ]
    assert result.shortfalls[0].reason == "capacity"


def test_capacities_too_small_for_the_campaign_are_reported_and_the_shortfall_is_spread():
    works = [Work(i, entrant=f"U{i}", title=f"作品{i}") for i in range(10)]
    reviewers = [Reviewer(j, capacity=4, name=f"专家{j}") for j in range(5)]  # 20 places for 30
    result = assign(Pool(works, reviewers, k=3), seed=1)
    assert len(result.pairs) == 20
    assert sorted(len(rs) for rs in result.by_work.values()) == [2] * 10
    assert len(result.shortfalls) == 10 and all(s.reason == "capacity" for s in result.shortfalls)
    assert any(p.message == "评审专家的评审上限合计 20 件次，少于需要的 30 件次，部分作品的评审专家不足"
               for p in result.problems)
    nobody = assign(Pool(works, [Reviewer(j, capacity=0) for j in range(3)], k=3))
    assert not nobody.pairs and len(nobody.shortfalls) == 10


def test_kept_pairs_over_a_capacity_stay_and_are_reported():
    reviewers = [Reviewer("a", capacity=2, name="甲"), Reviewer("b")]
    pool = Pool([Work(i, entrant="U") for i in range(4)], reviewers, k=1)
    result = assign(pool, keep=[(0, "a"), (1, "a"), (2, "a")])
    assert result.loads == {"a": 3, "b": 1}
    assert "甲手动指定的作品有 3 件，超过其评审上限 2 件" in [p.message for p in result.problems]


# --------------------------------------------------------------------------
# Rebalance


@FAST
@given(pools_with_kept(capacities=True), seeds)
def test_rebalance_keeps_locked_pairs_and_meets_the_same_guarantees(case, seed):
    pool, locked = case
    # A current assignment made for another pool: conflicts, duplicates and overloads included.
    rng = random.Random(str(seed))
    every = [(w.id, r.id) for w in pool.works for r in pool.reviewers]
    current = rng.sample(every, min(len(every), rng.randint(0, 12)))
    result = rebalance(pool, current, locked=locked, seed=seed)
    check_invariants(pool, result, locked, given=set(current) | set(locked))
    assert len(result.pairs) == best_coverage(pool, locked)
    dropped = {(p.work, p.reviewer) for p in result.problems if p.code == "current.conflict"}
    assert dropped == set(current) - set(locked) - valid_kept(pool, current)


@FAST
@given(pools(), seeds)
def test_rebalancing_a_good_assignment_changes_nothing(pool, seed):
    first = assign(pool, seed=seed)
    again = rebalance(pool, first.pairs, seed=seed)
    assert again.by_work == first.by_work and not again.added and not again.removed


def test_a_reviewer_joining_late_gets_a_fair_share_with_few_changes():
    works = [Work(i, entrant=f"U{i % 20}") for i in range(100)]
    reviewers = [Reviewer(j) for j in range(9)]
    first = assign(Pool(works, reviewers, k=3), seed=1)
    scored = first.pairs[::4]  # already scored: locked
    later = Pool(works, [*reviewers, Reviewer("late")], k=3)
    result = rebalance(later, first.pairs, locked=scored, seed=1)
    assert result.loads["late"] == 30 and set(result.loads.values()) == {30}
    assert len(result.added) == len(result.removed) == 30
    assert set(scored) <= set(result.pairs)


def test_a_reviewer_leaving_has_their_works_given_to_others():
    works = [Work(i, entrant=f"U{i % 5}") for i in range(20)]
    reviewers = [Reviewer(j, units={f"U{j % 5}"}) for j in range(6)]
    first = assign(Pool(works, reviewers, k=2), seed=3)
    remaining = Pool(works, reviewers[1:], k=2)
    current = [(w, r) for w, r in first.pairs if r != 0]
    result = rebalance(remaining, current, seed=3)
    check_invariants(remaining, result, given=current)
    assert all(len(rs) == 2 for rs in result.by_work.values()) and spread(remaining, result) <= 1


# --------------------------------------------------------------------------
# Manual changes


@pytest.fixture
def small():
    works = [Work(1, entrant="长川", title="一封家书"), Work(2, entrant="明德", title="灯火"),
             Work(3, entrant="明德", title="江城", units={"青山"})]
    reviewers = [Reviewer("a", units={"长川"}, name="甲"), Reviewer("b", name="乙", capacity=2),
                 Reviewer("c", name="丙"), Reviewer("d", name="丁")]
    conflicts = [Conflict("c", work=2), Conflict("d", unit="青山")]
    pool = Pool(works, reviewers, k=2, conflicts=conflicts)
    current = [(1, "b"), (1, "c"), (2, "a"), (2, "d"), (3, "a"), (3, "b")]
    return pool, current


def codes(problems):
    return [(p.code, p.severity) for p in problems]


def test_a_change_that_breaks_a_constraint_is_refused(small):
    pool, current = small
    own = check_change(pool, current, Add(1, "a"))
    assert codes(own) == [("change.conflict", "error")]
    assert own[0].message == "甲所在单位报送或参与了该作品，不能评审《一封家书》"
    assert own[0].work == 1 and own[0].reviewer == "a"
    assert [p.message for p in check_change(pool, current, Add(2, "c"))] == [
        "丙申报了与该作品的利益冲突，不能评审《灯火》"]
    assert [p.message for p in check_change(pool, current, Add(3, "d"))] == [
        "丁申报了与报送或参与该作品的单位有利益冲突，不能评审《江城》"]
    assert [p.message for p in check_change(pool, current, Add(1, "c"))] == ["丙已在评审《一封家书》"]
    assert [p.message for p in check_change(pool, current, Add(2, "b"))] == [
        "乙的评审上限为 2 件，已分配 2 件"]
    assert [p.message for p in check_change(pool, current, Remove(1, "d"))] == ["丁没有评审《一封家书》"]
    assert codes(check_change(pool, current, Add(9, "a"))) == [("change.unknown_work", "error")]
    assert codes(check_change(pool, current, Add(1, "z"))) == [("change.unknown_reviewer", "error")]


def test_warnings_for_counts_and_balance(small):
    pool, current = small
    # a: 2, b: 2, c: 1, d: 1 before.
    assert [p.message for p in check_change(pool, current, Remove(1, "c"))] == [
        "《一封家书》将只有 1 位评审专家，少于要求的 2 位",
        "调整后评审专家的工作量在 0 至 2 件之间，相差超过 1 件",
    ]
    more = check_change(pool, current, Add(1, "d"))
    assert [p.message for p in more] == ["《一封家书》将有 3 位评审专家，多于要求的 2 位"]
    # Moving 丙's work to 丁 leaves 0 and 2: off by two.
    move = check_changes(pool, current, [Remove(1, "c"), Add(1, "d")])
    assert codes(move) == [("change.imbalance", "warning")]
    assert move[0].message == "调整后评审专家的工作量在 0 至 2 件之间，相差超过 1 件"
    # A move between equally loaded reviewers says nothing.
    assert check_changes(pool, current, [Remove(1, "b"), Add(1, "d"), Remove(2, "d"), Add(2, "b")]) == []
    # An add refused is not applied for the next change.
    refused = check_changes(pool, current, [Add(1, "a"), Remove(1, "c")])
    assert ("change.under_k", "warning") in codes(refused) and ("change.conflict", "error") in codes(refused)


@FAST
@given(pools(capacities=True), seeds, st.data())
def test_checks_agree_with_the_constraints_on_random_campaigns(pool, seed, data):
    assume(pool.works)
    current = assign(pool, seed=seed).pairs
    work = data.draw(st.sampled_from(pool.works))
    reviewer = data.draw(st.sampled_from(pool.reviewers))
    load = sum(1 for _, r in current if r == reviewer.id)
    errors = {p.code for p in check_change(pool, current, Add(work.id, reviewer.id)) if p.severity == "error"}
    expected = set()
    if not allowed(pool, work, reviewer):
        expected.add("change.conflict")
    if (work.id, reviewer.id) in current:
        expected.add("change.duplicate")
    if reviewer.capacity is not None and load + 1 > reviewer.capacity:
        expected.add("change.over_capacity")
    assert errors == expected
    assert ineligibility(pool, work.id, reviewer.id) is None or "change.conflict" in errors
    removal = check_change(pool, current, Remove(work.id, reviewer.id))
    removal_refused = any(p.severity == "error" for p in removal)
    assert removal_refused == ((work.id, reviewer.id) not in current)


def test_eligibility_helpers():
    pool = Pool([Work(1, entrant="长川", units={"明德"})],
                [Reviewer("a", {"明德"}), Reviewer("b"), Reviewer("c"), Reviewer("d")], 2,
                [Conflict("c", work=1), Conflict("d", unit="长川"), Conflict("zz", work=1),
                 Conflict("b", work=99)])
    assert eligible_reviewers(pool) == {1: ("b",)}
    assert [ineligibility(pool, 1, r) for r in "abcd"] == ["own_unit", None, "declared_work", "declared_unit"]
    with pytest.raises(ValueError):
        ineligibility(pool, 2, "a")


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        Pool([], [], k=0)
    with pytest.raises(ValueError):
        Pool([Work(1, "U"), Work(1, "V")], [], k=1)
    with pytest.raises(ValueError):
        Pool([], [Reviewer("a"), Reviewer("a")], k=1)
    with pytest.raises(ValueError):
        Conflict("a")
    with pytest.raises(ValueError):
        Conflict("a", work=1, unit="U")
    with pytest.raises(ValueError):
        Reviewer("a", capacity=-1)
    with pytest.raises(ValueError):
        assign(Pool([Work(1, "U")], [Reviewer("a")], k=1), keep=[(1, "b")])
    assert assign(Pool([], [], k=3)).pairs == ()


# --------------------------------------------------------------------------
# Progress


def test_progress_per_reviewer_and_per_work():
    rows = [(1, "a", True), (1, "b", False), (2, "a", False), (2, "a", True), (3, "b", False)]
    by_reviewer = reviewer_progress(rows, reviewers=["c"])
    assert list(by_reviewer) == ["a", "b", "c"]
    assert [(p.assigned, p.scored, p.remaining) for p in by_reviewer.values()] == [
        (2, 2, 0), (2, 0, 2), (0, 0, 0)]
    by_work = work_progress(rows, works=[4])
    assert list(by_work) == [1, 2, 3, 4]
    assert [(p.assigned, p.scored) for p in by_work.values()] == [(2, 1), (1, 1), (1, 0), (0, 0)]


# --------------------------------------------------------------------------
# Scale and imports


def test_a_round_of_500_works_40_reviewers_and_5_per_work():
    rng = random.Random(500)
    units = [f"单位{i}" for i in range(70)]
    works = [Work(i, entrant=rng.choice(units), title=f"作品{i}") for i in range(500)]
    reviewers = [Reviewer(j, units={rng.choice(units)} if j % 3 else set(), name=f"专家{j}")
                 for j in range(40)]
    conflicts = [Conflict(rng.randrange(40), work=rng.randrange(500)) for _ in range(80)]
    pool = Pool(works, reviewers, k=5, conflicts=conflicts)
    result = assign(pool, seed="初审")
    check_invariants(pool, result)
    assert all(len(rs) == 5 for rs in result.by_work.values())
    assert spread(pool, result) <= 1 and result.connected and not result.problems


def test_the_module_imports_no_django():
    code = (
        "import sys\n"
        "import guangying.reviews.assignment\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
