// Package schemas embeds CXM's published schemas so binaries and tests use the files the repository ships.
package schemas

import "embed"

// Events holds the event contract v1: events/*.schema.json (JSON Schema 2020-12), events/examples (valid
// events) and events/invalid (events each wrong in one named field). events/README.md documents the contract.
//
//go:embed events
var Events embed.FS

// EventSchemaRoot is the path in Events of the schema an event document is validated against; it refers to
// the per-type schemas beside it.
const EventSchemaRoot = "events/event.schema.json"
