package plugin

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cxm-project/cxm/internal/config"
)

// scopeLocations applies the data source's optional locations/regions setting to the registry: an
// operator can give each team a data source that reads only its stores. It returns the registry the
// editors and "all locations" queries see, and the scope every engine read runs under (nil: all).
func scopeLocations(s Settings, reg []config.Location) ([]config.Location, func(string) bool, error) {
	locations, regions := splitList(s.Locations), splitList(s.Regions)
	if len(locations) == 0 && len(regions) == 0 {
		return reg, nil, nil
	}
	if len(reg) == 0 {
		return nil, nil, fmt.Errorf("locations: limiting a data source to locations or regions needs the location registry: set configPath to the cxm YAML")
	}
	for _, id := range locations {
		if !slices.ContainsFunc(reg, func(l config.Location) bool { return l.ID == id }) {
			return nil, nil, fmt.Errorf("locations: %q is not in the registry of %s", id, cmp.Or(s.ConfigPath, "the default config"))
		}
	}
	for _, r := range regions {
		if !slices.ContainsFunc(reg, func(l config.Location) bool { return l.Region == r }) {
			return nil, nil, fmt.Errorf("regions: no location of the registry is in region %q", r)
		}
	}
	allowed := map[string]bool{}
	var kept []config.Location
	for _, l := range reg {
		if slices.Contains(locations, l.ID) || l.Region != "" && slices.Contains(regions, l.Region) {
			allowed[l.ID] = true
			kept = append(kept, l)
		}
	}
	return kept, func(id string) bool { return allowed[id] }, nil
}
