"""Assigning works to reviewers for one review round, as plain data in and plain data out.

What it guarantees, in order of priority:

1. **Never a conflict.** A reviewer never gets a work whose entrant or involved units include one of the
   reviewer's own units or a unit the reviewer declared a conflict with, nor a work the reviewer declared
   a conflict with. Nothing else is ever traded against this, kept (locked) assignments included: a kept
   assignment that breaks it is dropped and reported.
2. **Coverage.** Every work gets ``k`` reviewers, or all its eligible reviewers when fewer than ``k`` are
   eligible; capacities can make even that impossible, and then as many as the capacities allow (a
   maximum flow), with the shortfall spread over the works (no work two short while another is complete
   when a reviewer could be moved between them). Every work still short of ``k`` is reported, with why.
3. **Balance.** Among the reviewers who can take a work at all (capacity not 0, eligible for at least one
   work), every load, kept assignments included, is within one of every other whenever an assignment
   with the same number of reviewers on every work allows it. Unless capacities cut the coverage, those
   numbers are fixed (min(k, eligible), or the number kept when more are kept), so this is "whenever
   the constraints allow". When they do not, the result is still the most even possible (the load
   vector is decreasingly minimal: the largest load is as small as it can be, then the next…), and a
   problem says why (a capacity, a reviewer who can only review a few works, locked assignments, or
   conflicts that leave some works to a few reviewers).
4. **Overlap.** The reviewer graph (reviewers linked when they share a work) is made connected when a
   load-preserving exchange can do it, since per-reviewer z-score normalisation compares reviewers
   through the works they share; a graph left in several groups is reported with the groups.
5. **Determinism.** The same pool, kept assignments and seed give the same result, whatever the order of
   the input lists and whatever Python's hash seed: inputs are sorted by id first, and every choice
   among equals is made by ``random.Random(seed)``.

The algorithm, a greedy start and three repair passes, all on integer indices:

- *Greedy*: ``k`` passes; in each, the works still short take one reviewer each, the most constrained
  work first (fewest eligible reviewers left with room, ties by the seeded generator). A work takes the
  least loaded eligible reviewer with room; among equally loaded ones it prefers a reviewer from another
  group of the reviewer graph than the work's reviewers so far (so that the work joins the groups), then
  the seeded generator decides.
- *Coverage*: while a short work can be given one more reviewer along an alternating path (r₁ joins
  the work and leaves w₁, r₂ joins w₁ and leaves w₂, … until a reviewer with room joins), do it. When no
  such path exists from any short work the coverage is a maximum flow. Paths from the works furthest
  short to works at least two less short move the shortfall the same way, no reviewer's load changing.
- *Balance*: while a reviewer with load L has an alternating path to a reviewer with load ≤ L − 2 and
  room (a leaves w₁, r₁ joins w₁ and leaves w₂, …, b joins), shift one work along it; the per-work counts
  do not change. Each shift lowers the sum of squared loads, so this ends. The load vectors of a fixed
  coverage form an M-convex set, and there an element with no such path is decreasingly minimal
  (Frank & Murota's theorem on discrete decreasing minimisation), which gives guarantee (3).
- *Overlap*: while the graph has several groups, try, smallest group first, to exchange two unlocked
  assignments between a reviewer of the group and one of another group (each then shares a work with
  the other's group) or to move one from a reviewer to one whose load is one less (which leaves the
  multiset of loads as it was); keep an exchange that joins the two groups. This keeps (1)–(3) exact; it
  is a heuristic for (4) with a budget of tries per join, so it always ends, and it can miss a
  connection that only a larger rearrangement would find. Without conflicts, with n ≥ k reviewers and
  W works where W(k − 1) ≥ n − 1, a balanced connected assignment always exists (a chain of works each
  sharing one reviewer with the next links everyone with loads 1 or 2; the least loaded take the rest).

Preconditions for balance within one, for a pool without capacities or kept assignments where every work
has at least ``k`` eligible reviewers: with ``n`` reviewers, ``W`` works, ``q = ⌊kW/n⌋``, ``c`` the largest
number of reviewers any one work cannot have (``n ≥ k + c``), it is enough that every reviewer is eligible
for at least ``(q + 1)(k + c − 1)/k`` works. Then, for every set S of reviewers, S can take q·|S| works and
the works only S may review need at most (q + 1)·|S|: Hall's conditions for loads in [q, q + 1], which
the balance pass then reaches. Units of a typical campaign, each sending a few works and having a
reviewer or two, satisfy it easily; a reviewer from the unit that sent most of the works may not.

Ids of works, reviewers and units only need to be hashable and, within one kind, of one type that sorts
(int or str, as database keys are); entrant and unit keys share one namespace (use ("unit", 5) and
("person", 9) if both kinds of keys can collide). Messages for organisers are in ``MESSAGES``; a
problem's ``params`` also keep the codes and items of the fragments pre-rendered into them (see
``Problem``), so that a translating layer can render every word again.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

Id = Hashable
Pair = tuple[Id, Id]  # (work id, reviewer id)
Severity = Literal["error", "warning"]

# Every message meant for an organiser, keyed by the problem's code, filled with str.format.
MESSAGES: dict[str, str] = {
    # A work short of k reviewers.
    "short.unit": "《{title}》只有 {n} 位评审专家可以评审（其余与报送单位有利益冲突），少于要求的 {k} 位",
    "short.unit.none": "《{title}》没有评审专家可以评审（评审专家都与报送单位有利益冲突），要求 {k} 位",
    "short.declared": (
        "《{title}》只有 {n} 位评审专家可以评审（其余申报了与该作品的利益冲突），少于要求的 {k} 位"
    ),
    "short.declared.none": (
        "《{title}》没有评审专家可以评审（评审专家都申报了与该作品的利益冲突），要求 {k} 位"
    ),
    "short.mixed": (
        "《{title}》只有 {n} 位评审专家可以评审（其余与报送单位或该作品有利益冲突），少于要求的 {k} 位"
    ),
    "short.mixed.none": (
        "《{title}》没有评审专家可以评审（评审专家都与报送单位或该作品有利益冲突），要求 {k} 位"
    ),
    "short.reviewers": "《{title}》只有 {n} 位评审专家可以评审（本轮评审专家共 {n} 位），少于要求的 {k} 位",
    "short.reviewers.none": "《{title}》没有评审专家可以评审（本轮还没有评审专家），要求 {k} 位",
    "short.capacity": (
        "《{title}》只分配到 {n} 位评审专家，少于要求的 {k} 位"
        "（可以评审该作品的 {m} 位评审专家中，其余已达评审上限）"
    ),
    # The pool as a whole.
    "capacity.total": (
        "评审专家的评审上限合计 {capacity} 件次，少于需要的 {need} 件次，部分作品的评审专家不足"
    ),
    "imbalance": (
        "评审任务未能均衡到相差不超过 1 件：评审专家的工作量在 {low} 至 {high} 件之间。原因：{reasons}。"
    ),
    "imbalance.capacity": "{names}的评审上限为 {capacity} 件",
    "imbalance.few": "{names}只能评审 {n} 件作品（其余有利益冲突）",
    "imbalance.locked": "{names}有 {n} 件手动指定的作品",
    "imbalance.structure": "受利益冲突限制，{names}评审的作品不能改由工作量较少的评审专家评审",
    "disconnected": (
        "评审专家分成了 {n} 组，组与组之间没有共同评审的作品，按评审专家校正评分（标准分）时"
        "各组不能相互比较：{groups}"
    ),
    "disconnected.group": "第 {i} 组：{names}",
    "disconnected.single": (
        "每件作品只有 1 位评审专家，评审专家之间没有共同评审的作品，不能按评审专家校正评分（标准分）"
    ),
    # Kept or current assignments that cannot stay.
    "kept.conflict": "《{title}》手动指定的评审专家{name}{why}，未予保留",
    "current.conflict": "《{title}》的评审专家{name}{why}，已取消这项分配",
    "kept.over_capacity": "{name}手动指定的作品有 {n} 件，超过其评审上限 {capacity} 件",
    # Why a reviewer may not review a work (completes the sentences above and below).
    "why.own_unit": "所在单位报送或参与了该作品",
    "why.declared_unit": "申报了与报送或参与该作品的单位有利益冲突",
    "why.declared_work": "申报了与该作品的利益冲突",
    # A proposed manual change.
    "change.unknown_work": "作品（{work}）不在本轮评审中",
    "change.unknown_reviewer": "评审专家（{reviewer}）不在本轮评审中",
    "change.conflict": "{name}{why}，不能评审《{title}》",
    "change.duplicate": "{name}已在评审《{title}》",
    "change.over_capacity": "{name}的评审上限为 {capacity} 件，已分配 {n} 件",
    "change.not_assigned": "{name}没有评审《{title}》",
    "change.over_k": "《{title}》将有 {n} 位评审专家，多于要求的 {k} 位",
    "change.under_k": "《{title}》将只有 {n} 位评审专家，少于要求的 {k} 位",
    "change.imbalance": "调整后评审专家的工作量在 {low} 至 {high} 件之间，相差超过 1 件",
    # A long list of names, cut short (the ``names`` of the messages above).
    "names.more": "{names}等 {n} 位评审专家",
}

_NAMES_SHOWN = 5  # names listed in one reason before 「等 n 位」
_CONNECT_TRIES = 400  # exchanges the overlap pass tries before it gives up on joining two more groups


def message(code: str, **params: object) -> str:
    """The organiser's message for a problem code; one place, so that the Django layer can wrap it."""
    return MESSAGES[code].format(**params)


