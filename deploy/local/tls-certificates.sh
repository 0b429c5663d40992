#!/usr/bin/env bash
# Makes a throwaway CA and two certificates it signed, with openssl, for local runs and tests of
# TLS (Kafka's SASL_SSL listener, gRPC between services, MongoDB behind TLS):
#   ca.pem, ca.key           the CA (clients and servers trust ca.pem)
#   server.pem, server.key   for 127.0.0.1, localhost and each extra host name given
#   client.pem, client.key   a client certificate (mutual TLS), CN=$TLS_CLIENT_NAME (manifold-client)
#   client.pem+key.pem       the client certificate and key in one file (as MongoDB drivers take it)
# Keys are unencrypted PKCS#8, mode 0600 (certificates 0644). Valid 30 days: made again for each run.
# usage: tls-certificates.sh DIR [HOSTNAME ...]
set -euo pipefail
dir="${1:?usage: tls-certificates.sh DIR [HOSTNAME ...]}"; shift
command -v openssl >/dev/null || { echo "tls-certificates.sh: openssl is required" >&2; exit 1; }
san="IP:127.0.0.1,DNS:localhost"
for host in "$@"; do [ -n "$host" ] && san="$san,DNS:$host"; done
mkdir -p "$dir"
cd "$dir"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=manifold-local-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
sign() { # name subject extensions
  openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
sign server "/CN=127.0.0.1" "subjectAltName=$san
extendedKeyUsage=serverAuth"
sign client "/CN=${TLS_CLIENT_NAME:-manifold-client}" "extendedKeyUsage=clientAuth"
cat client.pem client.key >client.pem+key.pem
rm -f ca.srl
chmod 644 ca.pem server.pem client.pem
