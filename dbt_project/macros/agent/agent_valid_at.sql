{#
  agent_valid_at(history, ts): join condition "the version of int_agent__directory_history
  aliased `history` is the one valid at instant ts": valid_from <= ts < valid_to, where the
  first known version also covers everything before it and the latest has no end.
#}
{% macro agent_valid_at(history, ts) -%}
    ({{ history }}.is_first_version or {{ ts }} >= {{ history }}.valid_from)
    and ({{ history }}.valid_to is null or {{ ts }} < {{ history }}.valid_to)
{%- endmacro %}
