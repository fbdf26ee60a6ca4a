{{/*
Names, labels, addresses and pod settings shared by the templates. Every address a Thoonk component
is given is a stable DNS name (POD.HEADLESS-SERVICE.NAMESPACE.svc.DOMAIN), never a pod IP: pods get
new IPs when they are rescheduled, their names stay.
*/}}

{{- define "thoonk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every resource name. */}}
{{- define "thoonk.fullname" -}}
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

{{- define "thoonk.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
A StatefulSet name, refused when too long rather than cut (a cut name could collide with another
shard's): the controller-revision-hash label of its pods adds 11 characters to it, within 63.
*/}}
{{- define "thoonk.statefulSetName" -}}
{{- if gt (len .name) 52 -}}
{{- fail (printf "the StatefulSet name %q has %d characters, more than 52: choose a shorter release name, fullnameOverride or redis.shardIdPrefix" .name (len .name)) -}}
{{- end -}}
{{- .name -}}
{{- end -}}

{{/* Labels of every resource; pass (dict "ctx" $ "component" "coordinator"). */}}
{{- define "thoonk.labels" -}}
helm.sh/chart: {{ include "thoonk.chart" .ctx }}
{{ include "thoonk.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: thoonk
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Labels of a component's pods: no chart or app version, so that upgrading the chart alone restarts
nothing (a restarted Redis primary means a failover).
*/}}
{{- define "thoonk.podLabels" -}}
{{ include "thoonk.selectorLabels" . }}
app.kubernetes.io/part-of: thoonk
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels that select one component's pods; pass (dict "ctx" $ "component" "redis"). */}}
{{- define "thoonk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "thoonk.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* metadata.annotations of every resource, with extra ones; pass (dict "ctx" $ "extra" dict). */}}
{{- define "thoonk.annotations" -}}
{{- $all := merge (deepCopy (default (dict) .extra)) (deepCopy (default (dict) .ctx.Values.commonAnnotations)) -}}
{{- if $all -}}
annotations:
  {{- toYaml $all | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* An image reference from {registry, repository, tag, digest}; pass (dict "image" ... "defaultTag" ...). */}}
{{- define "thoonk.image" -}}
{{- $repo := .image.repository -}}
{{- if .image.registry -}}
{{- $repo = printf "%s/%s" .image.registry .image.repository -}}
{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (toString (default .defaultTag .image.tag)) -}}
{{- end -}}
{{- end -}}

{{- define "thoonk.thoonkImage" -}}
{{- include "thoonk.image" (dict "image" .Values.image "defaultTag" .Chart.AppVersion) -}}
{{- end -}}

{{- define "thoonk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "thoonk.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "thoonk.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* ---------------------------------------------------------------- coordinators */}}

{{- define "thoonk.coordinator.fullname" -}}
{{- include "thoonk.statefulSetName" (dict "name" (printf "%s-coordinator" (include "thoonk.fullname" .))) -}}
{{- end -}}

{{- define "thoonk.coordinator.headless" -}}
{{- printf "%s-coordinator-headless" (include "thoonk.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The stable DNS name of coordinator pod .i (no port). */}}
{{- define "thoonk.coordinator.host" -}}
{{- printf "%s-%d.%s.%s.svc.%s" (include "thoonk.coordinator.fullname" .ctx) (int .i) (include "thoonk.coordinator.headless" .ctx) .ctx.Release.Namespace .ctx.Values.clusterDomain -}}
{{- end -}}

{{/* THOONK_MEMBERS: every coordinator's Hazelcast address, one per replica. */}}
{{- define "thoonk.coordinator.members" -}}
{{- $members := list -}}
{{- range $i := until (int .Values.coordinator.replicas) -}}
{{- $members = append $members (printf "%s:%d" (include "thoonk.coordinator.host" (dict "ctx" $ "i" $i)) (int $.Values.coordinator.clusterPort)) -}}
{{- end -}}
{{- join "," $members -}}
{{- end -}}

{{/* THOONK_COORDINATOR for admin commands: every coordinator's gRPC address. */}}
{{- define "thoonk.coordinator.grpcAddresses" -}}
{{- $addresses := list -}}
{{- range $i := until (int .Values.coordinator.replicas) -}}
{{- $addresses = append $addresses (printf "%s:%d" (include "thoonk.coordinator.host" (dict "ctx" $ "i" $i)) (int $.Values.coordinator.grpcPort)) -}}
{{- end -}}
{{- join "," $addresses -}}
{{- end -}}

{{/* Refuses an even coordinator count (the schema does too; this also holds with schema checks skipped). */}}
{{- define "thoonk.coordinator.checkReplicas" -}}
{{- $n := int .Values.coordinator.replicas -}}
{{- if or (lt $n 1) (eq (mod $n 2) 0) -}}
{{- fail (printf "coordinator.replicas must be odd (1, 3, 5, ...): a majority of the coordinators decides, and %d coordinators can split into two equal halves" $n) -}}
{{- end -}}
{{- end -}}

{{/* ---------------------------------------------------------------- ZooKeeper */}}

{{- define "thoonk.zookeeper.fullname" -}}
{{- include "thoonk.statefulSetName" (dict "name" (printf "%s-zookeeper" (include "thoonk.fullname" .))) -}}
{{- end -}}

{{- define "thoonk.zookeeper.headless" -}}
{{- printf "%s-zookeeper-headless" (include "thoonk.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "thoonk.zookeeper.host" -}}
{{- printf "%s-%d.%s.%s.svc.%s" (include "thoonk.zookeeper.fullname" .ctx) (int .i) (include "thoonk.zookeeper.headless" .ctx) .ctx.Release.Namespace .ctx.Values.clusterDomain -}}
{{- end -}}

{{/* THOONK_ZOOKEEPER: the bundled servers' stable names, or the external connect string. */}}
{{- define "thoonk.zookeeper.connectString" -}}
{{- if .Values.zookeeper.enabled -}}
{{- $servers := list -}}
{{- range $i := until (int .Values.zookeeper.replicas) -}}
{{- $servers = append $servers (printf "%s:%d" (include "thoonk.zookeeper.host" (dict "ctx" $ "i" $i)) (int $.Values.zookeeper.clientPort)) -}}
{{- end -}}
{{- join "," $servers -}}
{{- else -}}
{{- required "zookeeper.external.connectString is required when zookeeper.enabled is false (host:port,host:port,...)" .Values.zookeeper.external.connectString -}}
{{- end -}}
{{- end -}}

{{/* ZOO_SERVERS of the official image: server.N=HOST:FOLLOWER:ELECTION;CLIENT, N = ordinal + 1. */}}
{{- define "thoonk.zookeeper.servers" -}}
{{- $servers := list -}}
{{- range $i := until (int .Values.zookeeper.replicas) -}}
{{- $servers = append $servers (printf "server.%d=%s:%d:%d;%d" (add1 $i) (include "thoonk.zookeeper.host" (dict "ctx" $ "i" $i)) (int $.Values.zookeeper.followerPort) (int $.Values.zookeeper.electionPort) (int $.Values.zookeeper.clientPort)) -}}
{{- end -}}
{{- join " " $servers -}}
{{- end -}}

{{/* ---------------------------------------------------------------- Redis shards */}}

{{- define "thoonk.redis.headless" -}}
{{- printf "%s-redis-headless" (include "thoonk.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The id shard .i is registered under. */}}
{{- define "thoonk.redis.shardId" -}}
{{- printf "%s%d" .ctx.Values.redis.shardIdPrefix (int .i) -}}
{{- end -}}

{{/* The StatefulSet of shard .i. */}}
{{- define "thoonk.redis.shardName" -}}
{{- include "thoonk.statefulSetName" (dict "name" (printf "%s-%s" (include "thoonk.fullname" .ctx) (include "thoonk.redis.shardId" .))) -}}
{{- end -}}

{{/* host:port of node .node of shard .i (node 0 starts as the primary). */}}
{{- define "thoonk.redis.nodeAddress" -}}
{{- printf "%s-%d.%s.%s.svc.%s:%d" (include "thoonk.redis.shardName" .) (int .node) (include "thoonk.redis.headless" .ctx) .ctx.Release.Namespace .ctx.Values.clusterDomain (int .ctx.Values.redis.port) -}}
{{- end -}}

{{- define "thoonk.redis.secretName" -}}
{{- if .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecret -}}
{{- else -}}
{{- printf "%s-redis" (include "thoonk.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "thoonk.redis.secretKey" -}}
{{- if .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecretPasswordKey -}}
{{- else -}}
redis-password
{{- end -}}
{{- end -}}

{{/* The env entry of the Redis password, from the Secret; pass (dict "ctx" $ "name" "REDIS_PASSWORD"). */}}
{{- define "thoonk.redis.passwordEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "thoonk.redis.secretName" .ctx }}
      key: {{ include "thoonk.redis.secretKey" .ctx }}
{{- end -}}

{{/* ---------------------------------------------------------------- pods */}}

{{/*
Affinity from a preset, unless a full affinity is given; pass
(dict "affinity" ... "preset" "soft|hard|none" "labels" (selector labels as YAML text)).
*/}}
{{- define "thoonk.affinity" -}}
{{- if .affinity }}
affinity:
  {{- toYaml .affinity | nindent 2 }}
{{- else if eq .preset "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- .labels | nindent 12 }}
{{- else if eq .preset "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- .labels | nindent 14 }}
{{- end }}
{{- end -}}

{{/* nodeSelector, tolerations, topology spread and priority of a component's values. */}}
{{- define "thoonk.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/* Probe timings from values; pass the probe's values. */}}
{{- define "thoonk.probeTimings" -}}
initialDelaySeconds: {{ .initialDelaySeconds }}
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
{{- with .successThreshold }}
successThreshold: {{ . }}
{{- end }}
{{- end -}}

{{/* A volumeClaimTemplate named data; pass the persistence values and labels. */}}
{{- define "thoonk.volumeClaimTemplate" -}}
- metadata:
    name: data
    labels:
      {{- .labels | nindent 6 }}
  spec:
    accessModes:
      {{- toYaml .persistence.accessModes | nindent 6 }}
    {{- with .persistence.storageClass }}
    storageClassName: {{ if eq . "-" }}""{{ else }}{{ . }}{{ end }}
    {{- end }}
    resources:
      requests:
        storage: {{ .persistence.size }}
{{- end -}}

{{/* The NetworkPolicyPeers of the clients (networkPolicy.clients and extraClients). */}}
{{- define "thoonk.networkPolicy.clients" -}}
- podSelector:
    {{- toYaml .Values.networkPolicy.clients.podSelector | nindent 4 }}
  {{- if kindIs "map" .Values.networkPolicy.clients.namespaceSelector }}
  namespaceSelector:
    {{- toYaml .Values.networkPolicy.clients.namespaceSelector | nindent 4 }}
  {{- end }}
{{- with .Values.networkPolicy.extraClients }}
{{ toYaml . }}
{{- end }}
{{- end }}
