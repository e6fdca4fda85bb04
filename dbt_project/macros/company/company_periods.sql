{#
  Company interactions over a period (seed 004, DESIGN §4), compared with the equally long
  period just before.

  company_interactions_for_period(start_day, end_day): the parametrised report for any
  period of 1-31 whole report days ending no later than yesterday, e.g.

      dbt show --inline "{{ ccwh.company_interactions_for_period('2026-11-01', '2026-11-07') }}"

  start_day and end_day are inclusive report days ('YYYY-MM-DD'). "Yesterday" is the day
  before var as_of_date, or, when it is unset, the day before the run's UTC date. Any other
  period is refused at compile time with a message naming it (company_period_problem).
  Reads only marts (company_interactions_daily, company_ticket_resolution_daily), which
  publish copies to serve.duckdb, so a reader of the published warehouse can run the
  compiled SQL (after dropping the build database's name from the relations). Same columns
  as company_interaction_trends (period = 'custom').

  company_period_rollup(periods_sql): the shared body. periods_sql selects one row per
  tenant and period: tenant_id, period (a name), period_start, period_end (dates, inclusive),
  period_days. Output: one row per tenant x period x organization active in the period, plus
  one total row per tenant x period (organization_id '__total__', is_total true).
#}

{#-
  company_period_problem(start_day, end_day, as_of_date): why the period is refused (a
  string), or none when it is a valid company-interactions period.
-#}
{% macro company_period_problem(start_day, end_day, as_of_date=none) -%}
    {%- set start = ccwh.company_parse_day(start_day) -%}
    {%- set end = ccwh.company_parse_day(end_day) -%}
    {%- if start is string -%}
        {{ return('start_day ' ~ start) }}
    {%- elif end is string -%}
        {{ return('end_day ' ~ end) }}
    {%- endif -%}
    {%- if as_of_date is none -%}
        {%- set today = run_started_at.date() -%}
    {%- else -%}
        {%- set today = ccwh.company_parse_day(as_of_date) -%}
        {%- if today is string -%}
            {{ return('var as_of_date ' ~ today) }}
        {%- endif -%}
    {%- endif -%}
    {%- set days = (end - start).days + 1 -%}
    {%- set yesterday = today - modules.datetime.timedelta(days=1) -%}
    {%- if days < 1 or days > 31 -%}
        {{ return(
            'the period ' ~ start ~ ' to ' ~ end ~ ' is ' ~ days ~ ' days; company interactions'
            ~ ' cover 1 to 31 whole report days (start_day <= end_day, at most 31 days apart)'
        ) }}
    {%- endif -%}
    {%- if end > yesterday -%}
        {{ return(
            'the period ' ~ start ~ ' to ' ~ end ~ ' ends after yesterday (' ~ yesterday
            ~ ', the day before ' ~ today ~ '); a report day is reported only once it has closed'
        ) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- company_parse_day('YYYY-MM-DD'): a datetime.date, or a string saying what is wrong. -#}
{% macro company_parse_day(text) -%}
    {%- set value = (text | string) | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ return("'" ~ value ~ "' is not a date YYYY-MM-DD") }}
    {%- endif -%}
    {%- set y, m, d = value[0:4] | int, value[5:7] | int, value[8:10] | int -%}
    {%- if m < 1 or m > 12 or d < 1 -%}
        {{ return("'" ~ value ~ "' is not a calendar date") }}
    {%- endif -%}
    {%- set next_month = modules.datetime.date(y + 1, 1, 1) if m == 12 else modules.datetime.date(y, m + 1, 1) -%}
    {%- if d > (next_month - modules.datetime.timedelta(days=1)).day -%}
        {{ return("'" ~ value ~ "' is not a calendar date") }}
    {%- endif -%}
    {{ return(modules.datetime.date(y, m, d)) }}
{%- endmacro %}

{% macro company_interactions_for_period(start_day, end_day) -%}
    {%- set problem = ccwh.company_period_problem(start_day, end_day, var('as_of_date', none)) -%}
    {%- if problem is not none -%}
        {{ exceptions.raise_compiler_error(
            'company_interactions_for_period(' ~ start_day ~ ', ' ~ end_day ~ '): ' ~ problem
        ) }}
    {%- endif -%}
    {%- set start = ccwh.company_parse_day(start_day) -%}
    {%- set end = ccwh.company_parse_day(end_day) -%}
    {%- set days = (end - start).days + 1 -%}
    {%- set periods_sql -%}
        select distinct
            tenant_id,
            cast('custom' as string) as period,
            cast('{{ start }}' as date) as period_start,
            cast('{{ end }}' as date) as period_end,
            cast({{ days }} as bigint) as period_days
        from {{ ref('company_interactions_daily') }}
    {%- endset -%}
    {{ ccwh.company_period_rollup(periods_sql) }}
{%- endmacro %}

{#- The compared measures (name, type), in column order. -#}
{% macro company_period_measures() -%}
    {{ return([
        ('organizations', 'bigint'),
        ('hotline_contacts', 'bigint'),
        ('campaign_contacts', 'bigint'),
        ('ticket_contacts', 'bigint'),
        ('chat_contacts', 'bigint'),
        ('total_contacts', 'bigint'),
        ('hotline_share_pct', 'double'),
        ('campaign_share_pct', 'double'),
        ('ticket_share_pct', 'double'),
        ('chat_share_pct', 'double'),
        ('inbound_talk_seconds', 'double'),
        ('outbound_talk_seconds', 'double'),
        ('chat_seconds', 'double'),
        ('avg_ticket_resolution_seconds', 'double'),
        ('engagement_load_seconds', 'double'),
        ('cel', 'bigint'),
    ]) }}
{%- endmacro %}

{% macro company_period_rollup(periods_sql) -%}
{%- set summed = [
    'hotline_contacts', 'campaign_contacts', 'ticket_contacts', 'chat_contacts',
    'total_contacts', 'inbound_talk_seconds', 'outbound_talk_seconds', 'chat_seconds'
] -%}
{%- set shares = ['hotline', 'campaign', 'ticket', 'chat'] -%}
with

periods as (

    {{ periods_sql }}

),

-- The period itself ("current") and the equally long period just before it ("previous").
windows as (

    select
        tenant_id,
        period,
        period_start,
        period_end,
        period_days,
        'current' as window_kind,
        period_start as window_start,
        period_end as window_end
    from periods

    union all

    select
        tenant_id,
        period,
        period_start,
        period_end,
        period_days,
        'previous' as window_kind,
        cast({{ dbt.dateadd('day', '-1 * cast(period_days as int)', 'period_start') }} as date) as window_start,
        cast({{ dbt.dateadd('day', -1, 'period_start') }} as date) as window_end
    from periods

),

daily as (

    select * from {{ ref('company_interactions_daily') }}

),

tenant_tickets as (

    select * from {{ ref('company_ticket_resolution_daily') }}

),

-- The tenant's average ticket resolution seconds in the window: all its tickets resolved
-- in the window, with or without an organization.
window_resolution as (

    select
        windows.tenant_id,
        windows.period,
        windows.window_kind,
        {{ ccwh.safe_divide(
            'sum(tenant_tickets.ticket_resolution_seconds)',
            'sum(tenant_tickets.tickets_resolved)'
        ) }} as avg_ticket_resolution_seconds
    from windows
    left join tenant_tickets
        on windows.tenant_id = tenant_tickets.tenant_id
        and tenant_tickets.report_day >= windows.window_start
        and tenant_tickets.report_day <= windows.window_end
    group by windows.tenant_id, windows.period, windows.window_kind

),

-- Organizations active in the window: at least one contact (hotline, campaign, ticket,
-- chat) of the organization or its persons.
organization_windows as (

    select
        windows.tenant_id,
        windows.period,
        windows.window_kind,
        daily.organization_id,
        {%- for m in summed %}
        sum(daily.{{ m }}) as {{ m }}{{ "," if not loop.last }}
        {%- endfor %}
    from windows
    inner join daily
        on windows.tenant_id = daily.tenant_id
        and daily.report_day >= windows.window_start
        and daily.report_day <= windows.window_end
    group by windows.tenant_id, windows.period, windows.window_kind, daily.organization_id
    having sum(daily.total_contacts) > 0

),

organization_loads as (

    select
        organization_windows.*,
        window_resolution.avg_ticket_resolution_seconds,
        {{ ccwh.engagement_load(
            'organization_windows.inbound_talk_seconds',
            'organization_windows.outbound_talk_seconds',
            'organization_windows.chat_seconds',
            'organization_windows.ticket_contacts',
            'window_resolution.avg_ticket_resolution_seconds'
        ) }} as engagement_load_seconds
    from organization_windows
    left join window_resolution
        on organization_windows.tenant_id = window_resolution.tenant_id
        and organization_windows.period = window_resolution.period
        and organization_windows.window_kind = window_resolution.window_kind

),

organization_scores as (

    select
        organization_loads.*,
        min(engagement_load_seconds) over (
            partition by tenant_id, period, window_kind
        ) as min_load,
        max(engagement_load_seconds) over (
            partition by tenant_id, period, window_kind
        ) as max_load
    from organization_loads

),

organization_measures as (

    select
        tenant_id,
        period,
        window_kind,
        organization_id,
        cast(1 as bigint) as organizations,
        {%- for m in summed %}
        {{ m }},
        {%- endfor %}
        avg_ticket_resolution_seconds,
        engagement_load_seconds,
        {{ ccwh.cel_score('engagement_load_seconds', 'min_load', 'max_load') }} as cel
    from organization_scores

),

-- Totals over the organizations active in the window (no CEL: it ranks organizations).
total_measures as (

    select
        windows.tenant_id,
        windows.period,
        windows.window_kind,
        '__total__' as organization_id,
        cast(count(organization_measures.organization_id) as bigint) as organizations,
        {%- for m in summed %}
        coalesce(sum(organization_measures.{{ m }}), 0) as {{ m }},
        {%- endfor %}
        max(window_resolution.avg_ticket_resolution_seconds) as avg_ticket_resolution_seconds,
        coalesce(sum(organization_measures.engagement_load_seconds), 0) as engagement_load_seconds,
        cast(null as bigint) as cel
    from windows
    left join organization_measures
        on windows.tenant_id = organization_measures.tenant_id
        and windows.period = organization_measures.period
        and windows.window_kind = organization_measures.window_kind
    left join window_resolution
        on windows.tenant_id = window_resolution.tenant_id
        and windows.period = window_resolution.period
        and windows.window_kind = window_resolution.window_kind
    group by windows.tenant_id, windows.period, windows.window_kind

),

measures as (

    select * from organization_measures
    union all
    select * from total_measures

),

with_shares as (

    select
        measures.*,
        {%- for s in shares %}
        100 * {{ ccwh.safe_divide(s ~ '_contacts', 'total_contacts') }} as {{ s }}_share_pct{{ "," if not loop.last }}
        {%- endfor %}
    from measures

),

current_rows as (

    select * from with_shares where window_kind = 'current'

),

previous_rows as (

    select * from with_shares where window_kind = 'previous'

),

-- Organizations of the period (active in it) and the total row; the previous window adds
-- its values, 0 for counts and durations of an organization that was not active then.
final as (

    select
        periods.tenant_id,
        periods.period,
        periods.period_start,
        periods.period_end,
        cast(periods.period_days as bigint) as period_days,
        cast({{ dbt.dateadd('day', '-1 * cast(periods.period_days as int)', 'periods.period_start') }} as date)
            as previous_start,
        cast({{ dbt.dateadd('day', -1, 'periods.period_start') }} as date) as previous_end,
        cast(current_rows.organization_id as string) as organization_id,
        cast(current_rows.organization_id = '__total__' as boolean) as is_total,
        {%- for m, t in ccwh.company_period_measures() %}
        {%- if m in ('cel',) or m.endswith('_share_pct') or m == 'avg_ticket_resolution_seconds' %}
        {%- set prev = 'previous_rows.' ~ m %}
        {%- else %}
        {%- set prev = 'coalesce(previous_rows.' ~ m ~ ', 0)' %}
        {%- endif %}
        cast(current_rows.{{ m }} as {{ t }}) as {{ m }},
        cast({{ prev }} as {{ t }}) as {{ m }}_previous,
        cast(current_rows.{{ m }} - {{ prev }} as {{ t }}) as {{ m }}_change,
        case
            when {{ prev }} is null or {{ prev }} = 0 then cast(null as double)
            else cast(100 * (current_rows.{{ m }} - {{ prev }}) as double)
                / cast({{ prev }} as double)
        end as {{ m }}_change_pct,
        {%- endfor %}
        {{ ccwh.cel_band('current_rows.cel') }} as cel_band,
        {{ ccwh.cel_band('previous_rows.cel') }} as cel_band_previous
    from periods
    inner join current_rows
        on periods.tenant_id = current_rows.tenant_id
        and periods.period = current_rows.period
    left join previous_rows
        on current_rows.tenant_id = previous_rows.tenant_id
        and current_rows.period = previous_rows.period
        and current_rows.organization_id = previous_rows.organization_id

)

select * from final
{%- endmacro %}
