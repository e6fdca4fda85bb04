-- One row per agent state interval (agent_status event), with the end used for durations:
--   ended_at of the event when it has one (end_source 'event');
--   else the started_at of the agent's next status event (end_source 'next_status'), e.g.
--   the last state of a session without logout, closed by the next login;
--   else none (end_source 'open'): still running or never closed; excluded from durations.
-- Plus the agent's group as of started_at (int_directory__history) and the report day of started_at.
with

status_events as (

    select * from {{ ref('stg_ccwh__agent_status') }}
    where started_at is not null

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

-- The same state sent twice under different event ids (e.g. once still open, once closed)
-- is kept once: the copy with an end, the latest end, then the smallest event_id.
deduplicated as (

    select * from (
        select
            status_events.*,
            row_number() over (
                partition by tenant_id, agent_id, session_id, status, started_at
                order by
                    case when ended_at is null then 1 else 0 end asc nulls last,
                    ended_at desc nulls last,
                    event_id asc nulls last
            ) as copy_rank
        from status_events
    ) as ranked
    where copy_rank = 1

),

sequenced as (

    select
        deduplicated.*,
        lead(started_at) over (
            partition by tenant_id, agent_id
            order by started_at asc nulls last, event_id asc nulls last
        ) as next_started_at
    from deduplicated

),

closed as (

    select
        sequenced.*,
        coalesce(ended_at, next_started_at) as effective_ended_at,
        case
            when ended_at is not null then 'event'
            when next_started_at is not null then 'next_status'
            else 'open'
        end as end_source
    from sequenced

),

final as (

    select
        closed.event_id,
        closed.tenant_id,
        closed.agent_id,
        agent_directory.agent_group_id,
        closed.session_id,
        closed.status,
        closed.reason_code,
        closed.started_at,
        closed.ended_at,
        cast(closed.effective_ended_at as timestamp) as effective_ended_at,
        cast(closed.end_source as string) as end_source,
        cast({{ ccwh.seconds_between('closed.started_at', 'closed.effective_ended_at') }} as double)
            as duration_seconds,
        {{ ccwh.report_day('closed.started_at', 'tenants.reports_time_zone', 'tenants.behind_utc') }}
            as report_day,
        tenants.reports_time_zone,
        tenants.behind_utc
    from closed
    left join tenants
        on closed.tenant_id = tenants.tenant_id
    {{ ccwh.directory_as_of('agent', 'closed.tenant_id', 'closed.agent_id', 'closed.started_at', 'agent_directory') }}

)

select * from final
