package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// These tests check the plugin's packaging as Grafana's tooling reads it: plugin.json, package.json and
// the SDK's mage build. They run from plugin/pkg; the plugin's root is the parent.
const root = ".."

// Grafana's data-source categories (plugin.schema.json).
var categories = []string{"tsdb", "logging", "cloud", "tracing", "profiling", "sql", "enterprise", "iot", "other"}

func TestPluginJSON(t *testing.T) {
	var pj struct {
		ID         string `json:"id"`
		Category   string `json:"category"`
		Executable string `json:"executable"`
		Info       struct {
			Screenshots []struct{ Name, Path string } `json:"screenshots"`
			Logos       map[string]string             `json:"logos"`
			Version     string                        `json:"version"`
		} `json:"info"`
	}
	readJSON(t, filepath.Join(root, "src/plugin.json"), &pj)
	if !slices.Contains(categories, pj.Category) {
		t.Errorf("category %q, want one of %v", pj.Category, categories)
	}
	if pj.Executable != "gpx_cxm" {
		t.Errorf("executable %q: the Magefile and the Makefile's zip expect gpx_cxm", pj.Executable)
	}
	if len(pj.Info.Screenshots) == 0 {
		t.Error("no screenshots in info.screenshots")
	}
	for _, s := range pj.Info.Screenshots {
		if s.Name == "" {
			t.Errorf("screenshot %s has no name", s.Path)
		}
		f, err := os.Open(filepath.Join(root, "src", s.Path))
		if err != nil {
			t.Errorf("screenshot %q: %v", s.Name, err)
			continue
		}
		cfg, format, err := image.DecodeConfig(f)
		f.Close()
		if err != nil || format != "png" || cfg.Width < 800 {
			t.Errorf("screenshot %s: %s %dx%d %v, want a PNG at least 800 pixels wide", s.Path, format, cfg.Width, cfg.Height, err)
		}
	}
	for _, l := range pj.Info.Logos {
		if _, err := os.Stat(filepath.Join(root, "src", l)); err != nil {
			t.Error(err)
		}
	}
	if pj.Info.Version != "%VERSION%" {
		t.Errorf("info.version %q: the build fills it from package.json (%%VERSION%%)", pj.Info.Version)
	}
}

// TestNodeVersion: create-plugin's Node (22 or later) for the scripts, and a Node 22 from npm as a
// development dependency, so `npm run` uses it even where the system's node is older.
func TestNodeVersion(t *testing.T) {
	var pkg struct {
		Version         string            `json:"version"`
		License         string            `json:"license"`
		Engines         map[string]string `json:"engines"`
		DevDependencies map[string]string `json:"devDependencies"`
		AllowScripts    map[string]bool   `json:"allowScripts"`
	}
	readJSON(t, filepath.Join(root, "package.json"), &pkg)
	m := regexp.MustCompile(`^>=\s*(\d+)`).FindStringSubmatch(pkg.Engines["node"])
	if m == nil || atoi(m[1]) < 22 {
		t.Errorf("engines.node %q, want >=22 (create-plugin's minimum)", pkg.Engines["node"])
	}
	node := pkg.DevDependencies["node"]
	if major, _, _ := strings.Cut(strings.TrimLeft(node, "^~="), "."); atoi(major) < 22 {
		t.Errorf("devDependencies.node %q, want Node 22 or later", node)
	}
	if !pkg.AllowScripts["node"] && !pkg.AllowScripts["node@"+node] {
		t.Errorf("allowScripts lacks node: its install script fetches the Node binary")
	}
	if pkg.License != "Apache-2.0" {
		t.Errorf("license %q, want the project's Apache-2.0", pkg.License)
	}
	lic, err := os.ReadFile(filepath.Join(root, "../LICENSE"))
	if err != nil || !bytes.Contains(lic, []byte("Apache License")) || !bytes.Contains(lic, []byte("Version 2.0")) {
		t.Errorf("the repository's LICENSE is not the Apache License 2.0: %v", err)
	}
	cl, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil || !bytes.Contains(cl, []byte("## "+pkg.Version+"\n")) {
		t.Errorf("CHANGELOG.md has no section for version %s: %v", pkg.Version, err)
	}
}

// TestMageBuild runs the Magefile with the SDK's targets: its default target must build the six
// platforms, and build:generateManifestFile must write go_plugin_build_manifest with the sha256 of each
// Go source, as the plugin validator recomputes it.
func TestMageBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the Magefile")
	}
	dir := t.TempDir()
	// The manifest hashes the Go files under the current directory: a copy of plugin/ keeps the build's
	// output out of the working tree.
	copyTree(t, root, dir, func(rel string) bool { return rel == "node_modules" || rel == "dist" })
	gomod, _ := filepath.Abs(filepath.Join(root, "../go.mod"))
	// go needs a go.mod to place the module's root; -modfile then reads the repository's.
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module placeholder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mage := func(args ...string) string {
		cmd := exec.Command("go", append([]string{"run", "github.com/magefile/mage"}, args...)...)
		cmd.Dir = dir
		// The copy is outside the module: point go at the repository's go.mod.
		cmd.Env = append(os.Environ(), "GOFLAGS=-modfile="+gomod)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("mage %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	list := mage("-l")
	for _, target := range []string{"backends*", "build:linux", "build:linuxARM64", "build:darwin", "build:darwinARM64", "build:windows", "windowsARM64", "build:generateManifestFile"} {
		if !strings.Contains(list, "  "+target+" ") {
			t.Errorf("mage -l lacks %s:\n%s", target, list)
		}
	}
	mage("build:generateManifestFile")
	manifest, err := os.ReadFile(filepath.Join(dir, "dist/go_plugin_build_manifest"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(manifest)), "\n")
	var files []string
	for _, l := range lines {
		hash, file, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("manifest line %q is not hash:path", l)
		}
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != hash {
			t.Errorf("manifest hash of %s is not its sha256", file)
		}
		files = append(files, file)
	}
	for _, want := range []string{"Magefile.go", "pkg/main.go", "pkg/plugin/datasource.go"} {
		if !slices.Contains(files, want) {
			t.Errorf("manifest lacks %s: %v", want, files)
		}
	}
}

func copyTree(t *testing.T, src, dst string, skip func(rel string) bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if skip(rel) {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
