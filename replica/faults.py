"""Fault injection for the replica server: which request gets an error, a stall, a reset or a cut body.

Rules (a list, evaluated in order; the first that fires decides the request):

    {"path": regex, "kind": "status"|"delay"|"reset"|"truncate", "status": 503, "delay": 5.0,
     "times": N, "probability": p, "seed": 0, "fraction": 0.5, "headers": {...}}

- ``path`` is searched (``re.search``) in the request target (path and query as sent); default: any.
- ``times``: only the first N requests the rule fires on (default unlimited).
- ``probability``: fire on that share of matches. The draw is a hash of (seed, rule, target,
  attempt), not a shared RNG, so it is the same on every run whatever the thread interleaving.
- ``status`` answers that status with a small error page (``headers``, e.g. Retry-After, added);
  ``delay`` sleeps then answers normally; ``reset`` closes the socket with a TCP RST before any
  response; ``truncate`` sends the headers with the full Content-Length and only ``fraction`` of
  the body, then closes.

Seeded random mode (may sit in the same list; ``path`` restricts it as above):

    {"random": {"seed": 42, "status": 0.10, "slow": 0.05, "reset": 0.03, "truncate": 0.02,
                "slow_delay": 3.0, "statuses": [500, 503]}}

decides per (target, attempt number): the Nth request for a URL always gets the same outcome, and
a re-fetch (attempt N+1) draws again, so retries can succeed. Two servers given the same rules and
the same per-URL request sequence inject the same faults.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

KINDS = ("status", "delay", "reset", "truncate")
DEFAULT_STATUS = 503
DEFAULT_DELAY = 5.0
# Random-mode share names and the fault kind each one injects, in band order.
RANDOM_BANDS = (("status", "status"), ("slow", "delay"), ("reset", "reset"), ("truncate", "truncate"))


@dataclass(frozen=True)
class Fault:
    """What to do to one request."""

    kind: str  # one of KINDS
    status: int = DEFAULT_STATUS  # "status"
    delay: float = 0.0  # "delay"
    fraction: float = 0.5  # "truncate": share of the body sent
    headers: dict[str, str] = field(default_factory=dict)  # "status": extra response headers


@dataclass
class _Rule:
    index: int
    pattern: re.Pattern[str] | None
    fault: Fault
    times: int | None
    probability: float | None
    seed: int
    fired: int = 0


@dataclass
class _RandomRule:
    index: int
    pattern: re.Pattern[str] | None
    seed: int
    # Cumulative thresholds: u < status -> status, < slow -> delay, < reset -> reset, < truncate -> truncate.
    bands: list[tuple[float, str]]
    slow_delay: float
    statuses: list[int]


def unit(*parts: object) -> float:
    """A deterministic draw in [0, 1) from the parts (stable across processes, unlike hash())."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def _pattern(spec: dict[str, Any]) -> re.Pattern[str] | None:
    path = spec.get("path")
    return re.compile(path) if path else None


def _probability(value: Any, name: str) -> float:
    p = float(value)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be within [0, 1], got {value!r}")
    return p


def parse_rules(spec: Any) -> list[_Rule | _RandomRule]:
    """Validate the JSON a test posts: a rule, a list of rules, or {"rules": [...]}."""
    if spec is None:
        return []
    if isinstance(spec, dict) and "rules" in spec:
        spec = spec["rules"]
    if isinstance(spec, dict):
        spec = [spec]
    if not isinstance(spec, list):
        raise ValueError(f"fault rules must be a JSON object or list, got {type(spec).__name__}")
    rules: list[_Rule | _RandomRule] = []
    for i, raw in enumerate(spec):
        if not isinstance(raw, dict):
            raise ValueError(f"fault rule {i} is not an object: {raw!r}")
        if "random" in raw:
            rnd = dict(raw["random"])
            rnd.setdefault("path", raw.get("path"))
            bands: list[tuple[float, str]] = []
            total = 0.0
            for name, kind in RANDOM_BANDS:
                total += _probability(rnd.get(name, 0.0), f"random.{name}")
                bands.append((total, kind))
            if total > 1.0 + 1e-9:
                raise ValueError(f"random fault shares add up to {total:.3f} > 1")
            statuses = [int(s) for s in rnd.get("statuses", [500, 503])]
            if not statuses:
                raise ValueError("random.statuses must not be empty")
            rules.append(
                _RandomRule(
                    index=i,
                    pattern=_pattern(rnd),
                    seed=int(rnd.get("seed", 0)),
                    bands=bands,
                    slow_delay=float(rnd.get("slow_delay", 3.0)),
                    statuses=statuses,
                )
            )
            continue
        kind = raw.get("kind", "status")
        if kind not in KINDS:
            raise ValueError(f"fault rule {i}: unknown kind {kind!r} (expected one of {KINDS})")
        fault = Fault(
            kind=kind,
            status=int(raw.get("status", DEFAULT_STATUS)),
            delay=float(raw.get("delay", DEFAULT_DELAY)),
            fraction=float(raw.get("fraction", 0.5)),
            headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
        )
        times = raw.get("times")
        probability = raw.get("probability")
        rules.append(
            _Rule(
                index=i,
                pattern=_pattern(raw),
                fault=fault,
                times=None if times is None else int(times),
                probability=None if probability is None else _probability(probability, "probability"),
                seed=int(raw.get("seed", 0)),
            )
        )
    return rules


class FaultEngine:
    """The fault rules of one site, with the per-URL attempt counters they draw on. Thread-safe."""

    def __init__(self, spec: Any = None) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule | _RandomRule] = []
        self._spec: list[Any] = []
        self._attempts: defaultdict[str, int] = defaultdict(int)
        if spec is not None:
            self.set(spec)

    @property
    def active(self) -> bool:
        return bool(self._rules)

    @property
    def spec(self) -> list[Any]:
        """The rules as posted (for the control API)."""
        return list(self._spec)

    def set(self, spec: Any) -> None:
        """Replace the rules; counters (times, attempts) start again from zero."""
        rules = parse_rules(spec)
        if isinstance(spec, dict) and "rules" in spec:
            spec = spec["rules"]
        with self._lock:
            self._rules = rules
            self._spec = list(spec) if isinstance(spec, list) else ([] if spec is None else [spec])
            self._attempts = defaultdict(int)

    def clear(self) -> None:
        self.set(None)

    def decide(self, target: str) -> Fault | None:
        """The fault for this request (path and query as sent), or None to answer normally."""
        if not self._rules:  # fast path: no lock when nothing is configured
            return None
        with self._lock:
            self._attempts[target] += 1
            attempt = self._attempts[target]
            for rule in self._rules:
                if rule.pattern is not None and rule.pattern.search(target) is None:
                    continue
                if isinstance(rule, _RandomRule):
                    fault = self._draw(rule, target, attempt)
                    if fault is not None:
                        return fault
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                if rule.probability is not None:
                    if unit(rule.seed, rule.index, target, attempt) >= rule.probability:
                        continue
                rule.fired += 1
                return rule.fault
        return None

    @staticmethod
    def _draw(rule: _RandomRule, target: str, attempt: int) -> Fault | None:
        u = unit(rule.seed, target, attempt)
        for bound, kind in rule.bands:
            if u < bound:
                if kind == "status":
                    pick = int(unit(rule.seed, "status", target, attempt) * len(rule.statuses))
                    return Fault("status", status=rule.statuses[pick])
                if kind == "delay":
                    return Fault("delay", delay=rule.slow_delay)
                return Fault(kind)
        return None
