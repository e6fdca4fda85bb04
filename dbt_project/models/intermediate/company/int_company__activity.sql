-- One row per company-relevant activity (seed 004 "Interakcje firm"): a hotline contact, a
-- campaign contact, a chat contact, a ticket created, a ticket resolved; with the
-- organization it counts for (the event's own organization_id, else the contact's
-- organization as of the activity's instant from the directory history), its report day and
-- its seconds. Activities of contacts without an organization stay here (organization_id
-- null): the tenant's average ticket resolution time counts every ticket.
{%- set answered_statuses = var('company_campaign_answered_statuses') %}
with

tenants as (

    select * from {{ ref('int_tenants') }}

),

agent_legs as (

    select
        *,
        row_number() over (
            partition by tenant_id, channel, interaction_id
            order by
                answered_at asc nulls last,
                offered_at asc nulls last,
                event_id asc nulls last
        ) as leg_rank,
        {{ ccwh.seconds_between('answered_at', 'ended_at') }} - coalesce(hold_seconds, 0)
            as leg_talk_seconds
    from {{ ref('stg_ccwh__agent_interactions') }}
    where answered_at is not null
      and interaction_id is not null
      and (
          (channel = 'call' and direction = 'inbound')
          or channel = 'chat'
      )

),

-- Hotline contacts (inbound calls answered by an agent) and chat contacts (chats an agent
-- handled): one per interaction. The first answered leg gives the instant and the contact;
-- talk is summed over every answered leg (a transferred call keeps agents busy twice).
agent_contacts as (

    select
        tenant_id,
        case when channel = 'call' then 'hotline_contact' else 'chat_contact' end
            as activity_type,
        interaction_id as source_id,
        max(case when leg_rank = 1 then coalesce(offered_at, answered_at) end) as activity_at,
        max(case when leg_rank = 1 then contact_id end) as contact_id,
        max(case when leg_rank = 1 then organization_id end) as event_organization_id,
        sum(leg_talk_seconds) as seconds
    from agent_legs
    group by tenant_id, channel, interaction_id

),

-- Campaign contacts: outbound calls answered by the contact (a live person: the completion
-- statuses in var company_campaign_answered_statuses; an answering machine is no contact).
-- One per interaction; a resent attempt with a new event_id counts once (latest wins).
campaign_attempts as (

    select
        *,
        row_number() over (
            partition by tenant_id, interaction_id
            order by
                occurred_at desc nulls last,
                received_at desc nulls last,
                event_id desc nulls last
        ) as recency_rank
    from {{ ref('stg_ccwh__contact_attempts') }}
    where channel = 'call'
      and direction = 'outbound'
      and interaction_id is not null

),

campaign_contacts as (

    select
        tenant_id,
        'campaign_contact' as activity_type,
        interaction_id as source_id,
        coalesce(started_at, connected_at) as activity_at,
        contact_id,
        organization_id as event_organization_id,
        talk_seconds as seconds
    from campaign_attempts
    where recency_rank = 1
      and completion_status in (
          {%- for status in answered_statuses %}'{{ status }}'{{ ", " if not loop.last }}{% endfor -%}
      )

),

tickets as (

    select * from {{ ref('int_company__tickets') }}

),

ticket_activity as (

    select
        tenant_id,
        'ticket_created' as activity_type,
        ticket_id as source_id,
        created_at as activity_at,
        created_at as membership_at,
        contact_id,
        organization_id as event_organization_id,
        cast(null as double) as seconds
    from tickets
    where created_at is not null

    union all

    -- A resolved ticket counts for the organization it was raised for (membership as of
    -- created_at), on the report day it was resolved.
    select
        tenant_id,
        'ticket_resolved' as activity_type,
        ticket_id as source_id,
        resolved_at as activity_at,
        created_at as membership_at,
        contact_id,
        organization_id as event_organization_id,
        resolution_seconds as seconds
    from tickets
    where resolved_at is not null

),

activity as (

    select
        tenant_id, activity_type, source_id, activity_at,
        activity_at as membership_at, contact_id, event_organization_id, seconds
    from agent_contacts

    union all

    select
        tenant_id, activity_type, source_id, activity_at,
        activity_at as membership_at, contact_id, event_organization_id, seconds
    from campaign_contacts

    union all

    select
        tenant_id, activity_type, source_id, activity_at,
        membership_at, contact_id, event_organization_id, seconds
    from ticket_activity

),

resolved as (

    select
        activity.tenant_id,
        activity.activity_type,
        activity.source_id,
        activity.activity_at,
        activity.contact_id,
        coalesce(activity.event_organization_id, membership.organization_id) as organization_id,
        case
            when activity.event_organization_id is not null then 'event'
            when membership.organization_id is not null then 'directory'
        end as organization_source,
        activity.seconds,
        tenants.reports_time_zone,
        tenants.behind_utc
    from activity
    {{ ccwh.membership_as_of('activity.tenant_id', 'activity.contact_id', 'activity.membership_at') }}
    left join tenants
        on activity.tenant_id = tenants.tenant_id

),

final as (

    select
        cast(tenant_id as string) as tenant_id,
        cast(activity_type as string) as activity_type,
        cast(source_id as string) as source_id,
        cast(activity_at as timestamp) as activity_at,
        cast({{ ccwh.to_local('activity_at', 'reports_time_zone') }} as timestamp)
            as activity_at_local,
        cast(contact_id as string) as contact_id,
        cast(organization_id as string) as organization_id,
        cast(organization_source as string) as organization_source,
        cast(seconds as double) as seconds,
        {{ ccwh.report_day('activity_at', 'reports_time_zone', 'behind_utc') }} as report_day
    from resolved

)

select * from final
