{{/* Labels every object carries. */}}
{{- define "vigil.labels" -}}
app.kubernetes.io/name: vigil
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector of one tier's pods: component is "station-<id>" or "center". */}}
{{- define "vigil.selector" -}}
app.kubernetes.io/name: vigil
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "vigil.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" .Release.Name) -}}
{{- end -}}

{{- define "vigil.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* A node's stable address: <pod>.<headless service>.<namespace>.svc. */}}
{{- define "vigil.nodeHost" -}}
{{ .node }}.{{ .service }}.{{ .root.Release.Namespace }}.svc
{{- end -}}

{{/*
Template checks beyond values.schema.json: every station has nodes, no node
is in two stations (or a station and the center), and nodes are named as the
StatefulSet names its pods. Each failure names the station and node.
*/}}
{{- define "vigil.checks" -}}
{{- $owner := dict -}}
{{- range $s := .Values.stations -}}
{{- if not $s.nodes -}}
{{- fail (printf "station %s has no nodes: list at least one in stations[].nodes (%s-0)" $s.id $s.id) -}}
{{- end -}}
{{- range $i, $n := $s.nodes -}}
{{- if hasKey $owner $n -}}
{{- fail (printf "node %s is in two stations, %s and %s: a node serves one station" $n (get $owner $n) $s.id) -}}
{{- end -}}
{{- $_ := set $owner $n $s.id -}}
{{- if ne $n (printf "%s-%d" $s.id $i) -}}
{{- fail (printf "station %s: node %d is %s, must be %s-%d (the StatefulSet's pod name is the node name)" $s.id $i $n $s.id $i) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $i, $n := .Values.center.nodes -}}
{{- if hasKey $owner $n -}}
{{- fail (printf "node %s is both in station %s and in center.nodes" $n (get $owner $n)) -}}
{{- end -}}
{{- if ne $n (printf "center-%d" $i) -}}
{{- fail (printf "center.nodes[%d] is %s, must be center-%d (the StatefulSet's pod name)" $i $n $i) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.password) -}}
{{- fail "postgresql.enabled needs postgresql.password" -}}
{{- end -}}
{{- if and .Values.secrets.clusterSecret (lt (len .Values.secrets.clusterSecret) 16) -}}
{{- fail "secrets.clusterSecret must be at least 16 characters" -}}
{{- end -}}
{{- end -}}

{{/* The shared vigil config every node reads (gateway/config). */}}
{{- define "vigil.config" -}}
{{- $root := . -}}
stations:
{{- range $s := .Values.stations }}
  - id: {{ $s.id | quote }}
    name: {{ $s.name | quote }}
    {{- with $s.nameEn }}
    name_en: {{ . | quote }}
    {{- end }}
    nodes: {{ toJson $s.nodes }}
    cameras: {{ toJson ($s.cameras | default list) }}
    {{- with $s.layout }}
    layout: {{ toJson . }}
    {{- end }}
{{- end }}
cluster:
  store_file: /etc/vigil/secrets/store-url
  secret_file: /etc/vigil/secrets/cluster-secret
  nodes:
{{- range $s := .Values.stations }}
{{- range $n := $s.nodes }}
    - name: {{ $n }}
      api: "http://{{ include "vigil.nodeHost" (dict "root" $root "node" $n "service" $s.id) }}:{{ $root.Values.http.port }}"
      relay: "{{ include "vigil.nodeHost" (dict "root" $root "node" $n "service" $s.id) }}:{{ $root.Values.relay.port }}"
{{- end }}
{{- end }}
{{- range $n := .Values.center.nodes }}
    - name: {{ $n }}
      api: "http://{{ include "vigil.nodeHost" (dict "root" $root "node" $n "service" "center") }}:{{ $root.Values.http.port }}"
      relay: "{{ include "vigil.nodeHost" (dict "root" $root "node" $n "service" "center") }}:{{ $root.Values.relay.port }}"
{{- end }}
{{- with .Values.webrtc.publicIPs }}
webrtc:
  public_ips: {{ toJson . }}
{{- end }}
{{- range $k, $v := .Values.config }}
{{- if $v }}
{{ $k }}: {{ toJson $v }}
{{- end }}
{{- end }}
{{- end -}}
