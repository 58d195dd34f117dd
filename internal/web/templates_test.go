package web

import (
	"fmt"
	"html/template"
	"io"
	"reflect"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/isogap/isogap/internal/assess"
)

// pageTypes names the page struct each template set is executed with.
// TestTemplatesMatchPages checks every field a template names against it.
var pageTypes = map[string]page{
	"error":        &errorPage{},
	"setup":        &setupPage{},
	"login":        &loginPage{},
	"twofactor":    &twoFactorPage{},
	"portfolio":    &portfolioPage{},
	"scope":        &scopePage{},
	"stakeholders": &stakeholdersPage{},
	"matrix":       &matrixPage{},
	"item":         &itemPage{},
	"dashboard":    &dashboardPage{},
	"soa":          &soaPage{},
	"forecast":     &forecastPage{},
	"roadmap":      &roadmapPage{},
	"risks":        &risksPage{},
	"history":      &historyPage{},
	"downloads":    &downloadsPage{},
	"members":      &membersPage{},
	"users":        &usersPage{},
	"user":         &userPage{},
	"account":      &accountPage{},
	"site":         &sitePage{},
	"invitations":  &invitationsPage{},
	"interviews":   &interviewsPage{},
	"review":       &reviewPage{},
	"answer":       &answerPage{},
	"link":         &linkPage{},
	"catalogs":     &catalogsPage{},
	"sso":          &ssoAdminPage{},
}

// fragments are templates executed on their own, with their own data.
var fragments = map[string]page{}

func TestTemplatesMatchPages(t *testing.T) {
	as, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := loadPages(as)
	if err != nil {
		t.Fatal(err)
	}
	funcs := templateFuncs(as)
	for name := range ps.sets {
		if _, ok := pageTypes[name]; !ok {
			t.Errorf("template set %q has no page struct in pageTypes", name)
		}
	}
	check := func(set, tmpl string, p page) {
		ts := ps.sets[set]
		if ts == nil {
			t.Errorf("no template set %q", set)
			return
		}
		c := &checker{set: ts, funcs: funcs, seen: map[string]bool{}}
		c.template(tmpl, reflect.TypeOf(p), map[string]reflect.Type{"$": reflect.TypeOf(p)})
		for _, e := range c.errs {
			t.Errorf("%s: %s", set, e)
		}
		// An empty page (inside an assessment, signed in) renders too.
		b := p.base()
		b.A, b.User = &assess.Assessment{}, &assess.User{}
		if err := ts.ExecuteTemplate(io.Discard, tmpl, p); err != nil {
			t.Errorf("%s: executing with an empty %T: %v", set, p, err)
		}
	}
	for name, p := range pageTypes {
		check(name, "layout", p)
	}
	for name, p := range fragments {
		set, tmpl, _ := strings.Cut(name, "#")
		check(set, tmpl, p)
	}
}

// The checker itself finds a misspelt field, one inside a range over a
// slice of structs, and one behind a function's result.
func TestTemplateChecker(t *testing.T) {
	funcs := template.FuncMap{"scores": func() []assess.Score { return nil }}
	for src, want := range map[string]string{
		`{{.Title}}{{.Nope}}`:                                   "no field or method Nope",
		`{{range .Rows}}{{.Item.Ref}}{{.Item.Reff}}{{end}}`:     "has no field or method Reff",
		`{{range scores}}{{.Label}}{{.Lable}}{{end}}`:           "has no field Lable",
		`{{with .Conflict}}{{.By}}{{$.Nope}}{{end}}`:            "no field or method Nope",
		`{{define "x"}}{{.Cat.Titel}}{{end}}{{template "x" .}}`: "no field or method Titel",
	} {
		ts := template.Must(template.New("t").Funcs(funcs).Parse(src))
		c := &checker{set: ts, funcs: funcs, seen: map[string]bool{}}
		dot := reflect.TypeOf(&matrixPage{})
		if strings.Contains(src, "Conflict") || strings.Contains(src, "Cat") {
			dot = reflect.TypeOf(&itemPage{})
		}
		c.template("t", dot, map[string]reflect.Type{"$": dot})
		if len(c.errs) != 1 || !strings.Contains(c.errs[0], want) {
			t.Errorf("%s: errors %q, want one with %q", src, c.errs, want)
		}
	}
}

// checker walks a template's parse tree with the Go type of dot and
// reports every field or method a template names that the type lacks.
type checker struct {
	set   *template.Template
	funcs map[string]any
	seen  map[string]bool
	errs  []string
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *checker) template(name string, dot reflect.Type, vars map[string]reflect.Type) {
	key := name + "|" + typeName(dot)
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	t := c.set.Lookup(name)
	if t == nil || t.Tree == nil {
		c.errorf("template %q is not defined", name)
		return
	}
	c.walk(name, t.Tree.Root, dot, vars)
}

func typeName(t reflect.Type) string {
	if t == nil {
		return "?"
	}
	return t.String()
}

func copyVars(v map[string]reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, len(v))
	for k, t := range v {
		out[k] = t
	}
	return out
}

