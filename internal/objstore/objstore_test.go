package objstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

var (
	jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{1}, 100)...)
	png  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{2}, 100)...)
	webm = append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'}, bytes.Repeat([]byte{3}, 64)...)
	heic = append([]byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c'}, bytes.Repeat([]byte{4}, 64)...)
	m4a  = append([]byte{0, 0, 0, 0x1C, 'f', 't', 'y', 'p', 'M', '4', 'A', ' ', 0, 0, 0, 0, 'M', '4', 'A', ' ', 'm', 'p', '4', '2', 'i', 's', 'o', 'm'}, bytes.Repeat([]byte{5}, 64)...)
	html = []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
)

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"jpeg", jpeg, "image/jpeg"},
		{"png", png, "image/png"},
		{"webm recording", webm, "video/webm"},
		{"iphone heic", heic, "image/heic"},
		{"m4a voice memo", m4a, "audio/mp4"},
		{"html", html, "text/html"},
		{"empty", nil, "text/plain"},
	} {
		if got := Sniff(tc.in); got != tc.want {
			t.Errorf("%s: Sniff = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestValidKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"audits/2026/12/07/abc.jpg": true,
		"a":                         true,
		"":                          false,
		"/abs":                      false,
		"a/../b":                    false,
		"a//b":                      false,
		"a/.hidden":                 false,
		"dir/":                      false,
		"sp ace":                    false,
		"a\\b":                      false,
	} {
		if err := ValidKey(key); (err == nil) != ok {
			t.Errorf("ValidKey(%q) = %v, want ok=%v", key, err, ok)
		}
	}
}

// s3Server is gofakes3 (an in-process S3 protocol server) on a real HTTP listener, with a clock the test
// moves so retention can be checked without waiting.
func s3Server(t *testing.T, clock gofakes3.TimeSourceAdvancer) S3Config {
	t.Helper()
	backend := s3mem.New(s3mem.WithTimeSource(clock))
	if err := backend.CreateBucket("evidence"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithTimeSource(clock), gofakes3.WithTimeSkewLimit(0)).Server())
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return S3Config{Endpoint: u.Host, Bucket: "evidence", Region: "us-east-1", AccessKey: "test", SecretKey: "testsecret", PathStyle: true, Prefix: "cxm"}
}

type backend struct {
	name  string
	store Store
	age   func(key string, by time.Duration) // makes key older
	after func(by time.Duration)             // advances the clock for objects put later
}

