package console

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/cxm-project/cxm/internal/config"
)

// smtpServer is a real SMTP server (emersion/go-smtp) on loopback that keeps what it receives and accepts
// PLAIN auth for one user.
type smtpServer struct {
	mu       sync.Mutex
	received []received
	user     string
	pass     string
}

type received struct {
	from, to, authed string
	data             []byte
}

func (s *smtpServer) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &smtpSession{srv: s}, nil
}

type smtpSession struct {
	srv           *smtpServer
	cur           received
	authenticated string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.user || pass != s.srv.pass {
			return errors.New("invalid credentials")
		}
		s.authenticated = user
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *gosmtp.MailOptions) error { s.cur.from = from; return nil }
func (s *smtpSession) Rcpt(to string, _ *gosmtp.RcptOptions) error   { s.cur.to = to; return nil }
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data, s.cur.authed = b, s.authenticated
	s.srv.mu.Lock()
	s.srv.received = append(s.srv.received, s.cur)
	s.srv.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }

func startSMTP(t *testing.T) (*smtpServer, string) {
	t.Helper()
	be := &smtpServer{user: "cxm", pass: "secret"}
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // loopback without TLS, as net/smtp allows auth only there
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return be, ln.Addr().String()
}

// The respondent's copy reaches a real SMTP server: sender and recipient, PLAIN auth, a decodable MIME
// message in the respondent's language with the score, the stage and every question's level.
func TestSendCopy(t *testing.T) {
	be, addr := startSMTP(t)
	m := NewMailer(config.SMTP{Addr: addr, From: "CXM <cxm@example.org>", Username: "cxm", Password: "secret", Timeout: 10 * time.Second})
	// Levels 3,3,3,3,2,2,2,2,4,1,1: 15 of 33 points, round(95*15/33) = 43, stage 3 (Mobilizing).
	c := Copy{ID: "a-1", Name: "Ада", Email: "ada@example.org", Lang: "ru", Time: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
		Levels: [11]int{3, 3, 3, 3, 2, 2, 2, 2, 4, 1, 1}}
	if err := m.SendCopy(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	be.mu.Lock()
	got := append([]received(nil), be.received...)
	be.mu.Unlock()
	if len(got) != 1 || got[0].from != "cxm@example.org" || got[0].to != "ada@example.org" || got[0].authed != "cxm" {
		t.Fatalf("received %+v", got)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got[0].data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Ваша самооценка зрелости CX" {
		t.Errorf("subject %q (%v)", subject, err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		mt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[mt] = string(b)
	}
	for typ, body := range parts {
		for _, want := range []string{"43 из 95", "стадия 3: Мобилизация", "Здравствуйте, Ада", "Аналитика", "уровень 4 из 4"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q:\n%s", typ, want, body)
			}
		}
	}
	if len(parts) != 2 || !strings.Contains(parts["text/html"], "<ol>") {
		t.Errorf("parts %v, want text/plain and text/html", len(parts))
	}
}

func TestSendCopyRefusals(t *testing.T) {
	_, addr := startSMTP(t)
	c := Copy{ID: "a-1", Email: "ada@example.org", Lang: "en", Levels: [11]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}
	for _, tc := range []struct {
		name string
		cfg  config.SMTP
		c    Copy
		want string
	}{
		{"no e-mail", config.SMTP{Addr: addr, From: "cxm@example.org", Timeout: time.Second}, Copy{Levels: c.Levels}, ErrNoEmail.Error()},
		{"wrong password", config.SMTP{Addr: addr, From: "cxm@example.org", Username: "cxm", Password: "nope", Timeout: 5 * time.Second}, c, "smtp auth"},
		{"server down", config.SMTP{Addr: "127.0.0.1:1", From: "cxm@example.org", Timeout: 5 * time.Second}, c, "smtp 127.0.0.1:1"},
	} {
		err := NewMailer(tc.cfg).SendCopy(context.Background(), tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if NewMailer(config.SMTP{}) != nil {
		t.Error("a mailer without console.smtp.addr")
	}
}
