{#
  dbt.safe_cast on DuckDB: dbt-duckdb has no override, so dbt's default `cast` would fail the
  whole model on one bad value. try_cast gives null instead, like Spark with ANSI off
  (PORTABILITY rule 7).
#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