# --------------------------------------------------------------------------
# Input


def _units(value: Iterable[Id] | None) -> frozenset[Id]:
    return frozenset(value or ())


@dataclass(frozen=True)
class Work:
    """A work to review: its entrant's key, and other units involved (an individual's unit, a co-producer).

    A reviewer of any of these units, or who declared a conflict with one, may not review it.
    """

    id: Id
    entrant: Id
    title: str = ""
    units: frozenset[Id] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", _units(self.units))

    @property
    def all_units(self) -> frozenset[Id]:
        return self.units | {self.entrant}

    @property
    def label(self) -> str:
        return self.title or str(self.id)


@dataclass(frozen=True)
class Reviewer:
    """A reviewer of the round: the units they belong to (none, one or several) and an optional capacity.

    ``capacity`` counts every assignment of the round, kept ones included; None means no limit.
    """

    id: Id
    units: frozenset[Id] = frozenset()
    capacity: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", _units(self.units))
        if self.capacity is not None and (
            isinstance(self.capacity, bool) or not isinstance(self.capacity, int) or self.capacity < 0
        ):
            raise ValueError(f"capacity of reviewer {self.id!r} must be None or ≥ 0")

    @property
    def label(self) -> str:
        return self.name or str(self.id)


@dataclass(frozen=True)
class Conflict:
    """A declared conflict of interest: a reviewer with one work, or with a unit (and so all its works)."""

    reviewer: Id
    work: Id | None = None
    unit: Id | None = None

    def __post_init__(self) -> None:
        if (self.work is None) == (self.unit is None):
            raise ValueError("a conflict names exactly one of work and unit")


