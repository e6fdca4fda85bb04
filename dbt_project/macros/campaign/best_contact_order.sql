{#
  best_contact_order(): the ORDER BY of Best Contact (seed 002, DESIGN §4) inside a window
  partitioned by tenant_id, campaign_id, client_id; row 1 is the best attempt:
    1. the highest completion-status rank (unknown statuses rank 0),
    2. among equal ranks the most recent: latest started_at,
    3. then the latest ended_at,
    4. then the highest interaction_id, and the highest event_id (unique) so that exactly one
       row wins even if a sender reuses an interaction_id.
  The one definition used by int_campaign_attempts (entire campaign) and by
  best_contact_in_range (a report's range). `alias` qualifies the columns ("a." -> a.status_rank).
#}
{% macro best_contact_order(alias='') -%}
    {{ alias }}status_rank desc nulls last,
    {{ alias }}started_at desc nulls last,
    {{ alias }}ended_at desc nulls last,
    {{ alias }}interaction_id desc nulls last,
    {{ alias }}event_id desc nulls last
{%- endmacro %}
