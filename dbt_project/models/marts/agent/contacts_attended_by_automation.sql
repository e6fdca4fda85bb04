-- Contacts attended by automation vs human (seed 003): per report day, channel and
-- attended_by ('human' or 'automation'), the contacts attended and their share of the
-- channel's attended contacts that day. Automation = a bot agent (directory is_bot) or a
-- queue stay answered with no agent (decisions/agent.md).
with

attended as (

    select * from {{ ref('int_agent__contacts_attended') }}

),

aggregated as (

    select
        tenant_id,
        report_day,
        channel,
        attended_by,
        cast(count(*) as bigint) as contacts_attended,
        cast(sum(case when automation_kind = 'bot_agent' then 1 else 0 end) as bigint)
            as attended_by_bot_agent,
        cast(sum(case when automation_kind = 'no_agent' then 1 else 0 end) as bigint)
            as attended_without_agent
    from attended
    group by tenant_id, report_day, channel, attended_by

),

final as (

    select
        tenant_id,
        report_day,
        channel,
        attended_by,
        contacts_attended,
        attended_by_bot_agent,
        attended_without_agent,
        {{ ccwh.safe_divide(
            'contacts_attended',
            'sum(contacts_attended) over (partition by tenant_id, report_day, channel)'
        ) }} as share_of_channel
    from aggregated

)

select * from final
