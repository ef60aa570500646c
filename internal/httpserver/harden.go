package httpserver

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"

	"github.com/cxm-project/cxm/internal/config"
)

// Configure applies the listener settings of the config (timeouts, concurrency cap, TLS, the internal
// listener, trusted proxies). A server never configured uses config's defaults.
func (s *Server) Configure(h config.HTTP) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = h
	s.configured = true
	s.sem = make(chan struct{}, h.MaxConcurrent)
}

// settings returns the configured HTTP section, or the defaults.
func (s *Server) settings() config.HTTP {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.configured {
		d, err := config.Load("", nil)
		if err == nil {
			s.cfg = d.HTTP
		}
		s.configured = true
		s.sem = make(chan struct{}, max(s.cfg.MaxConcurrent, 1))
	}
	return s.cfg
}

// opsPath reports the operational endpoints, which move to the internal listener when there is one.
func opsPath(p string) bool { return p == "/metrics" || p == "/healthz" || p == "/readyz" }

// Handler is the public listener's handler: security headers on every answer, the operational endpoints
// unless an internal listener serves them, and the concurrency cap on everything else.
func (s *Server) Handler() http.Handler {
	h := s.settings()
	internal := h.InternalListen != ""
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w, r, h.HSTS)
		if opsPath(r.URL.Path) {
			if internal {
				http.NotFound(w, r)
				return
			}
			s.Mux.ServeHTTP(w, r) // probes must answer even when the cap is reached
			return
		}
		select {
		case s.sem <- struct{}{}:
			defer func() { <-s.sem }()
		default:
			s.refused.Inc()
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"the server is at http.max_concurrent requests; retry in a second"}` + "\n"))
			return
		}
		s.Mux.ServeHTTP(w, r)
	})
}

// internalHandler serves only the operational endpoints.
func (s *Server) internalHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !opsPath(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		s.Mux.ServeHTTP(w, r)
	})
}

// securityHeaders are sent with every answer. Pages that need more (the assessment's one inline script)
// replace Content-Security-Policy with their own.
func securityHeaders(w http.ResponseWriter, r *http.Request, hsts bool) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin") // not "no-referrer": Chromium then posts forms with Origin: null
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", DefaultCSP)
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if hsts || r.TLS != nil {
		hd.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// DefaultCSP allows the pages' inline styles and same-origin images and form posts, no script, and no
// framing by any other site.
const DefaultCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// httpServer is the net/http server of the public listener.
func (s *Server) httpServer(h config.HTTP, handler http.Handler) *http.Server {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: h.ReadHeaderTimeout,
		ReadTimeout:       h.ReadTimeout,
		WriteTimeout:      h.WriteTimeout,
		IdleTimeout:       h.IdleTimeout,
		MaxHeaderBytes:    h.MaxHeaderBytes,
		ErrorLog:          nil,
	}
	if h.TLS.CertFile != "" {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return srv
}

// ClientIP is the address of the client: the peer, or, when the peer is a trusted proxy, the last address
// of X-Forwarded-For that is not a trusted proxy. Addresses a client wrote itself further left are ignored,
// so a direct client cannot pretend to be someone else.
func ClientIP(r *http.Request, trusted []*net.IPNet) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil || !inNets(ip, trusted) {
		return host
	}
	hops := r.Header.Values("X-Forwarded-For")
	var all []string
	for _, h := range hops {
		for _, p := range strings.Split(h, ",") {
			all = append(all, strings.TrimSpace(p))
		}
	}
	for i := len(all) - 1; i >= 0; i-- {
		a := net.ParseIP(all[i])
		if a == nil {
			return host // a garbled header: the proxy itself is the best we know
		}
		if !inNets(a, trusted) {
			return a.String()
		}
	}
	return host
}

// TrustedProxies parses http.trusted_proxies (validated already).
func TrustedProxies(list []string) []*net.IPNet {
	var out []*net.IPNet
	for _, p := range list {
		if n, err := config.ParseProxy(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func inNets(ip net.IP, nets []*net.IPNet) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
