package oscal

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded schemas are NIST's, unmodified: their sums are the ones
// published with the release.
func TestSchemasAreNISTs(t *testing.T) {
	sums, err := os.ReadFile("schemas/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		want, file, _ := strings.Cut(line, "  ")
		data, err := os.ReadFile(filepath.Join("schemas", file))
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != want {
			t.Errorf("%s: SHA-256 differs from SHA256SUMS", file)
		}
		n++
	}
	if n != len(schemaFiles) {
		t.Errorf("%d sums for %d schemas", n, len(schemaFiles))
	}
}

// NIST's own examples pass; a broken copy fails and says where.
func TestValidate(t *testing.T) {
	for model, file := range map[string]string{
		ModelCatalog:           "testdata/basic-catalog.json",
		ModelAssessmentResults: "testdata/ifa_assessment-results-example.json",
		ModelPOAM:              "testdata/ifa_plan-of-action-and-milestones.json",
	} {
		doc, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(model, doc); err != nil {
			t.Errorf("%s: %v", file, err)
		}
		bad := strings.Replace(string(doc), `"uuid": "`, `"uuid": "not-a-uuid`, 1)
		err = Validate(model, []byte(bad))
		if err == nil || !strings.Contains(err.Error(), "/uuid") {
			t.Errorf("%s with a broken uuid: %v, want an error naming /…/uuid", file, err)
		}
	}
	if err := Validate("profile", []byte(`{}`)); err == nil {
		t.Error("an unknown model validated")
	}
}

func TestUUIDIsStable(t *testing.T) {
	a, b := UUID("assessment", "x", "A.5.1"), UUID("assessment", "x", "A.5.1")
	if a != b || a == UUID("assessment", "x", "A.5.2") || a == UUID("assessment", "xA.5.1") {
		t.Errorf("UUID not a function of its names: %s %s", a, b)
	}
	if a[14] != '5' {
		t.Errorf("UUID %s is not version 5", a)
	}
}

func TestURIReference(t *testing.T) {
	for in, want := range map[string]string{
		"https://wiki.example/a b?x=1": "https://wiki.example/a b?x=1", // parses: kept as given
		"https://x.example/\x01a":      "https://x.example/%01a",
		"K\xe3\x1f%zz":                 "K%E3%1F%25zz",
		"":                             "",
	} {
		if got := uriReference(in); got != want {
			t.Errorf("uriReference(%q) = %q, want %q", in, got, want)
		}
	}
}
