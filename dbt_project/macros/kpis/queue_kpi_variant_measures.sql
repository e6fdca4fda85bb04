{#
  queue_kpi_variant_measures(): the queue KPI columns added after queue_kpi_measures()'s
  (DESIGN §4 variants: the three service-level formulas and the `_excl_short` counts and
  rates), aggregated over rows of int_queue_interactions for any grain. Counts bigint, rates
  and averages double; a 0 denominator gives null (safe_divide). Column order is part of the
  queue marts' contract (decisions/queue.md).
#}
{% macro queue_kpi_variant_measures() -%}
    {%- set offered = 'count(*)' -%}
    {%- set answered = "sum(case when outcome = 'answered' then 1 else 0 end)" -%}
    {%- set abandoned = "sum(case when outcome = 'abandoned' then 1 else 0 end)" -%}
    {%- set short = 'sum(case when is_short_abandon then 1 else 0 end)' -%}
    {%- set answered_in_sl = 'sum(case when answered_within_sl then 1 else 0 end)' -%}
    {%- set abandoned_in_sl = 'sum(case when abandoned_within_sl then 1 else 0 end)' -%}
    cast({{ abandoned_in_sl }} as bigint) as abandoned_within_sl,
    cast({{ offered }} - {{ short }} as bigint) as offered_excl_short,
    cast({{ abandoned }} - {{ short }} as bigint) as abandoned_excl_short,
    {{ ccwh.safe_divide(answered_in_sl, offered ~ ' - ' ~ short) }} as service_level_excl_short,
    {{ ccwh.safe_divide(answered_in_sl, answered) }} as service_level_of_answered,
    {{ ccwh.safe_divide('(' ~ answered_in_sl ~ ' + ' ~ abandoned_in_sl ~ ')', offered) }}
        as service_level_incl_abandoned,
    {{ ccwh.safe_divide(abandoned ~ ' - ' ~ short, offered ~ ' - ' ~ short) }}
        as abandon_rate_excl_short,
    cast(avg(case when outcome = 'abandoned' and not is_short_abandon then wait_seconds end) as double)
        as avg_time_to_abandon_excl_short_seconds
{%- endmacro %}

{#
  chosen_service_level(formula): the service-level variant a tenant or queue chose
  (sl_formula), over the columns queue_kpi_variant_measures() produced. A null formula (never
  in practice: int_tenants always resolves one) falls back to the default formula.
#}
{% macro chosen_service_level(formula) -%}
    case {{ formula }}
        when 'answered' then service_level_of_answered
        when 'answered_and_abandoned' then service_level_incl_abandoned
        else service_level_excl_short
    end
{%- endmacro %}
