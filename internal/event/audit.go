package event

import (
	"strconv"
	"unicode/utf8"
)

// TypeAudit is a service-standard audit: one visit of a mystery shopper or internal auditor checked
// against a checklist template (internal/config audits.templates), or a press of the electronic
// mystery-shopper button (a one-element audit whose auditor is the device). The event's time is the visit's.
const TypeAudit Type = "audit"

// Auditor roles.
const (
	AuditorMysteryShopper = "mystery_shopper"
	AuditorInternal       = "internal"
	AuditorDevice         = "device"
)

// Element results.
const (
	ResultMet    = "met"
	ResultNotMet = "not_met"
	ResultNA     = "na"
)

// Contract limits of an audit.
const (
	MaxAuditElements = 500
	MaxEvidence      = 20
	MaxEvidenceKey   = 512
)

// Audit is the audit event's payload (field "audit").
type Audit struct {
	Template string        `json:"template"`
	Auditor  Auditor       `json:"auditor"`
	Employee string        `json:"employee,omitempty"` // the employee audited, when the checklist names one
	Elements []AuditResult `json:"elements"`
	// Evidence are object-store keys of attachments uploaded before (POST /v1/evidence): photos, audio,
	// video. The event carries only the references.
	Evidence []string `json:"evidence,omitempty"`
	// Cap is the template's critical cap at the time of the visit, stamped by the ingest (-1: none).
	Cap *float64 `json:"cap,omitempty"`
}

// Auditor is who checked: a mystery shopper (agency and person id), an internal auditor, or a device.
type Auditor struct {
	Role string `json:"role"`
	ID   string `json:"id"`
}

// AuditResult is one element's outcome. Factor, Weight and Critical are stamped by the ingest from the
// template (a sender's values are replaced), so the processor needs no configuration and a later change
// of the template does not rewrite past visits.
type AuditResult struct {
	Element  string `json:"element"`
	Result   string `json:"result"`
	Comment  string `json:"comment,omitempty"`
	Factor   string `json:"factor,omitempty"`
	Weight   int    `json:"weight,omitempty"`
	Critical bool   `json:"critical,omitempty"`
}

const (
	reasonAuditRole     = "must be one of mystery_shopper, internal, device"
	reasonAuditResult   = "must be one of met, not_met, na"
	reasonAuditElements = "must list 1 to 500 elements"
	reasonAuditDupElem  = "duplicate element"
	reasonAuditEvidence = "must list at most 20 references"
	reasonAuditKey      = "must be an evidence reference: 1 to 512 of A-Z a-z 0-9 - _ . / without empty, dot or hidden segments"
	reasonAuditWeight   = "must be an integer 0 to 1000"
	reasonAuditCap      = "must be -1 (no cap) or 0 to 100"
	reasonArrayOf       = "must be an array"
)

// audit reads the audit object at d.pos (a '{'); nil means a syntax error.
func (d *decoder) audit() *Audit {
	a := new(Audit)
	seen := map[string]bool{}
	ok := d.object(func(key []byte) bool {
		k := string(key)
		name := "audit." + k
		if seen[k] {
			d.errs.add(name, reasonDuplicate)
			return d.skipValue(0)
		}
		seen[k] = true
		switch k {
		case "template":
			return d.str(name, &a.Template)
		case "employee":
			return d.str(name, &a.Employee)
		case "auditor":
			if d.peek() != '{' {
				d.errs.add(name, reasonObject)
				return d.skipValue(0)
			}
			return d.object(func(key []byte) bool {
				switch string(key) {
				case "role":
					return d.str(name+".role", &a.Auditor.Role)
				case "id":
					return d.str(name+".id", &a.Auditor.ID)
				}
				d.errs.add(unknownName(name+".", key), reasonUnknown)
				return d.skipValue(0)
			})
		case "cap":
			if c := d.peek(); c != '-' && (c < '0' || c > '9') {
				d.errs.add(name, reasonAuditCap)
				return d.skipValue(0)
			}
			lit, ok := d.readNumber()
			if ok {
				v, err := strconv.ParseFloat(string(lit), 64)
				if err != nil {
					d.errs.add(name, reasonAuditCap)
				}
				a.Cap = &v
			}
			return ok
		case "evidence":
			return d.auditArray(name, func(i int) bool {
				var s string
				ok := d.str(name+"."+strconv.Itoa(i), &s)
				a.Evidence = append(a.Evidence, s)
				return ok
			})
		case "elements":
			return d.auditArray(name, func(i int) bool {
				ename := name + "." + strconv.Itoa(i)
				if d.peek() != '{' {
					d.errs.add(ename, reasonObject)
					a.Elements = append(a.Elements, AuditResult{})
					return d.skipValue(0)
				}
				var r AuditResult
				ok := d.object(func(key []byte) bool {
					fname := ename + "." + string(key)
					switch string(key) {
					case "element":
						return d.str(fname, &r.Element)
					case "result":
						return d.str(fname, &r.Result)
					case "comment":
						return d.str(fname, &r.Comment)
					case "factor":
						return d.str(fname, &r.Factor)
					case "weight":
						v, ok := d.integer(fname)
						r.Weight = int(max(min(v, 1<<20), -1))
						return ok
					case "critical":
						switch d.peek() {
						case 't':
							r.Critical = true
							return d.readLiteral("true")
						case 'f':
							return d.readLiteral("false")
						}
						d.errs.add(fname, reasonBool)
						return d.skipValue(0)
					}
					d.errs.add(unknownName(ename+".", key), reasonUnknown)
					return d.skipValue(0)
				})
				a.Elements = append(a.Elements, r)
				return ok
			})
		}
		d.errs.add(unknownName("audit.", key), reasonUnknown)
		return d.skipValue(0)
	})
	if !ok {
		return nil
	}
	return a
}

