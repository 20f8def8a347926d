// Package codegen stands in for github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen, which
// the Go module proxy reachable from uw3-binder's machines does not serve. pulumi-resource-docker-build
// imports it only to describe, in its schema, how a C# SDK would be generated; the engine never reads it.
package codegen

// CSharpPackageInfo holds the fields pulumi-resource-docker-build sets in its schema's language map.
type CSharpPackageInfo struct {
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
}
