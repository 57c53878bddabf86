// pulumi-gen-sdk writes a Pulumi package's SDK for Node.js or Go with the code generators the Pulumi language
// hosts run for `pulumi package gen-sdk` and `pulumi package add` (pkg/v3/codegen/nodejs, pkg/v3/codegen/go), on a
// machine where those hosts (pulumi-language-nodejs, pulumi-language-go) are not installed: the CLI asks the
// language host to generate, and no registry this project can use serves them.
//
// The schemas of the packages the schema refers to (kubernetes) come from files written by
// `pulumi package get-schema <plugin>`, so the referenced types are bound exactly as the CLI's plugin loader binds
// them, with the same version check.
//
//	pulumi-gen-sdk --language nodejs|go --schema kubexpose.json --dependency kubernetes.json --out DIR
//
// A Go SDK gets a go.mod in its root package's folder (module: the package's import path; requires: the Pulumi Go
// SDK at --pulumi-version and each dependency's Go module at its schema's version), so a program can use it with a
// `replace` line, as it uses an SDK that `pulumi package add` generated.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

type dependencies []string

func (d *dependencies) String() string     { return strings.Join(*d, ",") }
func (d *dependencies) Set(v string) error { *d = append(*d, v); return nil }

// fileLoader answers the binder's requests for referenced packages from schema files, refusing another version
// than the one asked for, as the CLI's plugin loader does.
type fileLoader struct{ packages map[string]*schema.Package }

func (l *fileLoader) LoadPackage(name string, version *semver.Version) (*schema.Package, error) {
	return l.LoadPackageV2(context.Background(), &schema.PackageDescriptor{Name: name, Version: version})
}

func (l *fileLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	pkg, ok := l.packages[d.Name]
	if !ok {
		return nil, fmt.Errorf("the schema refers to package %s: give its schema with --dependency", d.Name)
	}
	if d.Version != nil && pkg.Version != nil && !pkg.Version.Equals(*d.Version) {
		return nil, fmt.Errorf("loader returned %s@%v; requested %s@%v", pkg.Name, pkg.Version, d.Name, d.Version)
	}
	return pkg, nil
}

func (l *fileLoader) LoadPackageReference(name string, version *semver.Version) (schema.PackageReference, error) {
	return l.LoadPackageReferenceV2(context.Background(), &schema.PackageDescriptor{Name: name, Version: version})
}

func (l *fileLoader) LoadPackageReferenceV2(
	ctx context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	pkg, err := l.LoadPackageV2(ctx, d)
	if err != nil {
		return nil, err
	}
	return pkg.Reference(), nil
}

func readSpec(path string) (schema.PackageSpec, error) {
	var spec schema.PackageSpec
	data, err := os.ReadFile(path)
	if err != nil {
		return spec, err
	}
	return spec, json.Unmarshal(data, &spec)
}

func run() error {
	language := flag.String("language", "", "nodejs or go")
	schemaPath := flag.String("schema", "", "the package's schema (JSON)")
	out := flag.String("out", "", "the folder to write the SDK into")
	local := flag.Bool("local", true, "a local SDK, as `pulumi package add` makes (Node.js: built on install)")
	pulumiVersion := flag.String("pulumi-version", "v3.274.1", "the Pulumi Go SDK a Go SDK's go.mod requires")
	var deps dependencies
	flag.Var(&deps, "dependency", "the schema of a package the schema refers to (repeatable)")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		return fmt.Errorf("--schema and --out are required")
	}

	loader := &fileLoader{packages: map[string]*schema.Package{}}
	for _, path := range deps {
		spec, err := readSpec(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		pkg, err := schema.ImportSpec(spec, nil, loader, schema.ValidationOptions{AllowDanglingReferences: true})
		if err != nil {
			return fmt.Errorf("binding %s: %w", path, err)
		}
		loader.packages[pkg.Name] = pkg
	}
	spec, err := readSpec(*schemaPath)
	if err != nil {
		return fmt.Errorf("reading %s: %w", *schemaPath, err)
	}
	// As the language hosts bind a schema before generating.
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}

	var files map[string][]byte
	switch *language {
	case "nodejs":
		files, err = nodejsgen.GeneratePackage("pulumi-gen-sdk", pkg, nil, nil, *local, loader)
	case "go":
		files, err = gogen.GeneratePackage("pulumi-gen-sdk", pkg, nil)
		if err == nil {
			err = addGoModule(files, pkg, loader, *pulumiVersion)
		}
	default:
		return fmt.Errorf("--language %q: use nodejs or go", *language)
	}
	if err != nil {
		return err
	}
	for name, data := range files {
		path := filepath.Join(*out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// addGoModule adds the go.mod of the SDK's root package (the folder holding its `internal` package).
func addGoModule(files map[string][]byte, pkg *schema.Package, loader *fileLoader, pulumiVersion string) error {
	root := ""
	for name := range files {
		if dir, _, ok := strings.Cut(name, "/internal/"); ok {
			root = dir
		}
	}
	if root == "" {
		return fmt.Errorf("the generated Go SDK has no internal package to find its root by")
	}
	lines := []string{
		"module " + gogen.ExtractImportBasePath(pkg.Reference()), "", "go 1.25", "", "require (",
		"\tgithub.com/pulumi/pulumi/sdk/v3 " + pulumiVersion,
	}
	for _, dep := range loader.packages {
		if err := dep.ImportLanguages(map[string]schema.Language{"go": gogen.Importer}); err != nil {
			return err
		}
		info, _ := dep.Language["go"].(gogen.GoPackageInfo)
		module := info.ModulePath
		if module == "" {
			module = strings.TrimSuffix(info.ImportBasePath, "/go/"+dep.Name)
		}
		if module == "" || dep.Version == nil {
			return fmt.Errorf("package %s: its schema names no Go import path or version", dep.Name)
		}
		lines = append(lines, fmt.Sprintf("\t%s v%s", module, dep.Version))
	}
	lines = append(lines, ")", "")
	files[root+"/go.mod"] = []byte(strings.Join(lines, "\n"))
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-gen-sdk:", err)
		os.Exit(1)
	}
}
