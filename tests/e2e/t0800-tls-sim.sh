#!/usr/bin/env bash
# HTTPS: letta-sim --tls-cert/--tls-key speaks TLS (libmicrohttpd over GnuTLS) and says so on
# its first line; letta-sync trusts a private CA only through LETTA_CA_BUNDLE or CURL_CA_BUNDLE
# (verification is never switched off); a certificate from an untrusted CA is refused at once
# with a clear error and nothing reaches the server; --connect-latency-ms and the
# "connections" counter count new connections, not requests.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
needs_sim
command -v openssl >/dev/null || skip "openssl is not installed"

bash "$LS_SOURCE_DIR/tests/tools/make-tls-cert.sh" "$TMP/tls"
sync_setup --tls-cert "$TMP/tls/server.pem" --tls-key "$TMP/tls/server.key" \
	--connect-latency-ms 5
case "$SIM_URL" in
https://127.0.0.1:*) ;;
*) fail "letta-sim with --tls-cert should listen on https://, said: $SIM_URL" ;;
esac
# The helpers' curl trusts the test CA the same way.
export CURL_CA_BUNDLE=$TMP/tls/ca.pem

# Plain HTTP to the TLS port gets no answer.
if curl -fsS -o /dev/null "http://${SIM_URL#https://}/v1/health/" 2>/dev/null; then
	fail "letta-sim --tls-cert answered plain HTTP"
fi

# Keep-alive: three requests on one connection count one connection.
sim_admin POST /_sim/stats/reset >/dev/null
curl -fsS -o /dev/null -o /dev/null -o /dev/null "$SIM_URL/v1/health/" "$SIM_URL/v1/health/" \
	"$SIM_URL/v1/health/"
[ "$(sim_stats | jq '.connections, .total' | tr '\n' ' ')" = "1 3 " ] ||
	fail "3 requests on one connection should count 1 connection: $(sim_stats)"

policy_yaml | manifest blocks.yaml

# An untrusted CA (LETTA_CA_BUNDLE wins over CURL_CA_BUNDLE): refused before any request,
# not retried, and the message says what to do.
sim_admin POST /_sim/stats/reset >/dev/null
LETTA_CA_BUNDLE=$TMP/tls/other-ca.pem run sync
expect_rc 1
expect_err "the TLS certificate of https://127\.0\.0\.1:[0-9]+ is not trusted"
expect_err "LETTA_CA_BUNDLE"
grep -q "attempts" "$TMP/err" && fail "a refused certificate must not be retried: $(cat "$TMP/err")"
[ "$(sim_stats | jq .total)" -eq 0 ] || fail "a request got through: $(sim_stats)"

# Neither variable: the system's CAs do not include the test CA; --json still gives one
# JSON document naming the failure.
CURL_CA_BUNDLE= run sync --json
expect_rc 1
expect_jq '.ok == false and (.error.message | test("is not trusted"))
	and (.error.hint | test("set LETTA_CA_BUNDLE=/path/to/ca.pem"))'
[ "$(sim_stats | jq .total)" -eq 0 ] || fail "a request got through: $(sim_stats)"

# Trusted through LETTA_CA_BUNDLE alone, then through CURL_CA_BUNDLE alone.
before=$(writes)
CURL_CA_BUNDLE= LETTA_CA_BUNDLE=$TMP/tls/ca.pem run sync
expect_rc 0
expect_out 'created Block/policy'
[ $(($(writes) - before)) -eq 4 ] || fail "the first sync should write 4 times: $(sim_stats)"
expect_writes 0 sync
expect_rc 0
expect_out 'Already in sync'
