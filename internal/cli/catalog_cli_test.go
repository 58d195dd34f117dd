package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An OSCAL catalog imports into the database, is listed, and --catalog ID
// starts an assessment on it; -o writes the isogap catalog file, which
// --catalog also takes.
func TestCatalogImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oscalFile, err := os.ReadFile("../oscal/testdata/basic-catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "basic.json"), oscalFile)
	out := mustRun(t, dir, "catalog", "import", "basic.json", "-o", "basic-isogap.json")
	const id = "sample-security-catalog-for-demonstration-and-testing"
	for _, want := range []string{id, "version 1.1", "4 controls", "isogap --catalog " + id + "@1.1 init --org"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(string(readFile(t, filepath.Join(dir, "basic-isogap.json"))), `"format": "isogap-catalog/v1"`) {
		t.Error("-o did not write an isogap catalog file")
	}
	list := mustRun(t, dir, "catalog", "list")
	if !strings.Contains(list, "iso27001-2022") || !strings.Contains(list, id) {
		t.Errorf("list:\n%s", list)
	}
	aid := strings.TrimSpace(mustRun(t, dir, "--catalog", id, "init", "--org", "Acme"))
	mustRun(t, dir, "set", aid, "1.1.1", "--score", "4")
	if applicable, assessed := overall(t, dir, aid); applicable != 4 || assessed != 1 {
		t.Errorf("assessment on the imported catalog: %d applicable, %d assessed", applicable, assessed)
	}
	// The OSCAL file and the written isogap file both work as --catalog files.
	for _, f := range []string{"basic.json", "basic-isogap.json"} {
		if table := mustRun(t, dir, "--catalog", f, "catalog"); !strings.Contains(table, "Information security roles and responsibilities") {
			t.Errorf("--catalog %s catalog:\n%s", f, table)
		}
	}
	if table := mustRun(t, dir, "--catalog", id+"@1.1", "catalog"); !strings.Contains(table, "1.1.1") {
		t.Errorf("--catalog ID@VERSION catalog:\n%s", table)
	}
	// The assessment's catalog exports as OSCAL.
	if exp := mustRun(t, dir, "export", aid, "--format", "oscal-catalog"); !strings.Contains(exp, `"oscal-version": "1.2.1"`) {
		t.Errorf("oscal-catalog export:\n%.300s", exp)
	}
	if r := run(t, dir, nil, "--catalog", "nist-800-53", "init", "--org", "x"); r.code == 0 || !strings.Contains(r.stderr, "no stored catalog nist-800-53") {
		t.Errorf("unknown catalog id: %d %s", r.code, r.stderr)
	}
	if r := run(t, dir, nil, "--catalog", "missing.json", "catalog"); r.code == 0 || !strings.Contains(r.stderr, "missing.json") {
		t.Errorf("missing file: %d %s", r.code, r.stderr)
	}
	writeFile(t, filepath.Join(dir, "bad.json"), []byte(strings.Replace(string(oscalFile), `"id": "s1.1.1"`, `"id": "1.1.1"`, 1)))
	if r := run(t, dir, nil, "catalog", "import", "bad.json"); r.code == 0 || !strings.Contains(r.stderr, "/catalog/groups/0/groups/0/controls/0/id") {
		t.Errorf("invalid OSCAL: %d %s", r.code, r.stderr)
	}
}

// overall returns the applicable and assessed counts "isogap show" gives.
func overall(t *testing.T, dir, id string) (applicable, assessed int) {
	t.Helper()
	var show struct {
		Overall struct{ Applicable, Assessed int }
	}
	decodeJSON(t, mustRun(t, dir, "show", id, "--format", "json"), &show, "overall.applicable", "overall.assessed")
	return show.Overall.Applicable, show.Overall.Assessed
}
