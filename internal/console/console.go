// Package console serves CXM's web console: a static single-page front end (built from console/ with
// esbuild and embedded here) that reads the read API with the user's read token, so every figure it shows
// is the API's, from the same query engine the Grafana plugin uses. The package adds no data endpoint of
// its own beyond meta.json, the display metadata (KPI titles, units, windows, map tiles) the pages need.
package console

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// dist is the committed build of console/ (make console). sources.sha256 records the hash of the sources
// it was built from; TestBundleIsCurrent fails when they changed since.
//
//go:embed dist
var dist embed.FS

// Prefix is where the console lives.
const Prefix = "/console/"

// Console serves the embedded front end.
type Console struct {
	index    []byte
	assets   http.Handler
	meta     []byte
	maturity []byte
	csp      string
}

// New prepares the console for a configuration: the map's tile server goes into meta.json and into the
// Content-Security-Policy's img-src, the only origin other than the console's own the page may load from.
func New(cfg *config.Config) (*Console, error) {
	index, err := dist.ReadFile("dist/index.html")
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(dist, "dist/assets")
	if err != nil {
		return nil, err
	}
	meta, err := json.Marshal(metaFor(cfg))
	if err != nil {
		return nil, err
	}
	model, err := json.Marshal(maturityModel())
	if err != nil {
		return nil, err
	}
	img := "'self' data: blob:"
	if cfg.Console.Tiles != "" {
		origin, err := cfg.Console.TilesOrigin()
		if err != nil {
			return nil, err
		}
		img += " " + origin
	}
	return &Console{
		index:    index,
		assets:   http.StripPrefix(Prefix+"assets/", http.FileServerFS(sub)),
		meta:     meta,
		maturity: model,
		// No inline script or style anywhere: a token in sessionStorage is only as safe as the page is
		// from injected script. Leaflet and uPlot position elements through the CSSOM (element.style),
		// which style-src does not govern.
		// media-src blob: plays audit evidence fetched with the token (a plain link could not carry it).
		csp: "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + img + "; media-src blob:" +
			"; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	}, nil
}

// Routes mounts the console: / and /console redirect to /console/, the page, its assets and meta.json.
func (c *Console) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusFound)
	})
	mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET "+Prefix+"{$}", c.secure(func(w http.ResponseWriter, r *http.Request) {
		// The page is tiny and names the hashed asset files: always revalidated, so a new release's
		// assets are picked up at once; the assets themselves never change under their names.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "index.html", time.Time{}, strings.NewReader(string(c.index)))
	}))
	mux.HandleFunc("GET "+Prefix+"meta.json", c.secure(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(c.meta)
	}))
	mux.HandleFunc("GET "+Prefix+"maturity.json", c.secure(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(c.maturity)
	}))
	mux.Handle("GET "+Prefix+"assets/", c.secure(func(w http.ResponseWriter, r *http.Request) {
		// esbuild puts a content hash in every asset name (app-3F2K….js), so a year is safe.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		c.assets.ServeHTTP(w, r)
	}))
}

// secure adds the headers every console answer carries.
func (c *Console) secure(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", c.csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		// The sign-in link carries the token in the fragment, which browsers never send; no-referrer keeps
		// the console's paths (location ids) out of the tile server's logs as well.
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		h(w, r)
	}
}

// meta is what the pages need to label figures; nothing in it depends on the caller's token.
type meta struct {
	KPIs         []kpiMeta `json:"kpis"`
	Windows      []string  `json:"windows"`
	StatusWindow string    `json:"status_window"`
	RefreshMS    int64     `json:"refresh_ms"`
	Tiles        string    `json:"tiles"`
	Attribution  string    `json:"tiles_attribution"`
	// SMTP says whether the report page may offer to e-mail the respondent's copy.
	SMTP bool `json:"smtp"`
}

type kpiMeta struct {
	Name           string   `json:"name"`
	Title          string   `json:"title"`
	TitleRU        string   `json:"title_ru"`
	Unit           string   `json:"unit"`
	Decimals       int      `json:"decimals"`
	Min            *float64 `json:"min"`
	Max            *float64 `json:"max"`
	HigherIsBetter bool     `json:"higher_is_better"`
	Count          bool     `json:"count"`
}

func metaFor(cfg *config.Config) meta {
	m := meta{
		Windows: append([]string{}, cfg.KPI.Windows...), StatusWindow: cfg.KPI.StatusWindow,
		RefreshMS: cfg.Console.Refresh.Milliseconds(), Tiles: cfg.Console.Tiles, Attribution: cfg.Console.TilesAttribution,
		SMTP: cfg.Console.SMTP.Addr != "",
	}
	for _, name := range kpi.Names {
		k, _ := kpi.MetaOf(name)
		km := kpiMeta{Name: k.Name, Title: k.Title, TitleRU: k.TitleRU, Unit: k.Unit, Decimals: k.Decimals, HigherIsBetter: k.HigherIsBetter, Count: k.Count}
		if k.HasRange {
			lo, hi := k.Min, k.Max
			km.Min, km.Max = &lo, &hi
		}
		m.KPIs = append(m.KPIs, km)
	}
	return m
}
