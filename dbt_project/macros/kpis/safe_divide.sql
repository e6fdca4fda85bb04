{#
  safe_divide(numerator, denominator): numerator / denominator as a double, null when the
  denominator is 0 or null. DESIGN §4: a rate or average whose denominator is 0 is null,
  never 0.
#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then cast(null as double)
        else cast({{ numerator }} as double) / cast({{ denominator }} as double)
    end
{%- endmacro %}
