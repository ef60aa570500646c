package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
)

func defaults(t *testing.T) config.HTTP {
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.HTTP
}

// serve runs a configured server on a loopback port until the test ends.
func serve(t *testing.T, h config.HTTP, setup func(*Server)) (*Server, string) {
	t.Helper()
	s := New(slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	s.Configure(h)
	if setup != nil {
		setup(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeListener(ctx, ln, 2*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s, ln.Addr().String()
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestHeadersAndReadyz: every answer carries the security headers; /readyz names the failing check but
// not its error text.
func TestHeadersAndReadyz(t *testing.T) {
	_, addr := serve(t, defaults(t), func(s *Server) {
		s.AddCheck(Check{Name: "db", Func: func(context.Context) error {
			return errors.New("dial tcp 10.1.2.3:9000: connection refused (secret-host.internal)")
		}})
	})
	resp, body := get(t, http.DefaultClient, "http://"+addr+"/readyz")
	if resp.StatusCode != 503 || !strings.Contains(body, `"db":"failing"`) || strings.Contains(body, "10.1.2.3") || strings.Contains(body, "secret-host") {
		t.Errorf("/readyz: %d %s", resp.StatusCode, body)
	}
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
		"Content-Security-Policy": "frame-ancestors 'none'",
	} {
		if got := resp.Header.Get(k); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP without http.hsts")
	}
}

// TestInternalListener: with http.internal_listen the operational endpoints leave the public listener.
func TestInternalListener(t *testing.T) {
	h := defaults(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	internal := ln.Addr().String()
	ln.Close()
	h.InternalListen = internal
	_, addr := serve(t, h, func(s *Server) {
		s.Mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hi") })
	})
	for _, c := range []struct {
		url  string
		code int
	}{
		{"http://" + addr + "/metrics", 404}, {"http://" + addr + "/readyz", 404}, {"http://" + addr + "/hello", 200},
		{"http://" + internal + "/metrics", 200}, {"http://" + internal + "/healthz", 200}, {"http://" + internal + "/hello", 404},
	} {
		var resp *http.Response
		var err error
		for range 50 { // the internal listener starts just after the public one
			if resp, err = http.Get(c.url); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%s: %d, want %d", c.url, resp.StatusCode, c.code)
		}
	}
}

// TestConcurrencyCap: beyond http.max_concurrent requests the next is refused at once with 503, while
// the probes still answer.
func TestConcurrencyCap(t *testing.T) {
	h := defaults(t)
	h.MaxConcurrent = 2
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	_, addr := serve(t, h, func(s *Server) {
		s.Mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
			started <- struct{}{}
			<-release
		})
	})
	for range 2 {
		go func() {
			if resp, err := http.Get("http://" + addr + "/slow"); err == nil {
				resp.Body.Close()
			}
		}()
	}
	<-started
	<-started
	resp, body := get(t, http.DefaultClient, "http://"+addr+"/slow")
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "http.max_concurrent") {
		t.Errorf("third request: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, http.DefaultClient, "http://"+addr+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("/healthz at the cap: %d", resp.StatusCode)
	}
	close(release)
}

// TestTimeouts: a client that sends its headers slower than http.read_header_timeout is disconnected.
func TestTimeouts(t *testing.T) {
	h := defaults(t)
	h.ReadHeaderTimeout = 300 * time.Millisecond
	_, addr := serve(t, h, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c) // the server closes the connection; no answer to the unfinished request
	if err != nil || strings.Contains(string(b), "200 OK") {
		t.Errorf("slow headers: %q, %v", b, err)
	}
}

// TestTLS: with a certificate the listener speaks TLS 1.2+ and sends HSTS.
func TestTLS(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if out, err := exec.Command(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	h := defaults(t)
	h.TLS = config.HTTPTLS{CertFile: cert, KeyFile: key}
	_, addr := serve(t, h, nil)
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Get("https://" + addr + "/healthz"); err == nil {
		t.Error("TLS 1.1 accepted")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, _ := get(t, c, "https://"+addr+"/healthz")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("https: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
}

func TestClientIP(t *testing.T) {
	trusted := TrustedProxies([]string{"10.0.0.0/8", "192.0.2.1"})
	tests := []struct{ remote, xff, want string }{
		{"203.0.113.5:1234", "", "203.0.113.5"},
		{"203.0.113.5:1234", "1.2.3.4", "203.0.113.5"}, // not from a trusted proxy: the header is ignored
		{"10.1.1.1:80", "198.51.100.7", "198.51.100.7"},
		{"10.1.1.1:80", "6.6.6.6, 198.51.100.7, 192.0.2.1", "198.51.100.7"}, // the client's own claim (6.6.6.6) is ignored
		{"10.1.1.1:80", "10.2.2.2", "10.1.1.1"},                             // only proxies: the peer
		{"10.1.1.1:80", "garbage", "10.1.1.1"},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := ClientIP(r, trusted); got != tt.want {
			t.Errorf("%s via %q: %s, want %s", tt.remote, tt.xff, got, tt.want)
		}
	}
}
