"""Validate a pandas DataFrame with Great Expectations and turn the outcome into a check result.

Great Expectations is imported on first use, not at module import: it takes 5–15 s on this
machine (STACK.md), which would slow every load of ``orchestration.definitions`` (the
webserver, the daemon, each run). A run pays it once, in its first check.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dagster import AssetCheckResult, AssetCheckSeverity

if TYPE_CHECKING:
    import pandas as pd

_EXAMPLES = 5  # unexpected values quoted in a failure description


@dataclass(frozen=True)
class Expect:
    """One expectation: a Great Expectations class name (``ExpectColumnValuesToBeBetween``)
    and its arguments. Kept as data so that suites are defined without importing GE."""

    kind: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        args = ", ".join(f"{k}={_show(v)}" for k, v in self.kwargs.items())
        return f"{self.kind}({args})"


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, list) and len(value) > 4:
        return f"[{len(value)} values]"
    return repr(value)


@dataclass(frozen=True)
class Outcome:
    expect: Expect
    success: bool
    detail: str  # what was observed: unexpected count and examples, or the observed value


@functools.cache
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # The progress bars go to stderr, once per metric: noise in run logs and `ccwh build`.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("ccwh")
    return context


@functools.cache
def _batch_definition(name: str) -> Any:
    asset = _context().data_sources.get("ccwh").add_dataframe_asset(name)
    return asset.add_batch_definition_whole_dataframe("whole")


def validate(name: str, frame: pd.DataFrame, expectations: list[Expect]) -> list[Outcome]:
    """Run each expectation on ``frame`` (a DataFrame named ``name`` in GE's results)."""
    import great_expectations as gx

    batch = _batch_definition(name).get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(
        name=name,
        expectations=[getattr(gx.expectations, e.kind)(**e.kwargs) for e in expectations],
    )
    result = batch.validate(suite, result_format="SUMMARY")
    outcomes = []
    for expect, one in zip(expectations, result.results, strict=True):
        outcomes.append(Outcome(expect, bool(one.success), _detail(one)))
    return outcomes


def _detail(one: Any) -> str:
    info = one.exception_info or {}
    if info.get("raised_exception"):
        return f"could not be evaluated: {info.get('exception_message')}"
    result = one.result or {}
    if result.get("unexpected_count") is not None:
        examples = ", ".join(
            str(v) for v in (result.get("partial_unexpected_list") or [])[:_EXAMPLES]
        )
        text = f"{result['unexpected_count']} unexpected"
        return text + (f" (e.g. {examples})" if examples and result["unexpected_count"] else "")
    return f"observed {result.get('observed_value')!r}"


def check_result(
    check_name: str,
    severity: AssetCheckSeverity,
    outcomes: list[Outcome],
    rows: int,
    *,
    fix: str = "",
) -> AssetCheckResult:
    """One Dagster check result for a suite: passed when every expectation succeeded."""
    failed = [o for o in outcomes if not o.success]
    if failed:
        description = "; ".join(f"{o.expect.describe()}: {o.detail}" for o in failed)
        if fix:
            description += f". {fix}"
    else:
        description = f"{len(outcomes)} expectation(s) met on {rows} row(s)"
    return AssetCheckResult(
        check_name=check_name,
        passed=not failed,
        severity=severity,
        description=description,
        metadata={
            "rows": rows,
            "expectations": "\n".join(
                f"{'ok  ' if o.success else 'FAIL'} {o.expect.describe()}: {o.detail}"
                for o in outcomes
            ),
        },
    )
