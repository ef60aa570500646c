package config

import "strings"

// ObjStore is where binary attachments go (audit evidence; voice recordings): a local directory by
// default, any S3-compatible service in production. What a store accepts (size, types) and how long it
// keeps objects is set by the feature using it (audits.evidence, ...).
type ObjStore struct {
	Kind string `koanf:"kind"` // local | s3
	Dir  string `koanf:"dir"`  // kind local
	S3   S3     `koanf:"s3"`
}

// S3 reaches an S3-compatible service. The bucket must exist.
type S3 struct {
	Endpoint  string `koanf:"endpoint"` // host[:port], no scheme
	Bucket    string `koanf:"bucket"`
	Region    string `koanf:"region"`
	AccessKey string `koanf:"access_key"`
	SecretKey string `koanf:"secret_key"`
	TLS       bool   `koanf:"tls"`
	Prefix    string `koanf:"prefix"`
	PathStyle bool   `koanf:"path_style"`
}

func objstoreDefaults() map[string]any {
	return map[string]any{
		"objstore.kind":          "local",
		"objstore.dir":           "run/objects",
		"objstore.s3.endpoint":   "",
		"objstore.s3.bucket":     "",
		"objstore.s3.region":     "",
		"objstore.s3.access_key": "",
		"objstore.s3.secret_key": "",
		"objstore.s3.tls":        true,
		"objstore.s3.prefix":     "",
		"objstore.s3.path_style": false,
	}
}

func (o *ObjStore) validate(es *Errors) {
	switch o.Kind {
	case "local":
		if o.Dir == "" {
			es.add("objstore.dir", "must name a directory when objstore.kind is local")
		}
	case "s3":
		if o.S3.Endpoint == "" || strings.Contains(o.S3.Endpoint, "://") {
			es.add("objstore.s3.endpoint", "must be host[:port] without a scheme, e.g. storage.yandexcloud.net")
		}
		if o.S3.Bucket == "" {
			es.add("objstore.s3.bucket", "must name an existing bucket when objstore.kind is s3")
		}
	default:
		es.add("objstore.kind", "must be local or s3, not %q", o.Kind)
	}
}
