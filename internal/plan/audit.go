package plan

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sync"
)

// The certification body's audit time comes from a published table (see
// audittime.json and docs/forecast.md), kept as data with its sources.
//
//go:embed audittime.json
var auditTimeJSON []byte

// AuditSource is one published page that confirms part of the table.
type AuditSource struct {
	Title    string `json:"title"`
	URL      string `json:"url"`
	Confirms string `json:"confirms"`
}

// AuditBand is one row of the table: up to this many persons, this many
// auditor-days for the initial certification (Stage 1 + Stage 2).
type AuditBand struct {
	UpTo int     `json:"up_to"`
	Days float64 `json:"days"`
}

// AuditTable is the certification body's audit time by headcount.
type AuditTable struct {
	Sources              []AuditSource `json:"sources"`
	Unverified           string        `json:"unverified"`
	SurveillanceShare    float64       `json:"surveillance_share"`
	RecertificationShare float64       `json:"recertification_share"`
	Stage1Share          float64       `json:"stage1_share"`
	Bands                []AuditBand   `json:"bands"`
	BeyondLastPerDay     int           `json:"beyond_last_persons_per_day"`
}

// parseAuditTable reads and checks the table: bands rising in persons and
// days, shares between 0 and 1.
func parseAuditTable(b []byte) (AuditTable, error) {
	var t AuditTable
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("audit time table: %w", err)
	}
	if len(t.Bands) == 0 || t.BeyondLastPerDay <= 0 {
		return t, fmt.Errorf("audit time table: no bands, or no rule beyond the last")
	}
	for i, b := range t.Bands {
		if b.UpTo < 1 || b.Days <= 0 || i > 0 && (b.UpTo <= t.Bands[i-1].UpTo || b.Days <= t.Bands[i-1].Days) {
			return t, fmt.Errorf("audit time table: band %d (up to %d persons, %v days) does not rise from the one before", i+1, b.UpTo, b.Days)
		}
	}
	for name, s := range map[string]float64{"surveillance_share": t.SurveillanceShare, "recertification_share": t.RecertificationShare, "stage1_share": t.Stage1Share} {
		if s <= 0 || s >= 1 {
			return t, fmt.Errorf("audit time table: %s %v is not between 0 and 1", name, s)
		}
	}
	if len(t.Sources) < 2 {
		return t, fmt.Errorf("audit time table: %d sources; the figures need at least two", len(t.Sources))
	}
	return t, nil
}

var auditTable = sync.OnceValue(func() AuditTable {
	t, err := parseAuditTable(auditTimeJSON)
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	return t
})

// AuditTime returns the published audit-time table.
func AuditTime() AuditTable { return auditTable() }

// InitialDays is the certification body's auditor-days for the initial
// certification (Stage 1 + Stage 2) of an ISMS for n persons, and the band
// it comes from ("86–125"). Beyond the last band, one more day for each
// further BeyondLastPerDay persons. An unknown size (0) counts as 1–10.
func (t AuditTable) InitialDays(n int) (float64, string) {
	lo := 1
	for _, b := range t.Bands {
		if n <= b.UpTo {
			return b.Days, fmt.Sprintf("%d–%d", lo, b.UpTo)
		}
		lo = b.UpTo + 1
	}
	last := t.Bands[len(t.Bands)-1]
	extra := math.Ceil(float64(n-last.UpTo) / float64(t.BeyondLastPerDay))
	return last.Days + extra, fmt.Sprintf("over %d", last.UpTo)
}

// halfDays rounds up to a half day, the unit certification bodies quote.
func halfDays(d float64) float64 { return math.Ceil(d*2-1e-9) / 2 }

// SurveillanceDays is the audit time of one surveillance audit (years 2
// and 3): about a third of the initial audit, in half days, at least one.
func (t AuditTable) SurveillanceDays(initial float64) float64 {
	return max(1, halfDays(initial*t.SurveillanceShare))
}

// RecertificationDays is the audit time of the recertification audit: about
// two thirds of the initial audit, in half days, at least one.
func (t AuditTable) RecertificationDays(initial float64) float64 {
	return max(1, halfDays(initial*t.RecertificationShare))
}

// StageDays splits the initial audit time into Stage 1 and Stage 2 (Stage
// 1 in half days, at least half a day; Stage 2 the rest).
func (t AuditTable) StageDays(initial float64) (stage1, stage2 float64) {
	stage1 = min(initial/2, max(0.5, halfDays(initial*t.Stage1Share)))
	return stage1, initial - stage1
}
