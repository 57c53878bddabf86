package main

import (
	"example.com/pulumi-kubexpose/sdk/go/kubexpose"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// program declares an app exposed as the stack says (NodePort on dev, LoadBalancer on a cloud stack), with its
// namespace from another resource, a secret env value and a downward-API variable, an alias to a DNS name and one to
// an IP address: the same as examples/ts-consumer and examples/yaml-consumer.
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	shop, err := corev1.NewNamespace(ctx, "shop", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("shop")},
	})
	if err != nil {
		return err
	}
	public := kubexpose.ExposurePUBLIC
	orders, err := kubexpose.NewExposedDeployment(ctx, "orders", &kubexpose.ExposedDeploymentArgs{
		Image:     pulumi.String("ghcr.io/acme/orders:1.4.2"),
		Namespace: shop.Metadata.Name(), // an Output: the Namespace exists before the app
		Ports:     []kubexpose.PortArgs{{Port: 80, TargetPort: pulumi.IntRef(8080), Name: pulumi.StringRef("http")}},
		Exposure:  &public,
		Replicas:  pulumi.Int(2),
		Env: map[string]pulumi.StringInput{
			"MODE":        pulumi.String("live"),
			"DB_PASSWORD": cfg.RequireSecret("dbPassword"), // goes into the Secret orders-env
		},
		EnvRefs:       map[string]kubexpose.EnvRefArgs{"POD_IP": {Field: pulumi.StringRef("status.podIP")}},
		WritablePaths: []string{"/tmp"},
		ReadinessProbe: &kubexpose.ProbeArgs{
			HttpGet: &kubexpose.HttpGetArgs{Path: pulumi.StringRef("/healthz"), Port: 8080},
		},
		DrainSeconds:                  pulumi.IntRef(10), // a stopping Pod keeps serving 10 s while it leaves the load balancers
		TerminationGracePeriodSeconds: pulumi.IntRef(40),
		Rollout:                       &kubexpose.RolloutArgs{MaxSurge: pulumi.IntRef(1)},
		NodeSelector:                  map[string]string{"kubernetes.io/os": "linux"},
		Tolerations: []kubexpose.TolerationArgs{ // a tainted node pool
			{Key: pulumi.StringRef("pool"), Operator: pulumi.StringRef("Exists"), Effect: pulumi.StringRef("NoSchedule")},
		},
		PodAntiAffinity: []kubexpose.PodAffinityTermArgs{{Apps: []string{"orders"}, Weight: pulumi.IntRef(50)}},
		// A native sidecar beside the app, sharing its writable /tmp.
		Sidecars: []kubexpose.ContainerArgs{
			{Name: "log-shipper", Image: pulumi.String("fluent/fluent-bit:3.1"), WritablePaths: []string{"/tmp"}},
		},
		// A config file the component owns (the ConfigMap orders-files): a change rolls the Pods once.
		Files: map[string]pulumi.StringInput{"/etc/orders/config.yaml": pulumi.String("level: info\n")},
		// A field kubexpose has no argument for, patched as data (checked, and marked on the object).
		Patches: map[string][]kubexpose.PatchOperationArgs{
			"Deployment": {{Op: "add", Path: "/spec/minReadySeconds", Value: 5}},
		},
		// Runs to completion (a Job in the app's image and env) before each rollout; never rolled back.
		Migration: &kubexpose.MigrationArgs{Command: []string{"./orders", "migrate", "up"}},
	})
	if err != nil {
		return err
	}
	// A stable in-cluster name for an external API, and one for a database at a fixed address.
	payments, err := kubexpose.NewExternalAlias(ctx, "payments", &kubexpose.ExternalAliasArgs{
		Target: pulumi.String("api.payments.example.com"),
		Port:   pulumi.Int(443),
	})
	if err != nil {
		return err
	}
	ordersDb, err := kubexpose.NewExternalAlias(ctx, "orders-db", &kubexpose.ExternalAliasArgs{
		Addresses: pulumi.StringArray{pulumi.String("10.20.0.5")},
		Port:      pulumi.Int(5432),
		Namespace: shop.Metadata.Name(),
	})
	if err != nil {
		return err
	}
	// A worker nobody calls (it consumes the orders queue): no Service, a NetworkPolicy that admits no one.
	worker, err := kubexpose.NewWorker(ctx, "orders-worker", &kubexpose.WorkerArgs{
		Image:     pulumi.String("ghcr.io/acme/orders-worker:1.4.2"),
		Namespace: shop.Metadata.Name(),
		Env:       map[string]pulumi.StringInput{"ORDERS": pulumi.String("http://orders")},
		// A CronJob in the worker's Pod: every 30 minutes, skipped while the last run still runs.
		Jobs: map[string]kubexpose.JobArgs{"requeue": {
			Command:  []string{"./worker", "requeue-dead-letters"},
			Schedule: pulumi.StringRef("*/30 * * * *"),
			TimeZone: pulumi.StringRef("Etc/UTC"),
		}},
	})
	if err != nil {
		return err
	}
	ctx.Export("workerLogs", worker.Logs)
	// Two versions behind one Service (a canary): the split follows the replicas, 2 of v1 to 1 of v2.
	reviews, err := kubexpose.NewExposedDeployment(ctx, "reviews", &kubexpose.ExposedDeploymentArgs{
		Image:     pulumi.String("ghcr.io/acme/reviews:1.0.0"),
		Namespace: shop.Metadata.Name(),
		Port:      pulumi.IntRef(9080),
		Replicas:  pulumi.Int(2),
		Env:       map[string]pulumi.StringInput{"STAR_COLOR": pulumi.String("black")},
		Versions: map[string]kubexpose.VersionArgs{
			"v1": {},
			"v2": {Replicas: pulumi.IntRef(1), Env: map[string]string{"STAR_COLOR": "red"}},
		},
	})
	if err != nil {
		return err
	}
	ctx.Export("reviewsDns", reviews.ClusterDns)
	ctx.Export("ordersUrl", orders.Url)
	ctx.Export("ordersInCluster", orders.Endpoint)
	ctx.Export("ordersPortForward", orders.PortForward)
	ctx.Export("ordersLogs", orders.Logs)
	ctx.Export("paymentsDns", payments.ClusterDns)
	ctx.Export("ordersDbEndpoint", ordersDb.Endpoint)
	return nil
}
