package testutil

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
)

// Credentials of the SecureKafka broker's only user.
const (
	KafkaUser     = "cxm-test"
	KafkaPassword = "s3cret-for-tests"
)

// SecureKafka starts a kfake broker of the test's own that accepts only TLS connections authenticated with
// SASL mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) as KafkaUser, creates the events and dead-letter
// topics through CXM's own admin client and returns the default Kafka config set up for it: kafka.tls with
// the CA that signed the broker's certificate (written under t.TempDir), kafka.sasl with the user. The
// broker stops at cleanup.
func SecureKafka(t testing.TB, mechanism string) config.Kafka {
	t.Helper()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	cfg := c.Kafka
	caFile, serverCert := testCA(t)
	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.DefaultNumPartitions(cfg.Partitions),
		kfake.EnableSASL(),
		kfake.Superuser(mechanism, KafkaUser, KafkaPassword),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12}),
	)
	if err != nil {
		t.Fatalf("start kfake with TLS and SASL: %v", err)
	}
	t.Cleanup(cluster.Close)
	cfg.Brokers = cluster.ListenAddrs()
	cfg.TLS = config.KafkaTLS{Enabled: true, CAFile: caFile}
	cfg.SASL = config.KafkaSASL{Mechanism: mechanism, Username: KafkaUser, Password: KafkaPassword}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, cfg); err != nil {
		t.Fatalf("create topics on kfake over TLS and SASL %s: %v", mechanism, err)
	}
	return cfg
}

// testCA makes a CA and a certificate it signed for 127.0.0.1 and localhost; it returns the CA's PEM file
// and the server's certificate with its key.
func testCA(t testing.TB) (caFile string, server tls.Certificate) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	caKey := key()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cxm test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	srvKey := key()
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "kafka-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return caFile, tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
}
