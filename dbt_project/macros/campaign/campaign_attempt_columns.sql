{#
  campaign_attempt_columns(): the columns of all_attempts / best_contact, in order (without
  best_contact itself). One list shared by the two marts, all_contacts and
  best_contact_in_range, so that every Best Contact output has the same shape.
#}
{% macro campaign_attempt_columns() -%}
    {{ return([
        'tenant_id', 'campaign_id', 'sub_campaign_id', 'list_id', 'client_id', 'contact_id',
        'organization_id', 'interaction_id', 'event_id', 'channel', 'pass_type', 'direction',
        'device', 'completion_status', 'status_rank', 'status_description', 'is_known_status',
        'started_at', 'connected_at', 'bridged_at', 'ended_at', 'talk_seconds',
        'dc_attempt_count', 'started_at_local', 'report_day'
    ]) }}
{%- endmacro %}
