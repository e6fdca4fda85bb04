{#- Dialer (seed 002): one record per contact with its attempts as columns. prior_1 is the
    attempt just before the last, prior_10 the tenth before it. -#}
{%- set prior_slots = var('dialer_detail_prior_attempts') | int -%}
{%- set fields = [
    ('interaction_id', 'interaction_id'),
    ('attempt_at', 'started_at'),
    ('ended_at', 'ended_at'),
    ('status', 'completion_status'),
    ('device', 'device'),
] -%}
-- Dialer (seed 002): one row per tenant x campaign x client_id over the attempted records
-- of all_attempts (filtered records and attempts without a client_id are left out): the first
-- attempt, the last attempt and up to {{ prior_slots }} attempts before the last as columns
-- (prior_1_* = the attempt just before the last). Attempts are ordered by started_at, then
-- ended_at, interaction_id, event_id. An attempt can fill two slots (with 3 attempts,
-- prior_2 is also the first); with more than {{ prior_slots + 2 }} attempts the oldest after the
-- first are dropped from the columns but counted in `attempts` (attempts_not_shown).
with

attempts as (

    select
        *,
        count(*) over (partition by tenant_id, campaign_id, client_id) as attempts_total
    from {{ ref('int_campaign_attempts') }}
    where not is_filtered
      and client_id is not null

),

positioned as (

    select
        *,
        attempts_total - attempt_number as attempts_before_last
    from attempts

),

pivoted as (

    select
        tenant_id,
        campaign_id,
        client_id,
        cast(max(attempts_total) as bigint) as attempts,
        max(case when attempts_before_last = 0 then sub_campaign_id end) as sub_campaign_id,
        max(case when attempts_before_last = 0 then list_id end) as list_id,
        max(case when attempts_before_last = 0 then contact_id end) as contact_id,
        max(case when best_contact = 1 then interaction_id end) as best_interaction_id,
        max(case when best_contact = 1 then completion_status end) as best_status,
        {%- for name, column in fields %}
        max(case when attempt_number = 1 then {{ column }} end) as first_{{ name }},
        {%- endfor %}
        {%- for name, column in fields %}
        max(case when attempts_before_last = 0 then {{ column }} end) as last_{{ name }},
        {%- endfor %}
        {%- for slot in range(1, prior_slots + 1) %}
        {%- for name, column in fields %}
        max(case when attempts_before_last = {{ slot }} then {{ column }} end) as prior_{{ slot }}_{{ name }},
        {%- endfor %}
        {%- endfor %}
        max(case when attempts_before_last = 0 then report_day end) as report_day
    from positioned
    group by tenant_id, campaign_id, client_id

),

final as (

    select
        tenant_id,
        campaign_id,
        sub_campaign_id,
        list_id,
        client_id,
        contact_id,
        attempts,
        cast(case when attempts > {{ prior_slots + 2 }} then attempts - {{ prior_slots + 2 }} else 0 end as bigint)
            as attempts_not_shown,
        best_interaction_id,
        best_status,
        {%- for position in ['first', 'last'] %}
        {%- for name, column in fields %}
        {{ position }}_{{ name }},
        {%- endfor %}
        {%- endfor %}
        {%- for slot in range(1, prior_slots + 1) %}
        {%- for name, column in fields %}
        prior_{{ slot }}_{{ name }},
        {%- endfor %}
        {%- endfor %}
        -- The prior attempts as one text, oldest first: "STATUS@started_at; ...".
        cast(nullif(concat_ws(
            '; '
            {%- for slot in range(prior_slots, 0, -1) %},
            case when prior_{{ slot }}_status is not null then
                {{ dbt.concat(['prior_' ~ slot ~ '_status', "'@'", 'cast(prior_' ~ slot ~ '_attempt_at as string)']) }}
            end
            {%- endfor %}
        ), '') as string) as prior_attempts,
        report_day
    from pivoted

)

select * from final
