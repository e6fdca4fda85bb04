{#
  seconds_between(a, b): b - a in seconds as a `double`, exact to the microsecond (both
  engines store timestamps in microseconds); null when either side is null.

  Not dbt.datediff(a, b, 'second'): that counts second *boundaries* on DuckDB (10:00:00.9 ->
  10:00:01.1 is 1 s) and truncates to whole seconds on Spark, but waits are compared with
  thresholds such as "< 5 s" where 4.9 s matters. dbt.datediff(..., 'microsecond') is exact on
  DuckDB; dbt-spark's datediff goes through to_unix_timestamp (whole seconds), so Spark uses
  unix_micros instead.
#}
{% macro seconds_between(a, b) -%}
    {{ return(adapter.dispatch('seconds_between', 'ccwh')(a, b)) }}
{%- endmacro %}

{% macro default__seconds_between(a, b) -%}
    (cast({{ dbt.datediff(a, b, 'microsecond') }} as double) / 1000000)
{%- endmacro %}

{% macro duckdb__seconds_between(a, b) -%}
    (cast({{ dbt.datediff(a, b, 'microsecond') }} as double) / 1000000)
{%- endmacro %}

{% macro spark__seconds_between(a, b) -%}
    (cast(unix_micros({{ b }}) - unix_micros({{ a }}) as double) / 1000000)
{%- endmacro %}
