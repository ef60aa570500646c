package config

import (
	"errors"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Console configures the web console that `cxm api` (and `cxm run`) serves at /console: the board, the map
// and the location pages, for people without Grafana. It reads the same read API with the same tokens.
type Console struct {
	// Enabled serves the console at /console and redirects / there.
	Enabled bool `koanf:"enabled"`
	// Tiles is the map's tile URL template ({z}/{x}/{y}, optional {s}); empty draws a plain background
	// only. The browser fetches tiles from it, so the Content-Security-Policy allows its origin.
	Tiles string `koanf:"tiles"`
	// TilesAttribution is shown on the map, as the tile server's licence requires.
	TilesAttribution string `koanf:"tiles_attribution"`
	// Refresh is how often an open console polls the statuses. Statuses change at most once per
	// kpi.evaluate_interval, so polling more often than that only repeats the same answer.
	Refresh time.Duration `koanf:"refresh"`
	// SMTP sends a CX maturity respondent's copy of their report (the console's report page offers it when
	// Addr is set and the respondent left an e-mail with consent).
	SMTP SMTP `koanf:"smtp"`
}

// SMTP is an outgoing mail server. The connection is upgraded with STARTTLS whenever the server offers
// it; credentials are sent only over TLS or to a loopback server (net/smtp's rule).
type SMTP struct {
	Addr     string        `koanf:"addr"` // host:port; empty disables e-mail
	From     string        `koanf:"from"`
	Username string        `koanf:"username"`
	Password string        `koanf:"password"`
	Timeout  time.Duration `koanf:"timeout"`
}

func consoleDefaults() map[string]any {
	return map[string]any{
		"console.enabled":           true,
		"console.tiles":             "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
		"console.tiles_attribution": "© OpenStreetMap contributors",
		"console.refresh":           30 * time.Second,
		"console.smtp.addr":         "",
		"console.smtp.from":         "",
		"console.smtp.username":     "",
		"console.smtp.password":     "",
		"console.smtp.timeout":      30 * time.Second,
	}
}

func (c *Console) validate(es *Errors) {
	if c.Refresh < time.Second {
		es.add("console.refresh", "must be at least 1s, e.g. 30s")
	}
	if c.SMTP.Addr != "" {
		if _, _, err := net.SplitHostPort(c.SMTP.Addr); err != nil {
			es.add("console.smtp.addr", "must be host:port, e.g. smtp.example.org:587")
		}
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			es.add("console.smtp.from", "must be an e-mail address when console.smtp.addr is set, e.g. cxm@example.org")
		}
		if c.SMTP.Timeout <= 0 {
			es.add("console.smtp.timeout", "must be positive, e.g. 30s")
		}
	}
	if c.Tiles != "" {
		if _, err := c.TilesOrigin(); err != nil {
			es.add("console.tiles", "%v", err)
		} else if !strings.Contains(c.Tiles, "{z}") || !strings.Contains(c.Tiles, "{x}") || !strings.Contains(c.Tiles, "{y}") {
			es.add("console.tiles", "must contain {z}, {x} and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png")
		}
	}
}

// TilesOrigin is the scheme and host the tiles come from ("https://*.tile.example.org" for a {s} template),
// the form a Content-Security-Policy source takes.
func (c *Console) TilesOrigin() (string, error) {
	u, err := url.Parse(strings.ReplaceAll(c.Tiles, "{s}", "sub"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("must be an http(s) URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png")
	}
	host := u.Host
	if strings.Contains(c.Tiles, "{s}.") {
		host = "*." + strings.TrimPrefix(host, "sub.")
	}
	return u.Scheme + "://" + host, nil
}
