package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDemoClients: "demo --clients N" adds N client assessments beside the
// demo, the same ones for the same seed, and "list" shows them all.
func TestDemoClients(t *testing.T) {
	dir := t.TempDir()
	r := run(t, dir, nil, "demo", "--no-serve", "--clients", "12", "--seed", "5")
	if r.code != 0 || !strings.Contains(r.stderr, "12 demo client assessments created (0 already there)") {
		t.Fatalf("demo --clients: exit %d\n%s", r.code, r.stderr)
	}
	if id := firstLine(r.stdout); len(id) != 12 {
		t.Errorf("first line %q is not the demo's id", id)
	}
	r = run(t, dir, nil, "demo", "--no-serve", "--clients", "14", "--seed", "5")
	if r.code != 0 || !strings.Contains(r.stderr, "2 demo client assessments created (12 already there)") {
		t.Fatalf("demo --clients again: exit %d\n%s", r.code, r.stderr)
	}
	var rows []struct {
		Org       string  `json:"org"`
		Readiness float64 `json:"readiness"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, "list", "--format", "json")), &rows); err != nil || len(rows) != 15 {
		t.Fatalf("list: %d rows, %v", len(rows), err)
	}
	if r := run(t, dir, nil, "demo", "--no-serve", "--clients", "-1"); r.code == 0 || !strings.Contains(r.stderr, "0 or more") {
		t.Errorf("a negative number of clients: exit %d\n%s", r.code, r.stderr)
	}
}
