-- The "related lists" of seed 001 (Mer information tab of an account, contact or campaign):
-- one row per communication action and entity it relates to. The list for one entity is
--   select a.* from communication_action_links l
--   join communication_actions a on a.tenant_id = l.tenant_id and a.action_id = l.action_id
--   where l.tenant_id = ? and l.entity_type = 'contact' and l.entity_id = ?
-- (the CRM's condition "Crmid equals $ID$").
with

actions as (

    select * from {{ ref('communication_actions') }}

),

links as (

    select tenant_id, action_id, 'organization' as entity_type, organization_id as entity_id,
        created_at, report_day
    from actions
    where organization_id is not null

    union all

    select tenant_id, action_id, 'contact' as entity_type, contact_id as entity_id,
        created_at, report_day
    from actions
    where contact_id is not null

    union all

    select tenant_id, action_id, 'campaign' as entity_type, campaign_id as entity_id,
        created_at, report_day
    from actions
    where campaign_id is not null

    union all

    select tenant_id, action_id, 'crm_user' as entity_type, crm_user_id as entity_id,
        created_at, report_day
    from actions
    where crm_user_id is not null

    union all

    select tenant_id, action_id, 'agent' as entity_type, agent_id as entity_id,
        created_at, report_day
    from actions
    where agent_id is not null

),

final as (

    select
        cast(tenant_id as string) as tenant_id,
        cast(entity_type as string) as entity_type,
        cast(entity_id as string) as entity_id,
        cast(action_id as string) as action_id,
        cast(created_at as timestamp) as created_at,
        report_day
    from links

)

select * from final
