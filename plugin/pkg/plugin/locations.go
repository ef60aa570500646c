package plugin

import (
	"fmt"
	"slices"

	"github.com/cxm-project/cxm/internal/config"
)

// Selection is the set of locations a query covers: All (no location condition) or exactly IDs, which
// may be empty when filters exclude everything.
type Selection struct {
	All bool
	IDs []string
}

// SelectLocations applies a query's locations, region and ad-hoc filters to the registry. Explicit ids
// are kept even when the registry does not know them (data of a location removed from the config stays
// queryable); a region or region filter needs the registry.
func SelectLocations(reg []config.Location, m QueryModel) (Selection, error) {
	needRegistry := m.Region != "" || len(m.Regions) > 0
	for _, f := range m.Filters {
		needRegistry = needRegistry || f.Key == "region"
	}
	if needRegistry && len(reg) == 0 {
		return Selection{}, fmt.Errorf("region: filtering by region needs the location registry: set configPath to the cxm YAML")
	}
	var ids []string
	switch {
	case len(m.Locations) > 0:
		ids = slices.Clone(m.Locations)
	case len(reg) > 0:
		for _, l := range reg {
			ids = append(ids, l.ID)
		}
	default:
		if len(m.Filters) == 0 {
			return Selection{All: true}, nil
		}
	}
	regionOf := map[string]string{}
	for _, l := range reg {
		regionOf[l.ID] = l.Region
	}
	keep := func(id string) bool {
		if m.Region != "" && regionOf[id] != m.Region {
			return false
		}
		if len(m.Regions) > 0 && !slices.Contains(m.Regions, regionOf[id]) {
			return false
		}
		for _, f := range m.Filters {
			v := id
			if f.Key == "region" {
				v = regionOf[id]
			}
			if (f.Operator == "=") != (v == f.Value) {
				return false
			}
		}
		return true
	}
	if len(ids) == 0 {
		// No registry and no explicit ids, only location filters: the = filters name the ids.
		for _, f := range m.Filters {
			if f.Operator == "=" {
				ids = append(ids, f.Value)
			}
		}
		if len(ids) == 0 {
			return Selection{}, fmt.Errorf("filters: a != filter alone needs the location registry: set configPath to the cxm YAML")
		}
	}
	out := Selection{IDs: []string{}}
	for _, id := range ids {
		if keep(id) && !slices.Contains(out.IDs, id) {
			out.IDs = append(out.IDs, id)
		}
	}
	return out, nil
}

// registryEntry returns the location's registry entry, or one with only the id.
func registryEntry(reg []config.Location, id string) config.Location {
	for _, l := range reg {
		if l.ID == id {
			return l
		}
	}
	return config.Location{ID: id, Name: id}
}
