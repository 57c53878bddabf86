import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as kubexpose from "@pulumi/kubexpose";

const config = new pulumi.Config();
const shop = new k8s.core.v1.Namespace("shop", { metadata: { name: "shop" } });

// Input types read as in every Pulumi package: ProbeArgs, PortArgs, ... (tsc checks this against the SDK).
const healthz: kubexpose.types.input.ProbeArgs = { httpGet: { path: "/healthz", port: 8080 } };

// An app exposed as the stack says (NodePort on dev, LoadBalancer on a cloud stack).
const orders = new kubexpose.ExposedDeployment("orders", {
    image: "ghcr.io/acme/orders:1.4.2",
    namespace: shop.metadata.name, // an Output: the Namespace exists before the app
    ports: [{ port: 80, targetPort: 8080, name: "http" }],
    exposure: "public",
    replicas: 2,
    env: {
        MODE: "live",
        DB_PASSWORD: config.requireSecret("dbPassword"), // goes into the Secret orders-env
    },
    envRefs: { POD_IP: { field: "status.podIP" } },
    writablePaths: ["/tmp"],
    readinessProbe: healthz,
    drainSeconds: 10, // a stopping Pod keeps serving 10 s while it leaves the load balancers
    terminationGracePeriodSeconds: 40,
    rollout: { maxSurge: 1 },
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [{ key: "pool", operator: "Exists", effect: "NoSchedule" }], // a tainted node pool
    podAntiAffinity: [{ apps: ["orders"], weight: 50 }], // rather not two orders Pods on one node
    // A native sidecar beside the app, sharing its writable /tmp.
    sidecars: [{ name: "log-shipper", image: "fluent/fluent-bit:3.1", writablePaths: ["/tmp"] }],
    // A config file the component owns (the ConfigMap orders-files): a change rolls the Pods once.
    files: { "/etc/orders/config.yaml": "level: info\n" },
    // A field kubexpose has no argument for, patched as data (checked, and marked on the object).
    patches: { Deployment: [{ op: "add", path: "/spec/minReadySeconds", value: 5 }] },
    // Runs to completion (a Job in the app's image and env) before each rollout; never rolled back.
    migration: { command: ["./orders", "migrate", "up"] },
});

// A stable in-cluster name for an external API, and one for a database at a fixed address.
const payments = new kubexpose.ExternalAlias("payments", { target: "api.payments.example.com", port: 443 });
const ordersDb = new kubexpose.ExternalAlias("orders-db", {
    addresses: ["10.20.0.5"],
    port: 5432,
    namespace: shop.metadata.name,
});

export const ordersUrl = orders.url;
export const ordersInCluster = orders.endpoint;
export const ordersPortForward = orders.portForward;
export const ordersLogs = orders.logs;
export const paymentsDns = payments.clusterDns;
export const ordersDbEndpoint = ordersDb.endpoint;

// A worker nobody calls (it consumes the orders queue): no Service, a NetworkPolicy that admits no one.
const worker = new kubexpose.Worker("orders-worker", {
    image: "ghcr.io/acme/orders-worker:1.4.2",
    namespace: shop.metadata.name,
    env: { ORDERS: "http://orders" },
    // A CronJob in the worker's Pod: every 30 minutes, skipped while the last run still runs.
    jobs: { requeue: { command: ["./worker", "requeue-dead-letters"], schedule: "*/30 * * * *", timeZone: "Etc/UTC" } },
});
export const workerLogs = worker.logs;

// Two versions behind one Service (a canary): the split follows the replicas, 2 of v1 to 1 of v2.
const reviews = new kubexpose.ExposedDeployment("reviews", {
    image: "ghcr.io/acme/reviews:1.0.0",
    namespace: shop.metadata.name,
    port: 9080,
    replicas: 2,
    env: { STAR_COLOR: "black" },
    versions: { v1: {}, v2: { replicas: 1, env: { STAR_COLOR: "red" } } },
});
export const reviewsDns = reviews.clusterDns;

// One app in several clusters (a fleet; `clusters` in the stack config, none on dev): a kubernetes provider per
// cluster, the same app name in each (its objects, DNS name and callers alike), the Pulumi names apart.
const clusters = config.getObject<Record<string, { kubeconfig?: string; context?: string }>>("clusters") ?? {};
for (const [region, where] of Object.entries(clusters)) {
    const cluster = new k8s.Provider(region, { kubeconfig: where.kubeconfig, context: where.context });
    new kubexpose.ExposedDeployment(`api-${region}`, {
        name: "api",
        image: "ghcr.io/acme/api:2.1.0",
        ports: [{ port: 8080, nodePort: 30080 }],
        serviceType: "NodePort",
    }, { provider: cluster });
}
