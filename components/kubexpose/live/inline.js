// Runs a compiled Node.js Pulumi program as an Automation API inline program (no pulumi-language-nodejs needed);
// `kubexpose node <up|preview|destroy> --stack <stack> <program.js>` runs it as
//
//   node inline.js <up|preview|destroy> <stack> <program.js>
//
// from the program's folder (its Pulumi.yaml, stack files and node_modules, found through NODE_PATH), with the Pulumi
// CLI's home, backend and passphrase in the environment (KUBEXPOSE_PULUMI_ROOT: the folder holding bin/pulumi; unset:
// the pulumi on PATH). Prints the engine's output, then one line `KUBEXPOSE-RESULT <json>` (the summary and the
// stack's outputs, secrets as "[secret]"); exits 1 with the error's message when the operation fails.
const path = require("node:path");
const { LocalWorkspace, PulumiCommand } = require("@pulumi/pulumi/automation");

async function main() {
    const [op, stackName, programFile] = process.argv.slice(2);
    const workDir = process.cwd();
    const pulumiCommand = await PulumiCommand.get({ root: process.env.KUBEXPOSE_PULUMI_ROOT, skipVersionCheck: true });
    const program = async () => require(path.resolve(programFile));
    const projectName = require("node:fs").readFileSync(path.join(workDir, "Pulumi.yaml"), "utf8").match(/^name:\s*(\S+)/m)[1];
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, projectName, program },
        { workDir, pulumiCommand, secretsProvider: "passphrase" },
    );
    const onOutput = (text) => process.stdout.write(text);
    let summary;
    if (op === "up") {
        summary = (await stack.up({ onOutput })).summary;
    } else if (op === "preview") {
        const result = await stack.preview({ onOutput, expectNoChanges: true });
        summary = { result: "succeeded", resourceChanges: result.changeSummary };
    } else if (op === "destroy") {
        summary = (await stack.destroy({ onOutput })).summary;
    } else {
        throw new Error(`unknown operation ${op}: use up, preview or destroy`);
    }
    const outputs = {};
    for (const [key, output] of Object.entries(await stack.outputs())) {
        outputs[key] = output.secret ? "[secret]" : output.value;
    }
    console.log(`KUBEXPOSE-RESULT ${JSON.stringify({ result: summary.result, changes: summary.resourceChanges, outputs })}`);
}

main().catch((err) => {
    console.error(err && err.message ? err.message : String(err));
    process.exit(1);
});
