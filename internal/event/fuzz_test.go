package event_test

import (
	"io/fs"
	"reflect"
	"testing"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/schemas"
)

// FuzzParse: Parse never panics, and whatever it accepts re-encodes to a document that parses back to the
// same event and re-encodes to the same bytes, and that Validate accepts too.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"events/examples", "events/invalid"} {
		files, _ := fs.Glob(schemas.Events, dir+"/*.json")
		for _, name := range files {
			b, err := fs.ReadFile(schemas.Events, name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{``, `{}`, `[`, `{"id":"\ud83d\ude00"}`, `{"ext":{"a":[[[[{}]]]]}}`, `{"amount":1.5e2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, errs := event.Parse(data)
		if errs != nil {
			if len(errs) == 0 {
				t.Fatal("non-nil empty Errors")
			}
			for i, fe := range errs {
				if fe.Reason == "" {
					t.Fatalf("empty reason in %v", errs)
				}
				for _, prev := range errs[:i] {
					if prev.Field == fe.Field {
						t.Fatalf("field %q reported twice: %v", fe.Field, errs)
					}
				}
			}
			return
		}
		if verrs := e.Validate(); verrs != nil {
			t.Fatalf("Parse accepted %q but Validate says %v", data, verrs)
		}
		out, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, errs := event.Parse(out)
		if errs != nil {
			t.Fatalf("canonical form of %q is rejected: %s: %v", data, out, errs)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("round trip changed the event:\n in  %q\n out %s\n got %+v\nwant %+v", data, out, back, e)
		}
		if again, _ := back.MarshalJSON(); string(again) != string(out) {
			t.Fatalf("canonical form is not stable: %s then %s", out, again)
		}
	})
}
