// Package java stands in for github.com/pulumi/pulumi-java/pkg/codegen/java, which the Go module proxy
// reachable from uw3-binder's machines does not serve. pulumi-resource-docker-build imports it only to
// describe, in its schema, how a Java SDK would be generated; the engine never reads that part.
package java

// PackageInfo holds the fields pulumi-resource-docker-build sets in its schema's language map.
type PackageInfo struct {
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
}