@dataclass(frozen=True)
class Pool:
    """One round's works, reviewers, declared conflicts and the number of reviewers per work.

    Conflicts naming a reviewer or work not in the pool are ignored: declarations may be campaign-wide.
    """

    works: tuple[Work, ...]
    reviewers: tuple[Reviewer, ...]
    k: int
    conflicts: tuple[Conflict, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "works", tuple(self.works))
        object.__setattr__(self, "reviewers", tuple(self.reviewers))
        object.__setattr__(self, "conflicts", tuple(self.conflicts))
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise ValueError("k, the reviewers per work, must be an integer ≥ 1")
        for kind, ids in (("work", [w.id for w in self.works]), ("reviewer", [r.id for r in self.reviewers])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"duplicate {kind} ids")


# --------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class Problem:
    """Something the organiser should know: ``code`` is a key of MESSAGES, ``params`` fill it.

    Where a parameter is itself a fragment of MESSAGES, ``params`` also say how it was made: ``why_code``
    (the ``why.*`` code of ``why``); ``reasons_parts`` and ``groups_parts`` (the (code, params) of each
    part of ``reasons`` or ``groups``, joined by "；"); ``names_items`` and ``names_total`` (the labels
    listed in ``names``, joined by "、", and how many there are: more than listed gives "names.more").
    """

    code: str
    severity: Severity
    message: str
    work: Id | None = None
    reviewer: Id | None = None
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Shortfall:
    """A work with fewer than k reviewers; ``reason`` is "conflicts", "reviewers" or "capacity".

    ``message`` is MESSAGES[code] filled with ``params``.
    """

    work: Id
    required: int
    eligible: int
    assigned: int
    reason: str
    message: str
    code: str = ""
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Assignment:
    """The result: reviewers per work (every work of the pool, in id order) and what to tell the organiser.

    ``added`` and ``removed`` compare with the assignments passed in (kept or current), so that the
    Django layer writes only the difference. ``groups`` are the reviewer graph's connected groups of the
    reviewers who have a work, largest first.
    """

    by_work: dict[Id, tuple[Id, ...]]
    loads: dict[Id, int]
    shortfalls: tuple[Shortfall, ...]
    problems: tuple[Problem, ...]
    groups: tuple[tuple[Id, ...], ...]
    added: tuple[Pair, ...]
    removed: tuple[Pair, ...]

    @property
    def pairs(self) -> tuple[Pair, ...]:
        return tuple((w, r) for w, rs in self.by_work.items() for r in rs)

    @property
    def connected(self) -> bool:
        return len(self.groups) <= 1

    @property
    def balanced(self) -> bool:
        return not any(p.code == "imbalance" for p in self.problems)


@dataclass(frozen=True)
class Add:
    """A proposed manual change: give ``work`` to ``reviewer``."""

    work: Id
    reviewer: Id


@dataclass(frozen=True)
class Remove:
    """A proposed manual change: take ``work`` from ``reviewer``."""

    work: Id
    reviewer: Id


Change = Add | Remove
_Step = tuple[int, int | None, int | None]  # (work, reviewer leaving it, reviewer joining it)


# --------------------------------------------------------------------------
# Order and eligibility


def _order(value: object) -> tuple[int, object, str]:
    """A sort key for ids that does not depend on hashing: numbers, then strings, then anything by repr."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value, "")
    if isinstance(value, str):
        return (1, 0, value)
    return (2, 0, repr(value))


_ELIGIBLE, _OWN_UNIT, _DECLARED_UNIT, _DECLARED_WORK = 0, 1, 2, 3
_WHY = {_OWN_UNIT: "why.own_unit", _DECLARED_UNIT: "why.declared_unit", _DECLARED_WORK: "why.declared_work"}


class _Index:
    """The pool on integer indices, in id order, with the reason each pair is (in)eligible."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.works = sorted(pool.works, key=lambda w: _order(w.id))
        self.reviewers = sorted(pool.reviewers, key=lambda r: _order(r.id))
        self.work_at = {w.id: i for i, w in enumerate(self.works)}
        self.reviewer_at = {r.id: i for i, r in enumerate(self.reviewers)}
        declared_units: list[set[Id]] = [set() for _ in self.reviewers]
        declared_works: list[set[int]] = [set() for _ in self.reviewers]
        for c in pool.conflicts:
            r = self.reviewer_at.get(c.reviewer)
            if r is None:
                continue
            if c.unit is not None:
                declared_units[r].add(c.unit)
            elif c.work in self.work_at:
                declared_works[r].add(self.work_at[c.work])
        self.why: list[list[int]] = []
        for w, work in enumerate(self.works):
            units = work.all_units
            row = []
            for r, reviewer in enumerate(self.reviewers):
                if not reviewer.units.isdisjoint(units):
                    row.append(_OWN_UNIT)
                elif not declared_units[r].isdisjoint(units):
                    row.append(_DECLARED_UNIT)
                elif w in declared_works[r]:
                    row.append(_DECLARED_WORK)
                else:
                    row.append(_ELIGIBLE)
            self.why.append(row)
        self.eligible_count_of_reviewer = [
            sum(1 for w in range(len(self.works)) if self.why[w][r] == _ELIGIBLE)
            for r in range(len(self.reviewers))
        ]

    def work(self, work_id: Id) -> int:
        try:
            return self.work_at[work_id]
        except (KeyError, TypeError):
            raise ValueError(f"work {work_id!r} is not in the pool") from None

    def reviewer(self, reviewer_id: Id) -> int:
        try:
            return self.reviewer_at[reviewer_id]
        except (KeyError, TypeError):
            raise ValueError(f"reviewer {reviewer_id!r} is not in the pool") from None

    def capacity(self, r: int) -> int:
        cap = self.reviewers[r].capacity
        return len(self.works) + 1 if cap is None else cap

    def in_balance(self, r: int) -> bool:
        """Whether a reviewer's load is held to within one of the others: capacity not 0, a work possible."""
        return self.reviewers[r].capacity != 0 and self.eligible_count_of_reviewer[r] > 0


