-- Contacts attended per user grouped by portfolio (seed 003 "Contatos Atendidos por Usuário
-- agrupado por carteira"): per agent, portfolio and report day. portfolio_id is null for
-- contacts whose queue and campaign have no portfolio.
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
        portfolio_id,
        attended_by,
        cast(count(*) as bigint) as contacts_attended,
        cast(sum(case when channel = 'call' then 1 else 0 end) as bigint) as calls,
        cast(sum(case when channel = 'chat' then 1 else 0 end) as bigint) as chats,
        cast(sum(case when channel = 'email' then 1 else 0 end) as bigint) as emails,
        cast(sum(case when channel = 'sms' then 1 else 0 end) as bigint) as sms,
        cast(coalesce(sum(handle_seconds), 0) as double) as handle_seconds
    from attended
    group by tenant_id, report_day, agent_id, agent_group_id, portfolio_id, attended_by

)

select * from aggregated
