// Package version says which build of CXM is running: `cxm version`, `cxm --version` and the
// cxm_build_info metric all read it from here.
package version

import (
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Version is the release, set at link time (make build passes -ldflags "-X …/version.Version=$(git describe)");
// without it the module version Go recorded, or "devel".
var Version = ""

// Info is one build's identity.
type Info struct {
	Version   string // v1.2.3, or a git describe string, or "devel"
	Revision  string // the VCS commit, "unknown" when the build had none
	Modified  bool   // built from a work tree with uncommitted changes
	GoVersion string
}

// Get reads the build's identity.
func Get() Info {
	i := Info{Version: Version, Revision: "unknown", GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				i.Revision = s.Value
			case "vcs.modified":
				i.Modified = s.Value == "true"
			}
		}
	}
	if i.Version == "" {
		i.Version = "devel"
	}
	return i
}

// String is the one-line form `cxm version` prints.
func (i Info) String() string {
	s := "cxm " + i.Version + " (revision " + i.Revision
	if i.Modified {
		s += ", modified"
	}
	return s + ", " + i.GoVersion + ")"
}

// Registry returns a process's Prometheus registry: cxm_build_info, and the Go runtime and process
// collectors (go_*, process_*) every Go exporter offers. Components register their own metrics on it.
func Registry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	i := Get()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "cxm_build_info",
		Help:        "Always 1; the labels say which build of CXM is running (version, revision, goversion).",
		ConstLabels: prometheus.Labels{"version": i.Version, "revision": i.Revision, "goversion": i.GoVersion},
	})
	info.Set(1)
	reg.MustRegister(info, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
