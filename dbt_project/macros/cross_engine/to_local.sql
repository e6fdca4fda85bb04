{#
  to_local(ts, tz_expr): UTC `timestamp` -> wall-clock time in the IANA zone tz_expr (a
  column or a quoted literal such as "'America/New_York'"), as a `timestamp` without zone.
#}
{% macro to_local(ts, tz_expr) -%}
    {{ return(adapter.dispatch('to_local', 'ccwh')(ts, tz_expr)) }}
{%- endmacro %}

{% macro default__to_local(ts, tz_expr) -%}
    from_utc_timestamp({{ ts }}, {{ tz_expr }})
{%- endmacro %}

{% macro duckdb__to_local(ts, tz_expr) -%}
    timezone({{ tz_expr }}, timezone('UTC', {{ ts }}))
{%- endmacro %}

{% macro spark__to_local(ts, tz_expr) -%}
    from_utc_timestamp({{ ts }}, {{ tz_expr }})
{%- endmacro %}
