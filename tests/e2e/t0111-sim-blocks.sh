#!/usr/bin/env bash
# letta-sim: blocks (docs/contract/letta-api.md 5.3): CreateBlock defaults, no timestamps, metadata,
# the list filters, count, and block templates hidden from the default list.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/blocks/ '{"label":"human","value":"Alice likes tea","description":"About the human","tags":["a","b"],"metadata":{"managed_by":"sync"}}'
expect_status 200
expect_body '(.id|test("^block-[0-9a-f-]{36}$")) and .limit == 100000 and .is_template == false and .read_only == false'
expect_body '(has("created_at")|not) and (has("updated_at")|not) and .metadata == {"managed_by":"sync"} and (has("metadata_")|not)'
h=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"persona","value":"Helpful bot","tags":["b"],"limit":500}'
p=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"team/notes","value":"","description":"Notes"}'
expect_body '.value == "" and .metadata == {} and .tags == []'
sim_call POST /v1/blocks/ '{"label":"human","value":"tpl","is_template":true,"template_name":"base human"}'
tpl=$(body_get .id)
sim_call POST /v1/blocks/ '{"label":"secret","value":"x","hidden":true}'

# Templates and hidden blocks are not in the default list; templates_only shows templates.
sim_call GET /v1/blocks/
expect_body '(map(.label)) == ["human","persona","team/notes"]'
sim_call GET /v1/blocks/count
expect_body '. == 3'
sim_call GET '/v1/blocks/?templates_only=true'
expect_body '(map(.id)) == ["'"$tpl"'"]'
sim_call GET '/v1/blocks/?templates_only=true&name=base%20human'
expect_body 'length == 1 and .[0].template_name == "base human"'
sim_call GET '/v1/blocks/count?templates_only=true'
expect_body '. == 1'

# Filters.
sim_call GET '/v1/blocks/?label=human'
expect_body '(map(.id)) == ["'"$h"'"]'
sim_call GET '/v1/blocks/?label=team/notes'
expect_body 'length == 1'
sim_call GET '/v1/blocks/?label_search=ERS'
expect_body '(map(.id)) == ["'"$p"'"]'
sim_call GET '/v1/blocks/?value_search=TEA'
expect_body '(map(.id)) == ["'"$h"'"]'
sim_call GET '/v1/blocks/?description_search=about'
expect_body '(map(.id)) == ["'"$h"'"]'
sim_call GET '/v1/blocks/?tags=a&tags=b'
expect_body '(map(.label)) == ["human","persona"]'
sim_call GET '/v1/blocks/?tags=a&tags=b&match_all_tags=true'
expect_body '(map(.label)) == ["human"]'
sim_call GET '/v1/blocks/count?tags=b'
expect_body '. == 2'
sim_call GET '/v1/blocks/?label=a%2Bb'
expect_status 422
sim_call GET "/v1/blocks/?label=$(printf 'x%.0s' $(seq 51))"
expect_status 422
sim_call GET '/v1/blocks/?value_search='
expect_status 422

# BlockUpdate: null leaves a field, metadata and tags replace.
sim_call PATCH "/v1/blocks/$h" '{"value":null,"metadata":{"other":1},"tags":["c"],"unknown":"ignored"}'
expect_status 200
expect_body '.value == "Alice likes tea" and .metadata == {"other":1} and .tags == ["c"] and (has("unknown")|not)'
sim_call PATCH "/v1/blocks/$h" '{"limit":"big"}'
expect_status 422
# NUL characters are removed from values (digest 5.3).
sim_call POST /v1/blocks/ '{"label":"nul","value":"a\u0000b"}'
expect_status 200
expect_body '.value == "ab"'
echo ok
