#!/usr/bin/env bash
# letta-sim: folders (docs/contract/letta-api.md 5.6): source- ids, strict bodies, 409 on a duplicate
# name, substring name filter, /agents as ids, multipart upload with duplicate_handling and an
# asynchronous processing_status, file delete 204, agent attach/detach and the agent's list.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

sim_call POST /v1/folders/ '{"name":"Team Docs","description":"d","embedding":"openai/text-embedding-3-small","metadata":{"managed_by":"sync"}}'
expect_status 200
expect_body '(.id|test("^source-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")) and .name == "Team Docs"'
expect_body '.embedding_config.embedding_model == "text-embedding-3-small" and (.embedding_config.embedding_dim|type) == "number"'
expect_body '(.created_at|type) == "string" and (.updated_at|type) == "string" and .metadata == {"managed_by":"sync"}'
fid=$(body_get .id)
sim_call POST /v1/folders/ '{"name":"Team Docs","embedding":"openai/text-embedding-3-small"}'
expect_status 409
expect_body '(.detail|type) == "string"'
sim_call POST /v1/folders/ '{"name":"x","embedding":"openai/e","bogus":1}'
expect_status 422
expect_body '.detail | test("extra_forbidden")'
sim_call POST /v1/folders/ '{"name":"no embedding"}'
expect_status 400
sim_call POST /v1/folders/ '{"name":"other","embedding_config":{"embedding_endpoint_type":"openai","embedding_model":"m","embedding_dim":8}}'
expect_status 200
oid=$(body_get .id)

# Substring, case-insensitive name filter; default order asc; count.
sim_call GET '/v1/folders/?name=docs'
expect_body '(map(.id)) == ["'"$fid"'"]'
sim_call GET /v1/folders/
expect_body '(map(.name)) == ["Team Docs","other"]'
sim_call GET /v1/folders/count
expect_body '. == 2'
# PATCH: strict, null unchanged, rename clash 409.
sim_call PATCH "/v1/folders/$fid" '{"description":"new","instructions":null}'
expect_body '.description == "new" and .name == "Team Docs"'
u1=$(body_get .updated_at)
# A no-op update is skipped: updated_at stays.
sim_call PATCH "/v1/folders/$fid" '{"description":"new"}'
expect_body '.updated_at == "'"$u1"'"'
sim_call PATCH "/v1/folders/$fid" '{"name":"other"}'
expect_status 409
sim_call PATCH "/v1/folders/$fid" '{"embedding":"x"}'
expect_status 422

# Upload: multipart "file"; pending first, completed after a few GETs or a few hundred ms.
printf 'hello folder\n' >"$TMP/notes.md"
up() { # [query] -> status, body
	status=$(curl -sS -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -H "Authorization: Bearer $SIM_KEY" \
		-F "file=@$TMP/notes.md" "$SIM_URL/v1/folders/$fid/upload${1-}")
}
up
expect_status 200
expect_body '.processing_status == "pending" and .file_name == "notes.md" and .source_id == "'"$fid"'" and (.id|startswith("file-"))'
expect_body '.file_size == 13 and .file_type == "text/markdown"'
file1=$(body_get .id)
seen=
for _ in 1 2 3 4 5 6; do
	sim_call GET "/v1/folders/$fid/files/$file1"
	expect_status 200
	seen+="$(body_get .processing_status) "
	[ "$(body_get .processing_status)" = completed ] && break
done
[[ "$seen" == *completed* ]] || fail "processing never completed: $seen"
sim_call GET "/v1/folders/$fid/files?include_content=true"
expect_body '.[0].content == "hello folder\n" and .[0].chunks_embedded == .[0].total_chunks'

# duplicate_handling: skip (same file, X-Upload-Result), error (400), suffix (default), replace.
up '?duplicate_handling=skip'
expect_status 200
expect_body ".id == \"$file1\""
expect_header X-Upload-Result skipped
up '?duplicate_handling=error'
expect_status 400
up
expect_body '.file_name == "notes_(1).md" and .original_file_name == "notes.md"'
up '?duplicate_handling=replace'
expect_status 200
expect_body '.file_name == "notes.md"'
file2=$(body_get .id)
[ "$file2" != "$file1" ] || fail "replace kept the old file id"
sim_call GET "/v1/folders/$fid/files"
expect_body '(map(.file_name)|sort) == ["notes.md","notes_(1).md"]'
up '?duplicate_handling=sometimes'
expect_status 422
up '?name=renamed.txt'
expect_body '.file_name == "renamed.txt"'
printf 'x' >"$TMP/image.exe"
status=$(curl -sS -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $SIM_KEY" -F "file=@$TMP/image.exe" "$SIM_URL/v1/folders/$fid/upload")
expect_status 415

# File delete: DELETE /v1/folders/{f}/{file}, 204 with no body, then 404.
sim_call DELETE "/v1/folders/$fid/$file2"
expect_status 204
[ ! -s "$TMP/body" ] || fail "204 with a body"
sim_call DELETE "/v1/folders/$fid/$file2"
expect_status 404
sim_call GET "/v1/folders/$fid/files/$file2"
expect_status 404

# Agents: attach/detach (null to a 1.0 client), the agent's folders, /agents as ids.
sim_call POST /v1/agents/ '{"name":"reader","model":"openai/gpt-4o-mini","include_base_tools":false}'
aid=$(body_get .id)
sim_call PATCH "/v1/agents/$aid/folders/attach/$fid"
expect_status 200
[ "$(cat "$TMP/body")" = null ] || fail "folder attach body for a 1.0 client"
sim_call PATCH "/v1/agents/$aid/folders/attach/$fid" '' -H 'User-Agent: letta-sync/0.1'
expect_body '(.sources|map(.id)) == ["'"$fid"'"]'
sim_call GET "/v1/agents/$aid/folders"
expect_body '(map(.id)) == ["'"$fid"'"]'
sim_call GET "/v1/folders/$fid/agents"
expect_body '. == ["'"$aid"'"]'
sim_call GET "/v1/agents/$aid?include=agent.sources"
expect_body '(.sources|map(.name)) == ["Team Docs"]'
sim_call PATCH "/v1/agents/$aid" "{\"folder_ids\":[\"$oid\"]}"
expect_body '(.sources|map(.id)) == ["'"$oid"'"]'
sim_call PATCH "/v1/agents/$aid/folders/detach/$oid"
expect_status 200
sim_call GET "/v1/agents/$aid/folders"
expect_body '. == []'
sim_call PATCH "/v1/agents/$aid/folders/attach/source-00000000-0000-4000-8000-000000000000"
expect_status 404
sim_call GET /v1/folders/folder-1
expect_status 422

# Folder delete: 200 null; detached from agents; its files are gone.
sim_call PATCH "/v1/agents/$aid/folders/attach/$fid"
sim_call DELETE "/v1/folders/$fid"
expect_status 200
[ "$(cat "$TMP/body")" = null ] || fail "folder delete body"
sim_call GET "/v1/agents/$aid/folders"
expect_body '. == []'
sim_admin GET /_sim/state | jq -e '.files == []' >/dev/null || fail "files survived their folder"
echo ok
