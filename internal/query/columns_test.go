package query

import (
	"math/rand/v2"
	"testing"

	"github.com/cxm-project/cxm/internal/kpi"
)

// The engine reads only the columns `needs` lists; a KPI computed from those alone must equal the KPI from
// all components, or a formula reads a component the engine leaves at zero.
func TestNeedsCoverFormulas(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var all kpi.Components
		for range 50 {
			c := randomComponents(rng)
			merge(&all, &c)
		}
		for _, name := range kpi.Names {
			v1, n1, l1, h1 := figure(name, &all, kpi.Options{})
			p := pruned(all, name)
			v2, n2, l2, h2 := figure(name, &p, kpi.Options{})
			if n1 != n2 || !eqPtr(v1, v2) || !eqPtr(l1, l2) || !eqPtr(h1, h2) {
				t.Fatalf("%s reads components beyond %v: full %v/%d, pruned %v/%d", name, needsOf(name), v1, n1, v2, n2)
			}
		}
	}
	for _, name := range kpi.Names {
		if _, ok := needs(name); !ok {
			t.Errorf("KPI %s has no column list", name)
		}
	}
}

func eqPtr(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
