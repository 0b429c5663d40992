# A SASL_SSL listener for kafka.sh, on when KAFKA_SASL_SSL_PORT is set: what managed Kafka and
# Strimzi's TLS listeners ask of clients (SCRAM or PLAIN over TLS), for tests and container runs.
# Writes, under $MANIFOLD_RUN_DIR/kafka/secure/ (certificates by ../tls-certificates.sh):
#   ca.pem                   the CA clients trust (KAFKA_TLS_CA_FILE)
#   client.pem, client.key   a client certificate the CA signed (KAFKA_TLS_CERT_FILE / _KEY_FILE)
#   client.env               the KAFKA_* variables of a client, ready to source (mode 0600)
# The broker's certificate names 127.0.0.1, localhost and KAFKA_TLS_HOSTNAMES (comma-separated).
# shellcheck shell=bash

SECURE="$MANIFOLD_RUN_DIR/kafka/secure"
KAFKA_SASL_USERNAME_LOCAL="${KAFKA_SCRAM_USERNAME:-manifold}"

# Makes the CA, the broker's certificate (as a PKCS12 keystore) and a client certificate once per run folder.
secure_material() {
  [ -f "$SECURE/.complete" ] && return 0
  rm -rf "$SECURE"; mkdir -p "$SECURE"
  local password hosts=()
  password="${KAFKA_SCRAM_PASSWORD:-$(openssl rand -hex 16)}"
  IFS=',' read -r -a hosts <<<"${KAFKA_TLS_HOSTNAMES:-}"
  bash "$MANIFOLD_ROOT/deploy/local/tls-certificates.sh" "$SECURE" "${hosts[@]}"
  (
    cd "$SECURE" || exit 1
    openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name broker \
      -passout "pass:$password" -out broker.p12
    printf '%s' "$password" >password
    {
      echo "KAFKA_SASL_MECHANISM=scram-sha-512"
      echo "KAFKA_SASL_USERNAME=$KAFKA_SASL_USERNAME_LOCAL"
      echo "KAFKA_SASL_PASSWORD=$password"
      echo "KAFKA_TLS=true"
      echo "KAFKA_TLS_CA_FILE=$SECURE/ca.pem"
    } >client.env
    chmod 600 password client.env broker.p12
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
