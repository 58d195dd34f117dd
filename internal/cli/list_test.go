package cli_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/cli"
)

// TestListOutputPinned pins what "isogap list" prints, as a table and as
// JSON, byte for byte: scripts read both. The data has what moves a
// column: names with letters of more than one byte, a name longer than its
// column, a lead left to the default (the actor), a lead wider than its heading, a 100 % figure.
func TestListOutputPinned(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := time.Date(2027, 3, 4, 5, 6, 7, 0, time.UTC)
	runAt := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := cli.Run(t.Context(), args, cli.Env{Stdout: &out, Stderr: &errb, Getenv: getenv(nil), Dir: dir,
			Clock: func() time.Time { return at }}); code != 0 {
			t.Fatalf("isogap %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
		}
		return out.String()
	}
	var ids []string
	for _, c := range []struct{ org, lead string }{
		{"Zürich Øresund Ærø GmbH", "Åsa Öberg"},
		{"acme Ltd", ""}, // the actor leads
		{"Acme Holdings and Partners International Consolidated Group plc", "Dr. Maximilian Alexander von Hohenberg"},
		{"Beta", "Bo"},
	} {
		args := []string{"--actor", "Kim", "init", "--org", c.org}
		if c.lead != "" {
			args = append(args, "--lead", c.lead)
		}
		ids = append(ids, strings.TrimSpace(runAt(args...)))
	}
	runAt("set", ids[3], "4.1", "--score", "3")
	runAt("set", ids[3], "A.5.15", "--score", "5", "--evidence", "Access policy v2")
	runAt("set", ids[0], "A.8.13", "--score", "4")
	// Ids are random: each is shown as a placeholder of the same width.
	names := strings.NewReplacer(ids[0], "id-zurich...", ids[1], "id-acmeltd..", ids[2], "id-acmehold.", ids[3], "id-beta.....",
		at.Local().Format("2006-01-02 15:04"), "<updated-at>....")

	table := names.Replace(runAt("list"))
	wantTable := `ID            ORGANISATION                              READINESS  COVERAGE  AUDIT-READY  LEAD                                    UPDATED
id-acmehold.  Acme Holdings and Partners Internationa…    0.0 %      0.0 %   no           Dr. Maximilian Alexander von Hohenberg  <updated-at>....
id-acmeltd..  acme Ltd                                    0.0 %      0.0 %   no           Kim                                     <updated-at>....
id-beta.....  Beta                                        1.2 %      1.6 %   no           Bo                                      <updated-at>....
id-zurich...  Zürich Øresund Ærø GmbH                     0.6 %      0.8 %   no           Åsa Öberg                               <updated-at>....
`
	if table != wantTable {
		t.Errorf("list:\n%s\nwant\n%s", table, wantTable)
	}

	js := names.Replace(runAt("list", "--format", "json"))
	stamp, _ := json.Marshal(at)
	wantJSON := strings.ReplaceAll(`[
  {
    "id": "id-acmehold.",
    "org": "Acme Holdings and Partners International Consolidated Group plc",
    "readiness": 0,
    "coverage": 0,
    "audit_ready": false,
    "lead": "Dr. Maximilian Alexander von Hohenberg",
    "updated_at": STAMP
  },
  {
    "id": "id-acmeltd..",
    "org": "acme Ltd",
    "readiness": 0,
    "coverage": 0,
    "audit_ready": false,
    "lead": "Kim",
    "updated_at": STAMP
  },
  {
    "id": "id-beta.....",
    "org": "Beta",
    "readiness": 0.012195121951219513,
    "coverage": 0.016260162601626018,
    "audit_ready": false,
    "lead": "Bo",
    "updated_at": STAMP
  },
  {
    "id": "id-zurich...",
    "org": "Zürich Øresund Ærø GmbH",
    "readiness": 0.006097560975609756,
    "coverage": 0.008130081300813009,
    "audit_ready": false,
    "lead": "Åsa Öberg",
    "updated_at": STAMP
  }
]
`, "STAMP", string(stamp))
	if js != wantJSON {
		t.Errorf("list --format json:\n%s\nwant\n%s", js, wantJSON)
	}
}
