-- Queue KPIs per tenant, queue, channel and report day (DESIGN §5), every channel
-- (queue_call/chat/email). The original voice mart's columns keep their names and meaning;
-- channel and the variants follow; report_day is last (incremental by report day). Only days with at least one
-- queue event have a row: the mart reports activity, not a calendar.
{{ config(**ccwh.report_day_incremental_config(['tenant_id', 'queue_id', 'channel'])) }}
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
        sl_formula,
        sl_threshold_seconds,
        short_abandon_seconds

),

final as (

    select
        tenant_id,
        queue_id,
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