func backends(t *testing.T, p Policy) []backend {
	dir := t.TempDir()
	local, err := NewLocal(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	clock := gofakes3.FixedTimeSource(time.Now().Add(-48 * time.Hour))
	s3, err := NewS3(context.Background(), s3Server(t, clock), p)
	if err != nil {
		t.Fatal(err)
	}
	return []backend{
		{name: "local", store: local, age: func(key string, by time.Duration) {
			old := time.Now().Add(-by)
			if err := osChtimes(local.path(key), old); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "s3", store: s3, after: clock.Advance},
	}
}

func TestStores(t *testing.T) {
	ctx := context.Background()
	p := Policy{MaxBytes: 1000, Types: DefaultMediaTypes}
	for _, b := range backends(t, p) {
		t.Run(b.name, func(t *testing.T) {
			s := b.store
			for _, tc := range []struct {
				key, ct string
				body    []byte
			}{
				{"audits/v1/photo.jpg", "image/jpeg", jpeg},
				// The name says .txt; the content is a PNG, and the content decides.
				{"audits/v1/note.txt", "image/png", png},
				{"audits/v2/voice", "video/webm", webm},
				{"audits/v2/heic", "image/heic", heic},
			} {
				info, err := s.Put(ctx, tc.key, bytes.NewReader(tc.body))
				if err != nil {
					t.Fatalf("Put %s: %v", tc.key, err)
				}
				if info.ContentType != tc.ct || info.Size != int64(len(tc.body)) {
					t.Fatalf("Put %s = %+v, want %s of %d bytes", tc.key, info, tc.ct, len(tc.body))
				}
				rc, got, err := s.Get(ctx, tc.key)
				if err != nil {
					t.Fatalf("Get %s: %v", tc.key, err)
				}
				data, _ := io.ReadAll(rc)
				rc.Close()
				if !bytes.Equal(data, tc.body) || got.ContentType != tc.ct || got.Size != int64(len(tc.body)) {
					t.Fatalf("Get %s = %d bytes %+v, want the %d bytes put as %s", tc.key, len(data), got, len(tc.body), tc.ct)
				}
			}

			// Refusals store nothing.
			var te *TypeError
			if _, err := s.Put(ctx, "audits/v3/page.jpg", bytes.NewReader(html)); !errors.As(err, &te) || te.Sniffed != "text/html" {
				t.Fatalf("Put html named .jpg: %v, want a TypeError naming text/html", err)
			}
			var tl *TooLargeError
			big := append(append([]byte{}, jpeg...), make([]byte, 1000)...)
			if _, err := s.Put(ctx, "audits/v3/big.jpg", bytes.NewReader(big)); !errors.As(err, &tl) || tl.Max != 1000 {
				t.Fatalf("Put 1.1 kB: %v, want TooLargeError{1000}", err)
			}
			exact := append(append([]byte{}, jpeg...), make([]byte, 1000-len(jpeg))...)
			if _, err := s.Put(ctx, "audits/v3/exact.jpg", bytes.NewReader(exact)); err != nil {
				t.Fatalf("Put exactly the limit: %v", err)
			}
			if _, _, err := s.Get(ctx, "audits/v3/page.jpg"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get refused object: %v, want ErrNotFound", err)
			}
			if _, err := s.Put(ctx, "../escape.jpg", bytes.NewReader(jpeg)); err == nil {
				t.Fatal("Put ../escape.jpg succeeded")
			}

			keys := list(t, s, "audits/v2/")
			if !slices.Equal(keys, []string{"audits/v2/heic", "audits/v2/voice"}) {
				t.Fatalf("List audits/v2/ = %v", keys)
			}
			if all := list(t, s, ""); len(all) != 5 {
				t.Fatalf("List all = %v, want 5 objects (no spool files)", all)
			}

			if err := s.Delete(ctx, "audits/v1/note.txt"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "audits/v1/note.txt"); err != nil {
				t.Fatalf("Delete twice: %v", err)
			}
			if _, _, err := s.Get(ctx, "audits/v1/note.txt"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get deleted: %v", err)
			}

			// Retention: objects older than the cutoff go, newer ones stay.
			if b.age != nil {
				b.age("audits/v1/photo.jpg", 72*time.Hour)
				b.age("audits/v2/voice", 72*time.Hour)
			} else {
				// the s3 clock started 48 h ago: everything so far is 48 h old; a new object is now.
				b.after(48 * time.Hour)
			}
			if _, err := s.Put(ctx, "audits/v4/fresh.png", bytes.NewReader(png)); err != nil {
				t.Fatal(err)
			}
			n, err := Expire(ctx, s, "audits/", time.Now().Add(-24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			left := list(t, s, "")
			if b.age != nil {
				if n != 2 || !slices.Equal(left, []string{"audits/v2/heic", "audits/v3/exact.jpg", "audits/v4/fresh.png"}) {
					t.Fatalf("Expire removed %d, left %v", n, left)
				}
			} else if n != 4 || !slices.Equal(left, []string{"audits/v4/fresh.png"}) {
				t.Fatalf("Expire removed %d, left %v", n, left)
			}
		})
	}
}

func list(t *testing.T, s Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.List(context.Background(), prefix, func(i Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

func TestS3MissingBucket(t *testing.T) {
	cfg := s3Server(t, gofakes3.FixedTimeSource(time.Now()))
	cfg.Bucket = "absent"
	if _, err := NewS3(context.Background(), cfg, Policy{}); err == nil {
		t.Fatal("NewS3 with a missing bucket succeeded")
	}
}
