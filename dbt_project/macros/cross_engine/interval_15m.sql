{#
  interval_15m(ts): start of the 15-minute interval holding ts, in the same time base as ts
  (UTC for our timestamps). Built only from dbt's cross-database macros and extract(), so one
  default implementation serves DuckDB and Spark (PORTABILITY rule 3); an engine that needs
  something else adds its own <adapter>__interval_15m.
#}
{% macro interval_15m(ts) -%}
    {{ return(adapter.dispatch('interval_15m', 'ccwh')(ts)) }}
{%- endmacro %}

{% macro default__interval_15m(ts) -%}
    {{ dbt.dateadd('minute', '(15 * floor(extract(minute from ' ~ ts ~ ') / 15))', dbt.date_trunc('hour', ts)) }}
{%- endmacro %}
