# A SASL_SSL listener for kafka.sh, on when KAFKA_SASL_SSL_PORT is set: what managed Kafka and
# Strimzi's TLS listeners ask of clients (SCRAM or PLAIN over TLS), for tests and container runs.
# Writes, under $MANIFOLD_RUN_DIR/kafka/secure/:
#   ca.pem                   the CA clients trust (KAFKA_TLS_CA_FILE)
#   client.pem, client.key   a client certificate the CA signed (KAFKA_TLS_CERT_FILE / _KEY_FILE)
#   client.env               the KAFKA_* variables of a client, ready to source (mode 0600)
# The broker's own certificate names 127.0.0.1, localhost and KAFKA_TLS_HOSTNAMES (comma-separated).
# shellcheck shell=bash

SECURE="$MANIFOLD_RUN_DIR/kafka/secure"
KAFKA_SASL_USERNAME_LOCAL="${KAFKA_SCRAM_USERNAME:-manifold}"

# Makes the CA, the broker's PKCS12 keystore and a client certificate once per run folder.
secure_material() {
  [ -f "$SECURE/.complete" ] && return 0
  command -v openssl >/dev/null || die "openssl is required for KAFKA_SASL_SSL_PORT"
  rm -rf "$SECURE"; mkdir -p "$SECURE"; chmod 700 "$SECURE"
  local password san host
  password="${KAFKA_SCRAM_PASSWORD:-$(openssl rand -hex 16)}"
  san="IP:127.0.0.1,DNS:localhost"
  IFS=',' read -r -a hosts <<<"${KAFKA_TLS_HOSTNAMES:-}"
  for host in "${hosts[@]}"; do [ -n "$host" ] && san="$san,DNS:$host"; done
  (
    cd "$SECURE"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=manifold-local-kafka-ca" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile broker.ext -out broker.pem 2>/dev/null
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -passout "pass:$password" -out broker.p12
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$KAFKA_SASL_USERNAME_LOCAL" -keyout client.key -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
      -extfile client.ext -out client.pem 2>/dev/null
    rm -f ./*.csr ./*.ext ca.srl
    printf '%s' "$password" >password
    {
      echo "KAFKA_SASL_MECHANISM=scram-sha-512"
      echo "KAFKA_SASL_USERNAME=$KAFKA_SASL_USERNAME_LOCAL"
      echo "KAFKA_SASL_PASSWORD=$password"
      echo "KAFKA_TLS=true"
      echo "KAFKA_TLS_CA_FILE=$SECURE/ca.pem"
    } >client.env
    chmod 600 ./*
  )
  touch "$SECURE/.complete"
}

# Appends the listener to the broker's properties (later keys win over the template's).
secure_properties() {
  local password; password="$(cat "$SECURE/password")"
  cat <<PROPS
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://${KAFKA_SASL_SSL_BIND:-127.0.0.1}:$KAFKA_SASL_SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://${KAFKA_SASL_SSL_ADVERTISED_HOST:-127.0.0.1}:$KAFKA_SASL_SSL_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USERNAME_LOCAL="$password";
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$SECURE/broker.p12
listener.name.sasl_ssl.ssl.keystore.password=$password
listener.name.sasl_ssl.ssl.key.password=$password
listener.name.sasl_ssl.ssl.truststore.type=PEM
listener.name.sasl_ssl.ssl.truststore.location=$SECURE/ca.pem
listener.name.sasl_ssl.ssl.client.auth=requested
PROPS
}

# The SCRAM credentials, written into the metadata log when the storage is formatted.
secure_format_args() {
  local password; password="$(cat "$SECURE/password")"
  printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USERNAME_LOCAL,password=$password]" \
    --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USERNAME_LOCAL,password=$password]"
}
