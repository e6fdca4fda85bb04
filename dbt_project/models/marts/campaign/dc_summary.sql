{#- Failure reasons get a count column each (seed 002: "a further breakdown of all DC
    failures"); a status not listed here (or unknown) counts in other_failed_dcs. -#}
{%- set failure_statuses = [
    'DC_NO_LINES_AVAILABLE', 'DC_CALL_CENTER_BUSY', 'DC_CALL_CENTER_NO_ANSWER',
    'DC_CLIENT_HANGUP_DURING_TRANSFER', 'DC_CLIENT_HANGUP_ON_HOLD', 'CONTACT_ABORTED',
    'DC_CALL_CENTER_HANGUP_ON_HOLD', 'DC_FAILED', 'TELEPHONY_ERROR',
] -%}
-- Contact Center Direct Connect summary / Standard Skill Group summary (seed 002): per
-- tenant, campaign, sub-campaign, Direct Connect number and report day (of attempted_at):
-- successful and failed DC attempts with the failures by status, and average ring, whisper
-- and talk seconds over the answered (successful) DC attempts only ("averages across the
-- number of calls answered, not the total number of calls").
with

dc_attempts as (

    select * from {{ ref('int_campaign_dc_attempts') }}

),

final as (

    select
        tenant_id,
        campaign_id,
        sub_campaign_id,
        dc_number,
        report_day,
        cast(count(*) as bigint) as dc_attempts,
        cast(count(distinct event_id) as bigint) as calls,
        cast(sum(case when is_success then 1 else 0 end) as bigint) as successful_dcs,
        cast(sum(case when is_success then 0 else 1 end) as bigint) as failed_dcs,
        {%- for status in failure_statuses %}
        cast(sum(case when dc_status = '{{ status }}' then 1 else 0 end) as bigint)
            as {{ status | lower }}_dcs,
        {%- endfor %}
        cast(sum(case
            when is_success then 0
            {%- for status in failure_statuses %}
            when dc_status = '{{ status }}' then 0
            {%- endfor %}
            else 1
        end) as bigint) as other_failed_dcs,
        {{ ccwh.safe_divide('sum(case when is_success then 1 else 0 end)', 'count(*)') }}
            as success_rate,
        cast(avg(case when is_success then ring_seconds end) as double) as avg_ring_seconds,
        cast(avg(case when is_success then whisper_seconds end) as double) as avg_whisper_seconds,
        cast(avg(case when is_success then talk_seconds end) as double) as avg_talk_seconds
    from dc_attempts
    group by tenant_id, campaign_id, sub_campaign_id, dc_number, report_day

)

select * from final
