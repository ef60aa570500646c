package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config reaches an S3-compatible service (AWS S3, MinIO, Ceph RGW, Yandex Object Storage, ...).
type S3Config struct {
	Endpoint  string // host[:port], no scheme
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	// TLS uses https (on by default in config; off only for a local test server).
	TLS bool
	// Prefix is prepended to every key, so several stores can share one bucket ("cxm/evidence/").
	Prefix string
	// PathStyle addresses the bucket in the path rather than the host name (MinIO and most self-hosted
	// services need it).
	PathStyle bool
}

// S3 stores objects in a bucket through minio-go. Uploads are spooled to a temporary file first, so the
// size limit and type check happen before anything reaches the bucket and the upload is a single PUT of
// a known length.
type S3 struct {
	c      *minio.Client
	bucket string
	prefix string
	policy Policy
	tmp    string
}

// NewS3 connects and checks the bucket exists (it is never created: buckets and their lifecycle rules
// are the operator's).
func NewS3(ctx context.Context, cfg S3Config, p Policy) (*S3, error) {
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       cfg.TLS,
		Region:       cfg.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("objstore s3 %s: %w", cfg.Endpoint, err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("objstore s3 %s: bucket %s: %w", cfg.Endpoint, cfg.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("objstore s3 %s: bucket %s does not exist", cfg.Endpoint, cfg.Bucket)
	}
	if cfg.Prefix != "" && !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	return &S3{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix, policy: p, tmp: os.TempDir()}, nil
}

func (s *S3) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	f, size, ct, err := spool(s.tmp, s.policy, r)
	if err != nil {
		return Info{}, err
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	up, err := s.c.PutObject(ctx, s.bucket, s.prefix+key, f, size, minio.PutObjectOptions{ContentType: ct})
	if err != nil {
		return Info{}, fmt.Errorf("objstore s3 put %s: %w", key, err)
	}
	return Info{Key: key, Size: up.Size, ContentType: ct, Modified: up.LastModified}, nil
}

func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	st, err := s.c.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		if isNotFound(err) {
			return nil, Info{}, ErrNotFound
		}
		return nil, Info{}, fmt.Errorf("objstore s3 stat %s: %w", key, err)
	}
	o, err := s.c.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, fmt.Errorf("objstore s3 get %s: %w", key, err)
	}
	return o, Info{Key: key, Size: st.Size, ContentType: st.ContentType, Modified: st.LastModified}, nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := s.c.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil && !isNotFound(err) {
		return fmt.Errorf("objstore s3 delete %s: %w", key, err)
	}
	return nil
}

func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn returns early
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return fmt.Errorf("objstore s3 list %s: %w", prefix, o.Err)
		}
		if err := fn(Info{Key: strings.TrimPrefix(o.Key, s.prefix), Size: o.Size, ContentType: o.ContentType, Modified: o.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

func isNotFound(err error) bool {
	var r minio.ErrorResponse
	if errors.As(err, &r) {
		return r.StatusCode == 404 || r.Code == "NoSuchKey"
	}
	return false
}
