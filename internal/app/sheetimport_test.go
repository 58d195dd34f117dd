package app

import "testing"

func TestEvidenceFromLine(t *testing.T) {
	for in, want := range map[string]NewEvidence{
		"https://wiki.example/x":                {URL: "https://wiki.example/x"},
		"Restore test <https://wiki.example/r>": {Text: "Restore test", URL: "https://wiki.example/r"},
		"Signed policy v2":                      {Text: "Signed policy v2"},
		"https://wiki.example/x and a remark":   {Text: "https://wiki.example/x and a remark"},
		"Report [restore.pdf]":                  {Text: "Report [restore.pdf]"},
	} {
		if got := evidenceFromLine(in); got.Text != want.Text || got.URL != want.URL {
			t.Errorf("%q → %+v, want %+v", in, got, want)
		}
	}
}
