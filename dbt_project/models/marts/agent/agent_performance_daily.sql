-- Agent performance per agent and report day: handled interactions, talk/hold/wrap-up/handle
-- seconds and their averages per answered interaction (DESIGN §4), the agent's state seconds
-- (agent_status, split at report-day boundaries) and occupancy =
-- (talk + hold + wrap-up) / (talk + hold + wrap-up + available seconds), null when that
-- denominator is 0. An agent with states but no interactions (or the reverse) still has a row.
with

interactions as (

    select * from {{ ref('int_agent__interactions') }}

),

pieces as (

    select * from {{ ref('int_agent__state_pieces') }}
    where end_source <> 'open'

),

work as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        cast(count(*) as bigint) as offered,
        cast(sum(case when is_answered then 1 else 0 end) as bigint) as handled,
        cast(sum(case when is_answered and channel = 'call' then 1 else 0 end) as bigint) as calls,
        cast(sum(case when is_answered and channel = 'chat' then 1 else 0 end) as bigint) as chats,
        cast(sum(case when is_answered and channel = 'email' then 1 else 0 end) as bigint) as emails,
        cast(sum(case when is_answered and channel = 'sms' then 1 else 0 end) as bigint) as sms,
        cast(coalesce(sum(talk_seconds), 0) as double) as talk_seconds,
        cast(coalesce(sum(hold_seconds), 0) as double) as hold_seconds,
        cast(coalesce(sum(wrap_up_seconds), 0) as double) as wrap_up_seconds,
        cast(coalesce(sum(handle_seconds), 0) as double) as handle_seconds,
        cast(avg(talk_seconds) as double) as avg_talk_seconds,
        cast(avg(handle_seconds) as double) as avg_handle_seconds
    from interactions
    group by tenant_id, report_day, agent_id, agent_group_id

),

states as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        cast(sum(case when status = 'available' then seconds else 0 end) as double) as available_seconds,
        cast(sum(case when status = 'busy' then seconds else 0 end) as double) as busy_seconds,
        cast(sum(case when status = 'wrap_up' then seconds else 0 end) as double) as wrap_up_state_seconds,
        cast(sum(case when status = 'break' then seconds else 0 end) as double) as break_seconds,
        cast(sum(case when status <> 'logged_out' then seconds else 0 end) as double) as logged_in_seconds
    from pieces
    group by tenant_id, report_day, agent_id, agent_group_id

),

joined as (

    select
        coalesce(work.tenant_id, states.tenant_id) as tenant_id,
        coalesce(work.report_day, states.report_day) as report_day,
        coalesce(work.agent_id, states.agent_id) as agent_id,
        coalesce(work.agent_group_id, states.agent_group_id) as agent_group_id,
        coalesce(work.offered, 0) as offered,
        coalesce(work.handled, 0) as handled,
        coalesce(work.calls, 0) as calls,
        coalesce(work.chats, 0) as chats,
        coalesce(work.emails, 0) as emails,
        coalesce(work.sms, 0) as sms,
        coalesce(work.talk_seconds, 0) as talk_seconds,
        coalesce(work.hold_seconds, 0) as hold_seconds,
        coalesce(work.wrap_up_seconds, 0) as wrap_up_seconds,
        coalesce(work.handle_seconds, 0) as handle_seconds,
        work.avg_talk_seconds,
        work.avg_handle_seconds,
        coalesce(states.available_seconds, 0) as available_seconds,
        coalesce(states.busy_seconds, 0) as busy_seconds,
        coalesce(states.wrap_up_state_seconds, 0) as wrap_up_state_seconds,
        coalesce(states.break_seconds, 0) as break_seconds,
        coalesce(states.logged_in_seconds, 0) as logged_in_seconds
    from work
    full outer join states
        on work.tenant_id = states.tenant_id
        and work.report_day = states.report_day
        and work.agent_id = states.agent_id
        and (
            work.agent_group_id = states.agent_group_id
            or (work.agent_group_id is null and states.agent_group_id is null)
        )

),

final as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        cast(offered as bigint) as offered,
        cast(handled as bigint) as handled,
        cast(calls as bigint) as calls,
        cast(chats as bigint) as chats,
        cast(emails as bigint) as emails,
        cast(sms as bigint) as sms,
        cast(talk_seconds as double) as talk_seconds,
        cast(hold_seconds as double) as hold_seconds,
        cast(wrap_up_seconds as double) as wrap_up_seconds,
        cast(handle_seconds as double) as handle_seconds,
        avg_talk_seconds,
        avg_handle_seconds,
        cast(available_seconds as double) as available_seconds,
        cast(busy_seconds as double) as busy_seconds,
        cast(wrap_up_state_seconds as double) as wrap_up_state_seconds,
        cast(break_seconds as double) as break_seconds,
        cast(logged_in_seconds as double) as logged_in_seconds,
        {{ ccwh.safe_divide(
            'talk_seconds + hold_seconds + wrap_up_seconds',
            'talk_seconds + hold_seconds + wrap_up_seconds + available_seconds'
        ) }} as occupancy
    from joined

)

select * from final
