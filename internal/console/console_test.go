package console

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/config"
)

func newMux(t *testing.T, mutate func(*config.Config)) *http.ServeMux {
	t.Helper()
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.Routes(mux)
	return mux
}

func get(mux *http.ServeMux, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestRoutesAndHeaders(t *testing.T) {
	mux := newMux(t, nil)
	for _, tc := range []struct{ path, to string }{{"/", "/console/"}, {"/console", "/console/"}} {
		rec := get(mux, tc.path)
		if rec.Code/100 != 3 || rec.Header().Get("Location") != tc.to {
			t.Errorf("GET %s: %d to %q, want a redirect to %s", tc.path, rec.Code, rec.Header().Get("Location"), tc.to)
		}
	}
	if rec := get(mux, "/nothing-here"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /nothing-here: %d, want 404 (only / itself redirects)", rec.Code)
	}

	page := get(mux, "/console/")
	body := page.Body.String()
	csp := page.Header().Get("Content-Security-Policy")
	if page.Code != 200 || !strings.Contains(body, `<div id="app">`) {
		t.Fatalf("GET /console/: %d %q", page.Code, body)
	}
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "img-src 'self' data: blob: https://tile.openstreetmap.org", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP allows unsafe sources: %q", csp)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
		t.Errorf("the page has inline script or style, which the CSP would block: %s", body)
	}
	for h, want := range map[string]string{"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if got := page.Header().Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}

	// Every asset the page names is served, with its type and a year's cache (names carry a content hash).
	assets := regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(assets) != 2 {
		t.Fatalf("page names %d assets, want the script and the stylesheet: %s", len(assets), body)
	}
	for _, a := range assets {
		rec := get(mux, "/console/"+a[1])
		ct := rec.Header().Get("Content-Type")
		if rec.Code != 200 || rec.Body.Len() < 1000 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" ||
			(!strings.HasPrefix(ct, "text/javascript") && !strings.HasPrefix(ct, "text/css")) {
			t.Errorf("GET %s: %d, %d bytes, %q, cache %q", a[1], rec.Code, rec.Body.Len(), ct, rec.Header().Get("Cache-Control"))
		}
	}
	if rec := get(mux, "/console/assets/app-MISSING.js"); rec.Code != http.StatusNotFound {
		t.Errorf("missing asset: %d, want 404", rec.Code)
	}

	rec := get(mux, "/console/meta.json")
	var m meta
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	// 13 KPIs and 6 case KPIs, which have cases.status_window (7d) as theirs.
	if last := m.KPIs[len(m.KPIs)-1]; last.Name != "cases_resolved_in_sla" || last.StatusWindow != "7d" || m.KPIs[0].StatusWindow != "1h" {
		t.Errorf("meta.json: the last KPI %+v", last)
	}
	if len(m.KPIs) != 19 || m.KPIs[0].Name != "nps" || *m.KPIs[0].Min != -100 || m.StatusWindow != "1h" || m.RefreshMS != 30000 ||
		m.Tiles != "https://tile.openstreetmap.org/{z}/{x}/{y}.png" || len(m.Windows) != 4 {
		t.Errorf("meta.json: %+v", m)
	}
}

// The tile server's origin, and only it, joins img-src; without tiles nothing does.
func TestTileOriginInCSP(t *testing.T) {
	for _, tc := range []struct{ tiles, want, reject string }{
		{"https://{s}.tiles.example.org/{z}/{x}/{y}.png", "img-src 'self' data: blob: https://*.tiles.example.org;", "openstreetmap"},
		{"http://127.0.0.1:8099/t/{z}/{x}/{y}.png", "img-src 'self' data: blob: http://127.0.0.1:8099;", "openstreetmap"},
		{"", "img-src 'self' data: blob:;", "http"},
	} {
		mux := newMux(t, func(c *config.Config) { c.Console.Tiles = tc.tiles })
		csp := get(mux, "/console/").Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, tc.want) || strings.Contains(csp, tc.reject) {
			t.Errorf("tiles %q: CSP %q, want %q and no %q", tc.tiles, csp, tc.want, tc.reject)
		}
	}
}

func TestConsoleConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*config.Console)
		want   string
	}{
		{"refresh", func(c *config.Console) { c.Refresh = 0 }, "config console.refresh: must be at least 1s"},
		{"tiles scheme", func(c *config.Console) { c.Tiles = "ftp://x/{z}/{x}/{y}" }, "config console.tiles: must be an http(s) URL template"},
		{"tiles placeholders", func(c *config.Console) { c.Tiles = "https://x.org/tile.png" }, "config console.tiles: must contain {z}, {x} and {y}"},
	} {
		cfg, err := config.Load("", nil)
		if err != nil {
			t.Fatal(err)
		}
		tc.mutate(&cfg.Console)
		err = cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
