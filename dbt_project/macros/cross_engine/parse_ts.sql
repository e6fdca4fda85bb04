{#
  parse_ts(expr): an RFC 3339 string with an offset ("2026-11-20T10:00:00+01:00", "...Z")
  -> the UTC instant as a `timestamp` without time zone. Both sessions run in UTC
  (PORTABILITY rule 1), which is what makes the final cast land on UTC wall time.
  Unparseable text becomes null (the receiver already refuses such events).
#}
{% macro parse_ts(expr) -%}
    {{ return(adapter.dispatch('parse_ts', 'ccwh')(expr)) }}
{%- endmacro %}

{% macro default__parse_ts(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}

{% macro duckdb__parse_ts(expr) -%}
    cast(try_cast({{ expr }} as timestamptz) as timestamp)
{%- endmacro %}

{% macro spark__parse_ts(expr) -%}
    {#- Spark applies the offset and renders in spark.sql.session.timeZone (UTC). -#}
    cast({{ expr }} as timestamp)
{%- endmacro %}
