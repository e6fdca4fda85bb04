{#
  between: every non-null value lies within [min_value, max_value] (both inclusive; either
  bound may be omitted). Nulls pass: a null rate is "no denominator", not out of range.
#}
{% test between(model, column_name, min_value=none, max_value=none) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (
    {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% else %} 1 = 0{% endif %}
    or
    {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% else %} 1 = 0{% endif %}
  )

{% endtest %}
