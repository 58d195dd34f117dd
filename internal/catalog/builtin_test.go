package catalog

import (
	"bytes"
	"reflect"
	"testing"
)

// TestBuiltinDataMatchesTheFile: the catalog the program uses (Go data,
// generated) is the shipped JSON file, parsed and validated, field for
// field. After editing iso27001-2022.json run "go generate ./internal/catalog".
func TestBuiltinDataMatchesTheFile(t *testing.T) {
	want, err := Parse(bytes.NewReader(builtinJSON))
	if err != nil {
		t.Fatalf("the embedded file: %v", err)
	}
	got := Builtin()
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got.Items), len(want.Items)) {
			if !reflect.DeepEqual(got.Items[i], want.Items[i]) {
				t.Fatalf("item %s differs from iso27001-2022.json: run go generate ./internal/catalog\n got %+v\nwant %+v", want.Items[i].Ref, got.Items[i], want.Items[i])
			}
		}
		t.Fatal("builtin_gen.go differs from iso27001-2022.json: run go generate ./internal/catalog")
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("the generated catalog: %v", err)
	}
}

func BenchmarkBuiltin(b *testing.B) {
	b.Run("parse-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := Parse(bytes.NewReader(builtinJSON)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("generated", func(b *testing.B) {
		for b.Loop() {
			c := builtinData
			c.index = make(map[string]int, len(c.Items))
			for i, it := range c.Items {
				c.index[it.Ref] = i
			}
		}
	})
}
