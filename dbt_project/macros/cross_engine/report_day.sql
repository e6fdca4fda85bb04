{#
  report_day(ts_utc, tz_expr, behind_utc_expr): the report day of an instant (DESIGN §5).

  - tenant zone at or ahead of UTC (by its standard offset): the local date of the instant in
    the tenant's zone, midnight to midnight;
  - tenant zone behind UTC: 03:00 to 03:00 America/New_York, i.e.
    date(New York wall time - 3 h).

  behind_utc_expr is a boolean computed once per tenant in int_tenants. The New York zone and
  the 3 h come from vars (behind_utc_report_day_time_zone, behind_utc_report_day_start_hour).
  Portable composition of to_local/dbt.dateadd, so one default serves both engines.
#}
{% macro report_day(ts_utc, tz_expr, behind_utc_expr) -%}
    {{ return(adapter.dispatch('report_day', 'ccwh')(ts_utc, tz_expr, behind_utc_expr)) }}
{%- endmacro %}

{% macro default__report_day(ts_utc, tz_expr, behind_utc_expr) -%}
    {%- set ny_zone = "'" ~ var('behind_utc_report_day_time_zone') ~ "'" -%}
    {%- set start_hour = var('behind_utc_report_day_start_hour') | int -%}
    case
        when {{ behind_utc_expr }}
            then cast({{ dbt.dateadd('hour', -start_hour, ccwh.to_local(ts_utc, ny_zone)) }} as date)
        else cast({{ ccwh.to_local(ts_utc, tz_expr) }} as date)
    end
{%- endmacro %}
