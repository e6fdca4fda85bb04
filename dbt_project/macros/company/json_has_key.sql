{#
  json_has_key(column, 'key'): true when the JSON object text in `column` has the top-level
  key, even with a null value; false when the key is absent (or the text is not an object).
  Tells "attribute not sent" (keep the previous value) from "attribute sent as null" (clear
  it) in directory upserts, which json_str alone cannot: both give null.
#}
{% macro json_has_key(column, key) -%}
    {{ return(adapter.dispatch('json_has_key', 'ccwh')(column, key)) }}
{%- endmacro %}

{% macro default__json_has_key(column, key) -%}
    coalesce(array_contains(json_object_keys({{ column }}), '{{ key }}'), false)
{%- endmacro %}

{% macro duckdb__json_has_key(column, key) -%}
    {#- json_exists raises on malformed text; json_valid guards it. -#}
    coalesce(
        case when json_valid({{ column }}) then json_exists({{ column }}, '$.{{ key }}') end,
        false
    )
{%- endmacro %}

{% macro spark__json_has_key(column, key) -%}
    {#- json_object_keys (Spark >= 3.1) is null for text that is not a JSON object. -#}
    coalesce(array_contains(json_object_keys({{ column }}), '{{ key }}'), false)
{%- endmacro %}
