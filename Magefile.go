//go:build mage
// +build mage

package main

import (
	"github.com/magefile/mage/mg"

	// mage:import
	build "github.com/grafana/grafana-plugin-sdk-go/build"
)

// Dist builds the data source backend for every platform Latency Lens ships
// (linux/amd64, linux/arm64, darwin/arm64, windows/amd64) into dist/datasource/
// and writes dist/go_plugin_build_manifest.
func Dist() {
	b := build.Build{}
	mg.SerialDeps(
		mg.F(b.Custom, "linux", "amd64"),
		mg.F(b.Custom, "linux", "arm64"),
		mg.F(b.Custom, "darwin", "arm64"),
		mg.F(b.Custom, "windows", "amd64"),
	)
	mg.Deps(b.GenerateManifestFile)
}

// Default builds every shipped platform.
var Default = Dist
