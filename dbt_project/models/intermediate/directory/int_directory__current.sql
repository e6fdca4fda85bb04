-- The current version of every directory entity (tenant x entity x entity_id): the latest row
-- of int_directory__history. Source of the directory_snapshot audit trail.
{%- set typed = ccwh.directory_typed_attributes() %}
select
    tenant_id,
    entity,
    entity_id,
    version_number,
    valid_from,
    event_id,
    attributes,
    {%- for attr in typed %}
    {{ attr }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('int_directory__history') }}
where is_current