func (c *checker) walk(tmpl string, n parse.Node, dot reflect.Type, vars map[string]reflect.Type) {
	switch n := n.(type) {
	case nil:
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, x := range n.Nodes {
			c.walk(tmpl, x, dot, vars)
		}
	case *parse.ActionNode:
		t := c.pipe(tmpl, n.Pipe, dot, vars)
		for _, v := range n.Pipe.Decl {
			vars[v.Ident[0]] = t
		}
	case *parse.IfNode:
		c.pipe(tmpl, n.Pipe, dot, vars)
		c.walk(tmpl, n.List, dot, copyVars(vars))
		c.walk(tmpl, n.ElseList, dot, copyVars(vars))
	case *parse.WithNode:
		t := c.pipe(tmpl, n.Pipe, dot, vars)
		inner := copyVars(vars)
		for _, v := range n.Pipe.Decl {
			inner[v.Ident[0]] = t
		}
		c.walk(tmpl, n.List, t, inner)
		c.walk(tmpl, n.ElseList, dot, copyVars(vars))
	case *parse.RangeNode:
		t := c.pipe(tmpl, n.Pipe, dot, vars)
		key, elem := elemTypes(t)
		inner := copyVars(vars)
		switch len(n.Pipe.Decl) {
		case 1:
			inner[n.Pipe.Decl[0].Ident[0]] = elem
		case 2:
			inner[n.Pipe.Decl[0].Ident[0]] = key
			inner[n.Pipe.Decl[1].Ident[0]] = elem
		}
		c.walk(tmpl, n.List, elem, inner)
		c.walk(tmpl, n.ElseList, dot, copyVars(vars))
	case *parse.TemplateNode:
		arg := dot
		if n.Pipe != nil {
			arg = c.pipe(tmpl, n.Pipe, dot, vars)
		} else {
			arg = nil
		}
		c.template(n.Name, arg, map[string]reflect.Type{"$": arg})
	}
}

func elemTypes(t reflect.Type) (key, elem reflect.Type) {
	if t == nil {
		return nil, nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return reflect.TypeOf(0), t.Elem()
	case reflect.Map:
		return t.Key(), t.Elem()
	case reflect.Int:
		return reflect.TypeOf(0), reflect.TypeOf(0)
	}
	return nil, nil
}

// pipe returns the type of a pipeline's value (nil when unknown).
func (c *checker) pipe(tmpl string, p *parse.PipeNode, dot reflect.Type, vars map[string]reflect.Type) reflect.Type {
	if p == nil {
		return nil
	}
	var last reflect.Type
	for _, cmd := range p.Cmds {
		for _, arg := range cmd.Args[1:] {
			c.arg(tmpl, arg, dot, vars)
		}
		last = c.arg(tmpl, cmd.Args[0], dot, vars)
	}
	return last
}

func (c *checker) arg(tmpl string, n parse.Node, dot reflect.Type, vars map[string]reflect.Type) reflect.Type {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return c.fields(tmpl, dot, n.Ident, n.String())
	case *parse.VariableNode:
		t, ok := vars[n.Ident[0]]
		if !ok {
			return nil
		}
		return c.fields(tmpl, t, n.Ident[1:], n.String())
	case *parse.ChainNode:
		return c.fields(tmpl, c.arg(tmpl, n.Node, dot, vars), n.Field, n.String())
	case *parse.PipeNode:
		return c.pipe(tmpl, n, dot, vars)
	case *parse.IdentifierNode:
		if f, ok := c.funcs[n.Ident]; ok {
			if ft := reflect.TypeOf(f); ft.NumOut() > 0 {
				return ft.Out(0)
			}
		}
		return nil
	case *parse.StringNode:
		return reflect.TypeOf("")
	case *parse.NumberNode:
		return reflect.TypeOf(0)
	case *parse.BoolNode:
		return reflect.TypeOf(false)
	}
	return nil
}

// fields resolves a chain of field or method names on a type.
func (c *checker) fields(tmpl string, t reflect.Type, names []string, expr string) reflect.Type {
	for _, name := range names {
		if t == nil || t.Kind() == reflect.Interface {
			return nil
		}
		if m, ok := t.MethodByName(name); ok {
			t = m.Type.Out(0)
			continue
		}
		if t.Kind() != reflect.Pointer {
			if m, ok := reflect.PointerTo(t).MethodByName(name); ok {
				t = m.Type.Out(0)
				continue
			}
		}
		base := t
		for base.Kind() == reflect.Pointer {
			base = base.Elem()
		}
		switch base.Kind() {
		case reflect.Struct:
			f, ok := base.FieldByName(name)
			if !ok || !f.IsExported() {
				c.errorf("template %q: %s: %s has no field or method %s", tmpl, expr, base, name)
				return nil
			}
			t = f.Type
		case reflect.Map:
			t = base.Elem()
		default:
			c.errorf("template %q: %s: %s has no field %s", tmpl, expr, base, name)
			return nil
		}
	}
	return t
}
