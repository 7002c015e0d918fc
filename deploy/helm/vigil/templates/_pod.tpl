{{/*
One tier's StatefulSet, its headless Service (stable <pod>.<service> names
for the relay and the node API) and its PodDisruptionBudget (one node down at
a time). Params: root, name (StatefulSet and Service), component, nodes,
hostNetwork, resources, storage (size and class of the per-pod data PVC).
*/}}
{{- define "vigil.tier" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  labels:
    {{- include "vigil.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  clusterIP: None
  # A node's relay and API names resolve while it starts, before it is ready.
  publishNotReadyAddresses: true
  selector:
    {{- include "vigil.selector" (dict "root" $root "component" .component) | nindent 4 }}
  ports:
    - {name: http, port: {{ $v.http.port }}, targetPort: http, protocol: TCP}
    - {name: relay, port: {{ $v.relay.port }}, targetPort: relay, protocol: TCP}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .name }}
  labels:
    {{- include "vigil.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  serviceName: {{ .name }}
  replicas: {{ len .nodes }}
  podManagementPolicy: Parallel
  updateStrategy:
    type: RollingUpdate
  selector:
    matchLabels:
      {{- include "vigil.selector" (dict "root" $root "component" .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "vigil.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
      annotations:
        checksum/config: {{ include "vigil.config" $root | sha256sum }}
    spec:
      terminationGracePeriodSeconds: {{ $v.lifecycle.terminationGracePeriodSeconds }}
      {{- if .hostNetwork }}
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile: {type: RuntimeDefault}
      affinity:
        podAntiAffinity:
          # A station's nodes on different machines: one machine lost
          # leaves the station served.
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  {{- include "vigil.selector" (dict "root" $root "component" .component) | nindent 18 }}
      containers:
        - name: vigil
          image: {{ include "vigil.image" $root }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          args: ["-config", "/etc/vigil/config/vigil.yaml"]
          env:
            - name: VIGIL_NODE
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
            - {name: VIGIL_DATA, value: /data}
            - {name: VIGIL_HTTP, value: ":{{ $v.http.port }}"}
            - {name: VIGIL_RELAY, value: ":{{ $v.relay.port }}"}
            - {name: VIGIL_WEBRTC_UDP, value: ":{{ $v.webrtc.udpPort }}"}
            - {name: VIGIL_WEBRTC_TCP, value: ":{{ $v.webrtc.tcpPort }}"}
            - {name: VIGIL_LOG_FORMAT, value: {{ $v.logFormat | quote }}}
            - {name: VIGIL_GRACE, value: {{ $v.lifecycle.grace | quote }}}
            - {name: VIGIL_DRAIN_DELAY, value: {{ $v.lifecycle.drainDelay | quote }}}
            {{- if $v.secrets.adminPassword }}
            - name: VIGIL_ADMIN_PASSWORD
              valueFrom: {secretKeyRef: {name: {{ include "vigil.secretName" $root }}, key: admin-password}}
            {{- end }}
          ports:
            - {name: http, containerPort: {{ $v.http.port }}, protocol: TCP}
            - {name: relay, containerPort: {{ $v.relay.port }}, protocol: TCP}
            - {name: webrtc-udp, containerPort: {{ $v.webrtc.udpPort }}, protocol: UDP}
            - {name: webrtc-tcp, containerPort: {{ $v.webrtc.tcpPort }}, protocol: TCP}
          readinessProbe:
            httpGet: {path: /readyz, port: http}
            periodSeconds: 5
            failureThreshold: 2
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            initialDelaySeconds: 10
            periodSeconds: 10
            failureThreshold: 6
          resources:
            {{- toYaml .resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: config, mountPath: /etc/vigil/config, readOnly: true}
            - {name: secrets, mountPath: /etc/vigil/secrets, readOnly: true}
            - {name: data, mountPath: /data}
            - {name: tmp, mountPath: /tmp}
            {{- if $v.cameraSecret }}
            - {name: cameras, mountPath: /etc/vigil/cameras, readOnly: true}
            {{- end }}
      volumes:
        - name: config
          configMap: {name: {{ $root.Release.Name }}-config}
        - name: secrets
          secret:
            secretName: {{ include "vigil.secretName" $root }}
            items:
              - {key: cluster-secret, path: cluster-secret}
              - {key: store-url, path: store-url}
        - name: tmp
          emptyDir: {}
        {{- if $v.cameraSecret }}
        - name: cameras
          secret: {secretName: {{ $v.cameraSecret }}}
        {{- end }}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        {{- with .storage.storageClassName }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ .storage.size }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  labels:
    {{- include "vigil.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      {{- include "vigil.selector" (dict "root" $root "component" .component) | nindent 6 }}
{{- end -}}
