-- One row per tenant: its reports time zone, the report-day rule it falls under and its
-- configurable metric settings (DESIGN §4-§5), for dashboards, ad-hoc SQL and the exports
-- (which resolve a report's timeframe from reports_time_zone and behind_utc).
with

tenants as (

    select * from {{ ref('int_tenants') }}

),

final as (

    select
        tenant_id,
        reports_time_zone,
        behind_utc,
        standard_utc_offset_seconds,
        sl_threshold_seconds,
        short_abandon_seconds,
        sl_formula,
        dialer_bridge_seconds,
        dialer_abandon_threshold,
        dialer_window_days
    from tenants

)

select * from final
