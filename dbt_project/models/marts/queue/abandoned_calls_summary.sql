-- Abandons by tenant, queue, channel, portfolio, report day, local hour of day and wait
-- bucket (seed 003's abandoned-call analysis). Built on abandoned_calls so the two always
-- agree: the abandoned counts of a queue and day add up to its abandoned_calls rows and to
-- queue_kpis_daily.abandoned. Only cells with at least one abandon have a row.
{{ config(**ccwh.report_day_incremental_config(['tenant_id', 'queue_id', 'channel', 'portfolio_id', 'hour_local', 'wait_bucket'])) }}
with

abandoned_calls as (

    select * from {{ ref('abandoned_calls') }}
    where {{ ccwh.report_day_window('report_day') }}

),

aggregated as (

    select
        tenant_id,
        queue_id,
        channel,
        portfolio_id,
        hour_local,
        wait_bucket,
        wait_bucket_min_seconds,
        wait_bucket_max_seconds,
        cast(count(*) as bigint) as abandoned,
        cast(sum(case when is_short_abandon then 1 else 0 end) as bigint) as short_abandoned,
        cast(sum(wait_seconds) as double) as total_wait_seconds,
        cast(avg(wait_seconds) as double) as avg_wait_seconds,
        report_day
    from abandoned_calls
    group by
        tenant_id,
        queue_id,
        channel,
        portfolio_id,
        report_day,
        hour_local,
        wait_bucket,
        wait_bucket_min_seconds,
        wait_bucket_max_seconds

)

select * from aggregated
