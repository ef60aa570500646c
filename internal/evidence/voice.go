package evidence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/objstore"
)

// VoicePrefix is the key prefix of customers' voice recordings (a message's voice): messages/<location>/...,
// so a download is authorised by the location in the key, like audit evidence.
const VoicePrefix = "messages/"

// VoicePolicy is voice as an objstore policy: a smaller limit than evidence, and audio only.
func VoicePolicy(cfg *config.Config) objstore.Policy {
	return objstore.Policy{MaxBytes: cfg.Voice.MaxBytes, Types: cfg.Voice.Types}
}

// OpenVoice opens the configured store with the voice policy; it is the same store as the evidence one,
// only what it accepts differs.
func OpenVoice(ctx context.Context, cfg *config.Config) (objstore.Store, error) {
	o := cfg.ObjStore
	return objstore.Open(ctx, objstore.Config{Kind: o.Kind, Dir: o.Dir, S3: objstore.S3Config{
		Endpoint: o.S3.Endpoint, Bucket: o.S3.Bucket, Region: o.S3.Region, AccessKey: o.S3.AccessKey,
		SecretKey: o.S3.SecretKey, TLS: o.S3.TLS, Prefix: o.S3.Prefix, PathStyle: o.S3.PathStyle,
	}}, VoicePolicy(cfg))
}

// NewVoiceKey is a fresh key for a recording left at location.
func NewVoiceKey(location string, now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return VoicePrefix + location + "/" + now.UTC().Format("2006/01/02") + "/" + hex.EncodeToString(b[:])
}

// IsVoice reports whether key is a voice recording's (the only keys `cxm privacy erase` deletes).
func IsVoice(key string) bool {
	loc, ok := LocationOf(key)
	return ok && len(key) > len(VoicePrefix) && key[:len(VoicePrefix)] == VoicePrefix && loc != ""
}

// RunVoiceRetention deletes recordings older than retention (privacy.retention: recordings are personal
// data, kept as long as the message's words) every interval until ctx ends; retention 0 keeps them until
// erased.
func RunVoiceRetention(ctx context.Context, s objstore.Store, retention, interval time.Duration, log *slog.Logger) {
	if retention <= 0 || interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := objstore.Expire(ctx, s, VoicePrefix, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("voice retention failed", "err", err)
		case n > 0:
			log.Info("voice retention: recordings deleted", "objects", n, "older_than", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
