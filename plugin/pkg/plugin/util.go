package plugin

import (
	"math"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func ptr(v float64) *data.ConfFloat64 { f := data.ConfFloat64(v); return &f }

func ptrU16(v uint16) *uint16 { return &v }

func negInf() float64 { return math.Inf(-1) }
