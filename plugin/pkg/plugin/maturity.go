package plugin

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/query"
)

// maxAssessments bounds the assessments one query reads (and api.max_export_rows where lower); far more
// than a range normally holds.
const maxAssessments = 10000

// queryMaturity answers the maturity query type with three frames: the assessments with their total,
// stage and the level reached on each question; how many fall in each stage; and per question how many
// reached each level. The engine reads and scores them (internal/maturity's model).
func (d *Datasource) queryMaturity(ctx context.Context, q Query) (data.Frames, error) {
	sel, err := SelectLocations(d.cfg.Locations, q.Model)
	if err != nil {
		return nil, downstream(err)
	}
	as := []query.Assessment{}
	if sel.All || len(sel.IDs) > 0 {
		eng, err := d.engine(ctx)
		if err != nil {
			return nil, err
		}
		limit := maxAssessments
		if m := eng.Limits().MaxExportRows; m > 0 && m < int64(limit) {
			limit = int(m)
		}
		as, err = eng.Assessments(ctx, query.AssessmentsRequest{Locations: sel.IDs, From: q.From, To: inclusiveEnd(q.To), Limit: limit, Scope: d.scope})
		if err != nil {
			return nil, d.engineError(err)
		}
	}
	names := func(id string) string { return registryEntry(d.cfg.Locations, id).Name }
	frames := data.Frames{assessmentsFrame(as, names), stagesFrame(as), questionsFrame(as)}
	for _, f := range frames {
		f.RefID = q.RefID
	}
	return frames, nil
}

func assessmentsFrame(as []query.Assessment, name func(string) string) *data.Frame {
	f := data.NewFrame("maturity_assessments",
		data.NewField("time", nil, []time.Time{}).SetConfig(&data.FieldConfig{DisplayName: "Time"}),
		locationField([]string{}),
		data.NewField("name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Name"}),
		data.NewField("total", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "CX maturity", Min: ptr(0), Max: ptr(95), Decimals: ptrU16(0), Thresholds: stageThresholds()}),
		data.NewField("stage", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Stage", Min: ptr(1), Max: ptr(5), Decimals: ptrU16(0)}),
		data.NewField("stage_name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Stage name"}),
	)
	for i := 1; i <= MaturityQuestions; i++ {
		f.Fields = append(f.Fields, data.NewField(fmt.Sprintf("q%d", i), nil, []uint8{}).
			SetConfig(&data.FieldConfig{DisplayName: fmt.Sprintf("Q%d level", i), Min: ptr(1), Max: ptr(4), Decimals: ptrU16(0)}))
	}
	for _, a := range as {
		st := StageOf(int64(a.Score))
		row := []any{a.Time, a.Location, name(a.Location), int64(a.Score), st.Number, st.Name}
		for _, v := range a.Levels {
			row = append(row, uint8(v))
		}
		f.AppendRow(row...)
	}
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}

func stagesFrame(as []query.Assessment) *data.Frame {
	counts := make([]int64, len(MaturityStages))
	for _, a := range as {
		counts[a.Stage-1]++
	}
	f := data.NewFrame("maturity_stages",
		data.NewField("stage", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Stage"}),
		data.NewField("name", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Name"}),
		data.NewField("from", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "From"}),
		data.NewField("to", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "To"}),
		data.NewField("assessments", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Assessments", Min: ptr(0), Decimals: ptrU16(0)}),
	)
	for i, st := range MaturityStages {
		f.AppendRow(st.Number, st.Name, st.From, st.To, counts[i])
	}
	return f
}

func questionsFrame(as []query.Assessment) *data.Frame {
	f := data.NewFrame("maturity_questions",
		data.NewField("question", nil, []string{}).SetConfig(&data.FieldConfig{DisplayName: "Question"}),
		data.NewField("level_1", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Level 1"}),
		data.NewField("level_2", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Level 2"}),
		data.NewField("level_3", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Level 3"}),
		data.NewField("level_4", nil, []int64{}).SetConfig(&data.FieldConfig{DisplayName: "Level 4"}),
		data.NewField("mean_level", nil, []*float64{}).SetConfig(&data.FieldConfig{DisplayName: "Mean level", Min: ptr(1), Max: ptr(4), Decimals: ptrU16(2)}),
	)
	for q := 0; q < MaturityQuestions; q++ {
		var levels [4]int64
		var sum int64
		for _, a := range as {
			levels[a.Levels[q]-1]++
			sum += int64(a.Levels[q])
		}
		var mean *float64
		if len(as) > 0 {
			m := float64(sum) / float64(len(as))
			mean = &m
		}
		f.AppendRow(fmt.Sprintf("q%d", q+1), levels[0], levels[1], levels[2], levels[3], mean)
	}
	return f
}

// stageThresholds colour a maturity total by stage.
func stageThresholds() *data.ThresholdsConfig {
	colors := []string{"red", "orange", "yellow", "blue", "green"}
	steps := make([]data.Threshold, len(MaturityStages))
	for i, st := range MaturityStages {
		steps[i] = data.NewThreshold(float64(st.From), colors[i], "")
		if i == 0 {
			steps[i].Value = data.ConfFloat64(negInf())
		}
	}
	return &data.ThresholdsConfig{Mode: data.ThresholdsModeAbsolute, Steps: steps}
}
