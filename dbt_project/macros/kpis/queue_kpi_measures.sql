{#
  queue_kpi_measures(): the queue KPI columns (DESIGN §4) aggregated over rows of
  int_queue_interactions, for any grain (interval, day, ...). Counts are bigint, rates and
  averages double (DuckDB's integer sum is HUGEINT); a rate or average with a 0 denominator
  is null. Column order is part of the marts' contract.
#}
{% macro queue_kpi_measures() -%}
    cast(count(*) as bigint) as offered,
    cast(sum(case when outcome = 'answered' then 1 else 0 end) as bigint) as answered,
    cast(sum(case when outcome = 'abandoned' then 1 else 0 end) as bigint) as abandoned,
    cast(sum(case when is_short_abandon then 1 else 0 end) as bigint) as short_abandoned,
    cast(sum(case when answered_within_sl then 1 else 0 end) as bigint) as answered_within_sl,
    {{ ccwh.safe_divide(
        'sum(case when answered_within_sl then 1 else 0 end)',
        'count(*) - sum(case when is_short_abandon then 1 else 0 end)'
    ) }} as service_level,
    {{ ccwh.safe_divide(
        "sum(case when outcome = 'abandoned' then 1 else 0 end)",
        'count(*)'
    ) }} as abandon_rate,
    cast(avg(case when outcome = 'answered' then wait_seconds end) as double) as asa_seconds,
    cast(avg(case when outcome = 'abandoned' then wait_seconds end) as double)
        as avg_time_to_abandon_seconds,
    cast(avg(case when outcome = 'answered' then talk_seconds end) as double) as avg_talk_seconds,
    cast(avg(case when outcome = 'answered' then handle_seconds end) as double)
        as avg_handle_seconds
{%- endmacro %}
