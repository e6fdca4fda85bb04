-- Communication actions (seed 001 "Kommunikationsåtgärder"): one row per call result logged
-- to the CRM, with its creator (CRM user, and the agent that CRM user belongs to), info,
-- created at (the start of the call), source, type, and the campaign, organization and
-- contact it relates to. The organization is the event's own, else the contact's
-- organization as of created_at. Related lists: communication_action_links.
with

action_events as (

    select
        *,
        row_number() over (
            partition by tenant_id, action_id
            order by
                occurred_at desc nulls last,
                received_at desc nulls last,
                event_id desc nulls last
        ) as recency_rank
    from {{ ref('stg_ccwh__crm_actions') }}
    where action_id is not null

),

-- A re-sent or edited action (same action_id, new event) keeps its latest state.
actions as (

    select * from action_events
    where recency_rank = 1

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

-- The agent whose directory record carried this CRM user id when the action was created;
-- the smallest agent_id if several did.
agent_candidates as (

    select
        actions.event_id,
        agents.entity_id as agent_id,
        row_number() over (
            partition by actions.event_id
            order by agents.entity_id asc nulls last
        ) as agent_rank
    from actions
    inner join {{ ref('int_directory__history') }} as agents
        on agents.entity = 'agent'
        and agents.tenant_id = actions.tenant_id
        and agents.crm_user_id = actions.crm_user_id
        and actions.created_at is not null
        and (agents.valid_from <= actions.created_at or agents.is_first_version)
        and (agents.valid_to is null or actions.created_at < agents.valid_to)

),

resolved as (

    select
        actions.tenant_id,
        actions.action_id,
        actions.event_id,
        actions.crm_user_id,
        agent_candidates.agent_id,
        actions.info,
        actions.created_at,
        actions.occurred_at as logged_at,
        actions.source,
        actions.action_type,
        actions.campaign_id,
        coalesce(actions.organization_id, membership.organization_id) as organization_id,
        case
            when actions.organization_id is not null then 'event'
            when membership.organization_id is not null then 'directory'
        end as organization_source,
        actions.contact_id,
        tenants.reports_time_zone,
        tenants.behind_utc
    from actions
    {{ ccwh.membership_as_of('actions.tenant_id', 'actions.contact_id', 'actions.created_at') }}
    left join agent_candidates
        on actions.event_id = agent_candidates.event_id
        and agent_candidates.agent_rank = 1
    left join tenants
        on actions.tenant_id = tenants.tenant_id

),

final as (

    select
        cast(tenant_id as string) as tenant_id,
        cast(action_id as string) as action_id,
        cast(crm_user_id as string) as crm_user_id,
        cast(agent_id as string) as agent_id,
        cast(info as string) as info,
        cast(created_at as timestamp) as created_at,
        cast({{ ccwh.to_local('created_at', 'reports_time_zone') }} as timestamp)
            as created_at_local,
        {{ ccwh.report_day('created_at', 'reports_time_zone', 'behind_utc') }} as report_day,
        cast(logged_at as timestamp) as logged_at,
        cast(source as string) as source,
        cast(action_type as string) as action_type,
        cast(campaign_id as string) as campaign_id,
        cast(organization_id as string) as organization_id,
        cast(organization_source as string) as organization_source,
        cast(contact_id as string) as contact_id,
        cast(event_id as string) as event_id
    from resolved

)

select * from final
