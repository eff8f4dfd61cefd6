#!/usr/bin/env bash
# letta-sim: cursor paging over 1,000 blocks with limit=50 in both orders (docs/contract/letta-api.md
# section 3): bare arrays, exclusive cursors, stop on the empty page, every block exactly once
# in (created_at, id) order; `before` pages back; --max-page caps limit; agents default to desc.
. "$(dirname "$0")/lib-e2e.sh"
needs_sim
start_sim

# 1,000 creates in one curl process (keep-alive, in order).
cfg=$TMP/create.cfg
for i in $(seq 1 1000); do
	printf 'url = "%s/v1/blocks/"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"label\\":\\"l\\",\\"value\\":\\"%d\\"}"\noutput = "/dev/null"\nnext\n' \
		"$SIM_URL" "$SIM_KEY" "$i"
done | sed '$d' >"$cfg"
curl -sS -f -K "$cfg" || fail "creating 1,000 blocks"
sim_call GET /v1/blocks/count
expect_body '. == 1000'

# page ORDER: walks the list with after= until an empty page; prints values one a line.
page() {
	local order=$1 after= n=0 q
	: >"$TMP/seen.$order"
	while :; do
		q="limit=50&order=$order${after:+&after=$after}"
		sim_call GET "/v1/blocks/?$q"
		expect_status 200
		n=$((n + 1))
		# One jq per page: "<type> <length> <last id>" then the values.
		jq -r '"\(type) \(length) \(.[-1].id // "")", (.[].value)' "$TMP/body" >"$TMP/pg"
		read -r typ len after <"$TMP/pg"
		[ "$typ" = array ] || fail "page is not a bare array"
		[ "$len" -le 50 ] || fail "page longer than limit"
		[ "$len" -eq 0 ] && break
		tail -n +2 "$TMP/pg" >>"$TMP/seen.$order"
		[ $n -le 30 ] || fail "paging does not end"
	done
	echo "$n"
}
pages=$(page asc)
[ "$pages" = 21 ] || fail "asc: $pages requests, want 20 pages and one empty page"
seq 1 1000 | cmp -s - "$TMP/seen.asc" || fail "asc order or coverage is wrong"
pages=$(page desc)
[ "$pages" = 21 ] || fail "desc: $pages requests"
seq 1000 -1 1 | cmp -s - "$TMP/seen.desc" || fail "desc order or coverage is wrong"

# The default order of blocks is asc and the default limit 50.
sim_call GET /v1/blocks/
expect_body 'length == 50 and .[0].value == "1" and .[49].value == "50"'

# Exclusive cursors, before pages back, after+before makes a window.
sim_call GET '/v1/blocks/?limit=3&order=asc'
id3=$(body_get '.[2].id')
sim_call GET "/v1/blocks/?limit=10&after=$id3"
expect_body '.[0].value == "4"'
sim_call GET '/v1/blocks/?limit=1&order=asc&after='"$id3"
id4=$(body_get '.[0].id')
sim_call GET "/v1/blocks/?limit=100&after=$id3&order=desc"
expect_body '.[0].value == "2" and .[1].value == "1" and length == 2'
sim_call GET '/v1/blocks/?order=asc&limit=1000'
id10=$(body_get '.[9].id')
id20=$(body_get '.[19].id')
sim_call GET "/v1/blocks/?before=$id10&limit=3"
expect_body '(map(.value)) == ["7","8","9"]'
sim_call GET "/v1/blocks/?after=$id10&before=$id20&limit=100"
expect_body '(map(.value)) == ["11","12","13","14","15","16","17","18","19"]'
: "$id4"

# Bad paging parameters are 422s with a string detail.
sim_call GET '/v1/blocks/?limit=ten'
expect_status 422
expect_body '(.detail|type) == "string" and (.detail|test("int_parsing"))'
sim_call GET '/v1/blocks/?order=up'
expect_status 422
sim_call GET '/v1/blocks/?order_by=name'
expect_status 422

# --max-page caps limit (set at run time through the admin API).
sim_admin PUT /_sim/faults '{"max_page":7}' >/dev/null
sim_call GET '/v1/blocks/?limit=50'
expect_body 'length == 7'
sim_admin PUT /_sim/faults '{"max_page":0}' >/dev/null

# Agents: default order desc (newest first), order_by validated.
for n in first second third; do
	sim_call POST /v1/agents/ "{\"name\":\"$n\",\"model\":\"openai/gpt-4o-mini\",\"include_base_tools\":false}"
done
sim_call GET /v1/agents/
expect_body '(map(.name)) == ["third","second","first"]'
sim_call GET '/v1/agents/?order=asc&limit=2'
expect_body '(map(.name)) == ["first","second"]'
a2=$(body_get '.[1].id')
sim_call GET "/v1/agents/?order=asc&after=$a2"
expect_body '(map(.name)) == ["third"]'
sim_call GET '/v1/agents/?order_by=updated_at&order=asc'
expect_status 200
sim_call GET '/v1/agents/?order_by=bogus'
expect_status 422
echo ok
