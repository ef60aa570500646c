package api

import (
	"net/http"

	"github.com/cxm-project/cxm/schemas"
)

// openapi serves the OpenAPI document the tests check the server against, so clients generate from the
// very file the answers conform to. It needs no token: it describes, it does not disclose data.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(schemas.OpenAPI)
}
