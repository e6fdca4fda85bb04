-- Organizations (customer companies of a tenant; seed 004 "Firma", seed 001 "Konto"), current
-- state: every organization the directory describes, plus any organization id that contacts,
-- company activity or CRM actions name without a directory record of its own (in_directory
-- false), so every organization_id in the marts has a row here.
with

history as (

    select * from {{ ref('int_directory__history') }}

),

directory_organizations as (

    select
        tenant_id,
        entity_id as organization_id,
        max(case when is_current then name end) as organization_name,
        max(case when is_current then attributes end) as attributes,
        min(valid_from) as first_seen_at,
        max(case when is_current then valid_from end) as updated_at
    from history
    where entity = 'organization'
    group by tenant_id, entity_id

),

referenced as (

    select tenant_id, organization_id from history
    where entity = 'contact' and organization_id is not null

    union

    select tenant_id, organization_id from {{ ref('int_company__activity') }}
    where organization_id is not null

    union

    select tenant_id, organization_id from {{ ref('stg_ccwh__crm_actions') }}
    where organization_id is not null

),

all_organizations as (

    select tenant_id, organization_id from directory_organizations

    union

    select tenant_id, organization_id from referenced

),

current_members as (

    select tenant_id, organization_id, count(*) as current_contacts
    from history
    where entity = 'contact'
      and is_current
      and organization_id is not null
    group by tenant_id, organization_id

),

final as (

    select
        cast(all_organizations.tenant_id as string) as tenant_id,
        cast(all_organizations.organization_id as string) as organization_id,
        cast(directory_organizations.organization_name as string) as organization_name,
        cast(directory_organizations.organization_id is not null as boolean) as in_directory,
        cast(coalesce(current_members.current_contacts, 0) as bigint) as current_contacts,
        cast(directory_organizations.first_seen_at as timestamp) as first_seen_at,
        cast(directory_organizations.updated_at as timestamp) as updated_at,
        cast(directory_organizations.attributes as string) as attributes
    from all_organizations
    left join directory_organizations
        on all_organizations.tenant_id = directory_organizations.tenant_id
        and all_organizations.organization_id = directory_organizations.organization_id
    left join current_members
        on all_organizations.tenant_id = current_members.tenant_id
        and all_organizations.organization_id = current_members.organization_id

)

select * from final
