-- Queue KPIs per tenant, queue, channel, report day and hour, every channel
-- (queue_call/chat/email). An hour is 60 real minutes starting on a local hour boundary of
-- the tenant's zone (hour_start UTC, hour_start_local wall time; decisions/queue.md). Same
-- columns as queue_kpis_interval, with hour_start in place of interval_start. Only hours with
-- at least one queue event have a row.
{{ config(**ccwh.report_day_incremental_config(['tenant_id', 'queue_id', 'channel', 'hour_start'])) }}
with

queue_interactions as (

    select * from {{ ref('int_queue_interactions') }}
    where {{ ccwh.report_day_window('report_day') }}

),

aggregated as (

    select
        tenant_id,
        queue_id,
        channel,
        report_day,
        hour_start,
        hour_start_local,
        sl_formula,
        sl_threshold_seconds,
        short_abandon_seconds,
        {{ ccwh.queue_kpi_measures() }},
        {{ ccwh.queue_kpi_variant_measures() }}
    from queue_interactions
    group by
        tenant_id,
        queue_id,
        channel,
        report_day,
        hour_start,
        hour_start_local,
        sl_formula,
        sl_threshold_seconds,
        short_abandon_seconds

),

final as (

    select
        tenant_id,
        queue_id,
        hour_start,
        offered,
        answered,
        abandoned,
        short_abandoned,
        answered_within_sl,
        {{ ccwh.chosen_service_level('sl_formula') }} as service_level,
        abandon_rate,
        asa_seconds,
        avg_time_to_abandon_seconds,
        avg_talk_seconds,
        avg_handle_seconds,
        hour_start_local,
        channel,
        sl_formula,
        sl_threshold_seconds,
        short_abandon_seconds,
        abandoned_within_sl,
        offered_excl_short,
        abandoned_excl_short,
        service_level_excl_short,
        service_level_of_answered,
        service_level_incl_abandoned,
        abandon_rate_excl_short,
        avg_time_to_abandon_excl_short_seconds,
        report_day
    from aggregated

)

select * from final
