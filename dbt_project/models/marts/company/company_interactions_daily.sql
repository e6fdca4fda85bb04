-- Company interactions (seed 004) per tenant x organization x report day: contacts by
-- channel of the organization and its persons (membership as of each interaction), talk and
-- chat seconds, tickets, and the day's Customer Engagement Load among the organizations
-- active that day. Only organizations with some activity that day have a row.
with

activity as (

    select * from {{ ref('int_company__activity') }}
    where organization_id is not null

),

tenant_tickets as (

    select * from {{ ref('company_ticket_resolution_daily') }}

),

organizations as (

    select tenant_id, entity_id as organization_id, name as organization_name
    from {{ ref('int_directory__history') }}
    where entity = 'organization'
      and is_current

),

per_day as (

    select
        tenant_id,
        organization_id,
        report_day,
        cast(sum(case when activity_type = 'hotline_contact' then 1 else 0 end) as bigint)
            as hotline_contacts,
        cast(sum(case when activity_type = 'campaign_contact' then 1 else 0 end) as bigint)
            as campaign_contacts,
        cast(sum(case when activity_type = 'ticket_created' then 1 else 0 end) as bigint)
            as ticket_contacts,
        cast(sum(case when activity_type = 'chat_contact' then 1 else 0 end) as bigint)
            as chat_contacts,
        cast(coalesce(sum(case when activity_type = 'hotline_contact' then seconds end), 0) as double)
            as inbound_talk_seconds,
        cast(coalesce(sum(case when activity_type = 'campaign_contact' then seconds end), 0) as double)
            as outbound_talk_seconds,
        cast(coalesce(sum(case when activity_type = 'chat_contact' then seconds end), 0) as double)
            as chat_seconds,
        cast(sum(case when activity_type = 'ticket_resolved' then 1 else 0 end) as bigint)
            as tickets_resolved,
        cast(coalesce(sum(case when activity_type = 'ticket_resolved' then seconds end), 0) as double)
            as ticket_resolution_seconds
    from activity
    group by tenant_id, organization_id, report_day

),

loaded as (

    select
        per_day.*,
        cast(
            hotline_contacts + campaign_contacts + ticket_contacts + chat_contacts as bigint
        ) as total_contacts,
        cast(
            hotline_contacts + campaign_contacts + ticket_contacts + chat_contacts > 0 as boolean
        ) as is_active,
        tenant_tickets.avg_ticket_resolution_seconds as tenant_avg_ticket_resolution_seconds,
        case
            when hotline_contacts + campaign_contacts + ticket_contacts + chat_contacts > 0 then
                {{ ccwh.engagement_load(
                    'inbound_talk_seconds', 'outbound_talk_seconds', 'chat_seconds',
                    'ticket_contacts', 'tenant_tickets.avg_ticket_resolution_seconds'
                ) }}
        end as engagement_load_seconds
    from per_day
    left join tenant_tickets
        on per_day.tenant_id = tenant_tickets.tenant_id
        and per_day.report_day = tenant_tickets.report_day

),

scored as (

    select
        loaded.*,
        min(engagement_load_seconds) over (partition by tenant_id, report_day) as min_load,
        max(engagement_load_seconds) over (partition by tenant_id, report_day) as max_load
    from loaded

),

final as (

    select
        scored.tenant_id,
        scored.organization_id,
        organizations.organization_name,
        scored.report_day,
        scored.hotline_contacts,
        scored.campaign_contacts,
        scored.ticket_contacts,
        scored.chat_contacts,
        scored.total_contacts,
        scored.inbound_talk_seconds,
        scored.outbound_talk_seconds,
        scored.chat_seconds,
        scored.tickets_resolved,
        scored.ticket_resolution_seconds,
        {{ ccwh.safe_divide('scored.ticket_resolution_seconds', 'scored.tickets_resolved') }}
            as avg_ticket_resolution_seconds,
        cast(scored.tenant_avg_ticket_resolution_seconds as double)
            as tenant_avg_ticket_resolution_seconds,
        cast(scored.engagement_load_seconds as double) as engagement_load_seconds,
        {{ ccwh.cel_score('scored.engagement_load_seconds', 'scored.min_load', 'scored.max_load') }}
            as cel,
        {{ ccwh.cel_band(ccwh.cel_score('scored.engagement_load_seconds', 'scored.min_load', 'scored.max_load')) }}
            as cel_band,
        scored.is_active
    from scored
    left join organizations
        on scored.tenant_id = organizations.tenant_id
        and scored.organization_id = organizations.organization_id

)

select * from final
