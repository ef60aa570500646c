package status

import (
	"regexp"
	"testing"

	"github.com/cxm-project/cxm/internal/kpi"
)

// TestKPIUnitsDocumented: cxm_kpi_value and cxm_kpi_threshold carry every KPI in its own unit, so their
// help text names the unit of each registered KPI; a KPI added to the registry fails here until it does.
func TestKPIUnitsDocumented(t *testing.T) {
	for _, name := range kpi.Builtin.Names() {
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(kpiUnits) {
			t.Errorf("the help of cxm_kpi_value does not give the unit of %s", name)
		}
	}
}
