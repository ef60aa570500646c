// Package objstore keeps binary attachments (audit evidence, voice recordings) outside ClickHouse: events
// carry only an object's key. A Store is a local directory (the default, one machine) or any
// S3-compatible service (production). Both enforce the same Policy: a size limit and the content types
// allowed, the type being sniffed from the bytes, never taken from the file name or the client's header.
package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ContentType string // as sniffed at Put
	Modified    time.Time
}

// Store is the interface every backend implements. Keys are slash-separated relative paths
// ("audits/2026/12/07/<id>.jpg"); ValidKey says which are accepted.
type Store interface {
	// Put reads r to its end and stores it under key, replacing any object there. It fails with
	// *TooLargeError beyond the policy's size and *TypeError when the sniffed type is not allowed;
	// nothing is stored then.
	Put(ctx context.Context, key string, r io.Reader) (Info, error)
	// Get opens an object; ErrNotFound when there is none. The caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Delete removes an object; deleting a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix, in no particular order; an error from
	// fn stops the listing and is returned.
	List(ctx context.Context, prefix string, fn func(Info) error) error
}

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("objstore: no such object")

// TooLargeError is returned by Put when the content exceeds Policy.MaxBytes.
type TooLargeError struct{ Max int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("object larger than the limit of %d bytes", e.Max)
}

// TypeError is returned by Put when the sniffed content type is not among Policy.Types.
type TypeError struct {
	Sniffed string
	Allowed []string
}

func (e *TypeError) Error() string {
	return fmt.Sprintf("content is %s, not one of %s", e.Sniffed, strings.Join(e.Allowed, ", "))
}

// Policy is what a Store accepts. Zero MaxBytes means no limit; an empty Types accepts any type.
type Policy struct {
	MaxBytes int64
	// Types are sniffed media types ("image/jpeg") or whole families ("image/*").
	Types []string
}

// DefaultMediaTypes are photos, audio and video as phones record them.
var DefaultMediaTypes = []string{"image/*", "audio/*", "video/*", "application/ogg"}

func (p Policy) allows(ct string) bool {
	if len(p.Types) == 0 {
		return true
	}
	return slices.ContainsFunc(p.Types, func(t string) bool {
		if fam, ok := strings.CutSuffix(t, "/*"); ok {
			return strings.HasPrefix(ct, fam+"/")
		}
		return t == ct
	})
}

// ValidKey refuses keys that could escape a directory or a bucket prefix, or that S3 treats specially.
func ValidKey(key string) error {
	switch {
	case key == "":
		return errors.New("objstore: empty key")
	case len(key) > 512:
		return errors.New("objstore: key longer than 512 bytes")
	case strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/"):
		return fmt.Errorf("objstore: key %q must not start or end with /", key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") {
			return fmt.Errorf("objstore: key %q has an empty, dot or hidden segment", key)
		}
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./", r)) {
			return fmt.Errorf("objstore: key %q may hold only letters, digits and - _ . /", key)
		}
	}
	return nil
}

// spool copies r into a temporary file under the policy's limit and sniffs its type, so a backend
// stores only content that passed, knows its size up front, and memory stays flat for a video.
// The caller removes the file.
func spool(dir string, p Policy, r io.Reader) (f *os.File, size int64, ct string, err error) {
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return nil, 0, "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	f = tmp
	src := r
	if p.MaxBytes > 0 {
		src = io.LimitReader(r, p.MaxBytes+1)
	}
	size, err = io.Copy(f, src)
	if err != nil {
		return nil, 0, "", err
	}
	if p.MaxBytes > 0 && size > p.MaxBytes {
		return nil, 0, "", &TooLargeError{Max: p.MaxBytes}
	}
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, "", err
	}
	ct = Sniff(head[:n])
	if !p.allows(ct) {
		return nil, 0, "", &TypeError{Sniffed: ct, Allowed: p.Types}
	}
	if _, err = f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, "", err
	}
	return f, size, ct, nil
}

// Expire deletes the objects under prefix last modified before cutoff (retention) and returns how many.
func Expire(ctx context.Context, s Store, prefix string, cutoff time.Time) (int, error) {
	var old []string
	err := s.List(ctx, prefix, func(i Info) error {
		if i.Modified.Before(cutoff) {
			old = append(old, i.Key)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for n, k := range old {
		if err := s.Delete(ctx, k); err != nil {
			return n, err
		}
	}
	return len(old), nil
}
