-- Per tenant and report day: the tenant's tickets created and resolved, with or without an
-- organization. Gives the tenant's average ticket resolution time, the ticket weight of the
-- Customer Engagement Load (DESIGN §4), for any period: sum the seconds and the resolved
-- tickets over the period's days, then divide.
with

activity as (

    select * from {{ ref('int_company__activity') }}
    where activity_type in ('ticket_created', 'ticket_resolved')

),

final as (

    select
        tenant_id,
        report_day,
        cast(sum(case when activity_type = 'ticket_created' then 1 else 0 end) as bigint)
            as tickets_created,
        cast(sum(case when activity_type = 'ticket_resolved' then 1 else 0 end) as bigint)
            as tickets_resolved,
        cast(coalesce(sum(case when activity_type = 'ticket_resolved' then seconds end), 0) as double)
            as ticket_resolution_seconds,
        cast(avg(case when activity_type = 'ticket_resolved' then seconds end) as double)
            as avg_ticket_resolution_seconds
    from activity
    group by tenant_id, report_day

)

select * from final
