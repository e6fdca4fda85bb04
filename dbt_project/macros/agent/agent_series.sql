{#
  Row generators for the agent marts (PORTABILITY rule 2: engine-specific, so dispatched).
  Both are used in a SELECT list and turn one input row into one row per element; both
  bounds are inclusive, and the caller must make sure start <= stop (Spark's sequence()
  raises on a reversed range where DuckDB returns nothing).

  agent_timestamp_series(start_ts, stop_ts, step_minutes): timestamps start_ts, start_ts +
    step, ... <= stop_ts. step_minutes is a compile-time integer.
  agent_date_series(start_date, stop_date): every date from start_date to stop_date.
#}
{% macro agent_timestamp_series(start_ts, stop_ts, step_minutes) -%}
    {{ return(adapter.dispatch('agent_timestamp_series', 'ccwh')(start_ts, stop_ts, step_minutes)) }}
{%- endmacro %}

{% macro default__agent_timestamp_series(start_ts, stop_ts, step_minutes) -%}
    {{ ccwh.spark__agent_timestamp_series(start_ts, stop_ts, step_minutes) }}
{%- endmacro %}

{% macro duckdb__agent_timestamp_series(start_ts, stop_ts, step_minutes) -%}
    unnest(generate_series(
        cast({{ start_ts }} as timestamp),
        cast({{ stop_ts }} as timestamp),
        interval ({{ step_minutes | int }}) minute
    ))
{%- endmacro %}

{% macro spark__agent_timestamp_series(start_ts, stop_ts, step_minutes) -%}
    explode(sequence(
        cast({{ start_ts }} as timestamp),
        cast({{ stop_ts }} as timestamp),
        interval {{ step_minutes | int }} minutes
    ))
{%- endmacro %}


{% macro agent_date_series(start_date, stop_date) -%}
    {{ return(adapter.dispatch('agent_date_series', 'ccwh')(start_date, stop_date)) }}
{%- endmacro %}

{% macro default__agent_date_series(start_date, stop_date) -%}
    {{ ccwh.spark__agent_date_series(start_date, stop_date) }}
{%- endmacro %}

{% macro duckdb__agent_date_series(start_date, stop_date) -%}
    cast(unnest(generate_series(
        cast({{ start_date }} as timestamp),
        cast({{ stop_date }} as timestamp),
        interval 1 day
    )) as date)
{%- endmacro %}

{% macro spark__agent_date_series(start_date, stop_date) -%}
    explode(sequence(cast({{ start_date }} as date), cast({{ stop_date }} as date)))
{%- endmacro %}
