-- Agent States detail (seed 002 "Agent States"): every agent state interval, one row per
-- report day it overlaps (split at report-day boundaries), with its seconds on that day.
with

pieces as (

    select * from {{ ref('int_agent__state_pieces') }}

),

final as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        session_id,
        status,
        reason_code,
        started_at,
        ended_at,
        seconds,
        state_started_at,
        state_ended_at,
        end_source,
        is_split,
        event_id
    from pieces

)

select * from final
