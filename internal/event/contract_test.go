package event_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/schemas"
)

// compileEventSchema compiles schemas/events with format assertion on and CXM's two lexical formats, which
// see a number's literal text (jsonschema.UnmarshalJSON keeps numbers as json.Number): JSON Schema itself
// only sees values, and 1e3 == 1000.
func compileEventSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "cxm-decimal2", Validate: func(v any) error {
		var lit string
		switch v := v.(type) {
		case string:
			lit = v
		case json.Number:
			lit = string(v)
		default:
			return nil
		}
		_, err := event.ParseAmount(lit)
		return err
	}})
	c.RegisterFormat(&jsonschema.Format{Name: "cxm-integer", Validate: func(v any) error {
		if n, ok := v.(json.Number); ok && strings.ContainsAny(string(n), ".eE") {
			return errors.New("must be written as an integer literal")
		}
		return nil
	}})
	files, err := fs.Glob(schemas.Events, "events/*.schema.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	for _, f := range files {
		doc, err := jsonschema.UnmarshalJSON(mustOpen(t, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if path.Base(id) != path.Base(f) {
			t.Fatalf("%s: $id %q does not end in the file name, so relative $refs would not resolve", f, id)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	root := mustRead(t, schemas.EventSchemaRoot)
	var hdr struct {
		ID string `json:"$id"`
	}
	if err := json.Unmarshal(root, &hdr); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(hdr.ID)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return sch
}

func mustOpen(t testing.TB, name string) *bytes.Reader { return bytes.NewReader(mustRead(t, name)) }

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(schemas.Events, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// schemaFields lists the fields a schema validation error points at, dotted like event.FieldError.Field.
// required / additionalProperties errors sit on the parent object and name the property in the error kind.
func schemaFields(err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		loc := strings.Join(e.InstanceLocation, ".")
		join := func(p string) string {
			if loc == "" {
				return p
			}
			return loc + "." + p
		}
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, p := range k.Missing {
				out = append(out, join(p))
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				out = append(out, join(p))
			}
		default:
			out = append(out, loc)
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	names, err := fs.Glob(schemas.Events, dir+"/*.json")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestContractExamples: every example is accepted by the schema and by Parse, and Parse's canonical
// re-encoding is accepted by both as well and reads back to the same event.
func TestContractExamples(t *testing.T) {
	sch := compileEventSchema(t)
	files := listDir(t, "events/examples")
	if len(files) < 12 {
		t.Fatalf("only %d examples", len(files))
	}
	seen := map[string]bool{}
	for _, f := range files {
		t.Run(path.Base(f), func(t *testing.T) {
			data := mustRead(t, f)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("schema rejects a valid example: %v", err)
			}
			e, errs := event.Parse(data)
			if errs != nil {
				t.Fatalf("Parse rejects a valid example: %v", errs)
			}
			if verrs := e.Validate(); verrs != nil {
				t.Errorf("Validate rejects a parsed example: %v", verrs)
			}
			canon, _ := e.MarshalJSON()
			cdoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(canon))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(cdoc); err != nil {
				t.Errorf("schema rejects the canonical form %s: %v", canon, err)
			}
			back, errs := event.Parse(canon)
			if errs != nil || !reflect.DeepEqual(back, e) {
				t.Errorf("round trip: %s -> %+v, %v; want %+v", canon, back, errs, e)
			}
			key := string(e.Type) + "/" + e.Kind
			if e.Refund {
				key += "/refund"
			}
			seen[key] = true
		})
	}
	for _, want := range []string{"button/smiley", "button/like", "button/dislike", "button/consultation",
		"counter/", "pos/", "pos//refund", "survey/"} {
		if !seen[want] {
			t.Errorf("no valid example of %s", want)
		}
	}
}

// TestContractInvalid: every file in invalid/ is named <field>--<what>.json. The schema must reject it with
// an error at that field, and Parse must reject it with exactly one error, on that field: each file breaks
// one rule, so a rule that stops being enforced cannot hide behind another.
func TestContractInvalid(t *testing.T) {
	sch := compileEventSchema(t)
	files := listDir(t, "events/invalid")
	if len(files) < 40 {
		t.Fatalf("only %d invalid files", len(files))
	}
	for _, f := range files {
		name := path.Base(f)
		t.Run(name, func(t *testing.T) {
			fieldName, _, ok := strings.Cut(strings.TrimSuffix(name, ".json"), "--")
			if !ok || fieldName == "" {
				t.Fatalf("file name must be <field>--<what>.json")
			}
			data := mustRead(t, f)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("invalid files must still be JSON: %v", err)
			}
			err = sch.Validate(doc)
			if err == nil {
				t.Errorf("schema accepts it")
			} else if got := schemaFields(err); !slices.Contains(got, fieldName) {
				t.Errorf("schema error is not at %q but at %q: %v", fieldName, got, err)
			}

			_, errs := event.Parse(data)
			if len(errs) != 1 || errs[0].Field != fieldName {
				t.Fatalf("Parse errors = %v, want exactly one on %q", errs, fieldName)
			}
			if errs[0].Reason == "" {
				t.Errorf("empty reason")
			}
		})
	}
}
