package cases

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// Validate checks a case action against the configuration, beyond the contract: checklist items belong
// to the checklist of the case's source type, root causes are leaves of the tree, and a resolve carries
// the whole checklist answered and at least one root cause. The ingest applies it to every case event,
// so an incomplete resolution never reaches Kafka. Each error names the field.
func Validate(cfg *config.Cases, e *event.Event) event.Errors {
	c := e.Case
	if e.Type != event.TypeCase || c == nil {
		return nil
	}
	var errs event.Errors
	add := func(field, reason string) { errs = append(errs, event.FieldError{Field: field, Reason: reason}) }
	items, typed := cfg.Checklists[c.Source]
	if (c.Checklist != nil || c.Action == event.ActionResolve) && c.Source == "" {
		add("case.source", "required with a checklist and on resolve: the triggering event's type, which selects the checklist")
	} else if c.Source != "" && !typed && (c.Checklist != nil || c.Action == event.ActionResolve) {
		add("case.source", "no checklist is configured for "+strconv.Quote(c.Source)+" (cases.checklists)")
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	for k := range c.Checklist {
		if typed && !slices.Contains(ids, k) {
			add("case.checklist."+k, "not an item of the "+c.Source+" checklist ("+strings.Join(ids, ", ")+")")
		}
	}
	leaves := cfg.Leaves()
	for _, cause := range c.Causes {
		if !slices.Contains(leaves, cause) {
			add("case.causes", "unknown root cause "+strconv.Quote(cause)+": must be a leaf of cases.causes, e.g. "+leaves[0])
			break
		}
	}
	if c.Action == event.ActionResolve {
		if typed {
			var missing []string
			for _, id := range ids {
				if _, ok := c.Checklist[id]; !ok {
					missing = append(missing, id)
				}
			}
			if len(missing) > 0 {
				add("case.checklist", "a case resolves only with its checklist filled: not answered: "+strings.Join(missing, ", "))
			}
		}
		if len(c.Causes) == 0 {
			add("case.causes", "a case resolves only with at least one root cause")
		}
	}
	return errs
}
