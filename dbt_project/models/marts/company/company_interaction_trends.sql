-- Company interactions (seed 004) for the standard periods, each ending yesterday in the
-- tenant's report day, compared with the equally long period just before: last_7_days (the
-- report's default), last_31_days, month_to_date (from the 1st of yesterday's month) and
-- last_month (the calendar month before yesterday's). "Today" is var as_of_date when set
-- (every tenant), else the tenant's current report day (DESIGN §5) at build time.
-- Any other 1-31-day period: macro company_interactions_for_period (same columns).
{%- set as_of_date = var('as_of_date', none) %}
{%- if as_of_date is not none %}
{%- set as_of_check = ccwh.company_parse_day(as_of_date) %}
{%- if as_of_check is string %}
{{ exceptions.raise_compiler_error('company_interaction_trends: var as_of_date ' ~ as_of_check) }}
{%- endif %}
{%- endif %}
{%- set today_sql -%}
    {%- if as_of_date is not none -%}
        cast('{{ as_of_date }}' as date)
    {%- else -%}
        {{ ccwh.report_day('cast(' ~ dbt.current_timestamp() ~ ' as timestamp)', 'reports_time_zone', 'behind_utc') }}
    {%- endif -%}
{%- endset %}
{%- set periods_sql %}
    select
        bounds.tenant_id,
        periods.period,
        case periods.period
            when 'last_7_days' then cast({{ dbt.dateadd('day', -6, 'bounds.yesterday') }} as date)
            when 'last_31_days' then cast({{ dbt.dateadd('day', -30, 'bounds.yesterday') }} as date)
            when 'month_to_date' then bounds.month_start
            else cast({{ dbt.date_trunc('month', 'bounds.last_month_end') }} as date)
        end as period_start,
        case periods.period
            when 'last_month' then bounds.last_month_end
            else bounds.yesterday
        end as period_end,
        cast(case periods.period
            when 'last_7_days' then 7
            when 'last_31_days' then 31
            when 'month_to_date' then extract(day from bounds.yesterday)
            else extract(day from bounds.last_month_end)
        end as bigint) as period_days
    from (
        select
            tenant_id,
            yesterday,
            cast({{ dbt.date_trunc('month', 'yesterday') }} as date) as month_start,
            cast({{ dbt.dateadd('day', -1, dbt.date_trunc('month', 'yesterday')) }} as date)
                as last_month_end
        from (
            select
                tenant_id,
                cast({{ dbt.dateadd('day', -1, today_sql) }} as date) as yesterday
            from {{ ref('int_tenants') }}
        ) as tenant_yesterday
    ) as bounds
    cross join (
        select cast('last_7_days' as string) as period
        union all select cast('last_31_days' as string) as period
        union all select cast('month_to_date' as string) as period
        union all select cast('last_month' as string) as period
    ) as periods
{%- endset %}

{{ ccwh.company_period_rollup(periods_sql) }}
