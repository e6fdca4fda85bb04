-- Every contact attended (seed 003 "Contatos atendidos"), by a person or by automation:
--   one row per answered agent_* event (each agent leg of a transferred interaction is its
--   own attended contact); attended_by 'automation' (kind 'bot_agent') when the directory
--   marks the agent is_bot = true, else 'human';
--   plus one row per queue_* event answered with no agent: outcome answered, no agent_id,
--   and no agent_* event for the interaction (a self-service flow or chatbot took it;
--   attended_by 'automation', kind 'no_agent').
with

agent_interactions as (

    select * from {{ ref('int_agent__interactions') }}
    where is_answered

),

queue_events as (

    select * from {{ ref('stg_ccwh__queue_events') }}

),

all_agent_events as (

    select distinct tenant_id, interaction_id from {{ ref('stg_ccwh__agent_interactions') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

by_agents as (

    select
        event_id as source_event_id,
        tenant_id,
        report_day,
        event_type,
        channel,
        interaction_id,
        agent_id,
        agent_group_id,
        case when is_bot_agent then 'automation' else 'human' end as attended_by,
        case when is_bot_agent then 'bot_agent' end as automation_kind,
        direction,
        queue_id,
        campaign_id,
        portfolio_id,
        contact_id,
        organization_id,
        answered_at,
        ended_at,
        talk_seconds,
        handle_seconds
    from agent_interactions

),

without_agent as (

    select queue_events.*
    from queue_events
    left join all_agent_events
        on queue_events.tenant_id = all_agent_events.tenant_id
        and queue_events.interaction_id = all_agent_events.interaction_id
    where queue_events.outcome = 'answered'
      and queue_events.agent_id is null
      and all_agent_events.interaction_id is null

),

by_automation as (

    select
        without_agent.event_id as source_event_id,
        without_agent.tenant_id,
        {{ ccwh.report_day(
            'coalesce(without_agent.answered_at, without_agent.left_at)',
            'tenants.reports_time_zone',
            'tenants.behind_utc'
        ) }} as report_day,
        without_agent.event_type,
        without_agent.channel,
        without_agent.interaction_id,
        cast(null as string) as agent_id,
        cast(null as string) as agent_group_id,
        'automation' as attended_by,
        'no_agent' as automation_kind,
        'inbound' as direction,
        without_agent.queue_id,
        cast(null as string) as campaign_id,
        coalesce(without_agent.portfolio_id, queue_directory.portfolio_id) as portfolio_id,
        without_agent.contact_id,
        without_agent.organization_id,
        coalesce(without_agent.answered_at, without_agent.left_at) as answered_at,
        without_agent.left_at as ended_at,
        cast(null as double) as talk_seconds,
        cast(null as double) as handle_seconds
    from without_agent
    left join tenants
        on without_agent.tenant_id = tenants.tenant_id
    {{ ccwh.directory_as_of(
        'queue',
        'without_agent.tenant_id',
        'without_agent.queue_id',
        'coalesce(without_agent.answered_at, without_agent.left_at)',
        'queue_directory'
    ) }}

),

unioned as (

    select * from by_agents
    union all
    select * from by_automation

),

final as (

    select
        cast(source_event_id as string) as source_event_id,
        cast(tenant_id as string) as tenant_id,
        cast(report_day as date) as report_day,
        cast(event_type as string) as event_type,
        cast(channel as string) as channel,
        cast(interaction_id as string) as interaction_id,
        cast(agent_id as string) as agent_id,
        cast(agent_group_id as string) as agent_group_id,
        cast(attended_by as string) as attended_by,
        cast(attended_by = 'automation' as boolean) as is_automated,
        cast(automation_kind as string) as automation_kind,
        cast(direction as string) as direction,
        cast(queue_id as string) as queue_id,
        cast(campaign_id as string) as campaign_id,
        cast(portfolio_id as string) as portfolio_id,
        cast(contact_id as string) as contact_id,
        cast(organization_id as string) as organization_id,
        cast(answered_at as timestamp) as answered_at,
        cast(ended_at as timestamp) as ended_at,
        cast(talk_seconds as double) as talk_seconds,
        cast(handle_seconds as double) as handle_seconds
    from unioned

)

select * from final
