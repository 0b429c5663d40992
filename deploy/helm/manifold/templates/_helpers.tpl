{{/* Names */}}
{{- define "manifold.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "manifold.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "manifold.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "manifold.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object: app.kubernetes.io/* and the chart. */}}
{{- define "manifold.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "manifold.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: manifold
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "manifold.releaseSelector" -}}
app.kubernetes.io/name: {{ include "manifold.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
The Deployments: one per service, and one translator per destination type. Each entry names its
service (its image and its Secret), its component label, the values block it takes, and ports.
*/}}
{{- define "manifold.components" -}}
{{- $list := list
  (dict "name" "ingestion" "service" "ingestion" "key" "ingestion" "adminPort" 9101 "httpPort" 8080)
  (dict "name" "control-plane" "service" "control-plane" "key" "controlPlane" "adminPort" 9102 "grpcPort" 50051)
  (dict "name" "warehouse-loader" "service" "warehouse-loader" "key" "warehouseLoader" "adminPort" 9104)
  (dict "name" "console" "service" "console" "key" "console" "adminPort" 9105 "httpPort" 3000)
-}}
{{- range .Values.translator.destinationTypes -}}
{{- $list = append $list (dict "name" (printf "translator-%s" .) "service" "translator" "key" "translator" "adminPort" 9103 "destinationType" .) -}}
{{- end -}}
{{- toJson $list -}}
{{- end -}}

{{/* A component's values: its block, with a translator's per-type overrides merged over it. */}}
{{- define "manifold.componentValues" -}}
{{- $ctx := .ctx -}}
{{- $base := deepCopy (get $ctx.Values .c.key) -}}
{{- if .c.destinationType -}}
{{- $over := get $ctx.Values.translator.overrides .c.destinationType | default dict -}}
{{- $base = mergeOverwrite $base (deepCopy $over) -}}
{{- end -}}
{{- toJson $base -}}
{{- end -}}

{{/* Labels that select one component's pods. */}}
{{- define "manifold.selectorLabels" -}}
{{ include "manifold.releaseSelector" .ctx }}
app.kubernetes.io/component: {{ .c.service }}
{{- with .c.destinationType }}
manifold/destination-type: {{ . }}
{{- end }}
{{- end -}}

