package main

import (
	"fmt"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/console"
	"github.com/cxm-project/cxm/internal/httpserver"
)

// mountConsole serves the web console beside the read API (console.enabled), so `cxm api` and `cxm run`
// both have it.
func mountConsole(cfg *config.Config, srv *httpserver.Server) error {
	if !cfg.Console.Enabled {
		return nil
	}
	c, err := console.New(cfg)
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	c.Routes(srv.Mux)
	return nil
}
