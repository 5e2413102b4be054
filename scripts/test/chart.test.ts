import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { repoRoot } from "@marquee/mesh/testing";
import { OrderingInternalService } from "@marquee/proto/marquee/ordering/v1/ordering_internal_pb.js";
import { expect } from "chai";
import { collectDefaultMetrics, Registry } from "prom-client";
import { parseAllDocuments } from "yaml";
import { bffUpstreams, chartDir, chartServiceOf, generatedChart, staleChartFiles } from "../src/chart.js";
import { serviceNamed, services } from "../src/ports.js";
import { tool } from "../src/tools.js";

/**
 * The chart as an SRE meets it: generated from the manifests and current, `helm lint` clean, every value set
 * rendering objects the Kubernetes API accepts, and the rendered YAML holding what the issue asks — probes,
 * security context, NetworkPolicies that follow the manifests' call graph, a schema that refuses bad values.
 */

type Manifest = {
  kind: string;
  apiVersion: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are walked field by field.
  any
>;

const run = promisify(execFile);
const valueSets = ["", ...readdirSync(join(chartDir, "ci")).map((file) => join("ci", file))];
/** The Kubernetes version whose API schemas kubectl-validate ships (the chart's kubeVersion is >=1.27). */
const kubernetesVersion = "1.30";
let helm: string;
let kubectlValidate: string;

/** `helm template` of the chart (or `chart`) with extra arguments, parsed. */
async function render(args: readonly string[] = [], chart = chartDir): Promise<Manifest[]> {
  const { stdout } = await run(helm, ["template", "marquee", chart, "--namespace", "tickets", ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** `helm template`'s error output for values that should be refused. */
async function refusal(args: readonly string[]): Promise<string> {
  try {
    await run(helm, ["template", "marquee", chartDir, ...args]);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  throw new Error(`helm template accepted ${args.join(" ")}`);
}

const ofKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: readonly Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
};
const componentOf = (selector: { matchLabels?: Record<string, string> } | undefined) =>
  selector?.matchLabels?.["app.kubernetes.io/component"];

/** Who may call each service, by the manifests: its callers, the BFF for the public ones, everyone for identity. */
async function expectedCallers(): Promise<Map<string, string[]>> {
  const forwarded = new Set(Object.values(await bffUpstreams(services.map(chartServiceOf))));
  return new Map(
    services.map((service) => {
      const callers = services
        .filter(
          (caller) => caller.name !== service.name && (service.name === "identity" || service.name in caller.upstreams),
        )
        .map((caller) => caller.name);
      if (forwarded.has(service.name)) callers.push("bff");
      return [service.name, callers.sort()];
    }),
  );
}

describe("helm/marquee", function () {
  // Cold, on two cores, building helm and kubectl-validate with `go install` takes about ten minutes.
  this.timeout(20 * 60_000);

  before(() => {
    helm = tool("helm");
    kubectlValidate = tool("kubectl-validate");
  });

  it("is current with the manifests: npm run chart changes nothing (values, schema, README table)", async () => {
    expect(await staleChartFiles(), "run npm run chart").to.deep.equal([]);
  });

  it("takes a new service from its manifest alone: Deployment, Service, migrations and NetworkPolicy", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "marquee-chart-"));
    try {
      cpSync(chartDir, scratch, { recursive: true });
      // A service that calls ordering, declared like any other (ports, upstreams, settings, a database).
      const waitlist = { ...serviceNamed("notification"), name: "waitlist", ports: { grpc: 50070, metrics: 9470 } };
      const declared = { ...waitlist, upstreams: { ordering: OrderingInternalService } };
      for (const [path, text] of Object.entries(await generatedChart([...services, declared], scratch))) {
        writeFileSync(join(scratch, path), text);
      }
      const manifests = await render([], scratch);
      const deployment = named(manifests, "Deployment", "marquee-waitlist");
      const container = deployment.spec.template.spec.containers[0];
      expect(container.readinessProbe.grpc.port).to.equal(50070);
      expect(container.env).to.deep.include({ name: "ORDERING_ADDR", value: "marquee-ordering:50055" });
      expect(named(manifests, "Job", "marquee-waitlist-migrate").spec.template.spec.containers[0].args).to.deep.equal([
        "migrate.js",
      ]);
      const orderingPolicy = named(manifests, "NetworkPolicy", "marquee-ordering");
      const admitted = orderingPolicy.spec.ingress.flatMap((rule: Manifest) =>
        (rule.from ?? []).map((peer: Manifest) => componentOf(peer.podSelector)),
      );
      expect(admitted).to.include("waitlist");
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("passes helm lint --strict with every value set", async () => {
    for (const values of valueSets) {
      const { stdout } = await run(helm, [
        "lint",
        "--strict",
        chartDir,
        ...(values ? ["-f", join(chartDir, values)] : []),
      ]);
      expect(stdout, values || "default values").to.match(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(stdout).to.not.match(/\[(WARNING|ERROR)\]/);
    }
  });

  it("renders, with the default values and every set in ci/, objects the Kubernetes API accepts", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "marquee-rendered-"));
    try {
      for (const values of valueSets) {
        const manifests = await render(values ? ["-f", join(chartDir, values)] : []);
        // kubectl-validate knows the built-in kinds; the Prometheus Operator's come with their models' schemas.
        const builtIn = manifests.filter((m) => !m.apiVersion.startsWith("monitoring.coreos.com/"));
        const file = join(scratch, `${values.replaceAll("/", "-") || "default"}.yaml`);
        writeFileSync(file, builtIn.map((m) => `---\n${JSON.stringify(m)}\n`).join(""));
        const { stdout } = await run(kubectlValidate, [file, "--version", kubernetesVersion, "--output", "json"]);
        const results = JSON.parse(stdout) as Record<string, { status: string; errors?: unknown[] }[]>;
        for (const [path, documents] of Object.entries(results)) {
          for (const document of documents)
            expect(document.status, `${values || "default"}: ${path}`).to.equal("Success");
        }
        for (const monitor of ofKind(manifests, "ServiceMonitor")) new ServiceMonitor(monitor as never).validate();
        for (const rule of ofKind(manifests, "PrometheusRule")) new PrometheusRule(rule as never).validate();
      }
      const production = await render(["-f", join(chartDir, "ci", "production.yaml")]);
      expect(ofKind(production, "ServiceMonitor")).to.have.length(1);
      expect(ofKind(production, "PrometheusRule")).to.have.length(1);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("kubectl-validate refuses a broken object (the check above can fail)", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "marquee-broken-"));
    try {
      const deployment = named(await render(), "Deployment", "marquee-ordering");
      deployment.spec.template.spec.containers[0].readinessProbe.grpc.port = "grpc-port-as-text";
      const file = join(scratch, "broken.yaml");
      writeFileSync(file, JSON.stringify(deployment));
      const failure = await run(kubectlValidate, [file, "--version", kubernetesVersion]).then(
        () => undefined,
        (error: { stdout?: string; stderr?: string }) => `${error.stdout}${error.stderr}`,
      );
      expect(failure).to.match(/readinessProbe\.grpc\.port in body must be of type integer/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("probes every service with native gRPC health on its manifest's port, and the BFF on /healthz and /readyz", async () => {
    const manifests = await render();
    for (const service of services) {
      const pod = named(manifests, "Deployment", `marquee-${service.name}`).spec.template.spec;
      const [container] = pod.containers;
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        expect(container[probe].grpc, `${service.name} ${probe}`).to.deep.equal({ port: service.ports.grpc });
      }
      expect(container.ports).to.deep.include({ name: "grpc", containerPort: service.ports.grpc, protocol: "TCP" });
    }
    const bff = named(manifests, "Deployment", "marquee-bff").spec.template.spec;
    const [gateway] = bff.containers;
    // The paths bff/src/gateway/probes.ts answers.
    expect(gateway.readinessProbe.httpGet).to.deep.equal({ path: "/readyz", port: "http" });
    expect(gateway.livenessProbe.httpGet).to.deep.equal({ path: "/healthz", port: "http" });
    // The BFF leaves the load balancer before it drains: a preStop pause, then its 10 s drain, within the grace.
    const pause = Number(gateway.lifecycle.preStop.exec.command[1]);
    expect(pause).to.be.at.least(5);
    expect(bff.terminationGracePeriodSeconds).to.be.above(pause + 10);
  });

  it("runs every container non-root, read-only, unprivileged, without capabilities, with seccomp and a /tmp emptyDir", async () => {
    const manifests = await render(["-f", join(chartDir, "ci", "production.yaml")]);
    const pods = [...ofKind(manifests, "Deployment"), ...ofKind(manifests, "Job")].map((m) => ({
      name: `${m.kind} ${m.metadata.name}`,
      spec: m.spec.template.spec,
    }));
    expect(pods.length).to.be.above(services.length);
    for (const { name, spec } of pods) {
      expect(spec.securityContext, name).to.include({ runAsNonRoot: true, runAsUser: 1000 });
      expect(spec.securityContext.seccompProfile, name).to.deep.equal({ type: "RuntimeDefault" });
      expect(spec.automountServiceAccountToken, name).to.equal(false);
      const tmp = spec.volumes.find((volume: Manifest) => volume.name === "tmp");
      expect(tmp?.emptyDir, name).to.be.an("object");
      for (const container of spec.containers) {
        expect(container.securityContext, name).to.include({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
        expect(container.securityContext.capabilities.drop, name).to.deep.equal(["ALL"]);
        expect(container.volumeMounts, name).to.deep.include({ name: "tmp", mountPath: "/tmp" });
        expect(container.resources.requests, name).to.have.keys("cpu", "memory");
        expect(container.resources.limits, name).to.have.property("memory");
      }
    }
  });

  it("lets each service be reached only by its callers in the manifests' call graph, and reach only its upstreams", async () => {
    const manifests = await render();
    const policies = ofKind(manifests, "NetworkPolicy");
    const deny = named(manifests, "NetworkPolicy", "marquee-default-deny");
    expect(deny.spec.policyTypes).to.deep.equal(["Ingress", "Egress"]);
    expect(deny.spec.ingress ?? []).to.deep.equal([]);
    expect(deny.spec.egress ?? []).to.deep.equal([]);

    const callers = await expectedCallers();
    for (const service of services) {
      const policy = named(policies, "NetworkPolicy", `marquee-${service.name}`);
      const onGrpc = policy.spec.ingress.filter((rule: Manifest) =>
        rule.ports.some((port: Manifest) => port.port === service.ports.grpc),
      );
      const admitted = onGrpc.flatMap((rule: Manifest) =>
        rule.from.map((peer: Manifest) => componentOf(peer.podSelector)),
      );
      expect(admitted.sort(), `callers of ${service.name}`).to.deep.equal(callers.get(service.name));
      // Nothing from outside the release but Prometheus on the metrics port and the PSP's webhooks (through
      // the ingress controller) on payment's webhook port.
      const outsidePorts = [service.ports.metrics, ...Object.values(chartServiceOf(service).ports.extra)];
      for (const rule of policy.spec.ingress) {
        if (!rule.from.some((peer: Manifest) => peer.namespaceSelector)) continue;
        for (const port of rule.ports) expect(outsidePorts, service.name).to.include(port.port);
      }
      const reached = policy.spec.egress
        .flatMap((rule: Manifest) => (rule.to ?? []).map((peer: Manifest) => componentOf(peer.podSelector)))
        .filter((component: string | undefined) => component !== undefined);
      const upstreams = Object.keys(service.upstreams);
      if (service.name !== "identity" && !upstreams.includes("identity")) upstreams.push("identity");
      expect(reached.sort(), `upstreams of ${service.name}`).to.deep.equal(upstreams.sort());
    }

    const bff = named(policies, "NetworkPolicy", "marquee-bff");
    const [fromIngress] = bff.spec.ingress;
    expect(fromIngress.from[0].namespaceSelector.matchLabels).to.deep.equal({
      "kubernetes.io/metadata.name": "ingress-nginx",
    });
    const forwarded = Object.values(await bffUpstreams(services.map(chartServiceOf)));
    const bffReaches = bff.spec.egress
      .flatMap((rule: Manifest) => (rule.to ?? []).map((peer: Manifest) => componentOf(peer.podSelector)))
      .filter((component: string | undefined) => component !== undefined);
    expect(bffReaches.sort()).to.deep.equal([...new Set(forwarded)].sort());
  });

  it("reads settings from a ConfigMap with the manifests' defaults, secrets from the Secret, and migrates in a hook Job", async () => {
    const manifests = await render(["--set", "services.ordering.settings.CHECKOUT_WAIT_MS=6000"]);
    for (const service of services.map(chartServiceOf)) {
      const settings = named(manifests, "ConfigMap", `marquee-${service.name}`).data ?? {};
      expect(Object.keys(settings).sort()).to.deep.equal(service.settings.map((s) => s.name).sort());
      const env: Manifest[] = named(manifests, "Deployment", `marquee-${service.name}`).spec.template.spec.containers[0]
        .env;
      const fromSecret = env.filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name);
      expect(fromSecret).to.include.members(service.secrets.required);
      if (service.migrations) {
        expect(fromSecret).to.include("DATABASE_URL");
        const job = named(manifests, "Job", `marquee-${service.name}-migrate`);
        expect(job.metadata.annotations?.["helm.sh/hook"]).to.equal("pre-install,pre-upgrade");
        expect(job.spec.template.spec.containers[0].args).to.deep.equal(["migrate.js"]);
      }
    }
    expect(named(manifests, "ConfigMap", "marquee-ordering").data.CHECKOUT_WAIT_MS).to.equal("6000");
    expect(named(manifests, "ConfigMap", "marquee-payment").data).to.not.have.property("WEBHOOK_SECRET");
  });

  it("puts inventory's seat state on a Redis Cluster when its nodes are given", async () => {
    const manifests = await render(["-f", join(chartDir, "ci", "redis-cluster.yaml")]);
    const env: Manifest[] = named(manifests, "Deployment", "marquee-inventory").spec.template.spec.containers[0].env;
    expect(env).to.deep.include({
      name: "REDIS_CLUSTER_NODES",
      value:
        "redis-cluster-0.redis-cluster.db.svc:6379,redis-cluster-1.redis-cluster.db.svc:6379,redis-cluster-2.redis-cluster.db.svc:6379",
    });
  });

  it("routes HTTP and gRPC to the BFF and the PSP's webhooks to payment, over TLS when asked", async () => {
    const manifests = await render(["-f", join(chartDir, "ci", "ingress-tls.yaml")]);
    const http = named(manifests, "Ingress", "marquee-bff");
    expect(http.spec.tls).to.deep.equal([{ hosts: ["tickets.example.org"], secretName: "tickets-example-org-tls" }]);
    const paths = http.spec.rules[0].http.paths;
    expect(paths.map((path: Manifest) => path.backend.service.name)).to.deep.equal(["marquee-payment", "marquee-bff"]);
    const grpc = named(manifests, "Ingress", "marquee-bff-grpc");
    expect(grpc.spec.rules[0].host).to.equal("api.tickets.example.org");
    expect(grpc.metadata.annotations?.["nginx.ingress.kubernetes.io/backend-protocol"]).to.equal("GRPC");
  });

  describe("values.schema.json refuses bad values, naming the field", () => {
    const cases: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
      ["a replica count below one", ["--set", "services.ordering.replicas=0"], /replicas/],
      ["a service no manifest declares", ["--set", "services.orderng.enabled=true"], /orderng/],
      [
        "a setting the service does not have",
        ["--set", "services.ordering.settings.CHECKOUT_WAIT_MSS=1"],
        /CHECKOUT_WAIT_MSS/,
      ],
      ["TLS without a certificate", ["--set", "ingress.tls.enabled=true"], /secretName/],
      ["an unknown pull policy", ["--set", "image.pullPolicy=Sometimes"], /pullPolicy/],
      ["a chart-made Secret without the database", ["--set", "secrets.create=true"], /DATABASE_URL/],
      ["a Redis Cluster node that is not host:port", ["--set", "redis.cluster.nodes={redis-0}"], /nodes/],
      ["a BFF upstream served by no service", ["--set", "bffUpstreams.SEARCH_ADDR=searchy"], /SEARCH_ADDR/],
    ];
    for (const [what, args, field] of cases) {
      it(what, async () => {
        const error = await refusal(args);
        expect(error).to.match(/values don't meet the specifications of the schema/);
        expect(error).to.match(field);
      });
    }
  });

  it("ships a dashboard and alert rules whose queries name only metrics the processes export", async () => {
    const exported = new Set(await exportedMetricNames());
    const production = await render(["-f", join(chartDir, "ci", "production.yaml")]);
    const dashboard = JSON.parse(named(production, "ConfigMap", "marquee-marquee-dashboard").data["marquee.json"]);
    const queries: string[] = [
      ...dashboard.panels.flatMap((panel: Manifest) => panel.targets.map((target: Manifest) => target.expr)),
      ...ofKind(production, "PrometheusRule").flatMap((rule) =>
        rule.spec.groups.flatMap((group: Manifest) => group.rules.map((r: Manifest) => r.expr)),
      ),
    ];
    expect(queries.length).to.be.above(10);
    const alerts = ofKind(production, "PrometheusRule").flatMap((rule) =>
      rule.spec.groups.flatMap((group: Manifest) => group.rules.map((r: Manifest) => r.alert)),
    );
    expect(alerts).to.include.members(["MarqueeHighErrorRate", "MarqueeSlowRpcs", "MarqueeUpstreamBreakerOpen"]);
    for (const query of queries) {
      const metrics = query.match(/\b(?:marquee|inventory|notification|process|nodejs)_[a-z0-9_]+/g) ?? [];
      expect(metrics, query).to.not.be.empty;
      for (const metric of metrics) {
        expect(exported.has(metric.replace(/_(bucket|sum|count)$/, "")), `${metric} in ${query}`).to.equal(true);
      }
    }
  });
});

/**
 * Every metric the processes register: the names given to prom-client's Counter, Gauge and Histogram in the
 * services', the mesh's and the BFF's sources, and prom-client's default process metrics.
 */
async function exportedMetricNames(): Promise<string[]> {
  const root = repoRoot();
  const sources = ["services", "bff"].flatMap((top) =>
    readdirSync(join(root, top), { recursive: true, encoding: "utf8" })
      .filter((path) => /(^|\/)src\/.*\.ts$/.test(path) && !path.includes("node_modules"))
      .map((path) => join(root, top, path)),
  );
  const names: string[] = [];
  for (const source of sources) {
    const text = readFileSync(source, "utf8");
    for (const match of text.matchAll(/new (?:Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*"([a-z0-9_]+)"/g)) {
      names.push(match[1] as string);
    }
  }
  expect(names, "metrics found in the sources").to.include("marquee_rpc_server_requests_total");
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  names.push(...(await defaults.getMetricsAsJSON()).map((metric) => metric.name));
  return names;
}
