package kafka_test

import (
	"context"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
)

var mechanisms = []string{config.SASLPlain, config.SASLScramSHA256, config.SASLScramSHA512}

// TestSecureClients runs every kind of client CXM makes (admin: topic creation, ping, end offsets; the
// producer; a group reader) against a broker that accepts only TLS with SASL, once per mechanism.
func TestSecureClients(t *testing.T) {
	for _, mech := range mechanisms {
		t.Run(mech, func(t *testing.T) {
			cfg := testutil.SecureKafka(t, mech) // creates the topics through kafka.EnsureTopics
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := kafka.Ping(ctx, cfg); err != nil {
				t.Fatalf("ping: %v", err)
			}
			sent := events(t, 300, 7)
			p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
			defer p.Close()
			produceAll(t, ctx, p, sent, 100)

			parts := make([]int, cfg.Partitions)
			for i := range parts {
				parts[i] = i
			}
			ends, err := kafka.EndOffsets(ctx, cfg, cfg.Topics.Events, parts)
			if err != nil {
				t.Fatalf("end offsets: %v", err)
			}
			var total int64
			for _, e := range ends {
				total += e
			}
			if total != int64(len(sent)) {
				t.Fatalf("end offsets sum to %d, want %d", total, len(sent))
			}

			r, err := kafka.NewReader(cfg, "secure-"+mech, cfg.Topics.Events)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := newReceived()
			for range sent {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					t.Fatalf("read through the group: %v", err)
				}
				got.add(t, m)
			}
			got.check(t, sent)
		})
	}
}

// TestSecureClientsRefused: wrong credentials, a missing mechanism and plain TCP fail with an error that
// says why, for the admin client and the producer alike.
func TestSecureClientsRefused(t *testing.T) {
	good := testutil.SecureKafka(t, config.SASLScramSHA256)
	cases := []struct {
		name   string
		mutate func(*config.Kafka)
		want   string
	}{
		{"wrong password", func(k *config.Kafka) { k.SASL.Password = "wrong" }, "SASL authentication failed"},
		{"unknown user", func(k *config.Kafka) { k.SASL.Username = "nobody" }, "SASL authentication failed"},
		{"other mechanism", func(k *config.Kafka) { k.SASL.Mechanism = config.SASLScramSHA512 }, "SASL authentication failed"},
		{"no SASL", func(k *config.Kafka) { k.SASL = config.KafkaSASL{} }, "check kafka.tls.enabled true and kafka.sasl.mechanism"},
		{"no TLS", func(k *config.Kafka) { k.TLS = config.KafkaTLS{} }, "kafka.tls.enabled false"},
		{"untrusted CA", func(k *config.Kafka) { k.TLS.CAFile = "" }, "certificate signed by unknown authority"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			cfg.AdminTimeout = 3 * time.Second
			cfg.Producer.WriteTimeout = 3 * time.Second
			cfg.Producer.MaxAttempts = 1
			tc.mutate(&cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := kafka.Ping(ctx, cfg)
			if err == nil {
				t.Fatal("ping succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ping error %q does not say %q", err, tc.want)
			}
			t.Logf("ping: %v", err)
			p := kafka.NewProducer(cfg, cfg.Topics.Events, nil, nil)
			defer p.Close()
			err = p.Produce(ctx, events(t, 1, 1)...)
			if err == nil {
				t.Fatal("produce succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("produce error %q does not say %q", err, tc.want)
			}
		})
	}
	// The right settings still work on the same broker, so the failures above are the settings'.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := kafka.Ping(ctx, good); err != nil {
		t.Fatalf("ping with the right settings: %v", err)
	}
}

func TestTopicConfigs(t *testing.T) {
	for _, tc := range []struct {
		rf      int
		wantISR string
	}{{1, ""}, {2, ""}, {3, "2"}, {4, "3"}, {5, "4"}} {
		cfg := config.Kafka{ReplicationFactor: tc.rf, Producer: config.Producer{BatchBytes: 1 << 20}}
		got := map[string]string{}
		for _, e := range kafka.TopicConfigs(cfg) {
			got[e.ConfigName] = e.ConfigValue
		}
		if got["min.insync.replicas"] != tc.wantISR {
			t.Errorf("replication factor %d: min.insync.replicas %q, want %q", tc.rf, got["min.insync.replicas"], tc.wantISR)
		}
		if got["max.message.bytes"] != "1114112" {
			t.Errorf("replication factor %d: max.message.bytes %q, want 1 MiB + 64 KiB", tc.rf, got["max.message.bytes"])
		}
	}
}

// TestCreateTopicsMinInsyncReplicas creates the topics on a three-broker cluster with replication factor 3
// and reads back what the brokers hold: min.insync.replicas 2.
func TestCreateTopicsMinInsyncReplicas(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.Kafka
	cfg.Brokers = cluster.ListenAddrs()
	cfg.ReplicationFactor = 3
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	cl := &kafkago.Client{Addr: kafkago.TCP(cfg.Brokers...), Transport: transport(t, cfg)}
	res, err := cl.DescribeConfigs(ctx, &kafkago.DescribeConfigsRequest{Resources: []kafkago.DescribeConfigRequestResource{
		{ResourceType: kafkago.ResourceTypeTopic, ResourceName: cfg.Topics.Events, ConfigNames: []string{"min.insync.replicas"}},
		{ResourceType: kafkago.ResourceTypeTopic, ResourceName: cfg.Topics.DeadLetter, ConfigNames: []string{"min.insync.replicas"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Resources) != 2 {
		t.Fatalf("%d resources described, want 2", len(res.Resources))
	}
	for _, r := range res.Resources {
		if r.Error != nil {
			t.Fatalf("%s: %v", r.ResourceName, r.Error)
		}
		got := ""
		for _, e := range r.ConfigEntries {
			if e.ConfigName == "min.insync.replicas" {
				got = e.ConfigValue
			}
		}
		if got != "2" {
			t.Errorf("topic %s: min.insync.replicas %q, want 2", r.ResourceName, got)
		}
	}
	md, err := cl.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{cfg.Topics.Events}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range md.Topics[0].Partitions {
		if len(p.Replicas) != 3 {
			t.Errorf("partition %d has %d replicas, want 3", p.ID, len(p.Replicas))
		}
	}
}
