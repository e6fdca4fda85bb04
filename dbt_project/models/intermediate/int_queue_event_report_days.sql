-- The report day of each queue event (DESIGN §5, same macro and tenant zone as
-- int_queue_interactions), as a view: the loader (ingestion/loader.py) reads it right after a
-- load to record which report days the new events touch (raw.loaded_days), so the day rule
-- lives in one place. A view is always current with raw.events; the zones come from the last
-- built int_tenants (a tenant not there yet uses the default zone).
{{ config(materialized='view') }}
with

queue_events as (

    select event_id, tenant_id, entered_at
    from {{ ref('stg_ccwh__queue_events') }}

),

tenants as (

    select tenant_id, reports_time_zone, behind_utc
    from {{ ref('int_tenants') }}

),

final as (

    select
        queue_events.event_id,
        queue_events.tenant_id,
        {{ ccwh.report_day(
            'queue_events.entered_at',
            "coalesce(tenants.reports_time_zone, '" ~ var('default_reports_time_zone') ~ "')",
            'coalesce(tenants.behind_utc, false)'
        ) }} as report_day
    from queue_events
    left join tenants
        on queue_events.tenant_id = tenants.tenant_id

)

select * from final
