{#
  iso_day_of_week(ts): ISO day of the week of a timestamp as a bigint, 1 = Monday ... 7 =
  Sunday (the numbering seed 002's report schedules use). Engine-specific names: DuckDB
  isodow, Spark weekday() (0 = Monday) + 1.
#}
{% macro iso_day_of_week(ts) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'ccwh')(ts)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(ts) -%}
    cast(weekday({{ ts }}) + 1 as bigint)
{%- endmacro %}

{% macro duckdb__iso_day_of_week(ts) -%}
    cast(isodow({{ ts }}) as bigint)
{%- endmacro %}

{% macro spark__iso_day_of_week(ts) -%}
    cast(weekday({{ ts }}) + 1 as bigint)
{%- endmacro %}
