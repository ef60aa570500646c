package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/evidence"
	"github.com/cxm-project/cxm/internal/objstore"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestPrivacyEraseVoice: `cxm privacy erase` deletes the person's voice recordings from the object store
// and blanks the references; another person's recording and an audit's evidence stay.
func TestPrivacyEraseVoice(t *testing.T) {
	t.Setenv("CXM_CONFIG", "")
	conn, ch := testutil.ClickHouse(t)
	ctx := context.Background()
	dir := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "cxm.yaml")
	if err := os.WriteFile(cfgPath, []byte("clickhouse: {addr: ["+ch.Addr[0]+"], database: "+ch.Database+"}\nobjstore: {dir: "+dir+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := objstore.NewLocal(dir, objstore.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Second)
	ogg := []byte("OggS\x00\x02 a recording")
	mine, theirs := evidence.NewVoiceKey("shop-1", at), evidence.NewVoiceKey("shop-1", at)
	audit := "audits/shop-1/2026/12/07/photo"
	for _, k := range []string{mine, theirs, audit} {
		if _, err := store.Put(ctx, k, bytes.NewReader(ogg)); err != nil {
			t.Fatal(err)
		}
	}
	msg := func(id, contact, voice string) clickhouse.EventRow {
		return clickhouse.EventRow{Event: event.Event{ID: id, Type: event.TypeMessage, Location: "shop-1", Time: at, Kind: event.KindComplaint,
			Message: &event.Message{Text: "rude", Contact: contact, Consent: contact != "", Voice: voice}}, Received: at}
	}
	// The second message names the audit's evidence as its voice: erasure must not follow it there.
	rows := []clickhouse.EventRow{msg("m1", "+7 900 111-22-33", mine), msg("m2", "+7 900 111-22-33", audit), msg("m3", "ann@example.com", theirs)}
	if err := clickhouse.InsertEvents(ctx, conn, ch.Database, rows); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "privacy", "erase", "--config", cfgPath, "--phone", "+7 900 111-22-33")
	if code != 0 || !strings.Contains(out, "deleted 1 voice recording(s)") || !strings.Contains(out, "of 2 event(s)") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for k, gone := range map[string]bool{mine: true, theirs: false, audit: false} {
		_, _, err := store.Get(ctx, k)
		if errors.Is(err, objstore.ErrNotFound) != gone {
			t.Errorf("%s: gone %v, want %v (%v)", k, !gone, gone, err)
		}
	}
	var voice, contact string
	if err := conn.QueryRow(ctx, "SELECT voice, contact FROM "+clickhouse.Ident(ch.Database)+".events WHERE id = 'm1'").Scan(&voice, &contact); err != nil {
		t.Fatal(err)
	}
	if voice != "" || contact != "" {
		t.Errorf("m1 still holds voice %q contact %q", voice, contact)
	}
}
