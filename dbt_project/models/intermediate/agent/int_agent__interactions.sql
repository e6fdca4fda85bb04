-- One row per agent_* event (one interaction offered to one agent) with the agent measures of
-- DESIGN §4 and the dimensions the agent marts group by:
--   talk = ended_at - answered_at - hold, handle = talk + hold + wrap-up (answered only);
--   the agent's group (int_directory__history) and bot flag (int_agent__directory_history)
--   as of the interaction;
--   portfolio: the queue event's portfolio_id, else the queue's, else the campaign's;
--   report day and 15-minute UTC interval of activity_at = answered_at, or offered_at for an
--   interaction the agent never answered (then ended_at as a last resort).
with

agent_interactions as (

    select * from {{ ref('stg_ccwh__agent_interactions') }}

),

queue_events as (

    select * from {{ ref('stg_ccwh__queue_events') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

agent_bots as (

    select * from {{ ref('int_agent__directory_history') }}
    where entity = 'agent' and attribute = 'is_bot'

),

-- The queue stay this agent leg came from: same tenant, interaction and queue; the one the
-- queue event says this agent took first, then the latest entry, then the smallest event_id.
queue_candidates as (

    select
        agent_interactions.event_id as agent_event_id,
        queue_events.event_id as queue_event_id,
        queue_events.portfolio_id,
        row_number() over (
            partition by agent_interactions.event_id
            order by
                case when queue_events.agent_id = agent_interactions.agent_id then 0 else 1 end
                    asc nulls last,
                queue_events.entered_at desc nulls last,
                queue_events.event_id asc nulls last
        ) as match_rank
    from agent_interactions
    inner join queue_events
        on agent_interactions.tenant_id = queue_events.tenant_id
        and agent_interactions.interaction_id = queue_events.interaction_id
        and agent_interactions.queue_id = queue_events.queue_id

),

matched_queue as (

    select * from queue_candidates
    where match_rank = 1

),

measured as (

    select
        agent_interactions.*,
        coalesce(
            agent_interactions.answered_at,
            agent_interactions.offered_at,
            agent_interactions.ended_at
        ) as activity_at,
        cast(agent_interactions.answered_at is not null as boolean) as is_answered,
        case when agent_interactions.answered_at is not null then
            {{ ccwh.seconds_between('agent_interactions.answered_at', 'agent_interactions.ended_at') }}
            - coalesce(agent_interactions.hold_seconds, 0)
        end as talk,
        case when agent_interactions.answered_at is not null then
            coalesce(agent_interactions.hold_seconds, 0)
        end as hold,
        case when agent_interactions.answered_at is not null then
            coalesce(agent_interactions.wrap_up_seconds, 0)
        end as wrap_up,
        matched_queue.queue_event_id,
        matched_queue.portfolio_id as queue_event_portfolio_id
    from agent_interactions
    left join matched_queue
        on agent_interactions.event_id = matched_queue.agent_event_id

),

final as (

    select
        measured.event_id,
        measured.tenant_id,
        measured.event_type,
        measured.channel,
        measured.interaction_id,
        measured.agent_id,
        agent_directory.agent_group_id,
        cast(coalesce(lower(agent_bots.attribute_value) = 'true', false) as boolean) as is_bot_agent,
        measured.direction,
        measured.queue_id,
        measured.campaign_id,
        measured.contact_id,
        measured.organization_id,
        measured.queue_event_id,
        coalesce(
            measured.queue_event_portfolio_id,
            queue_directory.portfolio_id,
            campaign_directory.portfolio_id
        ) as portfolio_id,
        measured.offered_at,
        measured.answered_at,
        measured.ended_at,
        cast(measured.activity_at as timestamp) as activity_at,
        measured.is_answered,
        cast(measured.talk as double) as talk_seconds,
        cast(measured.hold as double) as hold_seconds,
        cast(measured.wrap_up as double) as wrap_up_seconds,
        cast(measured.talk + measured.hold + measured.wrap_up as double) as handle_seconds,
        measured.disposition_code,
        measured.transferred_to_agent_id,
        measured.nps_score,
        {{ ccwh.report_day('measured.activity_at', 'tenants.reports_time_zone', 'tenants.behind_utc') }}
            as report_day,
        cast({{ ccwh.interval_15m('measured.activity_at') }} as timestamp) as interval_start,
        cast({{ ccwh.to_local(ccwh.interval_15m('measured.activity_at'), 'tenants.reports_time_zone') }} as timestamp)
            as interval_start_local,
        tenants.reports_time_zone
    from measured
    left join tenants
        on measured.tenant_id = tenants.tenant_id
    {{ ccwh.directory_as_of('agent', 'measured.tenant_id', 'measured.agent_id', 'measured.activity_at', 'agent_directory') }}
    {{ ccwh.directory_as_of('queue', 'measured.tenant_id', 'measured.queue_id', 'measured.activity_at', 'queue_directory') }}
    {{ ccwh.directory_as_of('campaign', 'measured.tenant_id', 'measured.campaign_id', 'measured.activity_at', 'campaign_directory') }}
    left join agent_bots
        on measured.tenant_id = agent_bots.tenant_id
        and measured.agent_id = agent_bots.entity_id
        and {{ ccwh.agent_valid_at('agent_bots', 'measured.activity_at') }}

)

select * from final
