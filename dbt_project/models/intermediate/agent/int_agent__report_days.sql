-- One row per tenant and report day (DESIGN §5) around the agent_status data, with the UTC
-- instants the day starts and ends: the boundaries state intervals are split at. Derived
-- from 15-minute UTC buckets (every zone offset, and the 03:00 New York start, is a multiple
-- of 15 minutes, so a bucket never straddles a boundary): day_start_utc is the first bucket
-- of the day, day_end_utc the end of its last. DST days come out 23 or 25 hours long.
with

status_events as (

    select * from {{ ref('stg_ccwh__agent_status') }}

),

tenants as (

    select * from {{ ref('int_tenants') }}

),

-- Two days of padding on both sides: a report day is at most 25 hours and starts at most
-- ~14 hours before or ~12 hours after the UTC midnight, so the days holding data are complete.
tenant_range as (

    select
        tenant_id,
        {{ dbt.dateadd('day', -2, dbt.date_trunc('day', 'min(started_at)')) }} as range_start,
        {{ dbt.dateadd('day', 2, dbt.date_trunc('day', 'max(coalesce(ended_at, started_at))')) }}
            as range_end
    from status_events
    where started_at is not null
    group by tenant_id

),

buckets as (

    select
        tenant_id,
        {{ ccwh.agent_timestamp_series('range_start', 'range_end', 15) }} as bucket_start
    from tenant_range

),

bucket_days as (

    select
        buckets.tenant_id,
        buckets.bucket_start,
        {{ ccwh.report_day('buckets.bucket_start', 'tenants.reports_time_zone', 'tenants.behind_utc') }}
            as report_day
    from buckets
    inner join tenants
        on buckets.tenant_id = tenants.tenant_id

),

days as (

    select
        tenant_id,
        report_day,
        min(bucket_start) as day_start_utc,
        max(bucket_start) as last_bucket_start
    from bucket_days
    group by tenant_id, report_day

),

-- The first and last day of each tenant's padded range are cut off by the padding.
edges as (

    select tenant_id, min(report_day) as first_day, max(report_day) as last_day
    from days
    group by tenant_id

),

final as (

    select
        days.tenant_id,
        cast(days.report_day as date) as report_day,
        cast(days.day_start_utc as timestamp) as day_start_utc,
        cast({{ dbt.dateadd('minute', 15, 'days.last_bucket_start') }} as timestamp) as day_end_utc
    from days
    inner join edges
        on days.tenant_id = edges.tenant_id
    where days.report_day > edges.first_day
      and days.report_day < edges.last_day

)

select * from final
