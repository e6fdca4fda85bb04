-- One row per ticket (tenant x ticket_id): its latest state. A ticket arrives as several
-- ticket events (opened, resolved, perhaps reopened); the latest by occurred_at, then
-- received_at, then event_id wins, all of its fields together (each event repeats the
-- ticket's fields, seed 004).
with

ticket_events as (

    select
        *,
        row_number() over (
            partition by tenant_id, ticket_id
            order by
                occurred_at desc nulls last,
                received_at desc nulls last,
                event_id desc nulls last
        ) as recency_rank,
        count(*) over (partition by tenant_id, ticket_id) as event_count
    from {{ ref('stg_ccwh__tickets') }}
    where ticket_id is not null

),

final as (

    select
        tenant_id,
        ticket_id,
        event_id,
        organization_id,
        contact_id,
        status,
        created_at,
        resolved_at,
        cast({{ ccwh.seconds_between('created_at', 'resolved_at') }} as double)
            as resolution_seconds,
        cast(event_count as bigint) as event_count
    from ticket_events
    where recency_rank = 1

)

select * from final
