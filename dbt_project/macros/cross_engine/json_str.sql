{#
  json_str(column, 'field'): the value at $.field of a JSON document as a string (null when
  absent or JSON null). Nested paths work: json_str('data', 'attributes.reports_time_zone').
  An object or array comes back as its JSON text.
#}
{% macro json_str(column, field) -%}
    {{ return(adapter.dispatch('json_str', 'ccwh')(column, field)) }}
{%- endmacro %}

{% macro default__json_str(column, field) -%}
    get_json_object({{ column }}, '$.{{ field }}')
{%- endmacro %}

{% macro duckdb__json_str(column, field) -%}
    json_extract_string({{ column }}, '$.{{ field }}')
{%- endmacro %}

{% macro spark__json_str(column, field) -%}
    get_json_object({{ column }}, '$.{{ field }}')
{%- endmacro %}
