#!/usr/bin/env bash
# make-tls-cert.sh DIR: a throwaway CA and a server certificate for 127.0.0.1 and localhost,
# signed by it, for letta-sim --tls-cert/--tls-key in tests and benchmarks. Writes
#   DIR/ca.pem                    the CA to trust (LETTA_CA_BUNDLE, CURL_CA_BUNDLE)
#   DIR/server.pem, server.key    the server's certificate and key
#   DIR/other-ca.pem              a second CA that signed nothing here (an untrusted bundle)
# Keys are EC P-256 (fast to make); the certificates live one day. Nothing here turns
# verification off: a client trusts the server by naming ca.pem.
set -euo pipefail

dir=${1:?usage: make-tls-cert.sh DIR}
mkdir -p "$dir"
cd "$dir"
ossl() { openssl "$@" 2>/dev/null; }

ossl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ca.key \
	-out ca.pem -days 1 -subj "/CN=letta-sim test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
ossl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout other-ca.key \
	-out other-ca.pem -days 1 -subj "/CN=another test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
ossl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout server.key \
	-out server.csr -subj "/CN=127.0.0.1"
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
	"keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
ossl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
	-days 1 -extfile server.ext
rm -f server.csr server.ext ca.srl
[ -s server.pem ] && [ -s server.key ] && [ -s ca.pem ] ||
	{ echo "make-tls-cert.sh: openssl did not make the certificates" >&2; exit 1; }
