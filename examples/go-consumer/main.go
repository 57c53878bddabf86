// The kubexpose components from Go: `pulumi up` runs this program (the engine starts the kubexpose provider for the
// components); program.go declares what it makes.
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() {
	pulumi.Run(program)
}
