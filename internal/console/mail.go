package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/maturity"
)

// Copy is what the respondent's e-mail reports: one assessment as the API returns it.
type Copy struct {
	ID, Name, Email, Lang, Location string
	Time                            time.Time
	Levels                          [maturity.NumQuestions]int
}

// Mailer sends respondents their copy over SMTP (console.smtp).
type Mailer struct {
	cfg config.SMTP
}

// NewMailer returns nil when console.smtp.addr is empty: e-mail is off.
func NewMailer(cfg config.SMTP) *Mailer {
	if cfg.Addr == "" {
		return nil
	}
	return &Mailer{cfg: cfg}
}

// ErrNoEmail is SendCopy's answer for an assessment without an e-mail (the respondent gave none, or no
// consent to keep it).
var ErrNoEmail = errors.New("the respondent left no e-mail address")

// SendCopy e-mails the respondent their report in their language: score, stage and its summary, the level
// of every question, the stage's characteristics per block and the drivers to the next stage.
func (m *Mailer) SendCopy(ctx context.Context, c Copy) error {
	if c.Email == "" {
		return ErrNoEmail
	}
	to, err := mail.ParseAddress(c.Email)
	if err != nil {
		return fmt.Errorf("respondent e-mail %q: %w", c.Email, err)
	}
	from, err := mail.ParseAddress(m.cfg.From)
	if err != nil {
		return fmt.Errorf("console.smtp.from: %w", err)
	}
	msg, err := copyMessage(from, to, c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	return m.send(ctx, from.Address, to.Address, msg)
}

// send is smtp.SendMail with a deadline: STARTTLS when the server offers it, PLAIN auth when configured.
func (m *Mailer) send(ctx context.Context, from, to string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", m.cfg.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", m.cfg.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(tlsConfig(host)); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	return c.Quit()
}

type copyView struct {
	Title, Greeting, ScoreLine, StageLine, Summary string
	QuestionsTitle, BlocksTitle, DriversTitle      string
	Questions                                      []struct{ Title, Level, Text string }
	Blocks                                         []struct{ Title, Text string }
	Drivers                                        []string
}

var copyHTML = template.Must(template.New("copy").Parse(`<!doctype html><html><body style="font-family:Arial,sans-serif;color:#1b1f24;max-width:40em">
<h1 style="font-size:1.4em">{{.Title}}</h1><p>{{.Greeting}}</p>
<p style="font-size:1.3em"><strong>{{.ScoreLine}}</strong> — {{.StageLine}}</p><p>{{.Summary}}</p>
<h2 style="font-size:1.1em">{{.QuestionsTitle}}</h2><ol>{{range .Questions}}<li><strong>{{.Title}}: {{.Level}}</strong><br>{{.Text}}</li>{{end}}</ol>
<h2 style="font-size:1.1em">{{.BlocksTitle}}</h2><dl>{{range .Blocks}}<dt><strong>{{.Title}}</strong></dt><dd>{{.Text}}</dd>{{end}}</dl>
{{if .Drivers}}<h2 style="font-size:1.1em">{{.DriversTitle}}</h2><ul>{{range .Drivers}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>`))

// copyMessage is the MIME message: multipart/alternative with a plain-text and an HTML part, UTF-8,
// quoted-printable, the subject RFC 2047-encoded.
func copyMessage(from, to *mail.Address, c Copy) ([]byte, error) {
	lang := "en"
	if c.Lang == "ru" {
		lang = "ru"
	}
	tr := func(ru, en string) string {
		if lang == "ru" {
			return ru
		}
		return en
	}
	score := maturity.Score(c.Levels)
	stage := maturity.Stage(score)
	st := maturity.Stages[stage-1]
	v := copyView{
		Title:          tr("Ваша самооценка зрелости CX", "Your CX maturity self-assessment"),
		Greeting:       tr("Здравствуйте", "Hello") + strings.TrimSuffix(", "+c.Name, ", ") + ". " + tr("Вот ваши результаты от ", "Here are your results of ") + c.Time.UTC().Format("2006-01-02 15:04 UTC") + ".",
		ScoreLine:      fmt.Sprintf(tr("%d из %d", "%d of %d"), score, maturity.Stages[len(maturity.Stages)-1].To),
		StageLine:      fmt.Sprintf(tr("стадия %d: %s", "stage %d: %s"), stage, st.Name.In(lang)),
		Summary:        st.Summary.In(lang),
		QuestionsTitle: tr("Уровень по вопросам", "Level per question"),
		BlocksTitle:    tr("Ваша стадия по блокам", "Your stage, block by block"),
		DriversTitle:   tr("Что дальше", "What next"),
	}
	for i, l := range c.Levels {
		q := maturity.Questions[i]
		v.Questions = append(v.Questions, struct{ Title, Level, Text string }{q.Title.In(lang), fmt.Sprintf(tr("уровень %d из 4", "level %d of 4"), l), q.Levels[l-1].In(lang)})
	}
	for i, b := range maturity.Blocks {
		v.Blocks = append(v.Blocks, struct{ Title, Text string }{b.In(lang), st.Blocks[i].In(lang)})
	}
	for _, d := range st.Drivers {
		v.Drivers = append(v.Drivers, d.In(lang))
	}

	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n\n%s — %s\n%s\n\n%s\n", v.Title, v.Greeting, v.ScoreLine, v.StageLine, v.Summary, v.QuestionsTitle)
	for i, q := range v.Questions {
		fmt.Fprintf(&text, "%d. %s: %s\n   %s\n", i+1, q.Title, q.Level, q.Text)
	}
	fmt.Fprintf(&text, "\n%s\n", v.BlocksTitle)
	for _, b := range v.Blocks {
		fmt.Fprintf(&text, "- %s: %s\n", b.Title, b.Text)
	}
	if len(v.Drivers) > 0 {
		fmt.Fprintf(&text, "\n%s\n", v.DriversTitle)
		for _, d := range v.Drivers {
			fmt.Fprintf(&text, "- %s\n", d)
		}
	}
	var html bytes.Buffer
	if err := copyHTML.Execute(&html, v); err != nil {
		return nil, err
	}

	var rb [12]byte
	_, _ = rand.Read(rb[:])
	boundary := "cxm-" + hex.EncodeToString(rb[:])
	var b bytes.Buffer
	hdr := func(k, val string) { fmt.Fprintf(&b, "%s: %s\r\n", k, val) }
	hdr("From", from.String())
	hdr("To", to.String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", v.Title))
	hdr("Date", time.Now().UTC().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(rb[:])+"@cxm>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", text.String()}, {"text/html", html.String()}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, part.typ)
		qp := quotedprintable.NewWriter(&b)
		if _, err := qp.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}
