//go:build mage

// The plugin backend's build, the way Grafana's plugin tooling (create-plugin, the plugin validator)
// expects it: the SDK's mage targets, executables named gpx_cxm_<os>_<arch>[.exe] under dist/, and
// dist/go_plugin_build_manifest (the hashes of the Go sources). Run from plugin/: mage -v (or make backend).
package main

import (
	"github.com/magefile/mage/mg"

	// mage:import
	build "github.com/grafana/grafana-plugin-sdk-go/build"
)

// Backends builds the backend for linux, darwin and windows on amd64 and arm64 (the SDK's buildAll has
// no windows/arm64 and adds linux/arm).
func Backends() {
	b := build.Build{}
	mg.Deps(b.Linux, b.LinuxARM64, b.Darwin, b.DarwinARM64, b.Windows, WindowsARM64)
}

// WindowsARM64 builds the backend for Windows on ARM64.
func WindowsARM64() error {
	return build.Build{}.Custom("windows", "arm64")
}

// Default is what a bare `mage` runs.
var Default = Backends
