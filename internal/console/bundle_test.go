package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBundleIsCurrent fails when console/ changed since the committed bundle was built: run `make console`
// and commit internal/console/dist. The hash is the one console/build.mjs records (sourcesHash there).
func TestBundleIsCurrent(t *testing.T) {
	recorded, err := dist.ReadFile("dist/sources.sha256")
	if err != nil {
		t.Fatal(err)
	}
	got, err := sourcesHash(filepath.Join("..", "..", "console"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(string(recorded)); got != want {
		t.Fatalf("internal/console/dist was built from other sources than console/ holds (recorded %s, now %s): run make console and commit the result", want, got)
	}
}

func sourcesHash(dir string) (string, error) {
	files := []string{"build.mjs", "package.json", "package-lock.json"}
	err := filepath.WalkDir(filepath.Join(dir, "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return "", err
	}
	slices.SortFunc(files, func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) })
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return "", err
		}
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