{{- define "manifold.image" -}}
{{- $img := .ctx.Values.image -}}
{{- $registry := ternary "" (printf "%s/" (trimSuffix "/" $img.registry)) (empty $img.registry) -}}
{{- printf "%s%s%s:%s" $registry $img.repositoryPrefix .service (default .ctx.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{/*
Secret values: given ones, else the ones an earlier install generated (read from the cluster),
else new random ones. Resolved once per render and kept in .Values, so every Secret of a render
holds the same control plane token.
*/}}
{{- define "manifold.resolveSecrets" -}}
{{- $s := .Values.secrets -}}
{{- if not (hasKey $s "_resolved") -}}
{{- $fullname := include "manifold.fullname" . -}}
{{- $cp := (lookup "v1" "Secret" .Release.Namespace (printf "%s-control-plane" $fullname)).data | default dict -}}
{{- $ing := (lookup "v1" "Secret" .Release.Namespace (printf "%s-ingestion" $fullname)).data | default dict -}}
{{- if not $s.controlPlaneToken -}}
{{- $_ := set $s "controlPlaneToken" (ternary (get $cp "CONTROL_PLANE_TOKEN" | b64dec) (randAlphaNum 40) (hasKey $cp "CONTROL_PLANE_TOKEN")) -}}
{{- end -}}
{{- if not $s.controlPlaneSecretKey -}}
{{- $_ := set $s "controlPlaneSecretKey" (ternary (get $cp "CONTROL_PLANE_SECRET_KEY" | b64dec) (randBytes 32) (hasKey $cp "CONTROL_PLANE_SECRET_KEY")) -}}
{{- end -}}
{{- if not $s.ingestionAdminToken -}}
{{- $_ := set $s "ingestionAdminToken" (ternary (get $ing "INGESTION_ADMIN_TOKEN" | b64dec) (randAlphaNum 40) (hasKey $ing "INGESTION_ADMIN_TOKEN")) -}}
{{- end -}}
{{- if (include "manifold.setupTokenInSecret" .) -}}
{{- $console := (lookup "v1" "Secret" .Release.Namespace (printf "%s-console" $fullname)).data | default dict -}}
{{- if not $s.consoleSetupToken -}}
{{- $_ := set $s "consoleSetupToken" (ternary (get $console "CONSOLE_SETUP_TOKEN" | b64dec) (randAlphaNum 40) (hasKey $console "CONSOLE_SETUP_TOKEN")) -}}
{{- end -}}
{{- if lt (len $s.consoleSetupToken) 16 -}}
{{- fail "secrets.consoleSetupToken must be 16 characters or more" -}}
{{- end -}}
{{- end -}}
{{- $_ := set $s "_resolved" true -}}
{{- end -}}
{{- end -}}

{{/* Non-empty when the console's setup token is the chart's to keep in the console's Secret (not the user's existing Secret). */}}
{{- define "manifold.setupTokenInSecret" -}}
{{- $t := .Values.console.setupToken -}}
{{- if and $t.enabled (not $t.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/*
What each service reads from its Secret (only what it needs). Values are plain strings; the
Secret template encodes them.
*/}}
{{- define "manifold.secretData" -}}
{{- $ctx := .ctx -}}
{{- include "manifold.resolveSecrets" $ctx -}}
{{- $v := $ctx.Values -}}
{{- $s := $v.secrets -}}
{{- $d := dict "CONTROL_PLANE_TOKEN" $s.controlPlaneToken -}}
{{- $kafka := has .service (list "ingestion" "translator" "warehouse-loader" "control-plane") -}}
{{- $mongo := has .service (list "translator" "control-plane" "console" "warehouse-loader") -}}
{{- if and $kafka $v.kafka.sasl.mechanism -}}{{- $_ := set $d "KAFKA_SASL_PASSWORD" $v.kafka.sasl.password -}}{{- end -}}
{{- if and $mongo $v.mongodb.username -}}{{- $_ := set $d "MONGO_PASSWORD" $v.mongodb.password -}}{{- end -}}
{{- if and (has .service (list "ingestion" "translator" "warehouse-loader")) $s.configCacheKey -}}
{{- $_ := set $d "CONFIG_CACHE_KEY" $s.configCacheKey -}}
{{- end -}}
{{- if has .service (list "ingestion" "console") -}}{{- $_ := set $d "INGESTION_ADMIN_TOKEN" $s.ingestionAdminToken -}}{{- end -}}
{{- if eq .service "control-plane" -}}{{- $_ := set $d "CONTROL_PLANE_SECRET_KEY" $s.controlPlaneSecretKey -}}{{- end -}}
{{- if and (eq .service "console") (include "manifold.setupTokenInSecret" $ctx) -}}
{{- $_ := set $d "CONSOLE_SETUP_TOKEN" $s.consoleSetupToken -}}
{{- end -}}
{{- if eq .service "control-plane" -}}
{{- range $type, $client := $s.oauthClients -}}
{{- $prefix := printf "OAUTH_%s" (regexReplaceAll "[^A-Z0-9]" (upper $type) "_") -}}
{{- $_ := set $d (printf "%s_CLIENT_ID" $prefix) (required (printf "secrets.oauthClients.%s.clientId is required" $type) $client.clientId) -}}
{{- $_ := set $d (printf "%s_CLIENT_SECRET" $prefix) (required (printf "secrets.oauthClients.%s.clientSecret is required" $type) $client.clientSecret) -}}
{{- end -}}
{{- end -}}
{{- if and (has .service (list "control-plane" "console")) $s.smtpUrl -}}{{- $_ := set $d "SMTP_URL" $s.smtpUrl -}}{{- end -}}
{{- toJson $d -}}
{{- end -}}

{{/* Shared environment of each service (its ConfigMap). */}}
{{- define "manifold.configData" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
{{- $fullname := include "manifold.fullname" $ctx -}}
{{- $d := dict "LOG_LEVEL" $v.logLevel -}}
{{- if $v.otelExporterOtlpEndpoint -}}{{- $_ := set $d "OTEL_EXPORTER_OTLP_ENDPOINT" $v.otelExporterOtlpEndpoint -}}{{- end -}}
{{- if has .service (list "ingestion" "translator" "warehouse-loader" "control-plane") -}}
{{- $_ := set $d "KAFKA_BROKERS" (required "kafka.brokers is required" $v.kafka.brokers) -}}
{{- $_ := set $d "KAFKA_TOPIC_PREFIX" $v.kafka.topicPrefix -}}
{{- $_ := set $d "KAFKA_REPLICATION_FACTOR" (toString $v.kafka.replicationFactor) -}}
{{- with $v.kafka.sasl.mechanism -}}
{{- $_ := set $d "KAFKA_SASL_MECHANISM" . -}}
{{- $_ := set $d "KAFKA_SASL_USERNAME" $v.kafka.sasl.username -}}
{{- end -}}
{{- if $v.kafka.tls.enabled -}}
{{- $_ := set $d "KAFKA_TLS" "true" -}}
{{- if $v.kafka.tls.secretName -}}
{{- with $v.kafka.tls.caKey -}}{{- $_ := set $d "KAFKA_TLS_CA_FILE" (printf "/etc/manifold/kafka-tls/%s" .) -}}{{- end -}}
{{- with $v.kafka.tls.certKey -}}{{- $_ := set $d "KAFKA_TLS_CERT_FILE" (printf "/etc/manifold/kafka-tls/%s" .) -}}{{- end -}}
{{- with $v.kafka.tls.keyKey -}}{{- $_ := set $d "KAFKA_TLS_KEY_FILE" (printf "/etc/manifold/kafka-tls/%s" .) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if has .service (list "translator" "control-plane") -}}
{{- with $v.destinationBlockedNetworks -}}{{- $_ := set $d "DESTINATION_BLOCKED_NETWORKS" . -}}{{- end -}}
{{- end -}}
{{- if has .service (list "translator" "control-plane" "console" "warehouse-loader") -}}
{{- $_ := set $d "MONGO_URL" (required "mongodb.url is required" $v.mongodb.url) -}}
{{- with $v.mongodb.username -}}{{- $_ := set $d "MONGO_USERNAME" . -}}{{- end -}}
{{- if $v.mongodb.tls.enabled -}}
{{- $_ := set $d "MONGO_TLS" "true" -}}
{{- if $v.mongodb.tls.secretName -}}
{{- with $v.mongodb.tls.caKey -}}{{- $_ := set $d "MONGO_TLS_CA_FILE" (printf "/etc/manifold/mongo-tls/%s" .) -}}{{- end -}}
{{- with $v.mongodb.tls.certKeyKey -}}{{- $_ := set $d "MONGO_TLS_CERT_KEY_FILE" (printf "/etc/manifold/mongo-tls/%s" .) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if ne .service "control-plane" -}}
{{- $_ := set $d "CONTROL_PLANE_ADDRESS" (printf "%s-control-plane:50051" $fullname) -}}
{{- if $v.grpcTls.enabled -}}
{{- $_ := set $d "CONTROL_PLANE_TLS_CA_FILE" "/etc/manifold/grpc-tls/ca.crt" -}}
{{- if $v.grpcTls.mutual -}}
{{- $_ := set $d "CONTROL_PLANE_TLS_CERT_FILE" "/etc/manifold/grpc-tls/tls.crt" -}}
{{- $_ := set $d "CONTROL_PLANE_TLS_KEY_FILE" "/etc/manifold/grpc-tls/tls.key" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if has .service (list "ingestion" "translator" "warehouse-loader") -}}
{{- $_ := set $d "CONFIG_CACHE_FILE" "/tmp/config-cache.json" -}}
{{- end -}}
{{- if eq .service "ingestion" -}}
{{- $c := $v.ingestion -}}
{{- $_ := set $d "PORT" "8080" -}}
{{- $_ := set $d "ADMIN_PORT" "9101" -}}
{{- $_ := set $d "SHUTDOWN_DELAY_MS" (toString $c.shutdownDelayMs) -}}
{{- with $c.trustedProxies -}}{{- $_ := set $d "TRUSTED_PROXIES" . -}}{{- end -}}
{{- with $c.publicBaseUrl -}}{{- $_ := set $d "PUBLIC_BASE_URL" . -}}{{- end -}}
{{- with $c.workers -}}{{- $_ := set $d "INGESTION_WORKERS" (toString .) -}}{{- end -}}
{{- with $c.nodeOptions -}}{{- $_ := set $d "NODE_OPTIONS" . -}}{{- end -}}
{{- else if eq .service "translator" -}}
{{- $_ := set $d "ADMIN_PORT" "9103" -}}
{{- else if eq .service "warehouse-loader" -}}
{{- $c := $v.warehouseLoader -}}
{{- $_ := set $d "ADMIN_PORT" "9104" -}}
{{- $_ := set $d "STALL_AFTER_INTERVALS" (toString $c.stallAfterIntervals) -}}
{{- with $c.nodeOptions -}}{{- $_ := set $d "NODE_OPTIONS" . -}}{{- end -}}
{{- else if eq .service "control-plane" -}}
{{- $c := $v.controlPlane -}}
{{- $_ := set $d "GRPC_PORT" "50051" -}}
{{- $_ := set $d "ADMIN_PORT" "9102" -}}
{{- $_ := set $d "MONGO_DATABASE" $c.mongoDatabase -}}
{{- if $v.grpcTls.enabled -}}
{{- $_ := set $d "GRPC_TLS_CERT_FILE" "/etc/manifold/grpc-tls/tls.crt" -}}
{{- $_ := set $d "GRPC_TLS_KEY_FILE" "/etc/manifold/grpc-tls/tls.key" -}}
{{- if $v.grpcTls.mutual -}}{{- $_ := set $d "GRPC_TLS_CLIENT_CA_FILE" "/etc/manifold/grpc-tls/ca.crt" -}}{{- end -}}
{{- end -}}
{{- else if eq .service "console" -}}
{{- $c := $v.console -}}
{{- $_ := set $d "PORT" "3000" -}}
{{- $_ := set $d "ADMIN_PORT" "9105" -}}
{{- $_ := set $d "CONSOLE_DATABASE" $c.database -}}
{{- $_ := set $d "TRUST_PROXY_HOPS" (toString $c.trustProxyHops) -}}
{{- $_ := set $d "INGESTION_URL" (printf "http://%s-ingestion" $fullname) -}}
{{- with $c.publicUrl -}}{{- $_ := set $d "PUBLIC_URL" . -}}{{- end -}}
{{- with $c.ingestionPublicUrl -}}{{- $_ := set $d "INGESTION_PUBLIC_URL" . -}}{{- end -}}
{{- end -}}
{{- $key := dict "ingestion" "ingestion" "translator" "translator" "warehouse-loader" "warehouseLoader" "control-plane" "controlPlane" "console" "console" -}}
{{- range $k, $val := (get $v (get $key .service)).env | default dict -}}
{{- $_ := set $d $k (toString $val) -}}
{{- end -}}
{{- toJson $d -}}
{{- end -}}

{{/* The TLS files a service mounts: Secret name → mount folder. */}}
{{- define "manifold.tlsMounts" -}}
{{- $v := .ctx.Values -}}
{{- $m := dict -}}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.secretName (has .service (list "ingestion" "translator" "warehouse-loader" "control-plane")) -}}
{{- $_ := set $m "kafka-tls" $v.kafka.tls.secretName -}}
{{- end -}}
{{- if and $v.mongodb.tls.enabled $v.mongodb.tls.secretName (has .service (list "translator" "control-plane" "console" "warehouse-loader")) -}}
{{- $_ := set $m "mongo-tls" $v.mongodb.tls.secretName -}}
{{- end -}}
{{- if $v.grpcTls.enabled -}}
{{- if eq .service "control-plane" -}}
{{- $_ := set $m "grpc-tls" (required "grpcTls.serverSecretName is required with grpcTls.enabled" $v.grpcTls.serverSecretName) -}}
{{- else -}}
{{- $_ := set $m "grpc-tls" (required "grpcTls.clientSecretName is required with grpcTls.enabled" $v.grpcTls.clientSecretName) -}}
{{- end -}}
{{- end -}}
{{- toJson $m -}}
{{- end -}}

{{/* The restricted PodSecurity profile, for pods and containers. */}}
{{- define "manifold.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "manifold.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
