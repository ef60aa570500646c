package objstore

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Local keeps objects as files under a directory: the key is the relative path. An upload is spooled to
// a hidden file in the same directory and renamed into place, so a reader never sees half an object.
type Local struct {
	dir    string
	policy Policy
}

// NewLocal returns the store; dir is created by the first Put, so a process that never stores anything
// leaves no empty directory behind.
func NewLocal(dir string, p Policy) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &Local{dir: abs, policy: p}, nil
}

func (l *Local) path(key string) string { return filepath.Join(l.dir, filepath.FromSlash(key)) }

func (l *Local) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(l.dir, 0o750); err != nil {
		return Info{}, err
	}
	f, size, ct, err := spool(l.dir, l.policy, r)
	if err != nil {
		return Info{}, err
	}
	defer os.Remove(f.Name())
	if err := f.Sync(); err != nil {
		f.Close()
		return Info{}, err
	}
	if err := f.Close(); err != nil {
		return Info{}, err
	}
	dst := l.path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Info{}, err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return Info{}, err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return Info{}, err
	}
	return Info{Key: key, Size: size, ContentType: ct, Modified: st.ModTime()}, nil
}

func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, ErrNotFound
	} else if err != nil {
		return nil, Info{}, err
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		return nil, Info{}, ErrNotFound
	}
	// Only sniffed content was stored, so sniffing again gives the type Put reported.
	head := make([]byte, 512)
	n, _ := f.ReadAt(head, 0)
	return f, Info{Key: key, Size: st.Size(), ContentType: Sniff(head[:n]), Modified: st.ModTime()}, nil
}

func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := os.Remove(l.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func (l *Local) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if _, err := os.Stat(l.dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() && p != l.dir {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				return nil
			}
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(l.dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		return fn(Info{Key: key, Size: st.Size(), Modified: st.ModTime()})
	})
}
