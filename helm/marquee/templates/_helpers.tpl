{{/* Labels every object of the release carries. */}}
{{- define "marquee.labels" -}}
app.kubernetes.io/name: marquee
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The selector of one workload's pods: (dict "root" $ "name" "ordering"). */}}
{{- define "marquee.selector" -}}
app.kubernetes.io/name: marquee
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* The name of a workload's objects: <release>-<workload>. */}}
{{- define "marquee.name" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "marquee.secretName" -}}
{{- default (printf "%s-marquee" .Release.Name) .Values.secrets.name -}}
{{- end -}}

{{- define "marquee.serviceAccountName" -}}
{{- default (printf "%s-marquee" .Release.Name) .Values.serviceAccount.name -}}
{{- end -}}

{{/* The image of a workload: (dict "root" $ "name" "ordering"). */}}
{{- define "marquee.image" -}}
{{- $image := .root.Values.image -}}
{{- $repository := printf "%s/%s" $image.repository .name -}}
{{- if $image.registry }}{{ $repository = printf "%s/%s" $image.registry $repository }}{{ end -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/*
The knobs of a workload (replicas, resources, autoscaling, podDisruptionBudget, grace, preStop):
serviceDefaults overridden by the workload's own, as YAML: (dict "root" $ "workload" $values).
*/}}
{{- define "marquee.knobs" -}}
{{- $knobs := deepCopy .root.Values.serviceDefaults -}}
{{- range $key := list "replicas" "resources" "autoscaling" "podDisruptionBudget" "terminationGracePeriodSeconds" "preStopSleepSeconds" -}}
{{- if hasKey $.workload $key -}}
{{- $own := index $.workload $key -}}
{{- if kindIs "map" $own -}}
{{- $_ := set $knobs $key (mergeOverwrite (deepCopy (index $knobs $key)) $own) -}}
{{- else -}}
{{- $_ := set $knobs $key $own -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $knobs -}}
{{- end -}}

{{/* The in-cluster address of a service's gRPC port: (dict "root" $ "name" "catalog"). */}}
{{- define "marquee.address" -}}
{{- $service := index .root.Values.services .name -}}
{{- printf "%s:%v" (include "marquee.name" .) $service.ports.grpc -}}
{{- end -}}

{{/*
Who calls a service, as a JSON list of workload names: every enabled service whose upstreams name it, the BFF
when it forwards to it, and — for identity — every process, since all poll its revoked-subjects list.
*/}}
{{- define "marquee.callers" -}}
{{- $callers := list -}}
{{- range $name, $service := .root.Values.services -}}
{{- if and $service.enabled (or (has $.name $service.upstreams) (and (eq $.name "identity") (ne $name "identity"))) -}}
{{- $callers = append $callers $name -}}
{{- end -}}
{{- end -}}
{{- if and .root.Values.bff.enabled (has .name (values .root.Values.bffUpstreams)) -}}
{{- $callers = append $callers "bff" -}}
{{- end -}}
{{- toJson $callers -}}
{{- end -}}

{{/* `WEBHOOK_PORT` → `webhook`: the name of an extra port. */}}
{{- define "marquee.portName" -}}
{{- . | trimSuffix "_PORT" | lower | replace "_" "-" | trunc 15 -}}
{{- end -}}

{{/* The files of the Secret every process mounts: the service-token signing key and, without auth.jwksUrl, the JWKS. */}}
{{- define "marquee.keysVolume" -}}
- name: keys
  secret:
    secretName: {{ include "marquee.secretName" . }}
    optional: true
    defaultMode: 0440
    items:
      - key: AUTH_SIGNING_KEY
        path: signing-key.jwk
      {{- if not .Values.auth.jwksUrl }}
      - key: AUTH_JWKS
        path: jwks.json
      {{- end }}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "marquee.keysMounts" -}}
- name: keys
  mountPath: /etc/marquee/keys
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* What every process reads the same way. */}}
{{- define "marquee.commonEnv" -}}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: AUTH_JWKS_URL
  value: {{ default "/etc/marquee/keys/jwks.json" .Values.auth.jwksUrl | quote }}
- name: AUTH_SIGNING_KEY_FILE
  value: /etc/marquee/keys/signing-key.jwk
{{- with .Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* A variable read from the Secret: (dict "root" $ "key" "DATABASE_URL" "optional" false). */}}
{{- define "marquee.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ include "marquee.secretName" .root }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}
