package config

import (
	"fmt"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"

	"github.com/cxm-project/cxm/internal/survey"
)

// Questionnaires holds the configured questionnaires and indices (internal/survey): the surveys: and
// indices: sections, plus survey_files: YAML files with the same two sections (the shipped RSQS and
// SERVQUAL templates under deploy/surveys are such files), read after the main file's.
type Questionnaires struct {
	Surveys     []survey.Survey `koanf:"surveys"`
	Indices     []survey.Index  `koanf:"indices"`
	SurveyFiles []string        `koanf:"survey_files"`
}

// Catalog is the checked catalog (nil before Validate, or when nothing is configured).
func (c *Config) Catalog() *survey.Catalog { return c.catalog }

// validateSurveys reads survey_files, checks surveys and indices, and installs the catalog: its indices
// become KPIs of the registry before kpi.thresholds are checked (they may name them).
func (c *Config) validateSurveys(es *Errors) {
	q := &c.Questionnaires
	surveys, indices := q.Surveys, q.Indices
	for i, path := range q.SurveyFiles {
		var f Questionnaires
		k := koanf.New(".")
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			es.add(fmt.Sprintf("survey_files[%d]", i), "%v", err)
			continue
		}
		if err := k.UnmarshalWithConf("", &f, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
			es.add(fmt.Sprintf("survey_files[%d]", i), "%s: %v", path, err)
			continue
		}
		surveys = append(surveys, f.Surveys...)
		indices = append(indices, f.Indices...)
	}
	if len(surveys) == 0 && len(indices) == 0 {
		// Nothing configured: the registry and the active catalog are left as they are (a process validates
		// one configuration; tools that load a default config on the side must not drop its indices).
		return
	}
	cat, ferrs := survey.Build(surveys, indices)
	for _, fe := range ferrs {
		es.add(fe.Key, "%s", fe.Reason)
	}
	if cat == nil {
		return
	}
	for i, s := range c.Ingest.Surveys {
		if cat.Survey(s.ID) != nil {
			es.add(fmt.Sprintf("ingest.surveys[%d].id", i), "survey %q is also a configured questionnaire (surveys:); one id, one page", s.ID)
		}
	}
	if err := survey.Install(cat); err != nil {
		es.add("indices", "%v", err)
		return
	}
	c.catalog = cat
}
