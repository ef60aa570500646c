// Package evidence is where audit attachments (photos, audio, video of a visit) are kept: the object store
// of the configuration (objstore), the policy of audits.evidence, and the key scheme. A key starts with
// audits/<location>/, so a download is authorised by the location in the key alone, with the same scope
// as the read API, and an audit may reference only evidence of its own location.
package evidence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/objstore"
)

// Prefix is the key prefix of all audit evidence.
const Prefix = "audits/"

// Open opens the configured store with the evidence policy (size, sniffed types).
func Open(ctx context.Context, cfg *config.Config) (objstore.Store, error) {
	o := cfg.ObjStore
	return objstore.Open(ctx, objstore.Config{Kind: o.Kind, Dir: o.Dir, S3: objstore.S3Config{
		Endpoint: o.S3.Endpoint, Bucket: o.S3.Bucket, Region: o.S3.Region, AccessKey: o.S3.AccessKey,
		SecretKey: o.S3.SecretKey, TLS: o.S3.TLS, Prefix: o.S3.Prefix, PathStyle: o.S3.PathStyle,
	}}, Policy(cfg))
}

// Policy is audits.evidence as an objstore policy.
func Policy(cfg *config.Config) objstore.Policy {
	return objstore.Policy{MaxBytes: cfg.Audits.Evidence.MaxBytes, Types: cfg.Audits.Evidence.Types}
}

// NewKey is a fresh key for an upload of location. It carries no file extension: the type is sniffed
// from the content at Put, kept as the object's metadata (S3) or sniffed again (local), never guessed
// from a name.
func NewKey(location string, now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return Prefix + location + "/" + now.UTC().Format("2006/01/02") + "/" + hex.EncodeToString(b[:])
}

// LocationOf is the location a key belongs to; ok is false for a key outside the scheme.
func LocationOf(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, Prefix)
	if !ok {
		return "", false
	}
	loc, _, ok := strings.Cut(rest, "/")
	if !ok || loc == "" {
		return "", false
	}
	return loc, true
}

// RunRetention deletes evidence older than retention every interval until ctx ends (retention 0: never).
// Evidence is referenced by audit events, which stay: a visit keeps its score, and its links answer 404
// after the retention period.
func RunRetention(ctx context.Context, s objstore.Store, retention, interval time.Duration, log *slog.Logger) {
	if retention <= 0 || interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := objstore.Expire(ctx, s, Prefix, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("evidence retention failed", "err", err)
		case n > 0:
			log.Info("evidence retention: objects deleted", "objects", n, "older_than", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
