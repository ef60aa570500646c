package objstore

import (
	"context"
	"fmt"
)

// Config selects and configures a backend; internal/config fills it from the `objstore` section.
type Config struct {
	Kind string // "local" (default) | "s3"
	Dir  string // local
	S3   S3Config
}

// Open returns the configured backend enforcing p.
func Open(ctx context.Context, c Config, p Policy) (Store, error) {
	switch c.Kind {
	case "", "local":
		return NewLocal(c.Dir, p)
	case "s3":
		return NewS3(ctx, c.S3, p)
	default:
		return nil, fmt.Errorf("objstore: unknown kind %q (local or s3)", c.Kind)
	}
}
