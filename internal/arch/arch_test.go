// Package arch holds the test that keeps isogap's layers apart: the domain
// knows nothing of SQL, HTTP or files; adapters reach the rules through
// package app and never import each other; only the CLI wires them.
package arch

import (
	"go/ast"
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
	"lru":            {},
	"catalog":        {"jsonx"},
	"assess":         {"catalog", "jsonx"},
	"plan":           {"assess", "catalog", "jsonx"},
	"risk":           {"assess", "catalog", "jsonx"},
	"soa":            {"assess", "catalog", "jsonx"},
	"compare":        {"assess", "catalog", "jsonx"},
	"interview":      {"catalog", "jsonx"},
	"oscal":          {"assess", "catalog", "jsonx", "plan", "risk", "soa"},
	"mail":           {},
	"store":          {"assess", "catalog", "jsonx"},
	"store/sqlstore": {"store", "assess", "catalog", "jsonx"},
	"store/sqlite":   {"store/sqlstore", "store", "assess", "catalog", "jsonx"},
	"store/postgres": {"store/sqlstore", "store", "assess", "catalog", "jsonx"},
	"app":            {"store", "assess", "catalog", "jsonx", "lru", "plan", "risk", "soa", "compare", "interview", "oscal"},
	"chart":          {"assess", "catalog", "jsonx", "plan", "risk"},
	"workbook":       {"app", "lru", "chart", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare", "interview", "oscal"},
	"report":         {"app", "lru", "chart", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare", "interview", "oscal"},
	"web":            {"api", "app", "lru", "chart", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare", "interview", "oscal"},
	"api":            {"app", "lru", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare", "interview", "oscal"},
	"metrics":        {"app", "lru", "store", "assess", "catalog", "jsonx", "plan", "risk", "soa", "compare", "interview", "oscal"},
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
			case !ours && (pkg == "assess" || pkg == "catalog" || pkg == "jsonx" || pkg == "interview"):
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

// TestOnlyMetricsImportsPrometheus: the web app and the service report
// through their own interfaces (web.RequestMetrics, app.Observer); package
// metrics alone turns them into Prometheus metrics, so the library stays
// an adapter's detail. Tests may parse what it serves.
func TestOnlyMetricsImportsPrometheus(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/isogap/isogap/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	importers := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, "github.com/prometheus/") {
				continue
			}
			if fields[0] != module+"metrics" {
				t.Errorf("%s imports %s: only package metrics may", fields[0], imp)
			} else {
				importers++
			}
		}
	}
	if importers == 0 {
		t.Error("package metrics imports no Prometheus package: is the rule's name right?")
	}
}

// testOnly lists libraries whose package initialisers cost every process
// start milliseconds (a JSON Schema library compiles each draft's
// metaschema): the tests may use them, the binary must not link them.
var testOnly = []string{"github.com/santhosh-tekuri/jsonschema/"}

func TestBinaryLeavesOutTestOnlyLibraries(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/isogap/isogap/cmd/isogap").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, lib := range testOnly {
			if strings.HasPrefix(dep, lib) {
				t.Errorf("the isogap binary links %s: its initialisers slow every start; keep it to tests", dep)
			}
		}
	}
}

// domain lists the packages that hold the rules and know no surface.
var domain = []string{"jsonx", "catalog", "assess", "plan", "risk", "soa", "compare", "interview", "oscal"}

// TestDomainImportsNoHTTP: HTTP statuses and handlers belong to package web.
// TestLayers allows the standard library, so its HTTP part is checked here,
// on each package's own imports.
func TestDomainImportsNoHTTP(t *testing.T) {
	args := []string{"list", "-f", `{{.ImportPath}} {{join .Imports " "}}`}
	for _, pkg := range domain {
		args = append(args, module+pkg)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(domain) {
		t.Fatalf("go list answered %d lines for %d packages:\n%s", len(lines), len(domain), out)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		for _, imp := range fields[1:] {
			if imp == "net/http" || strings.HasPrefix(imp, "net/http/") {
				t.Errorf("the domain package %s imports %s: map its errors to HTTP in package web", pkg, imp)
			}
		}
	}
}

// clockReaders lists, for each package that must not read the wall clock,
// the one function allowed to name time.Now: app.New, where the service's
// clock defaults to the system's. Everything else takes the time it is
// given, so a rule gives the same answer in a test, a replay and production.
var clockReaders = map[string]string{"assess": "", "app": "New", "plan": "", "risk": "", "soa": "", "compare": "", "interview": "", "oscal": ""}

func TestNothingReadsTheClock(t *testing.T) {
	for pkg, allowed := range clockReaders {
		t.Run(pkg, func(t *testing.T) { checkClock(t, pkg, allowed) })
	}
}

func checkClock(t *testing.T, pkg, allowed string) {
	exempt := func(file, fn string) bool { return fn == allowed }
	exemptUsed := false

	files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	scanned := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		timeName := ""
		for _, imp := range f.Imports {
			if imp.Path.Value == `"time"` {
				timeName = "time"
				if imp.Name != nil {
					timeName = imp.Name.Name
				}
			}
		}
		if timeName == "" || timeName == "_" {
			continue
		}
		for _, decl := range f.Decls {
			fn := "(package level)"
			if fd, ok := decl.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
				if fd.Recv != nil {
					fn = "a method " + fn
				}
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Now" {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != timeName {
					return true
				}
				if exempt(filepath.Base(path), fn) {
					exemptUsed = true
					return true
				}
				t.Errorf("%s: %s reads the clock (time.Now); take the time as an argument", fset.Position(sel.Pos()), fn)
				return true
			})
		}
	}
	if scanned == 0 {
		t.Fatalf("found no source files of package %s", pkg)
	}
	if allowed != "" && !exemptUsed {
		t.Errorf("%s.%s no longer names time.Now: remove its exemption from this test", pkg, allowed)
	}
}

// adapters reach the data through app.Service only: none of them imports a
// store package. In the CLI only wiring.go may, to open the database and
// hand it to the service.
var adapters = map[string]string{"web": "", "api": "", "workbook": "", "report": "", "chart": "", "cli": "wiring.go"}

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
