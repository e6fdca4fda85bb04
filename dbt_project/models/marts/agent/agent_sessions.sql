-- Login/logout sessions per agent (seed 003 "Controle de Sessão por Usuário"), one row per
-- session_id. login_at = the logged_in state's start (else the session's first state);
-- logout_at = the logged_out state's start. A session without a logout, or whose logout was
-- recorded after the agent's next login, is an incorrect logout: it is closed by the next
-- login (logout_source 'next_login'). A session with neither is still open (or its end is
-- unknown): logout_at and session_seconds are null.
with

states as (

    select * from {{ ref('int_agent__states') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

first_states as (

    select * from (
        select
            tenant_id,
            agent_id,
            session_id,
            agent_group_id,
            row_number() over (
                partition by tenant_id, agent_id, session_id
                order by started_at asc nulls last, event_id asc nulls last
            ) as state_rank
        from states
    ) as ranked
    where state_rank = 1

),

sessions as (

    select
        tenant_id,
        agent_id,
        session_id,
        min(case when status = 'logged_in' then started_at end) as login_event_at,
        min(started_at) as first_state_at,
        min(case when status = 'logged_out' then started_at end) as recorded_logout_at,
        max(coalesce(ended_at, started_at)) as last_activity_at,
        cast(count(*) as bigint) as state_count
    from states
    group by tenant_id, agent_id, session_id

),

sequenced as (

    select
        sessions.*,
        coalesce(login_event_at, first_state_at) as login_at,
        lead(coalesce(login_event_at, first_state_at)) over (
            partition by tenant_id, agent_id
            order by coalesce(login_event_at, first_state_at) asc nulls last, session_id asc nulls last
        ) as next_login_at
    from sessions

),

closed as (

    select
        sequenced.*,
        case
            when recorded_logout_at is not null
                and (next_login_at is null or recorded_logout_at <= next_login_at)
                then recorded_logout_at
            else next_login_at
        end as logout_at,
        case
            when recorded_logout_at is not null
                and (next_login_at is null or recorded_logout_at <= next_login_at)
                then 'logout_event'
            when next_login_at is not null then 'next_login'
            else 'open'
        end as logout_source
    from sequenced

),

final as (

    select
        closed.tenant_id,
        {{ ccwh.report_day('closed.login_at', 'tenants.reports_time_zone', 'tenants.behind_utc') }}
            as report_day,
        closed.agent_id,
        first_states.agent_group_id,
        closed.session_id,
        cast(closed.login_at as timestamp) as login_at,
        cast(closed.logout_at as timestamp) as logout_at,
        cast(closed.logout_source as string) as logout_source,
        cast(closed.logout_source = 'next_login' as boolean) as is_incorrect_logout,
        cast(closed.logout_source = 'open' as boolean) as is_open,
        cast({{ ccwh.seconds_between('closed.login_at', 'closed.logout_at') }} as double)
            as session_seconds,
        cast(closed.recorded_logout_at as timestamp) as recorded_logout_at,
        cast(closed.next_login_at as timestamp) as next_login_at,
        cast(closed.last_activity_at as timestamp) as last_activity_at,
        cast(closed.login_event_at is not null as boolean) as has_login_event,
        closed.state_count,
        cast({{ ccwh.to_local('closed.login_at', 'tenants.reports_time_zone') }} as timestamp)
            as login_at_local,
        cast({{ ccwh.to_local('closed.logout_at', 'tenants.reports_time_zone') }} as timestamp)
            as logout_at_local
    from closed
    left join first_states
        on closed.tenant_id = first_states.tenant_id
        and closed.agent_id = first_states.agent_id
        and closed.session_id = first_states.session_id
    left join tenants
        on closed.tenant_id = tenants.tenant_id

)

select * from final