def ineligibility(pool: Pool, work: Id, reviewer: Id) -> str | None:
    """Why ``reviewer`` may not review ``work``: "own_unit", "declared_unit", "declared_work", or None."""
    idx = _Index(pool)
    why = idx.why[idx.work(work)][idx.reviewer(reviewer)]
    return None if why == _ELIGIBLE else _WHY[why].removeprefix("why.")


def eligible_reviewers(pool: Pool) -> dict[Id, tuple[Id, ...]]:
    """Per work, in id order, the reviewers allowed to review it (capacities aside)."""
    idx = _Index(pool)
    return {
        work.id: tuple(idx.reviewers[r].id for r in range(len(idx.reviewers)) if idx.why[w][r] == _ELIGIBLE)
        for w, work in enumerate(idx.works)
    }


def _pairs(index: _Index, pairs: Iterable[Pair]) -> list[tuple[int, int]]:
    """Index pairs, without duplicates, in id order; unknown ids are the caller's error."""
    return sorted({(index.work(work_id), index.reviewer(reviewer_id)) for work_id, reviewer_id in pairs})


def _named(index: _Index, reviewers: Sequence[int]) -> dict[str, object]:
    """The ``names`` parameter of a message, with the labels it lists and how many reviewers it names."""
    labels = [index.reviewers[r].label for r in sorted(reviewers)]
    shown = labels[:_NAMES_SHOWN]
    names = "、".join(shown)
    if len(labels) > _NAMES_SHOWN:
        names = message("names.more", names=names, n=len(labels))
    return {"names": names, "names_items": tuple(shown), "names_total": len(labels)}


# --------------------------------------------------------------------------
# The solver


