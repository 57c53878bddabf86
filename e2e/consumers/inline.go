// Runs the Go consumer's `program` (program.go) as an Automation API inline program, so no pulumi-language-go is
// needed: the end-to-end suite puts this file in place of main.go (whose main runs the same program under
// `pulumi up`) in a copy of the example and runs
//
//	./consumer <up|preview|destroy> <stack>
//
// from the program's folder (its Pulumi.yaml and stack files), with the Pulumi CLI's home, backend and passphrase in
// the environment (KUBEXPOSE_PULUMI_ROOT: the folder holding bin/pulumi). It prints the engine's output, then one
// line `KUBEXPOSE-RESULT <json>` (the result, the changes and the stack's outputs, secrets as "[secret]"), and exits 1
// with the error when the operation fails.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 3 {
		return fmt.Errorf("usage: %s <up|preview|destroy> <stack>", os.Args[0])
	}
	op, stackName := os.Args[1], os.Args[2]
	ctx := context.Background()
	workDir, err := os.Getwd()
	if err != nil {
		return err
	}
	project, err := os.ReadFile("Pulumi.yaml")
	if err != nil {
		return err
	}
	name := regexp.MustCompile(`(?m)^name:\s*(\S+)`).FindSubmatch(project)
	if name == nil {
		return fmt.Errorf("Pulumi.yaml names no project")
	}
	command, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{
		Root: os.Getenv("KUBEXPOSE_PULUMI_ROOT"), SkipVersionCheck: true,
	})
	if err != nil {
		return err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, stackName, string(name[1]), program,
		auto.WorkDir(workDir), auto.Pulumi(command), auto.SecretsProvider("passphrase"))
	if err != nil {
		return err
	}
	result := map[string]any{}
	switch op {
	case "up":
		res, err := stack.Up(ctx, optup.ProgressStreams(os.Stdout))
		if err != nil {
			return err
		}
		result["result"], result["changes"] = res.Summary.Result, res.Summary.ResourceChanges
	case "preview":
		res, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stdout), optpreview.ExpectNoChanges())
		if err != nil {
			return err
		}
		result["result"], result["changes"] = "succeeded", res.ChangeSummary
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
		if err != nil {
			return err
		}
		result["result"], result["changes"] = res.Summary.Result, res.Summary.ResourceChanges
	default:
		return fmt.Errorf("unknown operation %s: use up, preview or destroy", op)
	}
	outputs, err := stack.Outputs(ctx)
	if err != nil {
		return err
	}
	shown := map[string]any{}
	for key, output := range outputs {
		if output.Secret {
			shown[key] = "[secret]"
		} else {
			shown[key] = output.Value
		}
	}
	result["outputs"] = shown
	text, err := json.Marshal(result)
	if err != nil {
		return err
	}
	fmt.Println("KUBEXPOSE-RESULT " + string(text))
	return nil
}
