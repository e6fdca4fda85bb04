-- Contacts attended per user (seed 003 "Contatos Atendidos por Usuário"): per agent and
-- report day, contacts attended in total, by channel and by direction. Bots (directory
-- is_bot) are agents too and appear with attended_by 'automation'; contacts answered with
-- no agent at all are only in contacts_attended_by_automation.
with

attended as (

    select * from {{ ref('int_agent__contacts_attended') }}
    where agent_id is not null

),

aggregated as (

    select
        tenant_id,
        report_day,
        agent_id,
        agent_group_id,
        attended_by,
        cast(count(*) as bigint) as contacts_attended,
        cast(sum(case when channel = 'call' then 1 else 0 end) as bigint) as calls,
        cast(sum(case when channel = 'chat' then 1 else 0 end) as bigint) as chats,
        cast(sum(case when channel = 'email' then 1 else 0 end) as bigint) as emails,
        cast(sum(case when channel = 'sms' then 1 else 0 end) as bigint) as sms,
        cast(sum(case when direction = 'inbound' then 1 else 0 end) as bigint) as inbound,
        cast(sum(case when direction = 'outbound' then 1 else 0 end) as bigint) as outbound,
        cast(coalesce(sum(handle_seconds), 0) as double) as handle_seconds
    from attended
    group by tenant_id, report_day, agent_id, agent_group_id, attended_by

)

select * from aggregated
