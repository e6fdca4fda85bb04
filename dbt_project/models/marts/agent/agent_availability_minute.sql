-- Agent Availability (seed 002): per tenant, agent group and minute, how many agents were in
-- each state at the start of the minute (hh:mm:00 UTC). Only minutes with at least one agent
-- logged in have a row. A state covers the minute starts in [started_at, end); open states
-- (no end known) and the logged_out instant are not counted. Minutes are generated per state
-- interval (agent_timestamp_series), so the table is bounded by the logged-in time.
with

states as (

    select * from {{ ref('int_agent__states') }}
    where end_source <> 'open'
      and status <> 'logged_out'

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

bounded as (

    select
        tenant_id,
        agent_id,
        agent_group_id,
        status,
        case
            when {{ dbt.date_trunc('minute', 'started_at') }} = started_at then started_at
            else {{ dbt.dateadd('minute', 1, dbt.date_trunc('minute', 'started_at')) }}
        end as first_minute,
        case
            when {{ dbt.date_trunc('minute', 'effective_ended_at') }} = effective_ended_at
                then {{ dbt.dateadd('minute', -1, 'effective_ended_at') }}
            else {{ dbt.date_trunc('minute', 'effective_ended_at') }}
        end as last_minute
    from states

),

minutes as (

    select
        tenant_id,
        agent_id,
        agent_group_id,
        status,
        {{ ccwh.agent_timestamp_series('first_minute', 'last_minute', 1) }} as minute_start
    from bounded
    where first_minute <= last_minute

),

aggregated as (

    select
        tenant_id,
        agent_group_id,
        minute_start,
        cast(count(distinct agent_id) as bigint) as logged_in_agents,
        cast(count(distinct case when status = 'available' then agent_id end) as bigint)
            as available_agents,
        cast(count(distinct case when status = 'busy' then agent_id end) as bigint) as busy_agents,
        cast(count(distinct case when status = 'wrap_up' then agent_id end) as bigint)
            as wrap_up_agents,
        cast(count(distinct case when status = 'break' then agent_id end) as bigint) as break_agents,
        cast(count(distinct case when status = 'logged_in' then agent_id end) as bigint)
            as starting_agents,
        cast(count(distinct case
            when status not in ('available', 'busy', 'wrap_up', 'break', 'logged_in') then agent_id
        end) as bigint) as other_state_agents
    from minutes
    group by tenant_id, agent_group_id, minute_start

),

final as (

    select
        aggregated.tenant_id,
        {{ ccwh.report_day('aggregated.minute_start', 'tenants.reports_time_zone', 'tenants.behind_utc') }}
            as report_day,
        aggregated.agent_group_id,
        cast(aggregated.minute_start as timestamp) as minute_start,
        cast({{ ccwh.to_local('aggregated.minute_start', 'tenants.reports_time_zone') }} as timestamp)
            as minute_start_local,
        aggregated.logged_in_agents,
        aggregated.available_agents,
        aggregated.busy_agents,
        aggregated.wrap_up_agents,
        aggregated.break_agents,
        aggregated.starting_agents,
        aggregated.other_state_agents
    from aggregated
    left join tenants
        on aggregated.tenant_id = tenants.tenant_id

)

select * from final
