// Package arch holds the test that keeps isogap's layers apart: the domain
// knows nothing of SQL, HTTP or files; adapters reach the rules through
// package app and never import each other; only the CLI wires them.
package arch

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/isogap/isogap/internal/"

// rules lists, for each package, the project packages it may depend on
// (directly or not). "*" allows any; the standard library is always allowed.
var rules = map[string][]string{
	"jsonx":          {},
	"catalog":        {"jsonx"},
	"assess":         {"catalog", "jsonx"},
	"plan":           {"assess", "catalog", "jsonx"},
	"risk":           {"assess", "catalog", "jsonx"},
	"soa":            {"assess", "catalog", "jsonx"},
	"compare":        {"assess", "catalog", "jsonx"},
	"store":          {"assess", "catalog", "jsonx"},
	"store/sqlstore": {"store", "assess", "catalog", "jsonx"},
	"store/sqlite":   {"store/sqlstore", "store", "assess", "catalog", "jsonx"},
	"store/postgres": {"store/sqlstore", "store", "assess", "catalog", "jsonx"},
	"app":            {"store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare"},
	"chart":          {"assess", "catalog", "jsonx", "plan", "risk"},
	"workbook":       {"app", "chart", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare"},
	"report":         {"app", "chart", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare"},
	"web":            {"app", "chart", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare"},
	"cli":            {"*"},
}

func TestLayers(t *testing.T) {
	for pkg, allowed := range rules {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		ok := map[string]bool{pkg: true}
		for _, a := range allowed {
			ok[a] = true
		}
		found := false
		for _, dep := range strings.Fields(string(out)) {
			if dep == module+pkg {
				found = true
			}
			name, ours := strings.CutPrefix(dep, module)
			switch {
			case !ours && (pkg == "assess" || pkg == "catalog" || pkg == "jsonx"):
				t.Errorf("the domain package %s depends on %s: it may use the standard library only", pkg, dep)
			case ours && !ok[name] && !ok["*"]:
				t.Errorf("%s depends on %s", pkg, name)
			case strings.Contains(dep, "chromedp") || name == "testenv":
				t.Errorf("%s depends on the test tool %s", pkg, dep)
			}
		}
		if !found {
			t.Errorf("go list did not list %s itself; is the rule's name right?", pkg)
		}
	}
}

// adapters reach the data through app.Service only: none of them imports a
// store package. In the CLI only wiring.go may, to open the database and
// hand it to the service.
var adapters = map[string]string{"web": "", "workbook": "", "report": "", "chart": "", "cli": "wiring.go"}

func TestAdaptersNeverSeeTheStore(t *testing.T) {
	for pkg, allowedFile := range adapters {
		dir := filepath.Join("..", pkg)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == allowedFile {
				continue
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				if path == module+"store" || strings.HasPrefix(path, module+"store/") {
					t.Errorf("%s imports %s: adapters go through app.Service, which checks who asks", f, path)
				}
			}
		}
	}
}
