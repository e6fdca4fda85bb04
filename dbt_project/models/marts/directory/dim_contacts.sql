-- Contacts (persons a tenant talks to; seed 004 "Osoba", seed 001 "Kontakt"), current state
-- from the directory: name, current organization, and how often the organization changed.
-- Reports that count by organization use the membership as of each event instead
-- (int_directory__history, macro membership_as_of), never this current one.
with

history as (

    select * from {{ ref('int_directory__history') }}
    where entity = 'contact'

),

changes as (

    select
        history.*,
        lag(organization_id) over (
            partition by tenant_id, entity_id
            order by version_number asc nulls last
        ) as previous_organization_id
    from history

),

per_contact as (

    select
        tenant_id,
        entity_id as contact_id,
        max(case when is_current then name end) as contact_name,
        max(case when is_current then organization_id end) as organization_id,
        max(case when is_current then attributes end) as attributes,
        min(valid_from) as first_seen_at,
        max(case when is_current then valid_from end) as updated_at,
        count(*) as versions,
        sum(
            case
                when version_number > 1
                    and coalesce(organization_id, '') <> coalesce(previous_organization_id, '')
                    then 1
                else 0
            end
        ) as organization_changes
    from changes
    group by tenant_id, entity_id

),

organizations as (

    select tenant_id, entity_id as organization_id, name as organization_name
    from {{ ref('int_directory__history') }}
    where entity = 'organization'
      and is_current

),

final as (

    select
        cast(per_contact.tenant_id as string) as tenant_id,
        cast(per_contact.contact_id as string) as contact_id,
        cast(per_contact.contact_name as string) as contact_name,
        cast(per_contact.organization_id as string) as organization_id,
        cast(organizations.organization_name as string) as organization_name,
        cast(per_contact.first_seen_at as timestamp) as first_seen_at,
        cast(per_contact.updated_at as timestamp) as updated_at,
        cast(per_contact.versions as bigint) as versions,
        cast(per_contact.organization_changes as bigint) as organization_changes,
        cast(per_contact.attributes as string) as attributes
    from per_contact
    left join organizations
        on per_contact.tenant_id = organizations.tenant_id
        and per_contact.organization_id = organizations.organization_id

)

select * from final
