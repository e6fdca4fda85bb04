-- One row per queue event (an interaction's stay in one queue), with its wait, the queue's
-- settings applied (queue_settings beats the tenant's settings from int_tenants, which beat
-- the project defaults), the agent's talk/handle time, and its report day, 15-minute interval
-- and local hour. An interaction transferred between queues has one row per queue: each queue
-- counts it.
with

queue_events as (

    select * from {{ ref('stg_ccwh__queue_events') }}

),

agent_interactions as (

    select * from {{ ref('stg_ccwh__agent_interactions') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

queue_settings as (

    select * from {{ ref('queue_settings') }}

),

-- Several agent events may share an interaction_id (a transfer between agents, a re-offer
-- after a missed ring). Exactly one is matched to each queue event, preferring, in order:
-- an agent event that was answered, by the agent the queue event names, from the same queue,
-- the earliest answer, then the smallest event_id (unique, so the choice is deterministic).
agent_candidates as (

    select
        queue_events.event_id as queue_event_id,
        agent_interactions.event_id as agent_event_id,
        agent_interactions.answered_at as agent_answered_at,
        agent_interactions.ended_at as agent_ended_at,
        agent_interactions.hold_seconds,
        agent_interactions.wrap_up_seconds,
        row_number() over (
            partition by queue_events.event_id
            order by
                case when agent_interactions.answered_at is not null then 0 else 1 end asc nulls last,
                case when agent_interactions.agent_id = queue_events.agent_id then 0 else 1 end
                    asc nulls last,
                case when agent_interactions.queue_id = queue_events.queue_id then 0 else 1 end
                    asc nulls last,
                agent_interactions.answered_at asc nulls last,
                agent_interactions.event_id asc nulls last
        ) as match_rank
    from queue_events
    inner join agent_interactions
        on queue_events.tenant_id = agent_interactions.tenant_id
        and queue_events.interaction_id = agent_interactions.interaction_id

),

matched_agent as (

    select * from agent_candidates
    where match_rank = 1

),

measured as (

    select
        queue_events.event_id,
        queue_events.tenant_id,
        queue_events.queue_id,
        queue_events.channel,
        queue_events.interaction_id,
        queue_events.portfolio_id,
        queue_events.agent_id,
        queue_events.entered_at,
        queue_events.answered_at,
        queue_events.left_at,
        queue_events.outcome,
        {{ ccwh.seconds_between(
            'queue_events.entered_at',
            'coalesce(queue_events.answered_at, queue_events.left_at)'
        ) }} as wait_seconds,
        matched_agent.agent_event_id,
        -- Talk/handle count only for answered queue events (DESIGN §4: per answered
        -- interaction); the agent event must carry its own answered_at.
        case when queue_events.outcome = 'answered' then
            {{ ccwh.seconds_between('matched_agent.agent_answered_at', 'matched_agent.agent_ended_at') }}
            - matched_agent.hold_seconds
        end as talk_seconds,
        case when queue_events.outcome = 'answered' then matched_agent.hold_seconds end
            as hold_seconds,
        case when queue_events.outcome = 'answered' then matched_agent.wrap_up_seconds end
            as wrap_up_seconds,
        queue_events.contact_id,
        queue_events.organization_id,
        tenants.reports_time_zone,
        tenants.behind_utc,
        -- Per-queue override, cell by cell, over the tenant's value (itself already the
        -- tenant_settings cell over the project default).
        coalesce(queue_settings.service_level_seconds, tenants.sl_threshold_seconds)
            as sl_threshold_seconds,
        coalesce(queue_settings.short_abandon_seconds, tenants.short_abandon_seconds)
            as short_abandon_seconds,
        coalesce(queue_settings.sl_formula, tenants.sl_formula) as sl_formula
    from queue_events
    left join matched_agent
        on queue_events.event_id = matched_agent.queue_event_id
    left join tenants
        on queue_events.tenant_id = tenants.tenant_id
    left join queue_settings
        on queue_events.tenant_id = queue_settings.tenant_id
        and queue_events.queue_id = queue_settings.queue_id

),

classified as (

    select
        event_id,
        tenant_id,
        queue_id,
        channel,
        interaction_id,
        portfolio_id,
        agent_id,
        entered_at,
        answered_at,
        left_at,
        outcome,
        cast(wait_seconds as double) as wait_seconds,
        cast(coalesce(
            outcome = 'abandoned' and wait_seconds < short_abandon_seconds, false
        ) as boolean) as is_short_abandon,
        cast(coalesce(
            outcome = 'answered' and wait_seconds <= sl_threshold_seconds, false
        ) as boolean) as answered_within_sl,
        agent_event_id,
        cast(talk_seconds as double) as talk_seconds,
        cast(hold_seconds as double) as hold_seconds,
        cast(wrap_up_seconds as double) as wrap_up_seconds,
        cast(talk_seconds + hold_seconds + wrap_up_seconds as double) as handle_seconds,
        {{ ccwh.report_day('entered_at', 'reports_time_zone', 'behind_utc') }} as report_day,
        cast({{ ccwh.interval_15m('entered_at') }} as timestamp) as interval_start,
        cast({{ ccwh.to_local(ccwh.interval_15m('entered_at'), 'reports_time_zone') }} as timestamp)
            as interval_start_local,
        reports_time_zone,
        cast(sl_threshold_seconds as double) as sl_threshold_seconds,
        cast(short_abandon_seconds as double) as short_abandon_seconds,
        contact_id,
        organization_id,
        cast(coalesce(
            outcome = 'abandoned' and wait_seconds <= sl_threshold_seconds, false
        ) as boolean) as abandoned_within_sl,
        cast(sl_formula as string) as sl_formula,
        cast({{ ccwh.to_local('entered_at', 'reports_time_zone') }} as timestamp) as entered_at_local
    from measured

),

-- Hours are 60 real minutes starting on a local hour boundary: the 15-minute interval's UTC
-- start minus its local minute (every zone's offset is a multiple of 15 minutes), so a
-- half-hour zone such as Asia/Kolkata gets 18:30-19:30 UTC for its 00:00-01:00, and the
-- repeated local hour of a DST end stays two separate hours.
final as (

    select
        classified.*,
        cast({{ dbt.dateadd(
            'minute',
            '(-1 * extract(minute from interval_start_local))',
            'interval_start'
        ) }} as timestamp) as hour_start,
        cast({{ dbt.date_trunc('hour', 'interval_start_local') }} as timestamp) as hour_start_local
    from classified

)

select * from final
