-- Agent Performance (seed 002): seconds, count and average duration of each state per agent
-- and report day. Built from the state intervals split at report-day boundaries, so a state
-- crossing the boundary counts on both days with each day's share of the seconds. Open states
-- (no end known) are excluded from seconds, count and average; open_state_count shows them.
with

pieces as (

    select * from {{ ref('int_agent__state_pieces') }}

),

aggregated as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        status,
        cast(sum(case when end_source <> 'open' then seconds else 0 end) as double) as state_seconds,
        cast(sum(case when end_source <> 'open' then 1 else 0 end) as bigint) as state_count,
        cast(sum(case when end_source = 'open' then 1 else 0 end) as bigint) as open_state_count
    from pieces
    group by tenant_id, report_day, agent_id, agent_group_id, status

),

final as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        status,
        state_seconds,
        state_count,
        {{ ccwh.safe_divide('state_seconds', 'state_count') }} as avg_state_seconds,
        open_state_count
    from aggregated

)

select * from final
