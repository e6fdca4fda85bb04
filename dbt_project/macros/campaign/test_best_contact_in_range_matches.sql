{#
  best_contact_in_range_matches: the best_contact_in_range macro, run without a range over
  every tenant, must flag exactly the rows the model flags with best_contact = 1 (the
  entire-campaign Best Contact of int_campaign_attempts). Any row returned is a mismatch:
  the two definitions of Best Contact have drifted apart.
#}
{% test best_contact_in_range_matches(model) %}

with

macro_flags as (

    {{ ccwh.best_contact_in_range(mode='flag') }}

)

select
    model_rows.event_id,
    model_rows.best_contact as model_best_contact,
    macro_flags.best_contact as macro_best_contact
from {{ model }} as model_rows
left join macro_flags
    on model_rows.event_id = macro_flags.event_id
where macro_flags.event_id is null
   or model_rows.best_contact <> macro_flags.best_contact

{% endtest %}
