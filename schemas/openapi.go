package schemas

import _ "embed"

// OpenAPI is the read API's OpenAPI 3 document (openapi.yaml), served at /v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
