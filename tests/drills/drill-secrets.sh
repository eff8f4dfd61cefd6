#!/usr/bin/env bash
# Drill 5 (issue 15): no output of letta-sync carries the API key. Every command runs with
# the key set (plain, -v, --json, and failing: a wrong key, an unreachable server, the key as
# LETTA_SERVER_PASSWORD), and every captured stdout and stderr, every file letta-sync wrote
# (plans, settings.local.json, pulled manifests, snapshots) and, when DRILL_CAPTURE names a directory,
# the captures of the other drills are scanned for the key and for its first 16 characters.
# Issue 20: a password in LETTA_BASE_URL's user-info and a token in its query (neither of them
# the key, so only the URL rule can hide them) must not appear either.
. "$(dirname "$0")/../e2e/lib-e2e.sh"
. "$(dirname "$0")/../e2e/lib-sync.sh"
. "$(dirname "$0")/lib-drill.sh"
SIM_KEY=sk-let-drill-$RANDOM$RANDOM-$RANDOM$RANDOM-secret
URL_PW=urlpw-$RANDOM$RANDOM-$RANDOM
URL_TOKEN=urltok-$RANDOM$RANDOM-$RANDOM
sync_setup
DRILL_SIZE=quick DRILL_NB=5 DRILL_NT=2 DRILL_NA=2 DRILL_NP=1 drill_fleet
OUTS=$TMP/captures
mkdir -p "$OUTS"
n=0
# go ARGS...: runs letta-sync ARGS with the environment as it is and keeps the outputs.
go() {
	n=$((n + 1))
	set +e
	"$LS_BIN" "$@" >"$OUTS/$n.out" 2>"$OUTS/$n.err" </dev/null
	echo "$? letta-sync $*" >"$OUTS/$n.cmd"
	set -e
}
for v in "" -v; do
	go $v context
	go $v context --json
	go $v validate
	go $v diff
	go $v diff --json --full
	go $v diff --format markdown
	go $v diff --out "$TMP/plan.json"
	go $v sync --dry-run
	go $v sync --plan "$TMP/plan.json"
	go $v sync --json
	go $v status --extended
	go $v status --json
	go $v bootstrap --name drill-secrets-$n --skip-scope-sync
	go $v bootstrap --name drill-secrets-$n --json --dry-run
	go $v scope-sync
	go $v upgrade --check --all
	go $v upgrade --all --json
	go $v pull --layer org
	go $v projects list
	go $v backup --all
	go $v backup --all --json
	snap=$(ls "$REPO/.letta/snapshots" 2>/dev/null | grep -E '^[0-9]{8}T' | tail -1 || true)
	go $v snapshots --json
	go $v restore "${snap:-none}" --dry-run --json
	go $v restore "${snap:-none}"
	go $v --help
done
# Failures: a wrong key, the key given as the self-hosted password, an unreachable server.
LETTA_API_KEY=$SIM_KEY-wrong go -v sync
LETTA_API_KEY=$SIM_KEY-wrong go --json diff
unset LETTA_API_KEY
LETTA_SERVER_PASSWORD=$SIM_KEY go -v status
export LETTA_API_KEY=$SIM_KEY
LETTA_BASE_URL=http://127.0.0.1:9 go -v --json sync
LETTA_BASE_URL=http://user:$SIM_KEY@127.0.0.1:9 go -v diff
go -v sync --only nonsense
# Credentials in the server URL (issue 20): user-info on the live simulator (the requests still
# carry the key), and a token query parameter on an unreachable one.
cred_url=${SIM_URL/:\/\//://admin:$URL_PW@}
for v in "" -v; do
	LETTA_BASE_URL=$cred_url go $v context
	LETTA_BASE_URL=$cred_url go $v context --json
	LETTA_BASE_URL=$cred_url go $v status
	LETTA_BASE_URL=$cred_url go $v status --json
	LETTA_BASE_URL=$cred_url go $v diff
	LETTA_BASE_URL=$cred_url go $v projects list
	LETTA_BASE_URL="http://admin:$URL_PW@127.0.0.1:9/?token=$URL_TOKEN" go $v status
	LETTA_BASE_URL="http://admin:$URL_PW@127.0.0.1:9/?token=$URL_TOKEN" go $v --json diff
	LETTA_BASE_URL="http://admin:$URL_PW@127.0.0.1:9/?api_key=$URL_TOKEN" go $v context
done

prefix=${SIM_KEY:0:16}
hits=$(grep -rlF -e "$SIM_KEY" -e "$prefix" -e "$URL_PW" -e "$URL_TOKEN" "$OUTS" "$REPO" ${DRILL_CAPTURE:+"$DRILL_CAPTURE"} \
	--exclude-dir=.git 2>/dev/null || true)
if [ -n "$hits" ]; then
	for h in $hits; do
		echo "--- $h (${h%.*}.cmd: $(cat "${h%.*}.cmd" 2>/dev/null))"
		grep -nF -e "$SIM_KEY" -e "$prefix" -e "$URL_PW" -e "$URL_TOKEN" "$h" | head -5
	done
	fail "the API key or a URL credential appeared in $(echo "$hits" | wc -l) output(s)"
fi
grep -qF '[REDACTED]@' "$OUTS"/*.out || fail "no run printed the masked server URL"
[ -z "${DRILL_SHOW:-}" ] || cat "$OUTS"/*.cmd | sort -n >&2
echo "drill-secrets: ok ($n runs of letta-sync, $(find "$OUTS" "$REPO" -type f -not -path '*/.git/*' | wc -l) files scanned${DRILL_CAPTURE:+, plus the captures in $DRILL_CAPTURE}; no key, no URL credential)"
