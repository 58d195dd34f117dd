package plan

import (
	"strings"
	"testing"
)

// The audit-time table at the edges of its bands, and the audits of the
// three-year cycle derived from it.
func TestAuditDaysAtBandEdges(t *testing.T) {
	tab := AuditTime()
	for _, c := range []struct {
		persons int
		days    float64
		band    string
	}{
		{0, 5, "1–10"}, {1, 5, "1–10"}, {10, 5, "1–10"}, {11, 6, "11–15"}, {15, 6, "11–15"}, {16, 7, "16–25"},
		{25, 7, "16–25"}, {26, 8.5, "26–45"}, {120, 12, "86–125"}, {125, 12, "86–125"}, {126, 13, "126–175"},
		{625, 16.5, "426–625"}, {626, 17.5, "626–875"}, {10700, 28, "8501–10700"}, {10701, 29, "over 10700"}, {15100, 30, "over 10700"},
	} {
		days, band := tab.InitialDays(c.persons)
		if days != c.days || band != c.band {
			t.Errorf("%d persons: %v days (band %s), want %v (%s)", c.persons, days, band, c.days, c.band)
		}
	}
}

func TestSurveillanceAndRecertificationDays(t *testing.T) {
	tab := AuditTime()
	for _, c := range []struct{ initial, surv, recert, stage1, stage2 float64 }{
		{5, 2, 3.5, 1.5, 3.5},
		{6, 2, 4, 2, 4},
		{8.5, 3, 6, 3, 5.5},
		{12, 4, 8, 4, 8},
		{16.5, 5.5, 11, 5, 11.5},
		{28, 9.5, 19, 8.5, 19.5},
		{1, 1, 1, 0.5, 0.5},
	} {
		if got := tab.SurveillanceDays(c.initial); got != c.surv {
			t.Errorf("surveillance after %v initial days: %v, want %v", c.initial, got, c.surv)
		}
		if got := tab.RecertificationDays(c.initial); got != c.recert {
			t.Errorf("recertification after %v initial days: %v, want %v", c.initial, got, c.recert)
		}
		if s1, s2 := tab.StageDays(c.initial); s1 != c.stage1 || s2 != c.stage2 {
			t.Errorf("stages of %v days: %v + %v, want %v + %v", c.initial, s1, s2, c.stage1, c.stage2)
		}
	}
}

// The embedded table cites at least two sources and rejects a broken copy.
func TestAuditTableData(t *testing.T) {
	tab := AuditTime()
	if len(tab.Sources) < 2 {
		t.Fatalf("%d sources", len(tab.Sources))
	}
	for _, s := range tab.Sources {
		if !strings.HasPrefix(s.URL, "http") || s.Title == "" || s.Confirms == "" {
			t.Errorf("source without title, address or what it confirms: %+v", s)
		}
	}
	broken := strings.Replace(string(auditTimeJSON), `{"up_to": 15, "days": 6}`, `{"up_to": 15, "days": 4}`, 1)
	if _, err := parseAuditTable([]byte(broken)); err == nil || !strings.Contains(err.Error(), "band 2") {
		t.Errorf("a falling band: %v", err)
	}
}

func FuzzParseAuditTable(f *testing.F) {
	f.Add(auditTimeJSON)
	f.Add([]byte(`{"bands":[{"up_to":1,"days":1}],"beyond_last_persons_per_day":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := parseAuditTable(b)
		if err != nil {
			return
		}
		// Whatever parses gives rising days for rising headcounts.
		prev := 0.0
		for _, n := range []int{0, 1, 10, 100, 1000, 100000} {
			d, _ := tab.InitialDays(n)
			if d < prev {
				t.Fatalf("%d persons: %v days after %v", n, d, prev)
			}
			prev = d
		}
	})
}