class _Linked:
    """Union-find over reviewer indices; a group is named by its smallest member."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


class _Solver:
    def __init__(self, pool: Pool, seed: int | str) -> None:
        self.ix = ix = _Index(pool)
        self.k = pool.k
        self.rng = random.Random(seed)
        nw, nr = len(ix.works), len(ix.reviewers)
        self.nw, self.nr = nw, nr
        # Reviewers are visited in a seeded order, so that no id is favoured in ties the paths meet.
        order = list(range(nr))
        self.rng.shuffle(order)
        self.elig: list[list[int]] = [[r for r in order if ix.why[w][r] == _ELIGIBLE] for w in range(nw)]
        self.cap = [ix.capacity(r) for r in range(nr)]
        self.on: list[set[int]] = [set() for _ in range(nw)]
        self.held: list[set[int]] = [set() for _ in range(nr)]
        self.load = [0] * nr
        self.locked: set[tuple[int, int]] = set()
        self.locked_of = [0] * nr
        self.target = [min(self.k, len(self.elig[w])) for w in range(nw)]
        self.problems: list[Problem] = []

    # -- state

    def _add(self, w: int, r: int) -> None:
        self.on[w].add(r)
        self.held[r].add(w)
        self.load[r] += 1

    def _remove(self, w: int, r: int) -> None:
        self.on[w].discard(r)
        self.held[r].discard(w)
        self.load[r] -= 1

    def _movable(self, r: int) -> list[int]:
        return sorted(w for w in self.held[r] if (w, r) not in self.locked)

    def _conflict_problem(self, code: str, w: int, r: int, severity: Severity) -> None:
        ix = self.ix
        params = {
            "title": ix.works[w].label,
            "name": ix.reviewers[r].label,
            "why": message(_WHY[ix.why[w][r]]),
            "why_code": _WHY[ix.why[w][r]],
        }
        self.problems.append(
            Problem(code, severity, message(code, **params), ix.works[w].id, ix.reviewers[r].id, params)
        )

    def start(self, current: list[tuple[int, int]], locked: list[tuple[int, int]]) -> None:
        """Take the locked pairs as they are and the current ones as far as constraints and counts allow."""
        ix = self.ix
        for w, r in locked:
            if ix.why[w][r] != _ELIGIBLE:
                self._conflict_problem("kept.conflict", w, r, "error")
                continue
            self._add(w, r)
            self.locked.add((w, r))
            self.locked_of[r] += 1
        for r in range(self.nr):
            cap = ix.reviewers[r].capacity
            if cap is not None and self.locked_of[r] > cap:
                params = {"name": ix.reviewers[r].label, "n": self.locked_of[r], "capacity": cap}
                self.problems.append(
                    Problem("kept.over_capacity", "warning", message("kept.over_capacity", **params),
                            reviewer=ix.reviewers[r].id, params=params)
                )
        for w in range(self.nw):
            self.target[w] = max(self.target[w], len(self.on[w]))
        candidates: list[list[int]] = [[] for _ in range(self.nw)]
        locked_given = set(locked)
        for w, r in current:
            if (w, r) in locked_given:
                continue
            if ix.why[w][r] != _ELIGIBLE:
                self._conflict_problem("current.conflict", w, r, "warning")
                continue
            candidates[w].append(r)
        for w in range(self.nw):
            rs = candidates[w]
            self.rng.shuffle(rs)
            for r in rs:
                if len(self.on[w]) < self.target[w] and self.load[r] < self.cap[r]:
                    self._add(w, r)

    # -- greedy

    def _linked(self) -> _Linked:
        """Reviewers linked by the works they share, as the assignment stands."""
        linked = _Linked(self.nr)
        for w in range(self.nw):
            rs = sorted(self.on[w])
            for r in rs[1:]:
                linked.join(r, rs[0])
        return linked

    def greedy(self) -> None:
        linked = self._linked()
        find = linked.find
        for _ in range(max(self.target, default=0)):
            keyed = []
            for w in range(self.nw):
                need = self.target[w] - len(self.on[w])
                if need <= 0:
                    continue
                room = sum(1 for r in self.elig[w] if r not in self.on[w] and self.load[r] < self.cap[r])
                keyed.append((room - need, self.rng.random(), w))
            if not keyed:
                return
            keyed.sort()
            for _, _, w in keyed:
                groups = {find(x) for x in self.on[w]}
                best, best_key = -1, None
                for r in self.elig[w]:
                    if r in self.on[w] or self.load[r] >= self.cap[r]:
                        continue
                    key = (self.load[r], 1 if find(r) in groups else 0, self.rng.random())
                    if best_key is None or key < best_key:
                        best, best_key = r, key
                if best < 0:
                    continue
                for x in self.on[w]:
                    linked.join(x, best)
                self._add(w, best)

    # -- alternating paths

    def _path_from_works(self, sources: list[int], rich: int | None) -> list[_Step]:
        """A path from a short work: to a reviewer with room, or (``rich`` set) to a work short ≤ ``rich``.

        Returns steps (work, leaving reviewer, joining reviewer); empty when there is none.
        """
        seen_w = [False] * self.nw
        seen_r = [False] * self.nr
        via_r: dict[int, int] = {}  # reviewer -> the work they join
        via_w: dict[int, int] = {}  # work -> the reviewer who leaves it
        queue = deque(sources)
        for w in sources:
            seen_w[w] = True
        while queue:
            x = queue.popleft()
            for r in self.elig[x]:
                if seen_r[r] or r in self.on[x]:
                    continue
                seen_r[r] = True
                via_r[r] = x
                if self.load[r] < self.cap[r]:
                    return self._unwind_from_reviewer(r, via_r, via_w)
                for y in self._movable(r):
                    if seen_w[y]:
                        continue
                    seen_w[y] = True
                    via_w[y] = r
                    if rich is not None and self.target[y] - len(self.on[y]) <= rich:
                        steps: list[_Step] = [(y, r, None)]
                        return steps + self._unwind_from_reviewer(r, via_r, via_w)
                    queue.append(y)
        return []

    def _unwind_from_reviewer(self, r: int, via_r: dict[int, int], via_w: dict[int, int]) -> list[_Step]:
        steps: list[_Step] = []
        while True:
            x = via_r[r]
            leaving = via_w.get(x)
            steps.append((x, None, r))
            if leaving is None:
                return steps
            steps.append((x, leaving, None))
            r = leaving

    def _apply(self, steps: list[_Step]) -> None:
        for w, leaving, _ in steps:
            if leaving is not None:
                self._remove(w, leaving)
        for w, _, joining in steps:
            if joining is not None:
                self._add(w, joining)

    def cover(self) -> None:
        """Augment to a maximum coverage, then move shortfall from the shortest works to the others."""
        while True:
            short = [w for w in range(self.nw) if len(self.on[w]) < self.target[w]]
            if not short:
                return
            steps = self._path_from_works(short, None)
            if not steps:
                break
            self._apply(steps)
        while True:
            deficit = [self.target[w] - len(self.on[w]) for w in range(self.nw)]
            moved = False
            for level in sorted({d for d in deficit if d >= 2}, reverse=True):
                sources = [w for w in range(self.nw) if deficit[w] == level]
                steps = self._path_from_works(sources, level - 2)
                if steps:
                    self._apply(steps)
                    moved = True
                    break
            if not moved:
                return

    def _path_between_reviewers(self, sources: list[int], limit: int) -> list[_Step]:
        """A path from a reviewer in ``sources`` to one with load ≤ ``limit`` and room, as _apply steps."""
        seen_w = [False] * self.nw
        seen_r = [False] * self.nr
        via_r: dict[int, int] = {}
        via_w: dict[int, int] = {}
        for r in sources:
            seen_r[r] = True
        queue = deque(sources)
        while queue:
            x = queue.popleft()
            for y in self._movable(x):
                if seen_w[y]:
                    continue
                seen_w[y] = True
                via_w[y] = x
                for z in self.elig[y]:
                    if seen_r[z] or z in self.on[y]:
                        continue
                    seen_r[z] = True
                    via_r[z] = y
                    if self.load[z] <= limit and self.load[z] < self.cap[z]:
                        steps: list[_Step] = []
                        while z in via_r:
                            y = via_r[z]
                            steps.append((y, via_w[y], z))
                            z = via_w[y]
                        return steps
                    queue.append(z)
        return []

    def balance(self) -> None:
        while True:
            receivers = [
                self.load[r] for r in range(self.nr) if self.load[r] < self.cap[r] and self.ix.in_balance(r)
            ]
            if not receivers:
                return
            lowest = min(receivers)
            moved = False
            for level in sorted(set(self.load), reverse=True):
                if level - 2 < lowest:
                    break
                sources = [r for r in range(self.nr) if self.load[r] == level]
                steps = self._path_between_reviewers(sources, level - 2)
                if steps:
                    self._apply(steps)
                    moved = True
                    break
            if not moved:
                return

    # -- overlap

    def groups(self) -> list[list[int]]:
        find = self._linked().find
        found: dict[int, list[int]] = {}
        for r in range(self.nr):
            if self.load[r] > 0:
                found.setdefault(find(r), []).append(r)
        return sorted(found.values(), key=lambda g: (len(g), g[0]))

    def _joined(self, members: set[int]) -> bool:
        alive = [r for r in sorted(members) if self.load[r] > 0]
        if not alive:
            return True
        seen = {alive[0]}
        queue = deque([alive[0]])
        while queue:
            x = queue.popleft()
            for w in self.held[x]:
                for y in self.on[w]:
                    if y not in seen:
                        seen.add(y)
                        queue.append(y)
        return all(r in seen for r in alive)

    def connect(self) -> None:
        """Join groups while an exchange can; each join lowers the number of groups, so this ends."""
        while True:
            groups = self.groups()
            if len(groups) <= 1 or not self._join(groups):
                return

    def _exchanges(self, groups: list[list[int]]) -> Iterator[tuple[set[int], list[_Step]]]:
        """Candidate exchanges between a group (smallest first) and another, as _apply steps.

        A move (w1: a → b) when a's load is b's plus one; a swap (w1: a → b, w2: b → a) otherwise.
        Both leave the multiset of loads as it is, so the balance pass's optimum stays.
        """
        group_of = {r: i for i, g in enumerate(groups) for r in g}
        for g in groups:
            for a in g:
                for w1 in self._movable(a):
                    if len(self.on[w1]) < 2:  # b would share w1 with nobody
                        continue
                    for b in self.elig[w1]:
                        if b in self.on[w1] or group_of.get(b, -1) in (-1, group_of[a]):
                            continue
                        members = set(g) | set(groups[group_of[b]])
                        if self.load[a] == self.load[b] + 1 and self.load[b] < self.cap[b]:
                            yield members, [(w1, a, b)]
                        for w2 in self._movable(b):
                            if len(self.on[w2]) < 2 or a in self.on[w2] or self.ix.why[w2][a] != _ELIGIBLE:
                                continue
                            yield members, [(w1, a, b), (w2, b, a)]

    def _join(self, groups: list[list[int]]) -> bool:
        """Make the first exchange that joins two groups, within a budget of tries; whether one was made.

        The budget is per call, so a repeated run from the same state tries the same exchanges again.
        """
        for tries, (members, steps) in enumerate(self._exchanges(groups)):
            if tries >= _CONNECT_TRIES:
                return False
            self._apply(steps)
            if self._joined(members):
                return True
            self._apply([(w, joining, leaving) for w, leaving, joining in steps])
        return False

    # -- report

    def result(self, given: list[tuple[int, int]]) -> Assignment:
        ix = self.ix
        problems = list(self.problems)
        shortfalls = [s for w in range(self.nw) if (s := self._shortfall(w)) is not None]
        need = sum(self.target)
        if all(r.capacity is not None for r in ix.reviewers) and ix.reviewers:
            capacity = sum(min(self.cap[r], ix.eligible_count_of_reviewer[r]) for r in range(self.nr))
            if capacity < need:
                params = {"capacity": capacity, "need": need}
                problems.append(Problem("capacity.total", "warning", message("capacity.total", **params),
                                        params=params))
        imbalance = self._imbalance()
        if imbalance is not None:
            problems.append(imbalance)
        groups = self.groups()
        if len(groups) > 1:
            problems.append(self._disconnected(groups))
        final = {(w, r) for w in range(self.nw) for r in self.on[w]}
        before = set(given)

        def ids(pairs: Iterable[tuple[int, int]]) -> tuple[Pair, ...]:
            return tuple((ix.works[w].id, ix.reviewers[r].id) for w, r in sorted(pairs))

        return Assignment(
            by_work={
                ix.works[w].id: tuple(ix.reviewers[r].id for r in sorted(self.on[w])) for w in range(self.nw)
            },
            loads={ix.reviewers[r].id: self.load[r] for r in range(self.nr)},
            shortfalls=tuple(shortfalls),
            problems=tuple(problems),
            groups=tuple(
                tuple(ix.reviewers[r].id for r in g)
                for g in sorted(groups, key=lambda g: (-len(g), g[0]))
            ),
            added=ids(final - before),
            removed=ids(before - final),
        )

    def _shortfall(self, w: int) -> Shortfall | None:
        ix = self.ix
        n = len(self.on[w])
        if n >= self.k:
            return None
        eligible = len(self.elig[w])
        title = ix.works[w].label
        params: dict[str, object] = {"title": title, "n": n, "k": self.k}
        if n < eligible:
            reason, code = "capacity", "short.capacity"
            params["m"] = eligible
        else:
            reasons = {ix.why[w][r] for r in range(self.nr)} - {_ELIGIBLE}
            if not reasons:
                reason, code = "reviewers", "short.reviewers"
            else:
                reason = "conflicts"
                if reasons <= {_OWN_UNIT, _DECLARED_UNIT}:
                    code = "short.unit"
                elif reasons == {_DECLARED_WORK}:
                    code = "short.declared"
                else:
                    code = "short.mixed"
            code += "" if n else ".none"
        return Shortfall(ix.works[w].id, self.k, eligible, n, reason, message(code, **params), code, params)

    def _imbalance(self) -> Problem | None:
        ix = self.ix
        members = [r for r in range(self.nr) if ix.in_balance(r)]
        if not members:
            return None
        low = min(self.load[r] for r in members)
        high = max(self.load[r] for r in members)
        if high - low <= 1:
            return None
        # Reviewers sharing a reason are named together: (code, number) -> reviewers.
        explained: dict[tuple[str, int], list[int]] = {}
        unexplained_low = False
        for r in (r for r in members if self.load[r] <= high - 2):
            if self.load[r] >= self.cap[r]:
                explained.setdefault(("imbalance.capacity", self.cap[r]), []).append(r)
            elif self.load[r] >= ix.eligible_count_of_reviewer[r]:
                explained.setdefault(("imbalance.few", ix.eligible_count_of_reviewer[r]), []).append(r)
            else:
                unexplained_low = True
        unexplained_high = []
        for r in (r for r in members if self.load[r] >= low + 2):
            if self.locked_of[r] >= low + 2:
                explained.setdefault(("imbalance.locked", self.locked_of[r]), []).append(r)
            else:
                unexplained_high.append(r)
        order = {"imbalance.capacity": 0, "imbalance.few": 1, "imbalance.locked": 2}
        parts: list[tuple[str, dict[str, object]]] = [
            (code, {**_named(ix, rs), "capacity": number, "n": number})
            for (code, number), rs in sorted(explained.items(), key=lambda i: (order[i[0][0]], i[0][1]))
        ]
        if unexplained_high and (unexplained_low or not parts):
            parts.append(("imbalance.structure", _named(ix, unexplained_high)))
        reasons = [message(code, **part) for code, part in parts]
        params = {"low": low, "high": high, "reasons": "；".join(reasons), "reasons_parts": tuple(parts)}
        return Problem("imbalance", "warning", message("imbalance", **params), params=params)

    def _disconnected(self, groups: list[list[int]]) -> Problem:
        if all(len(on) <= 1 for on in self.on):
            return Problem("disconnected.single", "warning", message("disconnected.single"))
        ordered = sorted(groups, key=lambda g: (-len(g), g[0]))
        parts = tuple(
            ("disconnected.group", {"i": i, **_named(self.ix, g)}) for i, g in enumerate(ordered, 1)
        )
        params = {
            "n": len(groups),
            "groups": "；".join(message(code, **part) for code, part in parts),
            "groups_parts": parts,
        }
        return Problem("disconnected", "warning", message("disconnected", **params), params=params)


def _solve(pool: Pool, current: Iterable[Pair], locked: Iterable[Pair], seed: int | str) -> Assignment:
    solver = _Solver(pool, seed)
    given = _pairs(solver.ix, current)
    locked_pairs = _pairs(solver.ix, locked)
    solver.start(given, locked_pairs)
    solver.greedy()
    solver.cover()
    solver.balance()
    solver.connect()
    return solver.result(sorted(set(given) | set(locked_pairs)))


def assign(pool: Pool, *, keep: Iterable[Pair] = (), seed: int | str = 0) -> Assignment:
    """A fresh assignment of the pool, keeping the (work, reviewer) pairs in ``keep`` as locked.

    Use it for a round's first assignment; a kept pair that is a conflict is dropped and reported.
    """
    keep = list(keep)
    return _solve(pool, keep, keep, seed)


def rebalance(
    pool: Pool, current: Iterable[Pair], *, locked: Iterable[Pair] = (), seed: int | str = 0
) -> Assignment:
    """The current assignment repaired with as few changes as the repair passes make.

    Locked pairs (manual ones, or works already scored) stay; the others stay unless they are conflicts,
    exceed a capacity or k, or have to move for coverage, balance or overlap. Works and reviewers added to
    the pool since are fitted in; ``added``/``removed`` say what changed. For a fresh start keeping only
    the locked pairs, use ``assign(pool, keep=locked)``.
    """
    return _solve(pool, current, locked, seed)


# --------------------------------------------------------------------------
# Manual changes


def check_change(pool: Pool, current: Iterable[Pair], change: Change) -> list[Problem]:
    """The problems with one manual change to the current assignment; errors refuse it, warnings inform."""
    return check_changes(pool, current, [change])


def check_changes(pool: Pool, current: Iterable[Pair], changes: Iterable[Change]) -> list[Problem]:
    """The problems with manual changes applied in order (a move is a Remove then an Add).

    A change with an error is not applied for the changes after it. Warnings about counts and balance
    look at the state after all of them, and the balance warning comes only when the changes made the
    spread of loads larger than one and larger than it was. Unknown ids in a change are problems (they
    come from a form); unknown ids in ``current`` raise ValueError (they come from the caller).
    """
    ix = _Index(pool)
    nr = len(ix.reviewers)
    on: dict[int, set[int]] = {}
    load = [0] * nr
    for w, r in _pairs(ix, current):
        on.setdefault(w, set()).add(r)
        load[r] += 1
    original = {w: len(rs) for w, rs in on.items()}
    members = [r for r in range(nr) if ix.in_balance(r)]

    def spread() -> int:
        return max(load[r] for r in members) - min(load[r] for r in members) if members else 0

    before = spread()
    problems: list[Problem] = []
    touched: list[int] = []

    def problem(code: str, severity: Severity, work_id: Id, reviewer_id: Id, /, **params: object) -> None:
        problems.append(Problem(code, severity, message(code, **params), work_id, reviewer_id, dict(params)))

    for change in changes:
        w = ix.work_at.get(change.work) if _hashable(change.work) else None
        r = ix.reviewer_at.get(change.reviewer) if _hashable(change.reviewer) else None
        if w is None:
            problem("change.unknown_work", "error", change.work, change.reviewer, work=change.work)
        if r is None:
            problem("change.unknown_reviewer", "error", change.work, change.reviewer,
                    reviewer=change.reviewer)
        if w is None or r is None:
            continue
        work, reviewer = ix.works[w], ix.reviewers[r]
        names = {"title": work.label, "name": reviewer.label}
        assigned = on.setdefault(w, set())
        if isinstance(change, Add):
            errors = len(problems)
            if ix.why[w][r] != _ELIGIBLE:
                why_code = _WHY[ix.why[w][r]]
                problem("change.conflict", "error", work.id, reviewer.id, why=message(why_code),
                        why_code=why_code, **names)
            if r in assigned:
                problem("change.duplicate", "error", work.id, reviewer.id, **names)
            if reviewer.capacity is not None and load[r] + 1 > reviewer.capacity:
                problem("change.over_capacity", "error", work.id, reviewer.id, name=reviewer.label,
                        capacity=reviewer.capacity, n=load[r])
            if len(problems) == errors:
                assigned.add(r)
                load[r] += 1
                touched.append(w)
        else:
            if r not in assigned:
                problem("change.not_assigned", "error", work.id, reviewer.id, **names)
            else:
                assigned.discard(r)
                load[r] -= 1
                touched.append(w)
    for w in sorted(set(touched)):
        n, was = len(on[w]), original.get(w, 0)
        title = ix.works[w].label
        if n > pool.k and n > was:
            problem("change.over_k", "warning", ix.works[w].id, None, title=title, n=n, k=pool.k)
        elif n < pool.k and n < was:
            problem("change.under_k", "warning", ix.works[w].id, None, title=title, n=n, k=pool.k)
    after = spread()
    if after > 1 and after > before:
        low = min(load[r] for r in members)
        high = max(load[r] for r in members)
        problem("change.imbalance", "warning", None, None, low=low, high=high)
    return problems


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# --------------------------------------------------------------------------
# Progress


@dataclass(frozen=True)
class ReviewerProgress:
    assigned: int
    scored: int
    remaining: int


@dataclass(frozen=True)
class WorkProgress:
    assigned: int
    scored: int
    remaining: int


def _done_pairs(rows: Iterable[tuple[Id, Id, bool]]) -> dict[Pair, bool]:
    """One entry per (work, reviewer): a pair listed twice is done when any of its rows says so."""
    done: dict[Pair, bool] = {}
    for work, reviewer, finished in rows:
        done[(work, reviewer)] = done.get((work, reviewer), False) or bool(finished)
    return done


def reviewer_progress(
    rows: Iterable[tuple[Id, Id, bool]], reviewers: Iterable[Id] = ()
) -> dict[Id, ReviewerProgress]:
    """Per reviewer, in id order: works assigned, scored, still to score.

    ``reviewers`` lists those to show even with nothing assigned.
    """
    counts: dict[Id, list[int]] = {r: [0, 0] for r in reviewers}
    for (_work, reviewer), finished in _done_pairs(rows).items():
        c = counts.setdefault(reviewer, [0, 0])
        c[0] += 1
        c[1] += finished
    ordered = sorted(counts.items(), key=lambda item: _order(item[0]))
    return {r: ReviewerProgress(a, s, a - s) for r, (a, s) in ordered}


def work_progress(rows: Iterable[tuple[Id, Id, bool]], works: Iterable[Id] = ()) -> dict[Id, WorkProgress]:
    """Per work, in id order: reviewers assigned and how many have scored; ``works`` adds those with none."""
    counts: dict[Id, list[int]] = {w: [0, 0] for w in works}
    for (work, _reviewer), finished in _done_pairs(rows).items():
        c = counts.setdefault(work, [0, 0])
        c[0] += 1
        c[1] += finished
    ordered = sorted(counts.items(), key=lambda item: _order(item[0]))
    return {w: WorkProgress(a, s, a - s) for w, (a, s) in ordered}
