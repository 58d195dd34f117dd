package assess

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

func TestErrorKinds(t *testing.T) {
	if KindOf(&ConflictError{}) != KindConflict {
		t.Error("conflict")
	}
	if KindOf(Errorf(KindNotFound, "x")) != KindNotFound {
		t.Error("not found")
	}
	if KindOf(fmt.Errorf("wrapped: %w", Errorf(KindUsage, "x"))) != KindUsage {
		t.Error("a wrapped usage error lost its kind")
	}
	if KindOf(errors.New("plain")) != KindInternal {
		t.Error("a plain error is not internal")
	}
}

// TestKindsListsEveryKind checks Kinds() against the source: the web and CLI
// tables are checked against Kinds(), so a kind missing from it would escape
// them. Kinds() counts up to numKinds, which holds when every Kind constant
// takes its value from the one iota sequence and none sits after numKinds.
func TestKindsListsEveryKind(t *testing.T) {
	declared := 0
	for _, c := range kindConstants(t) {
		if c.explicit {
			t.Errorf("%s: %s has a value of its own; a Kind takes its value from the iota sequence, above numKinds", c.pos, c.name)
		}
		if ast.IsExported(c.name) {
			declared++
		}
	}
	if declared != len(Kinds()) {
		t.Errorf("%d Kind constants in the source, %d in Kinds(): new kinds go above numKinds", declared, len(Kinds()))
	}
	names := map[string]Kind{}
	for _, k := range Kinds() {
		name := k.String()
		if name == "" || strings.HasPrefix(name, "Kind(") {
			t.Errorf("Kind(%d) has no name in kindNames", int(k))
		}
		if other, dup := names[name]; dup {
			t.Errorf("Kind(%d) and Kind(%d) are both named %q", int(other), int(k), name)
		}
		names[name] = k
	}
}

type kindConst struct {
	pos      token.Position
	name     string
	explicit bool // a value other than the block's iota
}

// kindConstants lists the constants of type Kind in the package's non-test files.
func kindConstants(t *testing.T) []kindConst {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []kindConst
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			// In a const block a spec without type and value repeats the one above.
			var typ ast.Expr
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				if vs.Type != nil || len(vs.Values) > 0 {
					typ = vs.Type
				}
				isKind := false
				if id, ok := typ.(*ast.Ident); ok && id.Name == "Kind" {
					isKind = true
				}
				if call, ok := firstValue(vs).(*ast.CallExpr); ok {
					if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "Kind" {
						isKind = true // KindX = Kind(9)
					}
				}
				if !isKind {
					continue
				}
				explicit := false
				if v := firstValue(vs); v != nil {
					id, ok := v.(*ast.Ident)
					explicit = !ok || id.Name != "iota"
				}
				for _, n := range vs.Names {
					out = append(out, kindConst{pos: fset.Position(n.Pos()), name: n.Name, explicit: explicit})
				}
			}
		}
	}
	return out
}

func firstValue(vs *ast.ValueSpec) ast.Expr {
	if len(vs.Values) == 0 {
		return nil
	}
	return vs.Values[0]
}
