{#
  json_array_elements(relation, array_column, columns): one row per element of the JSON array
  held as text in array_column, for every row of relation (a CTE name or a relation), with
  the listed columns carried along plus
    element_index  bigint, the 0-based position in the array,
    element        string, the element's JSON text (read its fields with json_str).
  Rows whose array is null, JSON null or empty give no rows. Flattening is engine-specific
  (PORTABILITY rule 2): DuckDB joins a generated index series laterally, Spark uses
  posexplode(from_json(..., 'array<string>')) (an object element parsed as a string comes back
  as its JSON text).
#}
{% macro json_array_elements(relation, array_column, columns) -%}
    {{ return(adapter.dispatch('json_array_elements', 'ccwh')(relation, array_column, columns)) }}
{%- endmacro %}

{% macro default__json_array_elements(relation, array_column, columns) -%}
    {{ ccwh.spark__json_array_elements(relation, array_column, columns) }}
{%- endmacro %}

{% macro duckdb__json_array_elements(relation, array_column, columns) -%}
    select
        {%- for column in columns %}
        src.{{ column }},
        {%- endfor %}
        cast(idx.element_index as bigint) as element_index,
        cast(json_extract(
            src.{{ array_column }}, '$[' || cast(idx.element_index as varchar) || ']'
        ) as varchar) as element
    from {{ relation }} as src,
        generate_series(
            0,
            cast(coalesce(json_array_length(src.{{ array_column }}), 0) as bigint) - 1
        ) as idx(element_index)
    where json_type(src.{{ array_column }}) = 'ARRAY'
{%- endmacro %}

{% macro spark__json_array_elements(relation, array_column, columns) -%}
    select
        {%- for column in columns %}
        src.{{ column }},
        {%- endfor %}
        cast(idx.element_index as bigint) as element_index,
        cast(idx.element as string) as element
    from {{ relation }} as src
    lateral view posexplode(from_json(src.{{ array_column }}, 'array<string>')) idx
        as element_index, element
{%- endmacro %}
