-- Agent Disposition Code summary (seed 002): answered interactions per disposition code the
-- agent chose, per agent, channel and 15-minute interval (sum over a day's intervals for the
-- daily report). Interactions closed without a code have a row with disposition_code null,
-- so the counts add up to agent_summary_15m.handled.
with

interactions as (

    select * from {{ ref('int_agent__interactions') }}
    where is_answered

),

aggregated as (

    select
        tenant_id,
        report_day,
        interval_start,
        agent_id,
        agent_group_id,
        channel,
        disposition_code,
        cast(count(*) as bigint) as interactions,
        cast(coalesce(sum(talk_seconds), 0) as double) as talk_seconds,
        cast(coalesce(sum(handle_seconds), 0) as double) as handle_seconds,
        interval_start_local
    from interactions
    group by
        tenant_id,
        report_day,
        interval_start,
        agent_id,
        agent_group_id,
        channel,
        disposition_code,
        interval_start_local

)

select * from aggregated
