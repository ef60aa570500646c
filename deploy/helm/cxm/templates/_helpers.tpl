{{/* Names, labels, the rendered cxm config and the checks that fail an install with the reason. */}}

{{- define "cxm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cxm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "cxm.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "cxm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "ingest"). */}}
{{- define "cxm.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cxm.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "cxm.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "cxm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cxm.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cxm.secretName" -}}
{{- default (include "cxm.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
cxm.partitions: the events topic's partition count, config.kafka.partitions (cxm's default 12 when unset).
*/}}
{{- define "cxm.partitions" -}}
{{- $kafka := default dict .Values.config.kafka -}}
{{- default 12 $kafka.partitions | int -}}
{{- end -}}

{{/*
cxm.validate: fails the install or upgrade with the reason. Included by every template that depends on it.
*/}}
{{- define "cxm.validate" -}}
{{- $partitions := include "cxm.partitions" . | int -}}
{{- $replicas := .Values.processor.replicaCount | int -}}
{{- if gt $replicas $partitions -}}
{{- fail (printf "processor.replicaCount (%d) must be at most config.kafka.partitions (%d): one partition is read by one processor, so the extra processors would only idle. Lower processor.replicaCount, or add partitions to the topic first and raise config.kafka.partitions." $replicas $partitions) -}}
{{- end -}}
{{- if lt $replicas 1 -}}
{{- fail (printf "processor.replicaCount (%d) must be at least 1: nothing would write KPIs" $replicas) -}}
{{- end -}}
{{- $ch := default dict .Values.config.clickhouse -}}
{{- if hasKey $ch "password" -}}
{{- fail "config.clickhouse.password must not be set: the ConfigMap is not secret. Use secrets.clickhousePassword or secrets.existingSecret (key clickhouse-password)." -}}
{{- end -}}
{{- $ingest := default dict .Values.config.ingest -}}
{{- if hasKey $ingest "tokens" -}}
{{- fail "config.ingest.tokens must not be set: write tokens go under secrets.ingestTokens or in secrets.existingSecret (key ingest-tokens)." -}}
{{- end -}}
{{- if hasKey $ingest "cookie_secret" -}}
{{- fail "config.ingest.cookie_secret must not be set: use secrets.cookieSecret or secrets.existingSecret (key cookie-secret)." -}}
{{- end -}}
{{- if hasKey $ingest "dev_token" -}}
{{- if $ingest.dev_token -}}
{{- fail "config.ingest.dev_token must be false in a cluster: the well-known development token is for loopback only." -}}
{{- end -}}
{{- end -}}
{{- $api := default dict .Values.config.api -}}
{{- if hasKey $api "tokens" -}}
{{- fail "config.api.tokens must not be set: read tokens go under secrets.apiTokens or in secrets.existingSecret (key api-tokens)." -}}
{{- end -}}
{{- $http := default dict .Values.config.http -}}
{{- $listen := default "" $http.listen -}}
{{- if not (has $listen (list "0.0.0.0:8080" ":8080" "[::]:8080")) -}}
{{- fail (printf "config.http.listen (%q) must listen on port 8080 on all interfaces (0.0.0.0:8080): the probes, Services and scrape annotations use that port." $listen) -}}
{{- end -}}
{{- end -}}

{{/*
cxm.config: the cxm YAML. Token lists are placeholders the config-merge init container replaces with the
Secret's JSON lists (dict "ctx" $ "tokens" true), or empty lists (the migrate Job, which needs no tokens).
*/}}
{{- define "cxm.config" -}}
{{- $cfg := deepCopy (default dict .ctx.Values.config) -}}
{{- $ingest := default dict (get $cfg "ingest") -}}
{{- $api := default dict (get $cfg "api") -}}
{{- if .tokens -}}
{{- $_ := set $ingest "tokens" "@@CXM_INGEST_TOKENS@@" -}}
{{- $_ := set $api "tokens" "@@CXM_API_TOKENS@@" -}}
{{- else -}}
{{- $_ := set $ingest "tokens" list -}}
{{- $_ := set $api "tokens" list -}}
{{- end -}}
{{- /* The most ingest pods that may run: above 1 the config requires the shared cookie secret. */ -}}
{{- $replicas := .ctx.Values.ingest.replicaCount -}}
{{- if .ctx.Values.ingest.autoscaling.enabled -}}{{- $replicas = .ctx.Values.ingest.autoscaling.maxReplicas -}}{{- end -}}
{{- if not .tokens -}}{{- $replicas = 1 -}}{{- end -}}{{- /* the migrate Job serves no surveys and has no cookie secret */ -}}
{{- $_ := set $ingest "replicas" (int $replicas) -}}
{{- $_ := set $cfg "ingest" $ingest -}}
{{- $_ := set $cfg "api" $api -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
cxm.podCommon: what every cxm pod shares (service account, security, volumes, the config init
container). (dict "ctx" $ "component" "ingest" "values" .Values.ingest)
*/}}
{{- define "cxm.podCommon" -}}
serviceAccountName: {{ include "cxm.serviceAccountName" .ctx }}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .ctx.Values.podSecurityContext | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
initContainers:
  # Writes /run/cxm/cxm.yaml: the ConfigMap's config with the token lists from the Secret.
  - name: config
    image: {{ include "cxm.image" .ctx }}
    imagePullPolicy: {{ .ctx.Values.image.pullPolicy }}
    command:
      - awk
      - -v
      - ingest=/etc/cxm/secrets/ingest-tokens
      - -v
      - api=/etc/cxm/secrets/api-tokens
      - -v
      - out=/run/cxm/cxm.yaml
      - -f
      - /etc/cxm/config/merge-tokens.awk
      - /etc/cxm/config/cxm.yaml
    securityContext:
      {{- toYaml .ctx.Values.securityContext | nindent 6 }}
    resources:
      requests: {cpu: 10m, memory: 16Mi}
      limits: {memory: 64Mi}
    volumeMounts:
      - {name: config, mountPath: /etc/cxm/config, readOnly: true}
      - {name: secrets, mountPath: /etc/cxm/secrets, readOnly: true}
      - {name: run, mountPath: /run/cxm}
volumes:
  - name: config
    configMap:
      name: {{ include "cxm.fullname" .ctx }}
  - name: secrets
    secret:
      secretName: {{ include "cxm.secretName" .ctx }}
      # Every key in it is optional: a missing token key is a missing file, read as no tokens.
      optional: false
  - name: run
    emptyDir:
      medium: Memory
      sizeLimit: 16Mi
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}

{{/*
cxm.container: the cxm container of a Deployment. (dict "ctx" $ "component" "ingest" "values" .Values.ingest)
*/}}
{{- define "cxm.container" -}}
- name: {{ .component }}
  image: {{ include "cxm.image" .ctx }}
  imagePullPolicy: {{ .ctx.Values.image.pullPolicy }}
  args: [{{ .command | quote }}]
  env:
    {{- include "cxm.env" .ctx | nindent 4 }}
    {{- with .values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: http
      containerPort: 8080
      protocol: TCP
  livenessProbe:
    httpGet: {path: /healthz, port: http}
    {{- toYaml .ctx.Values.probes.liveness | nindent 4 }}
  readinessProbe:
    httpGet: {path: /readyz, port: http}
    {{- toYaml .ctx.Values.probes.readiness | nindent 4 }}
  resources:
    {{- toYaml .values.resources | nindent 4 }}
  securityContext:
    {{- toYaml .ctx.Values.securityContext | nindent 4 }}
  volumeMounts:
    - {name: run, mountPath: /run/cxm, readOnly: true}
    - {name: tmp, mountPath: /tmp}
{{- end -}}

{{/* cxm.env: the environment of every cxm container (the config file and the secrets). */}}
{{- define "cxm.env" -}}
- name: CXM_CONFIG
  value: /run/cxm/cxm.yaml
- name: CXM_CLICKHOUSE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "cxm.secretName" . }}
      key: clickhouse-password
      optional: true
- name: CXM_INGEST_COOKIE__SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "cxm.secretName" . }}
      key: cookie-secret
      optional: true
{{- end -}}

{{/* cxm.podAnnotations: checksums (a config or secret change rolls the pods) and Prometheus scraping. */}}
{{- define "cxm.podAnnotations" -}}
checksum/config: {{ include "cxm.config" (dict "ctx" .ctx "tokens" true) | sha256sum }}
{{- if not .ctx.Values.secrets.existingSecret }}
checksum/secret: {{ include (print .ctx.Template.BasePath "/secret.yaml") .ctx | sha256sum }}
{{- end }}
{{- if .ctx.Values.prometheusAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: "8080"
prometheus.io/path: /metrics
{{- end }}
{{- with .values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}
