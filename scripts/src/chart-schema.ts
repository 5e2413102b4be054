/**
 * `helm/marquee/values.schema.json`, written by `npm run chart`: the services part follows the manifests
 * (an unknown service or setting is refused by name), the rest the chart's own values. Helm checks it on
 * every install, upgrade, lint and template, and names the offending field.
 */
import type { ChartService } from "./chart.js";

type Schema = Record<string, unknown>;

const strictObject = (properties: Record<string, Schema>, required: readonly string[] = []): Schema => ({
  type: "object",
  additionalProperties: false,
  properties,
  ...(required.length > 0 ? { required } : {}),
});

/** JSON Schema's `if`/`then`: `consequence` applies where `condition` holds. */
const ifThen = (condition: Schema, consequence: Schema): Schema => ({
  if: condition,
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword, in an object that is only serialized, never awaited.
  then: consequence,
});

const port: Schema = { type: "integer", minimum: 1, maximum: 65535 };
const replicas: Schema = { type: "integer", minimum: 1, description: "at least 1; scale to zero with enabled: false" };
const quantity: Schema = {
  anyOf: [
    { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?(m|[KMGTPE]i?)?$" },
    { type: "number", exclusiveMinimum: 0 },
  ],
};
const resourceList: Schema = strictObject({ cpu: quantity, memory: quantity, "ephemeral-storage": quantity });
const resources: Schema = strictObject({ requests: resourceList, limits: resourceList });
const autoscaling: Schema = {
  ...strictObject({
    enabled: { type: "boolean" },
    minReplicas: replicas,
    maxReplicas: replicas,
    targetCPUUtilizationPercentage: { type: "integer", minimum: 1, maximum: 100 },
  }),
};
const podDisruptionBudget: Schema = strictObject({
  enabled: { type: "boolean" },
  maxUnavailable: { type: "integer", minimum: 1 },
});
/** What a workload may override of `serviceDefaults`. */
const workloadKnobs: Record<string, Schema> = {
  replicas,
  resources,
  autoscaling,
  podDisruptionBudget,
  terminationGracePeriodSeconds: { type: "integer", minimum: 1 },
  preStopSleepSeconds: { type: "integer", minimum: 0 },
};
/** An environment value: the chart quotes it; `--set` may give a number or a boolean. */
const envValue: Schema = { type: ["string", "number", "boolean"] };
const stringList: Schema = { type: "array", items: { type: "string" } };
const labels: Schema = { type: "object", additionalProperties: { type: "string" } };
const hostname: Schema = {
  type: "string",
  pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
  description: "a DNS name such as marquee.example.com",
};

function serviceSchema(service: ChartService, names: readonly string[]): Schema {
  return strictObject({
    enabled: { type: "boolean" },
    ports: strictObject({
      grpc: port,
      metrics: port,
      extra: { type: "object", additionalProperties: port },
    }),
    upstreams: { type: "array", items: { enum: names } },
    migrations: { type: "boolean" },
    eventBus: { type: "boolean" },
    redisCluster: { type: "boolean" },
    secrets: strictObject({ required: stringList, optional: stringList }),
    settings: strictObject(Object.fromEntries(service.settings.map((setting) => [setting.name, envValue]))),
    ...workloadKnobs,
  });
}

export function valuesSchema(services: readonly ChartService[]): Schema {
  const names = services.map((service) => service.name);
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Values of the Marquee chart",
    type: "object",
    additionalProperties: false,
    properties: {
      image: strictObject(
        {
          registry: { type: "string" },
          repository: { type: "string", minLength: 1 },
          tag: { type: "string" },
          pullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
        },
        ["repository"],
      ),
      imagePullSecrets: { type: "array", items: strictObject({ name: { type: "string" } }, ["name"]) },
      logLevel: { enum: ["trace", "debug", "info", "warn", "error", "fatal", "silent"] },
      otel: strictObject({ endpoint: { type: "string" } }),
      redis: strictObject({
        cluster: strictObject({
          nodes: { type: "array", items: { type: "string", pattern: "^[\\w.-]+:\\d{1,5}$" } },
        }),
      }),
      auth: strictObject({ jwksUrl: { type: "string", pattern: "^(https://.+)?$" } }),
      secrets: {
        ...strictObject({
          create: { type: "boolean" },
          name: { type: "string" },
          values: { type: "object", additionalProperties: { type: "string" } },
        }),
        // A chart-made Secret must hold what every service needs to start.
        ...ifThen(
          { properties: { create: { const: true } } },
          { properties: { values: { required: ["DATABASE_URL", "REDIS_URL", "AUTH_SIGNING_KEY"] } } },
        ),
      },
      serviceAccount: strictObject({
        create: { type: "boolean" },
        name: { type: "string" },
        annotations: labels,
      }),
      serviceDefaults: strictObject(workloadKnobs),
      services: strictObject(
        Object.fromEntries(services.map((service) => [service.name, serviceSchema(service, names)])),
      ),
      bffUpstreams: { type: "object", additionalProperties: { enum: names } },
      bff: strictObject({
        enabled: { type: "boolean" },
        port,
        metricsPort: port,
        settings: { type: "object", additionalProperties: envValue },
        ...workloadKnobs,
      }),
      ingress: {
        ...strictObject({
          enabled: { type: "boolean" },
          className: { type: "string" },
          host: hostname,
          annotations: labels,
          grpc: strictObject({ enabled: { type: "boolean" }, host: hostname, annotations: labels }),
          webhooks: strictObject({ enabled: { type: "boolean" }, path: { type: "string", pattern: "^/" } }),
          tls: {
            ...strictObject({ enabled: { type: "boolean" }, secretName: { type: "string" } }),
            // TLS needs a certificate: the Secret that holds it.
            ...ifThen(
              { properties: { enabled: { const: true } } },
              { properties: { secretName: { minLength: 1 } }, required: ["secretName"] },
            ),
          },
        }),
      },
      networkPolicy: strictObject({
        enabled: { type: "boolean" },
        ingressController: strictObject({ namespaceSelector: { type: "object" }, podSelector: { type: "object" } }),
        prometheus: strictObject({ namespaceSelector: { type: "object" }, podSelector: { type: "object" } }),
        postgresql: strictObject({ cidrs: stringList, port }),
        redis: strictObject({ cidrs: stringList, ports: { type: "array", items: port, minItems: 1 } }),
        otlpPorts: { type: "array", items: port },
        externalEgress: strictObject({
          services: { type: "array", items: { enum: names } },
          cidrs: stringList,
          ports: { type: "array", items: port },
        }),
      }),
      podSecurityContext: { type: "object" },
      containerSecurityContext: { type: "object" },
      migrations: strictObject({
        enabled: { type: "boolean" },
        backoffLimit: { type: "integer", minimum: 0 },
        activeDeadlineSeconds: { type: "integer", minimum: 1 },
        resources,
      }),
      metrics: strictObject({
        serviceMonitor: strictObject({
          enabled: { type: "boolean" },
          interval: { type: "string", pattern: "^[0-9]+(ms|s|m|h)$" },
          labels,
        }),
        prometheusRule: strictObject({
          enabled: { type: "boolean" },
          labels,
          errorRatio: { type: "number", exclusiveMinimum: 0, maximum: 1 },
          p99Seconds: { type: "number", exclusiveMinimum: 0 },
          outboxLagSeconds: { type: "number", exclusiveMinimum: 0 },
          consumerBacklogEvents: { type: "integer", minimum: 1 },
        }),
        dashboard: strictObject({ enabled: { type: "boolean" }, labels }),
      }),
    },
  };
}
