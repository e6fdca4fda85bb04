-- Company interactions for one chosen period of 1-31 whole report days ending no later than
-- yesterday (seed 004's date picker): vars company_period_start and company_period_end
-- (inclusive, 'YYYY-MM-DD'), e.g.
--   dbt build -s company_interactions_period --vars '{company_period_start: 2026-11-01, company_period_end: 2026-11-30}'
-- Unset, it is the 7 days ending the day before var as_of_date (default: the run's UTC date).
-- Another length is refused at compile time (macro company_interactions_for_period).
{%- set as_of = var('as_of_date', none) %}
{%- if as_of is none %}
{%- set today = run_started_at.date() %}
{%- else %}
{%- set today = ccwh.company_parse_day(as_of) %}
{%- endif %}
{%- if today is string %}
{{ exceptions.raise_compiler_error('company_interactions_period: var as_of_date ' ~ today) }}
{%- endif %}
{%- set default_end = today - modules.datetime.timedelta(days=1) %}
{%- set default_start = today - modules.datetime.timedelta(days=7) %}

{{ ccwh.company_interactions_for_period(
    var('company_period_start', none) or (default_start | string),
    var('company_period_end', none) or (default_end | string)
) }}