// auditArray reads the array at d.pos calling elem with d.pos at each element.
func (d *decoder) auditArray(name string, elem func(i int) bool) bool {
	if d.peek() != '[' {
		d.errs.add(name, reasonArrayOf)
		return d.skipValue(0)
	}
	if d.open(']') {
		return true
	}
	for i := 0; ; i++ {
		if !elem(i) {
			return false
		}
		more, ok := d.next(']')
		if !more {
			return ok
		}
	}
}

// validateAudit checks the shape of an audit; the ingest checks it against its template (ingest/audit).
func validateAudit(a *Audit, errs *Errors) {
	idOK := func(name, s string, required bool) {
		switch {
		case s == "" && required:
			errs.add(name, reasonRequired)
		case s == "":
		case len(s) > MaxIDLen && utf8.RuneCountInString(s) > MaxIDLen:
			errs.add(name, reasonIDLen)
		case hasControl(s) || !utf8.ValidString(s):
			errs.add(name, reasonIDControl)
		}
	}
	idOK("audit.template", a.Template, true)
	if a.Auditor.Role == "" {
		errs.add("audit.auditor.role", reasonRequired)
	} else if a.Auditor.Role != AuditorMysteryShopper && a.Auditor.Role != AuditorInternal && a.Auditor.Role != AuditorDevice {
		errs.add("audit.auditor.role", reasonAuditRole)
	}
	idOK("audit.auditor.id", a.Auditor.ID, true)
	idOK("audit.employee", a.Employee, false)
	if len(a.Elements) == 0 || len(a.Elements) > MaxAuditElements {
		errs.add("audit.elements", reasonAuditElements)
	}
	seen := make(map[string]bool, len(a.Elements))
	for i, r := range a.Elements {
		p := "audit.elements." + strconv.Itoa(i) + "."
		idOK(p+"element", r.Element, true)
		if seen[r.Element] && r.Element != "" {
			errs.add(p+"element", reasonAuditDupElem)
		}
		seen[r.Element] = true
		switch r.Result {
		case ResultMet, ResultNotMet, ResultNA:
		case "":
			errs.add(p+"result", reasonRequired)
		default:
			errs.add(p+"result", reasonAuditResult)
		}
		if r.Comment != "" || !utf8.ValidString(r.Comment) {
			if n := utf8.RuneCountInString(r.Comment); n > MaxCommentLen || !utf8.ValidString(r.Comment) {
				errs.add(p+"comment", reasonComment)
			}
		}
		idOK(p+"factor", r.Factor, false)
		if r.Weight < 0 || r.Weight > 1000 {
			errs.add(p+"weight", reasonAuditWeight)
		}
	}
	if len(a.Evidence) > MaxEvidence {
		errs.add("audit.evidence", reasonAuditEvidence)
	}
	for i, k := range a.Evidence {
		if !ValidEvidenceKey(k) {
			errs.add("audit.evidence."+strconv.Itoa(i), reasonAuditKey)
		}
	}
	if a.Cap != nil && *a.Cap != -1 && (*a.Cap < 0 || *a.Cap > 100) {
		errs.add("audit.cap", reasonAuditCap)
	}
}

// ValidEvidenceKey is the object-store key rule (internal/objstore.ValidKey), repeated here so the contract
// does not depend on the store.
func ValidEvidenceKey(k string) bool {
	if k == "" || len(k) > MaxEvidenceKey || k[0] == '/' || k[len(k)-1] == '/' {
		return false
	}
	seg := 0
	for i := 0; i <= len(k); i++ {
		if i == len(k) || k[i] == '/' {
			if i == seg || k[seg] == '.' {
				return false
			}
			seg = i + 1
			continue
		}
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// appendAudit writes the canonical encoding of the audit object.
func (a *Audit) appendJSON(b []byte) []byte {
	b = append(b, `{"template":`...)
	b = appendString(b, a.Template)
	b = append(b, `,"auditor":{"role":`...)
	b = appendString(b, a.Auditor.Role)
	b = append(b, `,"id":`...)
	b = appendString(b, a.Auditor.ID)
	b = append(b, '}')
	if a.Employee != "" {
		b = append(b, `,"employee":`...)
		b = appendString(b, a.Employee)
	}
	b = append(b, `,"elements":[`...)
	for i, r := range a.Elements {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"element":`...)
		b = appendString(b, r.Element)
		b = append(b, `,"result":`...)
		b = appendString(b, r.Result)
		if r.Comment != "" {
			b = append(b, `,"comment":`...)
			b = appendString(b, r.Comment)
		}
		if r.Factor != "" {
			b = append(b, `,"factor":`...)
			b = appendString(b, r.Factor)
		}
		if r.Weight != 0 {
			b = append(b, `,"weight":`...)
			b = strconv.AppendInt(b, int64(r.Weight), 10)
		}
		if r.Critical {
			b = append(b, `,"critical":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if len(a.Evidence) > 0 {
		b = append(b, `,"evidence":[`...)
		for i, k := range a.Evidence {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
		}
		b = append(b, ']')
	}
	if a.Cap != nil {
		b = append(b, `,"cap":`...)
		b = strconv.AppendFloat(b, *a.Cap, 'f', -1, 64)
	}
	return append(b, '}')
}

// MarshalJSON writes the canonical encoding.
func (a Audit) MarshalJSON() ([]byte, error) { return a.appendJSON(nil), nil }
